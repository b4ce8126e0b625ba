from celery import shared_task

from projets import reminders


@shared_task
def send_daily_reminders():
    """Run by Celery beat every morning (projets/migrations/0003_beat_schedule.py)."""
    return reminders.send_daily_reminders()
