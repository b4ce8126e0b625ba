"""The dashboards open on the latest month with data (issue 21). After an import, the months up
to the elapsed one are computed: the elapsed month, whose figures have not come in yet, holds only
"non calculable" values. The grappe's, region's and national dashboards (and their PDFs) open on
April, whose five targets are met and made tranche 2 due, not on that empty May."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from indicateurs import tableaux
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Tranche, ValeurIndicateur
from indicateurs.services import compute_month
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import in_service, meeting

pytestmark = pytest.mark.django_db

APRIL, MAY = date(2026, 4, 1), date(2026, 5, 1)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-10 10:00 +0200", tick=False):
        yield


@pytest.fixture
def computed(cast):
    cast.grappe.convention_amount = Decimal("683000")
    cast.grappe.convention_signed_on = date(2026, 1, 15)
    cast.grappe.save()
    in_service(cast.grappe, "2026-01")
    for esms in [m.esms for m in cast.grappe.active_memberships()]:
        for month in (1, 2, 3, 4):
            meeting(esms, date(2026, month, 1))
    for month in (3, 4, 5):  # the import recomputed April's next months up to the elapsed one
        compute_month(date(2026, month, 1))
    may = ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe=cast.grappe, mois=MAY)
    assert may.count() == 5 and not may.filter(valeur__isnull=False).exists()
    assert Tranche.objects.get(grappe=cast.grappe, numero=2).statut == StatutTranche.DUE
    return cast.grappe


def test_grappe_dashboard_opens_on_the_latest_month_with_data(cast, client_for, computed):
    client = client_for(cast.owner)
    response = client.get(reverse("indicateurs:tableau_grappe", args=[computed.pk]))
    assert response.context["mois"] == APRIL
    assert response.context["toutes_atteintes"] is True
    assert [m for m, _ in response.context["mois_disponibles"]] == [APRIL, date(2026, 3, 1)]
    # May, empty, is not offered; asked for, the dashboard shows April.
    response = client.get(
        reverse("indicateurs:tableau_grappe", args=[computed.pk]), {"mois": "2026-05"}
    )
    assert response.context["mois"] == APRIL
    pdf = client.get(reverse("indicateurs:tableau_grappe_pdf", args=[computed.pk]))
    assert "2026-04" in pdf["Content-Disposition"]


def test_region_and_national_open_on_the_latest_month_with_data(cast, client_for, computed):
    response = client_for(cast.ars).get(reverse("indicateurs:tableau_region", args=["32"]))
    assert response.context["mois"] == APRIL
    row = next(r for r in response.context["rows"] if r["grappe"] == computed)
    # Who reached the targets? The row answers with April.
    assert row["dernier_mois"] == APRIL
    assert row["atteintes"] == 5 and row["toutes_atteintes"]
    assert [t.statut for t in row["tranches"]][1] == StatutTranche.DUE
    assert [m for m, _ in response.context["mois_disponibles"]] == [APRIL, date(2026, 3, 1)]
    pdf = client_for(cast.ars).get(reverse("indicateurs:tableau_region_pdf", args=["32"]))
    assert "2026-04" in pdf["Content-Disposition"]

    response = client_for(cast.admin).get(reverse("indicateurs:tableau_national"))
    hdf = next(r for r in response.context["rows"] if r["region"].code == "32")
    assert hdf["dernier_mois"] == APRIL
    assert all(c["atteinte"] and c["grappes_atteintes"] == 1 for c in hdf["cellules"])


def test_region_table_last_month_per_grappe(cast, client_for, computed):
    """A grappe whose latest computed month is empty shows its latest month with data, and a
    grappe with only empty months has none ("sans données")."""
    silent = GrappeFactory(name="Grappe silencieuse")
    add_esms(silent, 2)
    compute_month(MAY, silent)
    response = client_for(cast.ars).get(
        reverse("indicateurs:tableau_region", args=["32"]), {"cibles": "sans_donnees"}
    )
    assert [r["grappe"] for r in response.context["rows"]] == [silent]
    assert response.context["rows"][0]["dernier_mois"] is None


def test_progress_report_shows_the_latest_month_with_data(cast, computed):
    rows = tableaux.report_rows(computed, date(2026, 6, 10))
    assert {row["periode"] for row in rows} == {"avril 2026"}
    assert "non calculable" not in {row["valeur"] for row in rows}
