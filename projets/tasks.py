from celery import shared_task

from projets import comptes_rendus, reminders


# Time limits: past the soft one the task stops cleanly (SoftTimeLimitExceeded), the hard one
# kills a worker stuck in C code (WeasyPrint, the SMTP socket).
@shared_task(soft_time_limit=600, time_limit=660)
def send_daily_reminders():
    """Run by Celery beat every morning (projets/migrations/0003_beat_schedule.py)."""
    return reminders.send_daily_reminders()


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=6,
    soft_time_limit=300,
    time_limit=360,
)
def send_compte_rendu_diffusion(pk):
    """The diffusion e-mails of validated minutes, with their PDF (retried for ~1 hour)."""
    return comptes_rendus.send_diffusion(pk)
