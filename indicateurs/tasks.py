"""Celery tasks of the indicators (beat: 1st of each month, 06:00 Europe/Paris, migration 0003)."""

from celery import shared_task

from indicateurs.jobs import run_computation


@shared_task
def compute_indicators(mois_iso=None, grappe_id=None):
    """Compute a month ('YYYY-MM'; default: the elapsed month) for one grappe or all."""
    return run_computation(mois_iso, grappe_id)
