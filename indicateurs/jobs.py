"""Entry points shared by the Celery task and the `compute_indicators` command."""

from core import months
from grappe.models import Grappe
from indicateurs import services


def run_computation(mois_iso=None, grappe_id=None):
    mois = months.parse_month_or_error(mois_iso) if mois_iso else months.elapsed_month()
    grappe = Grappe.objects.get(pk=grappe_id) if grappe_id else None
    run = services.compute_month(mois, grappe)
    return {"mois": f"{mois:%Y-%m}", "grappe": grappe_id, "lignes": run.lignes}
