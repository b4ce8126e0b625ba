from datetime import date
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from grappe.models import HistoryEntry
from indicateurs.enums import SourceUsage
from indicateurs.models import UsageHistorique, UsageMensuel
from indicateurs.services import compute_month
from tests.grappe.factories import add_esms
from tests.helpers import api_for
from tests.indicateurs.factories import in_service, meeting, usage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        yield


def row(esms, mois="2026-03", **counts):
    return {
        "finess_et": esms.finess_et,
        "mois": mois,
        "personnes_accompagnees": 100,
        "messages_mssante": 80,
        "dmp_alimentes": 75,
        "dossiers_actifs": 95,
        "dossiers_actifs_avec_pp": 90,
        "dossiers_actifs_avec_evenement": 92,
        **counts,
    }


def esms_of(grappe):
    return [m.esms for m in grappe.memberships.select_related("esms")]


def test_post_usages_requires_a_token(cast):
    response = APIClient().post("/api/v1/usages/", [row(esms_of(cast.grappe)[0])], format="json")
    assert response.status_code == 401


def test_post_usages_writes_all_rows(cast, django_capture_on_commit_callbacks):
    rows = [row(e) for e in esms_of(cast.grappe)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast.owner).post("/api/v1/usages/", rows, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "lignes": 3,
        "creees": 3,
        "remplacees": 0,
        "mois": ["2026-03"],
        "avertissements": [],
    }
    assert set(UsageMensuel.objects.values_list("source", flat=True)) == {SourceUsage.API}
    again = api_for(cast.owner).post(
        "/api/v1/usages/", [row(esms_of(cast.grappe)[0], messages_mssante=70)], format="json"
    )
    assert again.json()["remplacees"] == 1
    assert UsageHistorique.objects.count() == 1
    # Each call is in the grappe's audit trail, like a file import.
    entries = HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Données d'usage reçues par l'API"
    )
    assert [entry.changes["Créées"] for entry in entries.order_by("pk")] == [3, 0]
    assert entries.first().user == cast.owner


def test_post_usages_is_all_or_nothing_with_per_row_errors(cast):
    esms = esms_of(cast.grappe)
    rows = [row(esms[0]), row(esms[1]), row(esms[2], dossiers_actifs_avec_pp=500)]
    response = api_for(cast.owner).post("/api/v1/usages/", rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert [item["ligne"] for item in body["erreurs"]] == [3]
    assert "dépasse « dossiers_actifs »" in body["erreurs"][0]["erreurs"][0]
    assert not UsageMensuel.objects.exists()


def test_post_usages_is_scoped_to_the_grappes_the_user_feeds(cast):
    (far,) = add_esms(cast.other_grappe, 1)
    response = api_for(cast.owner).post(
        "/api/v1/usages/", [row(esms_of(cast.grappe)[0]), row(far)], format="json"
    )
    assert response.status_code == 400
    assert "dans une grappe que vous alimentez" in str(response.json())
    # People who feed no grappe are refused outright.
    for user in (cast.copil, cast.ars, cast.member):
        response = api_for(user).post(
            "/api/v1/usages/", [row(esms_of(cast.grappe)[0])], format="json"
        )
        assert response.status_code == 403
    assert not UsageMensuel.objects.exists()
    # The national admin feeds every grappe.
    response = api_for(cast.admin).post("/api/v1/usages/", [row(far)], format="json")
    assert response.status_code == 201


def test_post_usages_rejects_a_non_list(cast):
    response = api_for(cast.owner).post("/api/v1/usages/", {"finess_et": "x"}, format="json")
    assert response.status_code == 400


def test_get_indicateurs_exact_shape(cast):
    cast.grappe.convention_amount = Decimal("100000")
    cast.grappe.convention_signed_on = date(2026, 1, 15)
    cast.grappe.save()
    esms = esms_of(cast.grappe)
    in_service(cast.grappe, "2026-01")
    for mois in ("2026-01", "2026-02", "2026-03", "2026-04"):
        for e in esms:
            meeting(e, mois)
    usage(esms[0], "2026-04", personnes=300, mssante=210, dmp=200, actifs=290, pp=280, evt=285)
    compute_month(date(2026, 4, 1))
    response = api_for(cast.copil).get(
        f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/", {"mois": "2026-04"}
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "grappe",
        "mois",
        "premiere_mesure",
        "indicateurs",
        "couverture",
        "cibles_atteintes",
        "tranches",
    ]
    # 3 ESMS reporting of 3, 300 + 100 + 100 persons, all of them required (no call).
    assert body["couverture"] == {
        "esms": 3,
        "declarants": 3,
        "personnes": 500,
        "minimum": 100,
        "evaluable": True,
    }
    assert body["grappe"] == cast.grappe.pk
    assert body["mois"] == "2026-04"
    assert body["premiere_mesure"] is False
    mssante = body["indicateurs"][0]
    # (210 + 80 + 80) / (300 + 100 + 100) = 74.0 %
    assert mssante == {
        "code": "mssante",
        "libelle": "Taux d'utilisation de la MSSanté",
        "numerateur": 370,
        "denominateur": 500,
        "valeur": 74.0,
        "cible": 70.0,
        "atteinte": True,
        "majorant": False,
    }
    assert [item["code"] for item in body["indicateurs"]] == [
        "mssante",
        "dmp",
        "dui_actifs",
        "dui_pp",
        "dui_evenement",
    ]
    assert body["cibles_atteintes"] is True
    assert body["tranches"] == [
        {
            "numero": 1,
            "pourcentage": 50.0,
            "montant": "50000.00",
            "statut": "due",  # at the convention's signature
            "mois_declenchement": None,
        },
        {
            "numero": 2,
            "pourcentage": 50.0,
            "montant": "50000.00",
            "statut": "due",
            "mois_declenchement": "2026-04",
        },
    ]


def test_get_indicateurs_non_computable_and_unassessed_month(cast):
    esms = esms_of(cast.grappe)
    usage(esms[0], "2026-01", personnes=0, mssante=3)
    compute_month(date(2026, 1, 1))
    body = (
        api_for(cast.owner)
        .get(f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-01")
        .json()
    )
    assert body["indicateurs"][0]["valeur"] is None
    assert body["cibles_atteintes"] is False
    assert body["tranches"] == []


def test_get_indicateurs_scoping(cast):
    url = f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-03"
    for user, expected in [
        (cast.owner, 200),
        (cast.ars, 200),
        (cast.admin, 200),
        (cast.stranger, 404),
        (cast.ars_other, 404),
    ]:
        assert api_for(user).get(url).status_code == expected
    assert APIClient().get(url).status_code == 401
    assert api_for(cast.owner).get(url.replace("2026-03", "mars")).status_code == 400


def test_endpoints_are_documented_in_the_schema(cast, client):
    response = client.get("/api/schema/")
    schema = response.content.decode()
    assert "/api/v1/usages/" in schema
    assert "/api/v1/grappes/{id}/indicateurs/" in schema
    assert "cibles_atteintes" in schema


def test_schema_says_what_the_persons_accompanied_count(client):
    schema = client.get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["UsageLigne"]["properties"]["personnes_accompagnees"]
    assert field["description"].startswith(
        "Nombre de personnes accompagnées pouvant bénéficier d'un projet d'accueil et "
        "d'accompagnement (dénominateur des taux, dont MSSanté et DMP)."
    )
