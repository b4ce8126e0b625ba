"""GET /api/v1/grappes/{id}/finances/: shape, strings to the cent, permissions, OpenAPI."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from finances.enums import Poste
from tests.finances.factories import engagement, facture, money_grappe, propre

pytestmark = pytest.mark.django_db


def url(grappe):
    return f"/api/v1/grappes/{grappe.pk}/finances/"


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@time_machine.travel("2026-06-30 12:00 +0200", tick=False)
def test_shape_and_amounts_as_strings(cast):
    grappe = money_grappe(cast.grappe)
    propre(grappe, grappe.second_og, Poste.CONFORMITE, "1000")
    item = engagement(grappe, ht="30000.00", tva="20.00")
    facture(item, "F-1", "10000.00", payee_le=datetime.date(2026, 4, 2))
    # The cast's grappe already holds 3 ESMS in acquisition: 6 × 12 000 = 72 000 part éditeur,
    # 6 × 7 000 = 42 000 usages, 5 000 conformité (119 000); 60 000 × 72 000 / 119 000.
    data = api_as(cast.owner).get(url(grappe)).json()
    assert set(data) == {"postes", "totaux", "ogs"}
    assert [poste["code"] for poste in data["postes"]] == list(Poste.values)
    editeur = data["postes"][0]
    assert editeur == {
        "code": "editeur",
        "libelle": "Acquisition du DUI — part éditeur",
        "budget": "36302.52",
        "subvention": "36302.52",
        "engage": "36000.00",
        "facture": "12000.00",
        "paye": "12000.00",
        "justifie": "12000.00",
    }
    assert data["totaux"] == {
        "budget": "61000.00",
        "subvention": "60000.00",
        "engage": "36000.00",
        "facture": "12000.00",
        "paye": "12000.00",
        "justifie": "12000.00",
    }
    ogs = {og["finess_ej"]: og for og in data["ogs"]}
    assert ogs[grappe.second_og.finess_ej] == {
        "finess_ej": grappe.second_og.finess_ej,
        "part": "1000.00",
        "recu": "0.00",
        "reverse": "0.00",
    }
    assert ogs[grappe.porteur.finess_ej]["part"] == "0.00"


def test_permissions(cast):
    grappe = money_grappe(cast.grappe)
    expected = {
        "owner": 200,
        "copil": 200,
        "ars": 200,
        "admin": 200,
        "member": 403,
        "stranger": 404,
        "ars_other": 404,
        "anonymous": 401,
    }
    for person, status in expected.items():
        assert api_as(cast.users()[person]).get(url(grappe)).status_code == status, person


def test_openapi_documents_the_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/grappes/{id}/finances/"]["get"]
    assert operation["operationId"] == "grappe_finances"
