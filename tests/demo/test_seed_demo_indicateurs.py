from datetime import date

import pytest
from django.core.management import call_command

from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe
from indicateurs.enums import Niveau, StatutImport, StatutTranche
from indicateurs.models import CalculMensuel, ImportUsage, UsageMensuel, ValeurIndicateur

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        UsageMensuel.objects.count(),
        ValeurIndicateur.objects.count(),
        CalculMensuel.objects.count(),
        ImportUsage.objects.count(),
        list(
            Grappe.objects.get(name=GRAPPE_NAME)
            .tranches.order_by("numero")
            .values_list("statut", "mois_declenchement", "paye_le")
        ),
    )


def test_seed_demo_builds_ten_months_of_usage_data_idempotently():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first

    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    usages = UsageMensuel.objects.filter(esms__memberships__grappe=grappe)
    assert usages.values("esms").distinct().count() == 16
    assert usages.count() == 16 * 10 - 1  # one month never came in
    assert usages.filter(dmp_alimentes__isnull=True).exists()  # missing ≠ zero
    assert {m.isoformat()[:7] for m in usages.values_list("mois", flat=True)} == {
        f"2026-{month:02d}" for month in range(1, 11)
    }
    record = ImportUsage.objects.get(grappe=grappe)
    assert record.statut == StatutImport.APPLIQUE
    assert usages.filter(import_usage=record).count() == 16

    grappe_values = ValeurIndicateur.objects.filter(grappe=grappe, niveau=Niveau.GRAPPE)
    # Months 1–2 are not assessed; the first measure is March.
    assert not grappe_values.filter(mois__lt=date(2026, 3, 1)).exists()
    assert grappe_values.filter(mois=date(2026, 3, 1), premiere_mesure=True).count() == 5
    rates = list(
        grappe_values.filter(indicateur__code="dui_actifs")
        .order_by("mois")
        .values_list("valeur", flat=True)
    )
    assert rates == sorted(rates)  # rising
    lagging = ValeurIndicateur.objects.filter(
        niveau=Niveau.ESMS, mois=date(2026, 10, 1), indicateur__code="mssante", atteinte=False
    )
    assert lagging.count() == 1

    tranche1, tranche2 = grappe.tranches.order_by("numero")
    assert tranche1.statut == StatutTranche.PAYEE
    assert tranche2.statut == StatutTranche.DUE
    assert tranche2.mois_declenchement is not None
    assert all(item["atteinte"] for item in tranche2.declenchement["indicateurs"])
