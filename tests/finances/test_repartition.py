"""Sharing the subsidy (issue 15): the key of the convention de coopération splits each tranche
the ARS paid among the coopérateur OGs, to the cent; the porteur records its transfers; what
remains owed, the 30-day alert, the pages, the API and who may do what."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from finances import services
from finances.models import CleRepartition, ModeRepartition, PartCle, Reversement
from grappe.enums import RoleKind
from grappe.models import HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from tests.grappe.factories import (
    GrappeFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    add_esms,
)

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = datetime.date(2026, 6, 30)
travel = time_machine.travel("2026-06-30 12:00 +0200", tick=False)


def paid(grappe, numero=1, montant="100000.01", paye_le=datetime.date(2026, 5, 1)):
    return Tranche.objects.create(
        grappe=grappe,
        numero=numero,
        pourcentage=D(50),
        montant=D(montant),
        statut=StatutTranche.PAYEE,
        paye_le=paye_le,
        montant_paye=D(montant),
    )


def three_ogs(grappe):
    """The porteur with 7 active ESMS, BETA with 5, GAMMA with 4 (and one that left)."""
    grappe.porteur.raison_sociale = "ALPHA PORTEUR"
    grappe.porteur.save()
    beta = OrganismeGestionnaireFactory(raison_sociale="BETA")
    gamma = OrganismeGestionnaireFactory(raison_sociale="GAMMA")
    add_esms(grappe, 7 - grappe.memberships.filter(left_on__isnull=True).count())
    add_esms(grappe, 5, og=beta)
    add_esms(grappe, 4, og=gamma)
    gone = add_esms(grappe, 1, og=gamma)[0]
    grappe.memberships.filter(esms=gone).update(left_on=datetime.date(2026, 1, 31))
    return grappe.porteur, beta, gamma


@pytest.fixture
def grappe(cast):
    return cast.grappe


@pytest.fixture
def ogs(grappe):
    return three_ogs(grappe)


def shares(grappe):
    return [
        (part.og.raison_sociale, part.part)
        for part in services.repartition(grappe).tranches[0].parts
    ]


def set_key(grappe, mode, percentages=None):
    cle = CleRepartition.objects.create(grappe=grappe, mode=mode)
    for og, value in (percentages or {}).items():
        PartCle.objects.create(cle=cle, og=og, pourcentage=D(value))
    return cle


def test_au_prorata_des_esms_by_default(grappe, ogs):
    paid(grappe)
    # 100 000,01 × 7/16 = 43 750,004…; × 5/16 = 31 250,003…; GAMMA, last, takes the rest.
    assert shares(grappe) == [
        ("ALPHA PORTEUR", D("43750.00")),
        ("BETA", D("31250.00")),
        ("GAMMA", D("25000.01")),
    ]
    assert sum(part for _, part in shares(grappe)) == D("100000.01")


def test_a_parts_egales(grappe, ogs):
    set_key(grappe, ModeRepartition.EGAL)
    paid(grappe)
    assert shares(grappe) == [
        ("ALPHA PORTEUR", D("33333.34")),
        ("BETA", D("33333.34")),
        ("GAMMA", D("33333.33")),
    ]


def test_parts_saisies(grappe, ogs):
    porteur, beta, gamma = ogs
    set_key(grappe, ModeRepartition.SAISIE, {porteur: "50", beta: "30", gamma: "20"})
    paid(grappe)
    # 50 % of 100 000,01 is 50 000,005 → 50 000,01 (half-up); GAMMA takes the remainder.
    assert shares(grappe) == [
        ("ALPHA PORTEUR", D("50000.01")),
        ("BETA", D("30000.00")),
        ("GAMMA", D("20000.00")),
    ]


def test_only_paid_tranches_are_shared(grappe, ogs):
    paid(grappe)
    Tranche.objects.create(
        grappe=grappe, numero=2, pourcentage=D(50), montant=D(1000), statut=StatutTranche.DUE
    )
    partage = services.repartition(grappe)
    assert [ligne.tranche.numero for ligne in partage.tranches] == [1]


def test_transfers_and_remaining_owed(cast, grappe, ogs):
    porteur, beta, gamma = ogs
    tranche = paid(grappe)
    paid(grappe, numero=2, montant="1600.00", paye_le=datetime.date(2026, 6, 1))
    Reversement.objects.create(
        grappe=grappe, og=beta, tranche=tranche, montant=D("31250.00"), date=TODAY
    )
    Reversement.objects.create(
        grappe=grappe, og=gamma, tranche=tranche, montant=D("10000.00"), date=TODAY
    )
    totals = services.repartition(grappe).par_og()
    # Tranche 2: 1 600 € → 700 / 500 / 400.
    assert (totals[beta.pk].recu, totals[beta.pk].reverse, totals[beta.pk].du) == (
        D("31750.00"),
        D("31250.00"),
        D("500.00"),
    )
    assert totals[gamma.pk].du == D("15400.01")
    # The porteur keeps its share: transferred to itself on payment, owed nothing.
    assert totals[porteur.pk].recu == totals[porteur.pk].reverse == D("44450.00")
    assert totals[porteur.pk].du == 0


@travel
def test_the_30_day_alert(grappe, ogs):
    porteur, beta, gamma = ogs
    tranche = paid(grappe, paye_le=TODAY - datetime.timedelta(days=29))
    assert services.repartition(grappe).alertes == []
    tranche.paye_le = TODAY - datetime.timedelta(days=30)
    tranche.save()
    alertes = services.repartition(grappe).alertes
    assert alertes == [
        "Tranche 1 reçue le 31/05/2026 : 56\xa0250,01\xa0€ restent à reverser aux organismes "
        "gestionnaires après 30 jours."
    ]
    assert alertes[0] in services.synthese(grappe).alertes
    for og, montant in ((beta, "31250.00"), (gamma, "25000.01")):
        Reversement.objects.create(
            grappe=grappe, og=og, tranche=tranche, montant=D(montant), date=TODAY
        )
    assert services.repartition(grappe).alertes == []


@travel
def test_api_figures_as_strings(cast, grappe, ogs):
    porteur, beta, gamma = ogs
    tranche = paid(grappe)
    Reversement.objects.create(
        grappe=grappe, og=beta, tranche=tranche, montant=D("1000.5"), date=TODAY
    )
    client = APIClient()
    client.force_authenticate(cast.owner)
    data = client.get(f"/api/v1/grappes/{grappe.pk}/finances/").json()
    by_og = {og["finess_ej"]: og for og in data["ogs"]}
    assert by_og[beta.finess_ej]["recu"] == "31250.00"
    assert by_og[beta.finess_ej]["reverse"] == "1000.50"
    assert by_og[gamma.finess_ej]["recu"] == "25000.01"
    assert by_og[gamma.finess_ej]["reverse"] == "0.00"
    assert by_og[porteur.finess_ej]["recu"] == by_og[porteur.finess_ej]["reverse"] == "43750.00"


# --- Pages ---------------------------------------------------------------------------------


def page(grappe):
    return reverse("finances:grappe", args=[grappe.pk])


def cle_url(grappe):
    return reverse("finances:cle_repartition", args=[grappe.pk])


def reversement_url(grappe):
    return reverse("finances:reversement_create", args=[grappe.pk])


def test_empty_state(cast, grappe, client_for):
    content = client_for(cast.owner).get(page(grappe)).content.decode()
    assert "Répartition de la subvention" in content
    assert "Aucune tranche payée par l'ARS : rien à répartir pour l'instant." in content
    assert "Au prorata des ESMS" in content
    form = client_for(cast.owner).get(reversement_url(grappe)).content.decode()
    assert "Aucune tranche payée par l'ARS : rien à reverser pour l'instant." in form


@travel
def test_the_page_shows_each_tranche(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    tranche = paid(grappe)
    Reversement.objects.create(
        grappe=grappe, og=beta, tranche=tranche, montant=D("250"), date=TODAY
    )
    response = client_for(cast.owner).get(page(grappe))
    content = response.content.decode()
    assert "Tranche 1 : 100\xa0000,01\xa0€ reçus le 01/05/2026" in content
    assert "31\xa0000,00\xa0€" in content  # BETA's remaining owed
    assert "conservée" in content  # the porteur's share
    assert "Enregistrer un reversement" in content
    reader = client_for(cast.copil).get(page(grappe)).content.decode()
    assert "Tranche 1 : 100\xa0000,01\xa0€" in reader
    assert "Enregistrer un reversement" not in reader and "Modifier la clé" not in reader


@travel
def test_the_page_costs_the_same_queries(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    client = client_for(cast.owner)
    first = paid(grappe)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(grappe)).status_code == 200
        return len(queries)

    baseline = count()
    for numero in (2, 3):
        tranche = paid(grappe, numero=numero, montant="10.00")
        for og in (beta, gamma):
            Reversement.objects.create(
                grappe=grappe, og=og, tranche=tranche, montant=D(1), date=TODAY
            )
    Reversement.objects.create(grappe=grappe, og=gamma, tranche=first, montant=D(1), date=TODAY)
    assert count() == baseline


def parts_data(mode, values):
    data = {
        "mode": mode,
        "parts-TOTAL_FORMS": str(len(values)),
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    for index, (og, value) in enumerate(values):
        data[f"parts-{index}-og"] = og.pk
        data[f"parts-{index}-pourcentage"] = value
    return data


def test_typed_percentages_must_total_100(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    client = client_for(cast.owner)
    form = client.get(cle_url(grappe))
    assert form.status_code == 200 and "BETA" in form.content.decode()
    response = client.post(
        cle_url(grappe), parts_data("saisie", [(porteur, "60"), (beta, "30"), (gamma, "")])
    )
    assert response.status_code == 200
    assert (
        "Les parts des organismes gestionnaires totalisent 90 % : elles doivent totaliser 100 %."
        in response.content.decode()
    )
    assert not CleRepartition.objects.exists()
    response = client.post(
        cle_url(grappe), parts_data("saisie", [(porteur, "50"), (beta, "30"), (gamma, "20")])
    )
    assert response.status_code == 302
    cle = CleRepartition.objects.get(grappe=grappe)
    assert cle.mode == "saisie" and cle.updated_by == cast.owner
    assert {part.og_id: part.pourcentage for part in cle.parts.all()} == {
        porteur.pk: D(50),
        beta.pk: D(30),
        gamma.pk: D(20),
    }
    entry = HistoryEntry.objects.get(
        grappe=grappe, action="Clé de répartition de la subvention modifiée"
    )
    assert entry.changes["Clé"] == "Parts saisies" and entry.changes["BETA"] == "30 %"
    # Switching to equal shares ignores the percentages (kept for later).
    response = client.post(cle_url(grappe), parts_data("egal", [(porteur, ""), (beta, "")]))
    assert response.status_code == 302
    assert CleRepartition.objects.get(grappe=grappe).mode == "egal"


@travel
def test_record_a_transfer(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    tranche = paid(grappe)
    client = client_for(cast.owner)
    form = client.get(reversement_url(grappe), {"tranche": tranche.pk, "og": beta.pk})
    assert form.context["form"].initial["montant"] == D("31250.00")

    def post(**kwargs):
        data = {
            "tranche": tranche.pk,
            "og": beta.pk,
            "montant": "31250.00",
            "date": "2026-06-15",
            "reference": "VIR-1",
            **kwargs,
        }
        return client.post(reversement_url(grappe), data)

    response = post(montant="31250.01")
    assert response.status_code == 200
    assert (
        "Le reversement dépasse ce qui reste dû à BETA sur la tranche 1 : 31\xa0250,00\xa0€."
        in response.content.decode()
    )
    response = post(date="2026-07-01")
    assert "La date du virement ne peut pas être dans le futur." in response.content.decode()
    response = post(date="2026-04-30")
    assert "Le virement ne peut précéder le paiement de la tranche (01/05/2026)." in (
        response.content.decode()
    )
    response = post(og=porteur.pk)
    assert "Choisissez un organisme gestionnaire coopérateur autre que le porteur." in (
        response.content.decode()
    )
    assert not Reversement.objects.exists()

    assert post(montant="31000.00").status_code == 302
    response = post(montant="250.01")
    assert "ce qui reste dû à BETA sur la tranche 1 : 250,00\xa0€." in response.content.decode()
    assert post(montant="250.00").status_code == 302
    item = Reversement.objects.order_by("pk").first()
    assert (item.grappe, item.og, item.tranche, item.created_by) == (
        grappe,
        beta,
        tranche,
        cast.owner,
    )
    assert HistoryEntry.objects.filter(grappe=grappe, action="Reversement enregistré").count() == 2
    assert services.repartition(grappe).par_og()[beta.pk].du == 0


def test_a_tranche_of_another_grappe_is_refused(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    paid(grappe)
    other = paid(cast.other_grappe)
    response = client_for(cast.owner).post(
        reversement_url(grappe),
        {"tranche": other.pk, "og": beta.pk, "montant": "1", "date": "2026-01-15"},
    )
    assert "Choisissez une tranche payée de la grappe." in response.content.decode()


def test_who_shares(cast, grappe, client_for):
    amoa = RoleFactory(grappe=grappe, kind=RoleKind.AMOA).user
    for url in (cle_url(grappe), reversement_url(grappe)):
        for user in (cast.owner, cast.admin, amoa):
            assert client_for(user).get(url).status_code == 200
        for user in (cast.copil, cast.ars, cast.member):
            assert client_for(user).get(url).status_code == 403
            assert client_for(user).post(url).status_code == 403
        assert client_for(cast.stranger).post(url).status_code == 404
        assert client_for(cast.ars_other).get(url).status_code == 404
    assert not Reversement.objects.exists() and not CleRepartition.objects.exists()


def test_a_grappe_without_esms_shares_nothing(db):
    grappe = GrappeFactory()
    paid(grappe)
    partage = services.repartition(grappe)
    assert partage.tranches[0].parts == []
    assert all(total.recu == 0 for total in partage.ogs)


def test_change_saved_percentages(cast, grappe, ogs, client_for):
    porteur, beta, gamma = ogs
    set_key(grappe, ModeRepartition.SAISIE, {porteur: "50", beta: "50"})
    client = client_for(cast.owner)
    formset = client.get(cle_url(grappe)).context["formset"]
    assert [form.og_label for form in formset.forms] == ["ALPHA PORTEUR", "BETA", "GAMMA"]
    data = {"mode": "saisie"}
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            data[form.add_prefix(name)] = getattr(value, "pk", value) or ""
    data.update({f"parts-{key}": value for key, value in formset.management_form.initial.items()})
    data.update(
        {"parts-0-pourcentage": "40", "parts-1-pourcentage": "", "parts-2-pourcentage": "60"}
    )
    assert client.post(cle_url(grappe), data).status_code == 302
    cle = CleRepartition.objects.get(grappe=grappe)
    assert {part.og_id: part.pourcentage for part in cle.parts.all()} == {
        porteur.pk: D(40),
        gamma.pk: D(60),
    }
