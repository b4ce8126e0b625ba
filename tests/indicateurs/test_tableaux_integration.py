"""End to end: usage data → the monthly computation (indicateurs.services) → the dashboards."""

import html
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from indicateurs.enums import SourceUsage
from indicateurs.models import UsageMensuel
from indicateurs.services import compute_month
from tests.indicateurs.factories import in_service
from tests.indicateurs.factories_tableaux import indicateurs, month

pytestmark = pytest.mark.django_db

MONTHS = [month(2026, m) for m in (3, 4, 5, 6)]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-07-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def test_computed_values_show_on_the_dashboards(cast, client_for):
    indicateurs()
    esms = [m.esms for m in cast.grappe.active_memberships()]
    in_service(cast.grappe, MONTHS[0])
    for index, item in enumerate(esms):
        for mois in MONTHS:
            UsageMensuel.objects.create(
                esms=item,
                mois=mois,
                personnes_accompagnees=100,
                messages_mssante=80 if index else 10,
                dmp_alimentes=75,
                dossiers_actifs=95,
                dossiers_actifs_avec_pp=92,
                dossiers_actifs_avec_evenement=91,
                source=SourceUsage.SAISIE,
            )
    for mois in MONTHS:
        compute_month(mois)

    response = client_for(cast.owner).get(
        reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk])
    )
    assert response.context["mois"] == month(2026, 6)
    synthese = {c.indicateur.code: c for c in response.context["synthese"]}
    # MSSanté: (10 + 80 + 80) ÷ 300 = 56,7 % — below its 70 % target; the DUI ones are met.
    assert synthese["mssante"].valeur.valeur == Decimal("56.67")
    assert synthese["mssante"].statut["code"] == "loin"
    assert synthese["dui_actifs"].statut["code"] == "atteinte"
    # The ESMS that sends few messages comes first.
    assert response.context["esms_rows"][0]["esms"] == esms[0]
    page = html.unescape(response.content.decode())
    assert "56,7 %" in page
    assert '<g class="cible">' in page

    response = client_for(cast.ars).get(reverse("indicateurs:tableau_region", args=["32"]))
    row = next(r for r in response.context["rows"] if r["grappe"] == cast.grappe)
    assert row["dernier_mois"] == month(2026, 6)
    assert row["atteintes"] == 4
    # The computation wrote the region rows: the trend reads them.
    assert response.context["courbes"][0]["table"][-1] == ("juin 2026", "56,7 %")
