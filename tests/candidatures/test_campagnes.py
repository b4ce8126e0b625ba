"""A call for projects opened by an ARS (issue 14, « the call »): dates to the minute in Paris
time, the envelope, priority criteria weighted to 100 (seed 002's defaults) and the pieces."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from candidatures.models import Campagne
from candidatures.reference import DEFAULT_CRITERES
from grappe.enums import TypeAap
from grappe.models import Aap, HistoryEntry, Region
from tests.candidatures.factories import campagne_for, paris
from tests.helpers import text

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def aap_hdf(cast):
    return Aap.objects.create(
        name="AAP ESMS numérique Hauts-de-France 2027",
        kind=TypeAap.GENERALISATION,
        year=2027,
        region=cast.grappe.region,
    )


def opening(client, aap, **data):
    return client.post(
        reverse("candidatures:campagne_create"),
        {
            "aap": aap.pk,
            "ouverture": "2026-03-29T09:00",
            "cloture": "2026-10-25T12:00",
            "enveloppe": "2500000",
            **data,
        },
    )


def test_the_regions_ars_opens_a_call_with_the_default_criteria_and_pieces(
    cast, client_for, aap_hdf
):
    client = client_for(cast.ars)
    form = client.get(reverse("candidatures:campagne_create"))
    offered = list(form.context["form"].fields["aap"].queryset)
    assert aap_hdf in offered
    assert all(aap.region_id == cast.grappe.region_id for aap in offered)
    response = opening(client, aap_hdf)
    campagne = Campagne.objects.get(aap=aap_hdf)
    assert response.url == campagne.get_absolute_url()
    assert campagne.enveloppe == Decimal("2500000.00")
    assert [(c.libelle, c.poids) for c in campagne.criteres.all()] == [
        (libelle, poids) for libelle, _, poids in DEFAULT_CRITERES
    ]
    assert campagne.poids_total() == 100
    assert campagne.pieces.count() == 4
    entry = HistoryEntry.objects.get(action="Ouverture d'une campagne d'appel à projets")
    assert entry.changes["Clôture"] == "25/10/2026 12:00"
    page = text(client.get(campagne.get_absolute_url()))
    assert "dimanche 25 octobre 2026 à 12h00 (heure de Paris)" in page
    assert "Qualité et sens de la mutualisation" in page


def test_the_closing_minute_holds_across_the_change_of_time(cast, client_for, aap_hdf):
    """Summer time starts on 29 March 2026 and ends on 25 October 2026 at 3:00 (Paris): the
    minutes typed are Paris minutes on both sides of each change."""
    opening(client_for(cast.ars), aap_hdf)
    campagne = Campagne.objects.get(aap=aap_hdf)
    assert campagne.ouverture == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # UTC+2
    assert campagne.cloture == datetime.datetime(2026, 10, 25, 11, 0, tzinfo=UTC)  # UTC+1
    assert not campagne.is_open(paris(2026, 3, 29, 8, 59))
    assert campagne.is_open(paris(2026, 3, 29, 9, 0))
    assert campagne.is_open(paris(2026, 10, 25, 11, 59))
    assert not campagne.is_open(paris(2026, 10, 25, 12, 0))
    with time_machine.travel(paris(2026, 10, 25, 11, 59), tick=False):
        assert Campagne.objects.open_at(datetime.datetime.now(UTC)).get() == campagne
        assert campagne.statut() == "ouverte"
    with time_machine.travel(paris(2026, 10, 25, 12, 0), tick=False):
        assert not Campagne.objects.open_at(datetime.datetime.now(UTC)).exists()
        assert campagne.statut() == "close"


def test_a_closing_before_the_opening_is_refused(cast, client_for, aap_hdf):
    response = opening(client_for(cast.ars), aap_hdf, cloture="2026-03-29T08:59")
    assert response.status_code == 200
    assert "La clôture doit suivre l&#x27;ouverture des candidatures." in response.content.decode()
    assert not Campagne.objects.exists()


def test_another_regions_ars_neither_opens_nor_sets_up_the_call(cast, client_for, aap_hdf):
    client = client_for(cast.ars_other)
    response = opening(client, aap_hdf)
    assert response.status_code == 200  # the AAP is not among its choices
    assert "aap" in response.context["form"].errors
    assert not Campagne.objects.exists()
    campagne = campagne_for(cast.grappe.region)
    assert client.get(campagne.get_absolute_url()).status_code == 200  # a published call
    for name in ("candidatures:campagne_edit", "candidatures:criteres"):
        assert client.get(reverse(name, args=[campagne.pk])).status_code == 403
    # A porteur reads it, and is not offered to set it up.
    page = client_for(cast.owner).get(campagne.get_absolute_url())
    assert page.context["can_manage"] is False


def criteres_data(campagne, weights):
    data = {
        "criteres-TOTAL_FORMS": str(len(weights)),
        "criteres-INITIAL_FORMS": str(campagne.criteres.count()),
        "criteres-MIN_NUM_FORMS": "0",
        "criteres-MAX_NUM_FORMS": "1000",
        "pieces-TOTAL_FORMS": str(campagne.pieces.count()),
        "pieces-INITIAL_FORMS": str(campagne.pieces.count()),
        "pieces-MIN_NUM_FORMS": "0",
        "pieces-MAX_NUM_FORMS": "1000",
    }
    for n, (critere, poids) in enumerate(zip(campagne.criteres.all(), weights, strict=False)):
        data.update(
            {
                f"criteres-{n}-id": str(critere.pk),
                f"criteres-{n}-libelle": critere.libelle,
                f"criteres-{n}-description": critere.description,
                f"criteres-{n}-poids": str(poids),
            }
        )
    for n, piece in enumerate(campagne.pieces.all()):
        data.update(
            {
                f"pieces-{n}-id": str(piece.pk),
                f"pieces-{n}-libelle": piece.libelle,
                f"pieces-{n}-obligatoire": "on" if piece.obligatoire else "",
            }
        )
    return data


@time_machine.travel(paris(2026, 2, 20, 10), tick=False)  # before the opening (2 March)
def test_the_weights_must_total_100(cast, client_for):
    campagne = campagne_for(cast.grappe.region)
    client = client_for(cast.ars)
    url = reverse("candidatures:criteres", args=[campagne.pk])
    response = client.post(url, criteres_data(campagne, [40, 20, 30, 20]))
    assert response.status_code == 200
    assert "Les poids des critères totalisent 110 % : ils doivent totaliser 100 %." in text(
        response
    )
    response = client.post(url, criteres_data(campagne, [40, 10, 30, 20]))
    assert response.status_code == 302
    assert [c.poids for c in campagne.criteres.all()] == [40, 10, 30, 20]
    assert HistoryEntry.objects.filter(
        action="Critères de priorité et pièces d'une campagne enregistrés"
    ).exists()


def test_the_list_shows_each_calls_status_and_an_empty_state(cast, client_for):
    client = client_for(cast.owner)
    empty = client.get(reverse("candidatures:campagnes"))
    assert "Aucun appel à projets n'est ouvert pour le moment." in text(empty)
    campagne_for(cast.grappe.region)
    other = campagne_for(Region.objects.get(code="84"), cloture=paris(2026, 4, 1, 12))
    with time_machine.travel(paris(2026, 5, 4, 10), tick=False):
        page = client.get(reverse("candidatures:campagnes"))
    rows = {campagne.pk: statut for campagne, statut in page.context["rows"]}
    assert rows[other.pk] == "close"
    assert "ouverte" in rows.values()
    assert page.context["can_open"] is False


def test_once_open_the_criteria_are_those_published(cast, client_for):
    campagne = campagne_for(cast.grappe.region)
    client = client_for(cast.ars)
    url = reverse("candidatures:criteres", args=[campagne.pk])
    with time_machine.travel(paris(2026, 3, 2, 9), tick=False):
        response = client.post(url, criteres_data(campagne, [40, 10, 30, 20]), follow=True)
        page = text(client.get(campagne.get_absolute_url()))
    assert "ses critères de priorité et ses pièces ne se modifient plus" in text(response)
    assert [c.poids for c in campagne.criteres.all()] == [30, 20, 30, 20]
    assert "Modifier les critères et les pièces" not in page


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_costs_the_same_queries_whatever_the_number_of_calls(
    cast, client_for, django_assert_num_queries, count
):
    regions = list(Region.objects.order_by("code")[:count])
    for region in regions:
        campagne_for(region)
    client = client_for(cast.ars)
    client.get(reverse("candidatures:campagnes"))  # session and header caches warm
    with django_assert_num_queries(6):
        response = client.get(reverse("candidatures:campagnes"))
    assert len(response.context["rows"]) == count
