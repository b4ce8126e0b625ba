from celery import shared_task

from grappe.finess_import import apply_queued


@shared_task
def apply_finess_import(finess_import_id):
    return apply_queued(finess_import_id).status
