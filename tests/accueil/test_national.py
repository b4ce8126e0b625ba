"""The home's section for the national admin (accueil.sections.national): the programme in
figures, from the national dashboard's context."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.sections import national
from grappe.navigation import user_context
from indicateurs.enums import StatutTranche
from projets.models import Etape
from tests.accueil import helpers
from tests.grappe.factories import GrappeFactory, UserFactory, add_esms
from tests.helpers import text
from tests.indicateurs.factories_tableaux import (
    TrancheFactory,
    grappe_values,
    indicateurs,
    month,
)
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db


def section_of(response, key="national"):
    return helpers.section_of(response, key)


MET = {"mssante": 75, "dmp": 80, "dui_actifs": 95, "dui_pp": 95, "dui_evenement": 95}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def programme(cast):
    """The cast's two grappes (3 ESMS in the Flandres), a third with 2 ESMS; plans at phase 1
    and phase 4; tranches paid, due and under review."""
    indicateurs()
    plan_for(cast.grappe)
    third = GrappeFactory(name="Grappe de l'Artois")
    add_esms(third, 2)
    plan_for(third)
    # The Artois has done its first three phases: its current step is in phase 4.
    Etape.objects.filter(plan__grappe=third, phase__lt=4).update(
        actual_start=datetime.date(2026, 1, 5), actual_end=datetime.date(2026, 5, 29)
    )
    TrancheFactory(grappe=cast.grappe, numero=1, statut=StatutTranche.PAYEE)
    TrancheFactory(grappe=cast.grappe, numero=2, statut=StatutTranche.DUE, montant=Decimal("0.05"))
    TrancheFactory(grappe=third, numero=1, statut=StatutTranche.A_REVOIR, montant=Decimal("10.10"))
    grappe_values(cast.grappe, [month(2026, 5)], MET)
    grappe_values(third, [month(2026, 5)], {**MET, "mssante": 20})
    return third


def test_national_figures(cast, client_for, programme):
    response = client_for(cast.admin).get("/")
    assert response.status_code == 200
    c = section_of(response).context
    assert (c["nb_grappes"], c["nb_esms"]) == (3, 5)
    stages = {stage["label"]: stage["nombre"] for stage in c["stages"]}
    assert stages["Sans plan projet"] == 1  # the other region's grappe
    assert [n for label, n in stages.items() if label.startswith("Phase 1")] == [1]
    assert [n for label, n in stages.items() if label.startswith("Phase 4")] == [1]
    assert stages["Plan achevé"] == 0
    tranches = {t["statut"]: t for t in c["tranches"]}
    assert tranches[StatutTranche.PAYEE]["montant"] == Decimal("150000.00")
    assert tranches[StatutTranche.DUE]["montant"] == Decimal("0.05")
    assert tranches[StatutTranche.A_REVOIR]["nombre"] == 1
    assert isinstance(tranches[StatutTranche.DUE]["montant"], Decimal)
    page = text(response)
    assert "150\u00a0000,00\u00a0€" in page and "0,05\u00a0€" in page
    usages = {u["indicateur"].code: u for u in c["usages"]}
    # One region with data (Hauts-de-France), May 2026: one grappe of two meets MSSanté.
    assert usages["mssante"]["grappes_atteintes"] == 1
    assert usages["dmp"]["grappes_atteintes"] == 2
    assert c["dernier_mois"] == month(2026, 5)
    html = response.content.decode()
    assert f'href="{reverse("indicateurs:tableau_national")}"' in html
    assert f'href="{reverse("grappe:list")}"' in html


def test_empty_states(db, client_for):
    admin = UserFactory(is_staff=True)
    response = client_for(admin).get("/")
    c = section_of(response).context
    assert c["nb_grappes"] == 0
    assert "Aucune donnée d'usage pour le moment." in text(response)


def test_section_absent_for_everybody_else(cast):
    for user in (cast.owner, cast.member, cast.copil, cast.ars, cast.stranger):
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            assert national.section(user, ties, timezone.localdate()) is None
        assert len(queries) == 0


def test_fixed_number_of_queries(cast, programme):
    """national_context (10: with no region rows here, its fallback on the grappe rows reads the
    latest months and the sums) and the stages (2), whatever the number of grappes."""

    def count():
        ties = user_context(cast.admin)
        with CaptureQueriesContext(connection) as queries:
            national.section(cast.admin, ties, timezone.localdate())
        return len(queries)

    few = count()
    for index in range(4):
        grappe = GrappeFactory(name=f"Grappe {index}")
        add_esms(grappe, 1)
        plan_for(grappe)
        TrancheFactory(grappe=grappe, numero=1, statut=StatutTranche.DUE)
        grappe_values(grappe, [month(2026, 5)], MET)
    assert count() == few == QUERIES


QUERIES = 12
