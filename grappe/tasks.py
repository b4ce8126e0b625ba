from celery import shared_task

from grappe.finess_import import apply_queued


# The national file (≈ 100 000 establishments) applies in minutes; past 20 the import is
# stopped, nothing written, and marked as failed with the reason (finess_import.run_recorded).
@shared_task(soft_time_limit=1200, time_limit=1260)
def apply_finess_import(finess_import_id):
    return apply_queued(finess_import_id).status
