from celery import shared_task

from projets import comptes_rendus, reminders


@shared_task
def send_daily_reminders():
    """Run by Celery beat every morning (projets/migrations/0003_beat_schedule.py)."""
    return reminders.send_daily_reminders()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=6)
def send_compte_rendu_diffusion(pk):
    """The diffusion e-mails of validated minutes, with their PDF (retried for ~1 hour)."""
    return comptes_rendus.send_diffusion(pk)
