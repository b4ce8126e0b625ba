"""The demo's usage data (issue 16): none for the main grappe, which has chosen its DUI but not
deployed it; the grappes past their mise en service have data from it on, the last month of one
came as a file, and their tranches fall due by the product's monthly computation."""

import datetime

import pytest

from demo.stages import LATER
from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe
from indicateurs.enums import Niveau, StatutImport, StatutTranche
from indicateurs.models import ImportUsage, UsageMensuel, ValeurIndicateur
from tests.demo.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db

TODAY = datetime.date.fromisoformat(DEMO_TODAY[:10])
NAMES = {stage: spec.name for stage, spec, _ in LATER}


def test_seed_demo_builds_usage_data():
    main = Grappe.objects.get(name=GRAPPE_NAME)
    assert not UsageMensuel.objects.filter(esms__memberships__grappe=main).exists()
    tranche1, tranche2 = main.tranches.order_by("numero")
    assert tranche1.statut == StatutTranche.PAYEE
    assert tranche2.statut == StatutTranche.PREVUE
    # Its one usage file: the éditeur's sample export, refused by the dry run, never applied.
    (sample,) = ImportUsage.objects.filter(grappe=main)
    assert sample.statut == StatutImport.REFUSE and sample.applique_le is None

    grappe = Grappe.objects.get(name=NAMES["cibles_atteintes"])
    usages = UsageMensuel.objects.held_by(grappe)
    assert usages.values("esms").distinct().count() == 15
    # Ten months: from the mise en service (February 2026) to the elapsed month (November).
    months = sorted(set(usages.values_list("mois", flat=True)))
    assert (months[0], months[-1], len(months)) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 11, 1),
        10,
    )
    record = ImportUsage.objects.get(grappe=grappe)
    assert record.statut == StatutImport.APPLIQUE
    assert usages.filter(import_usage=record).count() == 15

    values = ValeurIndicateur.objects.filter(grappe=grappe, niveau=Niveau.GRAPPE)
    # Months 1–2 are not assessed; the first measure is the third month (April).
    assert values.order_by("mois").first().mois == datetime.date(2026, 4, 1)
    assert values.filter(mois=datetime.date(2026, 4, 1), premiere_mesure=True).count() == 5
    rates = list(
        values.filter(indicateur__code="dui_actifs")
        .order_by("mois")
        .values_list("valeur", flat=True)
    )
    assert rates == sorted(rates)  # rising
    # Every target met in the last month only: tranche 2 fell due then.
    tranche2 = grappe.tranches.get(numero=2)
    assert tranche2.statut == StatutTranche.DUE
    assert tranche2.mois_declenchement == datetime.date(2026, 11, 1)
    assert all(item["atteinte"] for item in tranche2.declenchement["indicateurs"])
    lagging = ValeurIndicateur.objects.filter(
        niveau=Niveau.ESMS,
        mois=datetime.date(2026, 11, 1),
        indicateur__code="mssante",
        atteinte=False,
        esms__memberships__grappe=grappe,
    )
    assert lagging.count() == 1

    paid = Grappe.objects.get(name=NAMES["tranche_payee"]).tranches.get(numero=2)
    assert paid.statut == StatutTranche.PAYEE and paid.paye_le <= TODAY
    assert paid.mois_declenchement < paid.paye_le
    difficult = Grappe.objects.get(name=NAMES["en_difficulte"])
    assert difficult.tranches.get(numero=2).statut == StatutTranche.PREVUE
    assert not ValeurIndicateur.objects.filter(
        grappe=difficult, niveau=Niveau.GRAPPE, atteinte=True, indicateur__code="dui_actifs"
    ).exists()
