"""The home's section for an ARS agent (accueil.sections.ars): the region's grappes at risk, the
tranches to pay, the region's calls for projects."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.sections import ars
from grappe.navigation import user_context
from indicateurs.enums import StatutTranche
from tests.accueil import helpers
from tests.candidatures.factories import campagne_for, filed
from tests.grappe.factories import GrappeFactory, add_esms
from tests.helpers import text
from tests.indicateurs.factories_tableaux import (
    TrancheFactory,
    grappe_values,
    indicateurs,
    month,
    tranches,
)
from tests.projets.factories import plan_for
from tests.projets.helpers_comptes_rendus import meeting

pytestmark = pytest.mark.django_db


def section_of(response, key="ars"):
    return helpers.section_of(response, key)


# The regions (1), the late minutes (2), the calls (1) and the region's alerts
# (indicateurs.tableaux.region_alertes: the worst grappes at risk and their number from the
# monthly summaries, their values and tranches, the indicators (2), the tranches to pay, the
# number of grappes: 8).
QUERIES_ONE_REGION = 12
MET = {"mssante": 75, "dmp": 80, "dui_actifs": 95, "dui_pp": 95, "dui_evenement": 95}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def region_of(response, code="32"):
    return next(r for r in section_of(response).context["regions"] if r["region"].code == code)


def test_tranche_due_is_listed_for_the_regions_agent_only(cast, client_for):
    first, second = tranches(cast.grappe, StatutTranche.PAYEE, StatutTranche.DUE)
    second.montant = Decimal("123456.78")
    second.due_le = timezone.now() - datetime.timedelta(days=12)
    second.save()
    response = client_for(cast.ars).get("/")
    region = region_of(response)
    assert [t.pk for t in region["tranches"]] == [second.pk]
    assert region["total_a_payer"] == Decimal("123456.78")
    page = text(response)
    assert "123\u00a0456,78\u00a0€" in page
    assert "Due depuis le 03/06/2026" in page
    paiement = reverse("indicateurs:paiement", args=[cast.grappe.pk, second.pk])
    assert f'href="{paiement}"' in response.content.decode()
    other = client_for(cast.ars_other).get("/")
    assert region_of(other, "84")["tranches"] == []
    assert "Aucune tranche à payer." in text(other)
    assert paiement not in other.content.decode()


def test_tranche_under_review_is_to_pay_too(cast, client_for):
    TrancheFactory(grappe=cast.grappe, numero=2, statut=StatutTranche.A_REVOIR)
    TrancheFactory(grappe=cast.grappe, numero=1, statut=StatutTranche.PAYEE)
    region = region_of(client_for(cast.ars).get("/"))
    assert [t.statut for t in region["tranches"]] == [StatutTranche.A_REVOIR]


def test_grappes_at_risk_worst_first(cast, client_for):
    indicateurs()
    months = [month(2026, m) for m in (3, 4, 5)]
    # The cast's grappe: its plan started in January, several steps are late by mid-June.
    plan_for(cast.grappe, start_on=datetime.date(2026, 1, 5))
    grappe_values(cast.grappe, months, MET)
    # Far from the MSSanté target (30 % for 70 %) on its latest month.
    artois = GrappeFactory(name="Grappe de l'Artois")
    add_esms(artois, 2)
    grappe_values(artois, months, {**MET, "mssante": 30})
    # Close to the target (65 % for 70 %): not « loin », not at risk.
    proche = GrappeFactory(name="Grappe proche")
    grappe_values(proche, months, {**MET, "mssante": 65})
    # Minutes of a meeting on 1 June not transmitted (due 11 June).
    hainaut = GrappeFactory(name="Grappe du Hainaut")
    meeting(hainaut, day=datetime.date(2026, 6, 1))
    GrappeFactory(name="Grappe sans souci")

    response = client_for(cast.ars).get("/")
    region = region_of(response)
    risques = {r["grappe"].name: r for r in region["risques"]}
    assert set(risques) == {"Grappe des Flandres", "Grappe de l'Artois", "Grappe du Hainaut"}
    assert region["risques"][0]["grappe"] == cast.grappe  # several late steps: the worst
    assert risques["Grappe des Flandres"]["retards"] > 1
    assert risques["Grappe de l'Artois"]["cibles_loin"] == ["Taux d'utilisation de la MSSanté"]
    assert risques["Grappe du Hainaut"]["cr_retards"] == 1
    page = response.content.decode()
    assert f'href="{reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk])}"' in page
    assert f'href="{reverse("indicateurs:tableau_region", args=["32"])}"' in page
    # The other region's agent does not see them.
    other = region_of(client_for(cast.ars_other).get("/"), "84")
    assert other["risques"] == []


def test_at_most_ten_grappes_at_risk(cast, client_for):
    for index in range(12):
        meeting(GrappeFactory(name=f"Grappe {index:02d}"), day=datetime.date(2026, 6, 1))
    region = region_of(client_for(cast.ars).get("/"))
    assert len(region["risques"]) == 10 and region["nb_risques"] == 12


def test_campaign_of_the_region(cast, client_for):
    campagne = campagne_for(cast.grappe.region)
    filed(campagne)
    filed(campagne, statut="instruite")
    campagne_for(GrappeFactory(region_id=cast.other_grappe.region_id).region)
    response = client_for(cast.ars).get("/")
    campagnes = section_of(response).context["campagnes"]
    assert [(c.pk, statut, c.deposes, c.a_instruire) for c, statut in campagnes] == [
        (campagne.pk, "ouverte", 2, 1)
    ]
    assert "2 dossiers déposés · 1 à instruire" in text(response)
    assert f'href="{campagne.get_absolute_url()}"' in response.content.decode()
    none = client_for(cast.ars_other).get("/")
    assert len(section_of(none).context["campagnes"]) == 1  # their own region's call only


def test_section_absent_for_people_it_does_not_concern(cast):
    """None, without a query, for whoever is no ARS agent (the national admin included)."""
    for user in (cast.owner, cast.member, cast.copil, cast.admin, cast.stranger):
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            assert ars.section(user, ties, timezone.localdate()) is None
        assert len(queries) == 0


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def grappe_at_risk(name):
    grappe = GrappeFactory(name=name)
    add_esms(grappe, 2)
    plan_for(grappe, start_on=datetime.date(2026, 1, 5))
    tranches(grappe, StatutTranche.DUE, StatutTranche.PREVUE)
    meeting(grappe, day=datetime.date(2026, 6, 1))
    # Far from the DMP target on May: the region has data, so its dashboard reads it all.
    grappe_values(grappe, [month(2026, 5)], {**MET, "dmp": 10})
    return grappe


def test_home_query_count_does_not_grow_with_the_region(cast, client_for):
    indicateurs()
    grappe_at_risk("Grappe A")  # with the cast's grappe: 2 grappes in the region
    client = client_for(cast.ars)
    two = home_queries(client)
    for index in range(4):
        grappe_at_risk(f"Grappe {index}")
    six = home_queries(client)
    assert two == six
    assert len(region_of(client.get("/"))["risques"]) == 5


def test_section_query_count(cast):
    """The regions (1), the late minutes (2), the calls (1) and the alerts of each region."""
    indicateurs()
    grappe_at_risk("Grappe A")
    ties = user_context(cast.ars)
    with CaptureQueriesContext(connection) as queries:
        section = ars.section(cast.ars, ties, timezone.localdate())
    assert len(section.context["regions"]) == 1
    assert len(queries) == QUERIES_ONE_REGION
