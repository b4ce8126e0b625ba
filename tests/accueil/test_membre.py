"""The home of a grappe's member (référent, sponsor, membre, non-voting comité seat): the state of
each grappe they belong to without leading it."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.sections import membre
from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember
from grappe.navigation import user_context
from projets.enums import StatutCompteRendu
from tests.accueil import helpers
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.factories import CompteRenduFactory, plan_for
from tests.projets.helpers_comptes_rendus import at, meeting

pytestmark = pytest.mark.django_db


def section_html(response, key="membre"):
    return helpers.section_html(response, key)


keys = helpers.keys

TODAY = datetime.date(2026, 3, 3)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-03-03 09:00 +0100", tick=False) as traveller:
        yield traveller


def validated(reunion, numero=1, statut=StatutCompteRendu.VALIDE):
    return CompteRenduFactory(
        reunion=reunion,
        numero=numero,
        statut=statut,
        validated_at=at(timezone.localdate(reunion.starts_at) + datetime.timedelta(days=5), 10),
    )


def test_a_referent_sees_the_state_of_their_grappe(cast, client_for):
    plan = plan_for(cast.grappe)  # from 05/01/2026: step 1 never started, late
    etape = plan.etapes.get(ordre=1)
    old = meeting(cast.grappe, day=datetime.date(2026, 1, 20), titre="COPIL de janvier")
    recent = meeting(cast.grappe, day=datetime.date(2026, 2, 10), titre="COPIL de février")
    validated(old)
    cr = validated(recent)
    meeting(cast.grappe, day=datetime.date(2026, 2, 24), titre="COTECH sans compte rendu")
    upcoming = meeting(cast.grappe, day=datetime.date(2026, 3, 20), titre="COPIL de mars")
    response = client_for(cast.member).get(reverse("home"))
    assert response.status_code == 200
    assert keys(response) == ["membre"]
    assert response.context["sections"][0].titre == "Votre grappe : Grappe des Flandres"
    html = section_html(response)
    assert reverse("projets:etape", args=[cast.grappe.pk, etape.pk]) in html
    assert "En retard" in html
    assert reverse("projets:reunion", args=[cast.grappe.pk, upcoming.pk]) in html
    assert "COPIL de mars</a>, le 20/03/2026 à 14:00" in html
    assert reverse("projets:compte_rendu", args=[cast.grappe.pk, recent.pk, cr.pk]) in html
    assert "COPIL de janvier" not in html
    assert cast.grappe.get_absolute_url() in html


def test_empty_states(cast, client_for):
    html = section_html(client_for(cast.member).get(reverse("home")))
    assert "Le plan projet n'est pas encore créé." in html
    assert "Aucune réunion prévue." in html
    assert "Aucun compte rendu validé pour l'instant." in html


def test_a_suivi_seat_without_vote_and_a_copil_guest_see_the_grappe(cast, client_for):
    suivi = UserFactory()
    ComiteMember.objects.create(
        comite=Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SUIVI), user=suivi
    )
    guest = copil_member(cast.grappe, role=RoleComite.INVITE)
    for user in (suivi, guest):
        assert keys(client_for(user).get(reverse("home"))) == ["membre"]


def test_a_sponsor_follows_the_grappe_here(cast, client_for):
    sponsor = RoleFactory(grappe=cast.grappe, kind=RoleKind.SPONSOR).user
    assert keys(client_for(sponsor).get(reverse("home"))) == ["membre"]


@pytest.mark.parametrize("who", ["owner", "copil", "ars", "admin"])
def test_no_membre_section_for_others_and_no_query(cast, who):
    user = getattr(cast, who)
    ties = user_context(user)
    with CaptureQueriesContext(connection) as queries:
        assert membre.section(user, ties, TODAY) is None
    assert len(queries) == 0


def test_a_grappe_led_by_the_user_is_shown_once_under_porteur(cast, client_for):
    RoleFactory(grappe=cast.grappe, user=cast.owner, kind=RoleKind.REFERENT_DUI)
    other = GrappeFactory(name="Grappe du Hainaut")
    RoleFactory(grappe=other, user=cast.owner, kind=RoleKind.MEMBRE)
    response = client_for(cast.owner).get(reverse("home"))
    assert keys(response) == ["porteur", "membre"]
    html = section_html(response)
    assert "Grappe du Hainaut" in html and "Grappe des Flandres" not in html


def test_a_fixed_number_of_queries_whatever_the_number_of_grappes(db):
    def member_of(count):
        user = UserFactory()
        for _ in range(count):
            grappe = GrappeFactory()
            RoleFactory(grappe=grappe, user=user, kind=RoleKind.REFERENT_METIER)
            plan_for(grappe)
            validated(meeting(grappe, day=datetime.date(2026, 2, 10)))
            meeting(grappe, day=datetime.date(2026, 3, 20))
        return user

    for count in (1, 3):
        user = member_of(count)
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            result = membre.section(user, ties, TODAY)
        assert len(result.context["grappes"]) == count
        # Grappes, steps, meetings to come, latest validated minutes.
        assert len(queries) == 4
