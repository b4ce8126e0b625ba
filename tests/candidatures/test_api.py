"""GET /api/v1/aaps/{id}/candidatures/ (issue 14): the AAP's region's ARS agents and the
national admin list the dossiers, a grappe only its own; amounts as strings to the cent."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidatures.conventions import preparer
from candidatures.models import Candidature, DecisionSelection
from tests.candidatures.factories import campagne_for, designate, filed, paris, score
from tests.grappe.factories import UserFactory, add_esms, ars_agent
from tests.helpers import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(paris(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def campagne(cast):
    campagne = campagne_for(cast.grappe.region)
    cast.grappe.aap = campagne.aap
    cast.grappe.save(update_fields=["aap"])
    return campagne


def url(campagne):
    return f"/api/v1/aaps/{campagne.aap_id}/candidatures/"


def test_the_ars_lists_the_filed_dossiers_with_their_score_and_rank(cast, campagne):
    ours = filed(campagne, cast.grappe, montant="150000.00")
    ours.depots.get().esms.set([m.esms for m in cast.grappe.memberships.all()])
    ours.depots.filter(numero=1).update(
        contenu={"eligibilite": [{"controle": "ESMS", "statut": "ok", "motif": ""}]}
    )
    other = filed(campagne, montant="80000.00")
    draft = Candidature.objects.create(campagne=campagne, grappe=cast.other_grappe)
    designate(campagne, cast.ars)
    score(ours, cast.ars, 8)
    score(other, cast.ars, 5)
    DecisionSelection.objects.create(candidature=ours, decision="retenue", motif="Solide.")
    Candidature.objects.filter(pk=ours.pk).update(statut="retenue")
    preparer(ours, Decimal("140000.50"), "Un ESMS retiré.", cast.ars)
    body = api_for(cast.ars).get(url(campagne)).json()
    assert body["count"] == 2  # not the other grappe's draft
    rows = {row["id"]: row for row in body["results"]}
    assert draft.pk not in rows
    assert rows[ours.pk] == {
        "id": ours.pk,
        "grappe": cast.grappe.name,
        "statut": "retenue",
        "eligible": True,
        "montant_demande": "150000.00",
        "montant_accorde": "140000.50",
        "score": "80.00",
        "rang": 1,
        "esms": sorted(m.esms.finess_et for m in cast.grappe.memberships.all()),
        "deposee_le": "2026-11-16T10:00:00+01:00",
    }
    assert (rows[other.pk]["score"], rows[other.pk]["rang"]) == ("50.00", 2)
    assert rows[other.pk]["montant_accorde"] is None
    # The national admin sees the drafts too.
    admin = api_for(cast.admin).get(url(campagne)).json()
    assert admin["count"] == 3
    (row,) = [r for r in admin["results"] if r["id"] == draft.pk]
    assert row["statut"] == "brouillon" and row["eligible"] is None and row["deposee_le"] is None


def test_a_grappe_sees_only_its_own_and_its_rank_once_decided(cast, campagne):
    ours = filed(campagne, cast.grappe, montant="150000.00")
    filed(campagne, montant="80000.00")
    designate(campagne, cast.ars)
    score(ours, cast.ars, 8)
    (row,) = api_for(cast.owner).get(url(campagne)).json()["results"]
    assert row["id"] == ours.pk and row["score"] is None and row["rang"] is None
    ours.statut = "retenue"
    ours.save()
    (row,) = api_for(cast.member).get(url(campagne)).json()["results"]
    assert (row["score"], row["rang"]) == ("80.00", 1)


def test_another_regions_ars_and_another_grappes_porteur_get_a_404(cast, campagne):
    filed(campagne, cast.grappe)
    assert api_for(cast.ars_other).get(url(campagne)).status_code == 404
    assert api_for(cast.stranger).get(url(campagne)).status_code == 404
    assert api_for(None).get(url(campagne)).status_code == 401
    assert api_for(cast.admin).get("/api/v1/aaps/999999/candidatures/").status_code == 404


def test_the_query_count_does_not_grow_with_the_dossiers(cast, campagne):
    designate(campagne, cast.ars)
    for _ in range(2):
        dossier = filed(campagne)
        score(dossier, cast.ars, 6)
    client = api_for(cast.ars)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(campagne)).status_code == 200
    for _ in range(6):
        dossier = filed(campagne)
        add_esms(dossier.grappe, 2)
        score(dossier, cast.ars, 7)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(campagne)).json()["count"] == 8
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_blind_instructor_gets_no_score_through_the_api(cast, campagne):
    """As on the pages: a designated instructor sees no score nor rank on a dossier until they
    submitted their own grid on it."""
    colleague = ars_agent("32", UserFactory(email="collegue@ars.fr"))
    ours = filed(campagne, cast.grappe, montant="150000.00")
    designate(campagne, cast.ars, colleague)
    score(ours, colleague, 8)
    (row,) = api_for(cast.ars).get(url(campagne)).json()["results"]
    assert (row["score"], row["rang"]) == (None, None)
    score(ours, cast.ars, 6)
    (row,) = api_for(cast.ars).get(url(campagne)).json()["results"]
    assert (row["score"], row["rang"]) == ("70.00", 1)


def test_the_endpoint_is_documented_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/aaps/{id}/candidatures/"]["get"]
    assert operation["operationId"] == "aap_candidatures"
    fields = schema["components"]["schemas"]["Candidature"]["properties"]
    assert set(fields) == {
        "id",
        "grappe",
        "statut",
        "eligible",
        "montant_demande",
        "montant_accorde",
        "score",
        "rang",
        "esms",
        "deposee_le",
    }
    assert fields["montant_demande"]["type"] == "string"  # money as strings, to the cent
