"""The ARS's payments of a tranche (issue 22): one row each, never beyond the tranche's amount;
one of another amount than what remains (a partial payment, a deduction) says why; the tranche
is « partiellement payée » until its payments add up to its amount, then « payée ». 102 €
recorded for a 341 500 € tranche without a word was accepted as « payée »."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from finances.services import repartition
from grappe.models import HistoryEntry
from indicateurs import paiements
from indicateurs.enums import StatutTranche
from indicateurs.models import Paiement, Tranche
from tests.helpers import text

T1 = Decimal("341500.00")


@pytest.fixture
def due(cast, client_for):
    cast.grappe.convention_amount = Decimal("683000")
    cast.grappe.convention_signed_on = date(2026, 6, 1)
    cast.grappe.save()
    client_for(cast.ars).get(reverse("indicateurs:tranches", args=[cast.grappe.pk]))
    tranche = Tranche.objects.get(grappe=cast.grappe, numero=1)
    assert tranche.statut == StatutTranche.DUE and tranche.montant == T1
    cast.tranche = tranche
    cast.url = reverse("indicateurs:paiement", args=[cast.grappe.pk, tranche.pk])
    return cast


def pay(cast, client_for, montant, motif="", reference="ARS-2026-7", day="2026-07-10"):
    return client_for(cast.ars).post(
        cast.url,
        {
            "paye_le": day,
            "montant_paye": montant,
            "reference_paiement": reference,
            "motif_ecart_paiement": motif,
        },
    )


def tranche(cast):
    return Tranche.objects.get(pk=cast.tranche.pk)


def test_a_payment_of_another_amount_without_a_reason_is_refused(due, client_for):
    response = pay(due, client_for, "102")
    assert response.status_code == 200
    assert (
        "Le montant payé (102,00\u00a0€) diffère de celui de la tranche (341\u00a0500,00\u00a0€) "
        ": indiquez le motif de l'écart" in text(response)
    )
    assert tranche(due).statut == StatutTranche.DUE and tranche(due).montant_paye is None
    assert not Paiement.objects.exists()


def test_a_payment_above_the_tranche_is_refused_even_with_a_reason(due, client_for):
    response = pay(due, client_for, "341500.01", motif="Erreur de saisie")
    assert (
        "Le montant payé (341\u00a0500,01\u00a0€) dépasse celui de la tranche "
        "(341\u00a0500,00\u00a0€)." in text(response)
    )
    assert tranche(due).statut == StatutTranche.DUE
    assert pay(due, client_for, "0", motif="Rien").status_code == 200
    assert not Paiement.objects.exists()


def test_partial_payments_add_up_to_the_tranche_never_beyond(due, client_for):
    motif = "Retenue de 10 % en attente du rapport d'étape"
    assert pay(due, client_for, "307350", motif=motif).status_code == 302
    partial = tranche(due)
    assert partial.statut == StatutTranche.PARTIELLE
    assert (partial.montant_paye, partial.reste_a_payer) == (Decimal("307350.00"), Decimal(34150))
    entry = HistoryEntry.objects.get(action="Paiement de la tranche 1 enregistré")
    assert entry.changes["Motif de l'écart"] == motif
    assert entry.changes["Reste à payer"] == "34\u00a0150,00\u00a0€"
    page = text(client_for(due.owner).get(reverse("indicateurs:tranches", args=[due.grappe.pk])))
    assert "Partiellement payée" in page and motif in page
    assert "Reste à payer : 34\u00a0150,00 € sur 341\u00a0500,00 €" in page
    # Still to pay: the ARS's home lists what remains; beyond it is refused.
    home = text(client_for(due.ars).get(reverse("home")))
    assert "34\u00a0150,00\u00a0€" in home
    response = pay(due, client_for, "34150.01", motif="Trop")
    assert "dépasse le reste à payer de la tranche (34\u00a0150,00\u00a0€)" in text(response)
    # The balance needs no reason: the tranche is paid, dated by its last payment.
    assert (
        pay(due, client_for, "34150", reference="ARS-2026-9", day="2026-09-01").status_code == 302
    )
    paid = tranche(due)
    assert paid.statut == StatutTranche.PAYEE
    assert (paid.montant_paye, paid.paye_le) == (T1, date(2026, 9, 1))
    assert list(paid.paiements.values_list("montant", "reference", "motif")) == [
        (Decimal("307350.00"), "ARS-2026-7", motif),
        (Decimal("34150.00"), "ARS-2026-9", ""),
    ]
    assert pay(due, client_for, "1", motif="Encore").status_code == 302  # not payable any more
    assert tranche(due).paiements.count() == 2


def test_the_finances_share_what_the_ars_paid_of_a_partly_paid_tranche(due, client_for):
    pay(due, client_for, "100000", motif="Premier versement")
    (ligne,) = repartition(due.grappe).tranches
    assert ligne.tranche.pk == due.tranche.pk
    assert sum(part.part for part in ligne.parts) == Decimal("100000.00")


def test_the_full_amount_needs_no_reason_and_keeps_none(due, client_for):
    assert pay(due, client_for, "341500.00", motif="inutile").status_code == 302
    paid = tranche(due)
    assert paid.statut == StatutTranche.PAYEE and paid.montant_paye == T1
    assert paid.paiements.get().motif == ""
    entry = HistoryEntry.objects.get(action="Paiement de la tranche 1 enregistré")
    assert "Motif de l'écart" not in entry.changes


def test_the_service_refuses_beyond_the_rest_whatever_the_form(due):
    paiements.enregistrer(
        due.tranche,
        due.ars,
        paye_le=date(2026, 7, 1),
        montant=Decimal(300000),
        motif="Acompte",
        reference="A1",
    )
    with pytest.raises(paiements.PaiementRefuse, match="dépasse le reste à payer"):
        paiements.enregistrer(
            due.tranche,
            due.ars,
            paye_le=date(2026, 7, 2),
            montant=Decimal(41501),
            motif="x",
            reference="A2",
        )
    assert tranche(due).montant_paye == Decimal(300000)
