"""The takeover chain of a hostile review (issue « Sécurité »), step by step: a signed-in
stranger creates a grappe, adds by its FINESS number an ESMS active in another grappe, then
sends its figures with their own API token and downloads its history. Each step must fail where
it should, and the victim's figures stay as they were."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from grappe import perms
from grappe.enums import FonctionOg, RoleKind
from grappe.models import EsmsMembership, Grappe, HistoryEntry, OgPerson, Region
from indicateurs.models import UsageMensuel
from indicateurs.services import compute_month
from tests.grappe.factories import (
    GrappeFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
)
from tests.helpers import api_for, consume
from tests.indicateurs.factories import meeting, usage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        yield


def row(esms, mois, personnes=100, mssante=0):
    return {
        "finess_et": esms.finess_et,
        "mois": mois,
        "personnes_accompagnees": personnes,
        "messages_mssante": mssante,
        "dmp_alimentes": 0,
        "dossiers_actifs": 0,
        "dossiers_actifs_avec_pp": 0,
        "dossiers_actifs_avec_evenement": 0,
    }


@pytest.fixture
def victim(cast):
    """The victim grappe's ESMS with real figures for October 2026."""
    esms = cast.grappe.memberships.first().esms
    meeting(esms, "2026-10", personnes=120)
    return esms


def attacker_with_grappe():
    """A person of some OG (so allowed to start a grappe), chef de projet of their own."""
    attacker = UserFactory(email="attaquant@exemple.fr")
    og = OrganismeGestionnaireFactory()
    OgPerson.objects.create(og=og, user=attacker, fonction=FonctionOg.DIRECTION)
    grappe = GrappeFactory(name="Grappe de l'attaquant", porteur=og)
    RoleFactory(grappe=grappe, user=attacker, kind=RoleKind.CHEF_PROJET)
    return attacker, grappe


def test_step_1_a_signed_in_stranger_cannot_create_a_grappe(cast, client_for):
    stranger = UserFactory(email="inconnu@exemple.fr")
    count = Grappe.objects.count()
    response = client_for(stranger).post(
        reverse("grappe:create"),
        {"name": "Grappe pirate", "region": Region.objects.get(code="32").pk},
    )
    assert response.status_code == 403
    assert Grappe.objects.count() == count
    assert not perms.can_create_grappe(cast.stranger)  # chef de projet elsewhere, no OG


def test_step_2_an_esms_of_another_grappe_cannot_be_added(cast, client_for, victim):
    attacker, grappe = attacker_with_grappe()
    # Even the OG's own direction cannot pull an ESMS out of the grappe that holds it.
    OgPerson.objects.create(og=victim.og, user=attacker, fonction=FonctionOg.DIRECTION)
    response = client_for(attacker).post(
        reverse("grappe:esms_add", args=[grappe.pk]), {"finess_et": victim.finess_et}
    )
    assert response.status_code == 200
    assert "actif dans la grappe « Grappe des Flandres »" in str(response.context["form"].errors)
    assert not grappe.memberships.exists()
    assert not perms.can_edit_esms(attacker, victim)


def test_step_3_figures_are_written_only_by_the_grappe_holding_the_esms(cast, victim):
    attacker, grappe = attacker_with_grappe()
    before = dict(UsageMensuel.objects.filter(esms=victim).values_list("mois", "messages_mssante"))
    response = api_for(attacker).post(
        "/api/v1/usages/", [row(victim, "2026-10", mssante=0)], format="json"
    )
    assert response.status_code == 400
    assert "dans une grappe que vous alimentez" in str(response.json())
    after = dict(UsageMensuel.objects.filter(esms=victim).values_list("mois", "messages_mssante"))
    assert after == before
    assert not HistoryEntry.objects.filter(grappe=cast.grappe, user=attacker).exists()


def test_a_released_esms_moves_with_its_future_months_only(cast, client_for, victim):
    """Released by its chef de projet in November, the ESMS joins another grappe: that grappe
    writes and reads from November on; October stays the first grappe's, which alone may still
    correct it."""
    membership = cast.grappe.memberships.get(esms=victim)
    membership.left_on = date(2026, 11, 2)
    membership.save()
    newcomer, grappe = attacker_with_grappe()
    OgPerson.objects.create(og=victim.og, user=newcomer, fonction=FonctionOg.REFERENT)
    response = client_for(newcomer).post(
        reverse("grappe:esms_add", args=[grappe.pk]), {"finess_et": victim.finess_et}
    )
    assert response.status_code == 302
    joined = EsmsMembership.objects.get(grappe=grappe, esms=victim)
    assert joined.joined_on == date(2026, 11, 15)

    # Writing October: refused to the new grappe, still open to the old one.
    refused = api_for(newcomer).post("/api/v1/usages/", [row(victim, "2026-10")], format="json")
    assert refused.status_code == 400
    accepted = api_for(cast.owner).post(
        "/api/v1/usages/", [row(victim, "2026-10", mssante=96)], format="json"
    )
    assert accepted.status_code == 201, accepted.json()
    assert UsageMensuel.objects.get(esms=victim, mois=date(2026, 10, 1)).messages_mssante == 96
    # November (the month being measured) is the new grappe's, sent once it is over.
    with time_machine.travel("2026-12-01 10:00 +0100", tick=False):
        assert (
            api_for(newcomer)
            .post("/api/v1/usages/", [row(victim, "2026-11")], format="json")
            .status_code
            == 201
        )
        assert (
            api_for(cast.owner)
            .post("/api/v1/usages/", [row(victim, "2026-11")], format="json")
            .status_code
            == 400
        )

    # Reading: the new grappe's export has no ESMS row before November.
    usage(victim, "2026-09", personnes=100, mssante=50)
    for mois in ("2026-09", "2026-10", "2026-11"):
        compute_month(date.fromisoformat(f"{mois}-01"))

    def exported_months(user):
        url = reverse("indicateurs:tableau_grappe_csv", args=[grappe.pk])
        response = client_for(user).get(url)
        assert response.status_code == 200
        lines = csv.reader(io.StringIO(consume(response).decode("utf-8-sig")), delimiter=";")
        return {line[3] for line in lines if line and line[0] == victim.finess_et}

    # September and October were computed (ESMS-level values exist) but are not the grappe's.
    assert UsageMensuel.objects.filter(esms=victim).count() == 3
    assert exported_months(newcomer) == {"2026-11"}
    assert exported_months(cast.admin) == {"2026-11"}
