"""The home of an AMOA consultant: per grappe assisted, the step under way and the deliverables to
produce next, with their planned dates."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.sections import amoa
from grappe.enums import RoleKind
from grappe.navigation import user_context
from projets.enums import StatutVersion
from projets.models import LivrableVersion
from tests.accueil import helpers
from tests.accueil.test_porteur import started_plan
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory
from tests.projets.factories import LivrableVersionFactory, plan_for

pytestmark = pytest.mark.django_db


def section_html(response, key="amoa"):
    return helpers.section_html(response, key)


keys = helpers.keys

TODAY = datetime.date(2026, 3, 3)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-03-03 09:00 +0100", tick=False) as traveller:
        yield traveller


def version(livrable, status):
    return LivrableVersionFactory(livrable=livrable, status=status)


def consultant_of(*grappes):
    user = UserFactory()
    for grappe in grappes:
        RoleFactory(grappe=grappe, user=user, kind=RoleKind.AMOA)
    return user


def test_current_step_the_next_one_and_their_deliverables_late_ones_flagged(cast, client_for):
    # Steps 1 and 2 done, step 3 under way but due on 01/03: late on 03/03; step 4 (09/03 →
    # 19/04) is the next one.
    plan, etapes = started_plan(cast.grappe)
    etapes[3].planned_end = datetime.date(2026, 3, 1)
    etapes[3].save()
    consultant = consultant_of(cast.grappe)
    (troisieme,) = etapes[3].livrables.all()  # validated by the COPIL: submitted, to produce
    version(troisieme, StatutVersion.SOUMISE)
    (quatrieme,) = etapes[4].livrables.all()  # not validated by the COPIL, never deposited
    response = client_for(consultant).get(reverse("home"))
    assert keys(response) == ["amoa"]
    assert response.context["sections"][0].titre == "Votre mission AMOA : Grappe des Flandres"
    html = section_html(response)
    for numero in (3, 4):
        assert reverse("projets:etape", args=[cast.grappe.pk, etapes[numero].pk]) in html
    for numero in (2, 5):
        assert reverse("projets:etape", args=[cast.grappe.pk, etapes[numero].pk]) not in html
    livrables = html.split('data-testid="livrables"')[1]
    third, fourth = (
        livrables.index(reverse("projets:livrable", args=[cast.grappe.pk, livrable.pk]))
        for livrable in (troisieme, quatrieme)
    )
    assert third < fourth  # by planned date
    assert 'prévu le 01/03/2026 <span class="badge text-bg-danger">en retard</span>' in html
    assert "Soumise à validation" in html and "prévu le 19/04/2026</span>" in html
    # A validated version delivers a deliverable the COPIL validates; a deposited one, the others.
    LivrableVersion.objects.filter(livrable=troisieme).update(status=StatutVersion.VALIDEE)
    version(quatrieme, StatutVersion.DEPOSEE)
    html = section_html(client_for(consultant).get(reverse("home")))
    for livrable in (troisieme, quatrieme):
        assert reverse("projets:livrable", args=[cast.grappe.pk, livrable.pk]) not in html
    assert "Aucun livrable à produire pour les étapes en cours et la suivante." in html
    assert reverse("projets:livrables", args=[cast.grappe.pk]) in html


def test_without_plan(cast, client_for):
    html = section_html(client_for(consultant_of(cast.grappe)).get(reverse("home")))
    assert "Le plan projet n'est pas encore créé." in html


@pytest.mark.parametrize("who", ["owner", "member", "copil", "ars", "admin"])
def test_no_amoa_section_for_others_and_no_query(cast, who):
    user = getattr(cast, who)
    ties = user_context(user)
    with CaptureQueriesContext(connection) as queries:
        assert amoa.section(user, ties, TODAY) is None
    assert len(queries) == 0


def test_several_grappes_in_a_fixed_number_of_queries(db, client_for):
    def grappes(count):
        made = []
        for _ in range(count):
            grappe = GrappeFactory()
            plan_for(grappe)
            made.append(grappe)
        return made

    for count in (1, 3):
        consultant = consultant_of(*grappes(count))
        ties = user_context(consultant)
        with CaptureQueriesContext(connection) as queries:
            result = amoa.section(consultant, ties, TODAY)
        assert len(result.context["grappes"]) == count
        assert len(queries) == 3  # grappes, steps, deliverables to produce
    response = client_for(consultant).get(reverse("home"))
    assert response.context["sections"][0].titre == "Vos missions AMOA"
    html = section_html(response)
    assert html.count("<h3") == 3
