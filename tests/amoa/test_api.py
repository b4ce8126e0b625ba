"""GET /api/v1/consultations/{id}/classement/ — token or session, 404 for those who cannot see."""

import pytest
from rest_framework.test import APIClient

from tests.amoa.factories import DEADLINE, make_offre, score
from tests.helpers import api_for

pytestmark = pytest.mark.django_db


def api_url(consultation):
    return f"/api/v1/consultations/{consultation.pk}/classement/"


@pytest.fixture
def ranked(consultation, evaluators):
    alpha = make_offre(consultation, "Alpha Conseil", 60000, 900)
    beta = make_offre(consultation, "Beta Santé", 50000, 850)
    late = make_offre(consultation, "Gamma Late", 30000, 700, received_at=DEADLINE.replace(hour=13))
    for offre in (alpha, beta, late):
        score(consultation, evaluators[0], offre, {"methodologie": 8}, submit=True)
    return alpha, beta, late


def test_ranking_by_token(cast, consultation, ranked):
    alpha, beta, late = ranked
    response = api_for(cast.ars).get(api_url(consultation))
    assert response.status_code == 200
    data = response.json()
    assert data["consultation"] == consultation.pk
    offres = {o["candidat"]: o for o in data["offres"]}
    assert offres["Beta Santé"]["rang"] == 1
    assert offres["Alpha Conseil"]["rang"] == 2
    assert offres["Beta Santé"]["total"] == "51.00"  # 25 + 10 + 20 × 8/10
    assert offres["Gamma Late"] == {
        **offres["Gamma Late"],
        "hors_delai": True,
        "rang": None,
        "total": None,
        "elimine": False,
        "recevable": True,
    }
    notes = {n["code"]: n for n in offres["Alpha Conseil"]["notes"]}
    assert notes["cout_global"]["note"] == "8.33"
    assert notes["methodologie"] == {
        "code": "methodologie",
        "libelle": "Méthodologie",
        "note": "8.00",
        "sur": 10,
        "poids": 20,
    }


def test_ranking_by_session_and_refusals(cast, candidate, consultation, ranked, client):
    client.force_login(cast.owner)
    assert client.get(api_url(consultation)).status_code == 200
    for user in (cast.stranger, cast.ars_other):
        client.force_login(user)
        assert client.get(api_url(consultation)).status_code == 404
    # The grappe's AMOA consultant knows the grappe: told why, as on the call's pages.
    client.force_login(candidate)
    response = client.get(api_url(consultation))
    assert response.status_code == 403
    assert "qui peut y être candidat" in response.json()["detail"]
    client.logout()
    assert APIClient().get(api_url(consultation)).status_code in (401, 403)
    assert APIClient().get("/api/v1/consultations/999999/classement/").status_code in (401, 403)


def test_an_evaluator_who_has_not_submitted_gets_no_ranking(
    cast, consultation, evaluators, ranked, client
):
    client.force_login(evaluators[1])
    assert client.get(api_url(consultation)).status_code == 404


def test_endpoint_is_documented_in_the_schema(cast, client):
    client.force_login(cast.owner)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/consultations/{id}/classement/" in schema
    assert "Classement des offres d'une consultation AMOA" in schema
