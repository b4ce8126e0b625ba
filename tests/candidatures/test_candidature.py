"""A grappe prepares its dossier in answer to its AAP's call (issue 14, « the dossier »): what
it must pass, computed from the grappe's data, and its narrative sections."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from candidatures.models import Candidature
from candidatures.services import funded_elsewhere
from grappe.enums import TypeAap
from grappe.models import Aap, EsmsMembership, HistoryEntry
from tests.candidatures.factories import campagne_for, paris
from tests.grappe.factories import GrappeFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(paris(2026, 6, 15, 10), tick=False):
        yield


@pytest.fixture
def campagne(cast):
    campagne = campagne_for(cast.grappe.region)
    cast.grappe.aap = campagne.aap
    cast.grappe.save(update_fields=["aap"])
    return campagne


def url(cast, name="candidatures:candidature"):
    return reverse(name, args=[cast.grappe.pk])


def points(response):
    return {point.code: point for point in response.context["points"]}


def test_the_chef_de_projet_starts_the_dossier_and_sees_what_it_must_pass(
    cast, client_for, campagne
):
    client = client_for(cast.owner)
    grappe_page = text(client.get(cast.grappe.get_absolute_url()))
    assert f"Préparer la candidature à l'appel « {campagne.aap.name} »" in grappe_page
    assert "Commencer le dossier" in text(client.get(url(cast)))
    assert client.post(url(cast)).status_code == 302
    dossier = Candidature.objects.get(grappe=cast.grappe, campagne=campagne)
    assert dossier.statut == "brouillon"
    assert HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Dossier de candidature commencé"
    ).exists()
    response = client.get(url(cast))
    checks = points(response)
    assert checks["fenetre"].ok
    assert checks["fenetre"].detail == "Dépôt possible jusqu'au 30/10/2026 à 12:00."
    # The cast's grappe has 3 ESMS: the eligibility report blocks.
    assert not checks["eligibilite"].ok
    assert any("15" in item for item in checks["eligibilite"].items)
    assert checks["non_redondance"].ok
    assert checks["sections"].items == [
        "Projet commun",
        "Gouvernance",
        "Coopérations antérieures",
        "Calendrier",
    ]
    assert "Demande de financement" in text(response)


def test_an_esms_funded_by_an_earlier_call_blocks_naming_the_grappe_and_the_call(
    cast, client_for, campagne
):
    esms = cast.grappe.memberships.order_by("pk").first().esms
    earlier_call = Aap.objects.create(
        name="Amorçage — temps 2", kind=TypeAap.AMORCAGE_T2, year=2021
    )
    earlier = GrappeFactory(
        name="Grappe de l'amorçage",
        aap=earlier_call,
        convention_signed_on=datetime.date(2022, 3, 1),
    )
    EsmsMembership.objects.create(
        grappe=earlier,
        esms=esms,
        joined_on=datetime.date(2021, 9, 1),
        left_on=datetime.date(2023, 12, 31),
    )
    # Another grappe on the same call is not this rule's business (one dossier per call).
    same_call = GrappeFactory(aap=campagne.aap, convention_signed_on=datetime.date(2022, 3, 1))
    EsmsMembership.objects.create(
        grappe=same_call,
        esms=cast.grappe.memberships.order_by("pk")[1].esms,
        joined_on=datetime.date(2019, 1, 1),
        left_on=datetime.date(2019, 12, 31),
    )
    assert [(e, g) for e, g, _, _ in funded_elsewhere(cast.grappe)] == [(esms, earlier)]
    client = client_for(cast.owner)
    client.post(url(cast))
    point = points(client.get(url(cast)))["non_redondance"]
    assert not point.ok
    assert point.items == [
        f"{esms.raison_sociale} ({esms.finess_et}) — grappe « Grappe de l'amorçage », appel "
        "« Amorçage — temps 2 », convention signée le 01/03/2022"
    ]


def test_the_sections_are_written_and_traced(cast, client_for, campagne):
    client = client_for(cast.owner)
    client.post(url(cast))
    data = {
        "projet_commun": "Un DUI commun pour les 3 ESMS.",
        "gouvernance": "Un COPIL trimestriel.",
        "cooperations": "Un GCSMS depuis 2018.",
        "calendrier": "Mise en service en 2027.",
    }
    response = client.post(url(cast, "candidatures:candidature_sections"), data)
    assert response.status_code == 302
    assert points(client.get(url(cast)))["sections"].ok
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Dossier de candidature rédigé")
    assert entry.changes["Sections modifiées"] == (
        "Projet commun, Gouvernance, Coopérations antérieures, Calendrier"
    )


def test_a_closed_call_takes_no_new_dossier(cast, client_for, campagne):
    with time_machine.travel(paris(2026, 10, 30, 12), tick=False):
        client = client_for(cast.owner)
        page = text(client.get(url(cast)))
        response = client.post(url(cast), follow=True)
    assert "L'appel est clos depuis le 30 octobre 2026 à 12h00" in page
    assert "Commencer le dossier" not in page
    assert "L'appel est clos : un dossier ne peut plus être commencé." in text(response)
    assert not Candidature.objects.exists()


def test_a_closed_call_locks_the_dossier(cast, client_for, campagne):
    client = client_for(cast.owner)
    client.post(url(cast))
    with time_machine.travel(paris(2026, 10, 30, 12), tick=False):
        page = text(client.get(url(cast)))
        response = client.post(
            url(cast, "candidatures:candidature_sections"), {"projet_commun": "Trop tard."}
        )
    assert "Rédiger les sections" not in page
    assert response.status_code == 302
    assert Candidature.objects.get().projet_commun == ""


def test_the_regions_ars_waits_for_the_filed_dossier_and_others_see_nothing(
    cast, client_for, campagne
):
    client_for(cast.owner).post(url(cast))
    refused = client_for(cast.ars).get(url(cast))
    assert refused.status_code == 403
    assert client_for(cast.ars_other).get(url(cast)).status_code == 404
    assert client_for(cast.stranger).get(url(cast)).status_code == 404
    member = client_for(cast.member).get(url(cast))
    assert member.status_code == 200 and member.context["can_edit"] is False


def test_without_a_campaign_the_page_says_so(cast, client_for):
    response = client_for(cast.owner).get(url(cast))
    assert "n'est rattachée à aucun appel à projets" in text(response)
