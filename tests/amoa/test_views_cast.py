"""Every AMOA page against the fixed cast: anonymous → login, people outside the grappe → 404,
its AMOA consultants (possible candidates) → 403 with the reason, readers → 200, and 403 on
writes."""

import html

import pytest
from django.urls import reverse

from amoa.models import Choix
from tests import helpers
from tests.amoa.factories import ConsultationFactory, make_offre, score
from tests.helpers import check, consume, text

pytestmark = pytest.mark.django_db

# The AMOA call's pages are hidden from a candidate to it (the grappe's AMOA consultant).
READ = {**helpers.READ, "candidate": 403}
EDIT = {**helpers.EDIT, "candidate": 403}
# Scoring is for the comité de sélection's voting members only.
SCORE = {**EDIT, "owner": 403, "admin": 403, "evaluator": 200}


def people(cast, candidate, evaluators):
    return {**cast.users(), "candidate": candidate, "evaluator": evaluators[0]}


@pytest.fixture
def chosen(consultation, offres, cast):
    return Choix.objects.create(
        consultation=consultation, offre=offres[1], decision="Meilleur rapport qualité-prix."
    )


def test_get_pages_follow_the_cast(
    cast, candidate, evaluators, consultation, offres, chosen, client_for
):
    offre = offres[0]
    piece = offre.pieces.first()
    g, c = cast.grappe.pk, consultation.pk
    pages = {
        "consultations": (reverse("amoa:consultations", args=[g]), READ),
        "consultation_create": (reverse("amoa:consultation_create", args=[g]), EDIT),
        "consultation": (reverse("amoa:consultation", args=[g, c]), READ),
        "consultation_edit": (reverse("amoa:consultation_edit", args=[g, c]), EDIT),
        "criteres": (reverse("amoa:criteres", args=[g, c]), READ),
        "offre_create": (reverse("amoa:offre_create", args=[g, c]), EDIT),
        "offre": (reverse("amoa:offre", args=[g, c, offre.pk]), READ),
        "offre_edit": (reverse("amoa:offre_edit", args=[g, c, offre.pk]), EDIT),
        "piece": (reverse("amoa:piece_download", args=[g, c, offre.pk, piece.pk]), READ),
        "evaluation": (reverse("amoa:evaluation", args=[g, c]), SCORE),
        "consolidation": (reverse("amoa:consolidation", args=[g, c]), READ),
        "auditions": (reverse("amoa:auditions", args=[g, c]), READ),
        "classement": (reverse("amoa:classement", args=[g, c]), READ),
        "grille": (reverse("amoa:grille", args=[g, c]), READ),
        "rapport": (reverse("amoa:rapport", args=[g, c]), READ),
        "lettre": (reverse("amoa:lettre", args=[g, c, offre.pk]), EDIT),
    }
    everyone = people(cast, candidate, evaluators)
    # The evaluator has submitted, so they may see the scores and the files.
    score(consultation, evaluators[0], offre, {"methodologie": 7}, submit=True)
    for name, (url, expected) in pages.items():
        for who, user in everyone.items():
            status = expected.get(who, READ.get(who) if who != "evaluator" else 200)
            if who == "evaluator" and name in {
                "consultation_create",
                "consultation_edit",
                "offre_create",
                "offre_edit",
                "lettre",
            }:
                status = 403
            response = client_for(user).get(url)
            consume(response)
            check(response, f"{name} as {who}", status)


def test_the_grappes_amoa_consultant_is_told_why_strangers_learn_nothing(
    cast, candidate, consultation, client_for
):
    reason = (
        "La consultation AMOA de cette grappe n'est pas visible du consultant AMOA, qui peut y "
        "être candidat."
    )
    g, c = cast.grappe.pk, consultation.pk
    for address in (
        reverse("amoa:consultations", args=[g]),
        reverse("amoa:consultation", args=[g, c]),
        # Whether a consultation exists or not, the consultant gets the same answer.
        reverse("amoa:consultation", args=[g, c + 1000]),
        reverse("amoa:cahier", args=[g, c]),
    ):
        response = client_for(candidate).get(address)
        assert response.status_code == 403, address
        assert reason in text(response)
        refused = client_for(cast.stranger).get(address)
        assert refused.status_code == 404, address
        assert reason not in text(refused)


def test_pages_of_another_grappe_are_not_found_through_this_grappe(cast, consultation, client_for):
    url = reverse("amoa:consultation", args=[cast.other_grappe.pk, consultation.pk])
    assert client_for(cast.admin).get(url).status_code == 404


def test_writes_are_refused_to_readers(
    cast, candidate, evaluators, consultation, offres, client_for
):
    g, c = cast.grappe.pk, consultation.pk
    offre = offres[0]
    posts = [
        reverse("amoa:consultation_create", args=[g]),
        reverse("amoa:consultation_edit", args=[g, c]),
        reverse("amoa:criteres", args=[g, c]),
        reverse("amoa:offre_create", args=[g, c]),
        reverse("amoa:offre", args=[g, c, offre.pk]),
        reverse("amoa:piece_delete", args=[g, c, offre.pk, offre.pieces.first().pk]),
        reverse("amoa:indispensable", args=[g, c, offre.pk]),
        reverse("amoa:evaluation", args=[g, c]),
        reverse("amoa:conflit", args=[g, c]),
        reverse("amoa:consensus", args=[g, c]),
        reverse("amoa:auditions", args=[g, c]),
        reverse("amoa:classement", args=[g, c]),
        reverse("amoa:roles_amoa", args=[g, c]),
    ]
    for url in posts:
        for who in ("member", "copil", "ars"):
            response = client_for(getattr(cast, who)).post(url, {})
            assert response.status_code == 403, f"{url} as {who}: {response.status_code}"
        assert client_for(cast.stranger).post(url, {}).status_code == 404, url
        assert client_for(candidate).post(url, {}).status_code == 403, url


def test_consultation_list_query_count_does_not_grow(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.owner)
    url = reverse("amoa:consultations", args=[cast.grappe.pk])
    first = ConsultationFactory(grappe=cast.grappe)
    make_offre(first, "Alpha")
    with django_assert_max_num_queries(12) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    for n in range(4):
        other = ConsultationFactory(grappe=cast.grappe)
        make_offre(other, f"Cabinet {n}")
    with django_assert_max_num_queries(few) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert html.unescape(response.content.decode()).count("Consultation AMOA") >= 5


@pytest.mark.parametrize("name", ["consultation", "classement", "consolidation"])
def test_pages_with_offers_query_count_does_not_grow(
    name, cast, consultation, client_for, django_assert_max_num_queries
):
    client = client_for(cast.owner)
    url = reverse(f"amoa:{name}", args=[cast.grappe.pk, consultation.pk])
    make_offre(consultation, "Alpha")
    with django_assert_max_num_queries(40) as ctx:
        assert client.get(url).status_code == 200
    few = len(ctx.captured_queries)
    for n in range(5):
        make_offre(consultation, f"Cabinet {n}")
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
