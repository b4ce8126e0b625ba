"""Celery tasks of the indicators (beat: 1st of each month, 06:00 Europe/Paris, migration 0003)."""

import logging

from celery import shared_task

from indicateurs import services
from indicateurs.jobs import run_computation

logger = logging.getLogger(__name__)

# The dry run of a usage file (40 000 lines at most) takes seconds; past the soft limit it is
# stopped and the import marked as failed, the hard limit kills a worker stuck in C code.
DRY_RUN_SOFT_LIMIT = 120
DRY_RUN_HARD_LIMIT = 150


# A month for every grappe of the nation (35 000 ESMS) takes minutes (docs/benchmarks.md):
# 30 minutes is far beyond, and still stops a computation gone wrong before the next one.
@shared_task(soft_time_limit=1800, time_limit=1860)
def compute_indicators(mois_iso=None, grappe_id=None):
    """Compute a month ('YYYY-MM'; default: the elapsed month) for one grappe or all."""
    return run_computation(mois_iso, grappe_id)


@shared_task(soft_time_limit=DRY_RUN_SOFT_LIMIT, time_limit=DRY_RUN_HARD_LIMIT)
def verify_usage_import(import_id):
    """The dry run of an uploaded usage file (indicateurs.simulation.run)."""
    # Imported here: simulation → usage_import → this module (compute_indicators) is a cycle.
    from indicateurs import simulation  # noqa: PLC0415 (cycle, see above)

    return simulation.run(import_id)


# A relay down for a while: retried 8 times, waiting 1, 2, 4… minutes (capped at an hour, with
# jitter), about 4 hours in all, each failure logged; the last one is Celery's failed task.
@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def notify_tranche_due(self, tranche_id):
    """The « tranche due » e-mail to the region's ARS agents (services.notify_tranche_due)."""
    try:
        return services.notify_tranche_due(tranche_id)
    except Exception:
        logger.warning(
            "Avis « tranche due » (tranche %s) non envoyé, essai %s sur %s.",
            tranche_id,
            self.request.retries + 1,
            self.max_retries + 1,
            exc_info=True,
        )
        raise
