"""The financing convention of a retained dossier (issue 14): the amount granted (below the
request only with a reason) becomes the grappe's convention amount at signature; its tranches
come from the call's AapTranche; the signature tranche falls due and the ARS records its
payment; the PDF; who may do what."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from candidatures import instruction
from candidatures.conventions import ConventionRefusee, preparer, signer
from candidatures.models import Candidature, ConflitInstruction, Convention, DecisionSelection
from grappe.enums import EvenementTranche
from grappe.models import AapTranche, HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from tests.candidatures.factories import campagne_for, filed, paris
from tests.helpers import pdf_text, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(paris(2026, 12, 10, 10), tick=False):
        yield


@pytest.fixture
def retenue(cast):
    campagne = campagne_for(cast.grappe.region)
    AapTranche.objects.create(
        aap=campagne.aap, numero=1, pourcentage=40, evenement=EvenementTranche.SIGNATURE
    )
    AapTranche.objects.create(
        aap=campagne.aap, numero=2, pourcentage=60, evenement=EvenementTranche.CIBLES
    )
    cast.grappe.aap = campagne.aap
    cast.grappe.save(update_fields=["aap"])
    candidature = filed(campagne, cast.grappe, montant="300000.00", statut="retenue")
    DecisionSelection.objects.create(
        candidature=candidature,
        decision="retenue",
        motif="Projet solide.",
        date=datetime.date(2026, 12, 1),
        par=cast.ars,
    )
    return candidature


def url(candidature, name="candidatures:convention"):
    return reverse(name, args=[candidature.campagne_id, candidature.pk])


def test_the_ars_grants_less_with_a_reason_signs_and_tranche_1_falls_due_then_is_paid(
    cast, client_for, retenue, django_capture_on_commit_callbacks
):
    ars = client_for(cast.ars)
    assert "La convention n'est pas encore préparée." in text(ars.get(url(retenue)))
    refused = ars.post(url(retenue), {"montant_accorde": "250000", "motif_ecart": ""})
    assert (
        "Le montant accordé est inférieur à la demande (300\u00a0000,00\u00a0€) : motivez"
        in text(refused)
    )
    too_much = ars.post(url(retenue), {"montant_accorde": "300000.01"})
    assert "ne peut dépasser le montant demandé" in text(too_much)
    ars.post(
        url(retenue),
        {"montant_accorde": "250000.01", "motif_ecart": "Deux ESMS déjà équipés retirés."},
    )
    convention = Convention.objects.get()
    assert convention.montant_accorde == Decimal("250000.01")
    # The envelope now counts what is granted, not what was asked.
    assert instruction.montant_engage(Candidature.objects.get(pk=retenue.pk)) == Decimal(
        "250000.01"
    )
    decision_page = text(
        ars.get(reverse("candidatures:decision", args=[retenue.campagne_id, retenue.pk]))
    )
    assert "Convention de financement" in decision_page
    page = text(ars.get(url(retenue)))
    # The call's split, to the cent, the last tranche taking the remainder.
    assert "100\u00a0000,00\u00a0€" in page and "150\u00a0000,01\u00a0€" in page
    # Not signed: the grappe's convention is untouched.
    cast.grappe.refresh_from_db()
    assert cast.grappe.convention_amount is None
    future = ars.post(url(retenue, "candidatures:convention_signer"), {"signee_le": "2026-12-11"})
    assert future.status_code == 302
    assert Convention.objects.get().signee_le is None
    before = ars.post(
        url(retenue, "candidatures:convention_signer"), {"signee_le": "2026-11-30"}, follow=True
    )
    assert "ne peut être signée avant la décision de sélection (01/12/2026)" in text(before)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ars.post(url(retenue, "candidatures:convention_signer"), {"signee_le": "2026-12-09"})
    cast.grappe.refresh_from_db()
    assert cast.grappe.convention_amount == Decimal("250000.01")
    assert cast.grappe.convention_signed_on == datetime.date(2026, 12, 9)
    tranches = {t.numero: t for t in Tranche.objects.filter(grappe=cast.grappe)}
    assert (tranches[1].montant, tranches[1].statut) == (Decimal("100000.00"), StatutTranche.DUE)
    assert (tranches[2].montant, tranches[2].statut) == (Decimal("150000.01"), StatutTranche.PREVUE)
    assert any("Tranche 1 due" in m.subject for m in mail.outbox)
    assert HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Convention de financement signée"
    ).exists()
    # The ARS records the payment of tranche 1 as for tranche 2.
    paiement = reverse("indicateurs:paiement", args=[cast.grappe.pk, tranches[1].pk])
    ars.post(
        paiement,
        {"paye_le": "2026-12-10", "montant_paye": "100000.00", "reference_paiement": "ARS-T1"},
    )
    tranches[1].refresh_from_db()
    assert tranches[1].statut == StatutTranche.PAYEE
    # Signed: frozen.
    again = ars.post(url(retenue), {"montant_accorde": "1"}, follow=True)
    assert "La convention est signée : elle ne se modifie plus." in text(again)
    assert Convention.objects.get().montant_accorde == Decimal("250000.01")


@pytest.mark.pdf
def test_the_convention_pdf(cast, client_for, retenue):
    preparer(retenue, Decimal("300000"), "", cast.ars)
    draft = pdf_text(client_for(cast.ars).get(url(retenue, "candidatures:convention_pdf")))
    assert "Convention de financement" in draft and "Projet — non signé" in draft
    assert "Montant accordé 300 000,00 €" in draft
    assert "Signature de la convention ARS 120 000,00 €" in draft
    # The porteur reads it once signed only.
    porteur = client_for(cast.owner)
    assert porteur.get(url(retenue, "candidatures:convention_pdf")).status_code == 403
    signer(retenue.convention, datetime.date(2026, 12, 2), cast.ars)
    signed = pdf_text(porteur.get(url(retenue, "candidatures:convention_pdf")))
    assert "Convention signée le 2 décembre 2026." in signed
    assert "Projet — non signé" not in signed


def test_only_a_retained_dossier_gets_a_convention(cast, retenue):
    retenue.statut = "liste_attente"
    retenue.save()
    with pytest.raises(ConventionRefusee, match="Seul un dossier retenu"):
        preparer(retenue, Decimal("1000"), "motif", cast.ars)


def test_a_grappe_with_a_signed_convention_cannot_sign_another(cast, retenue):
    cast.grappe.convention_signed_on = datetime.date(2024, 1, 1)
    cast.grappe.save()
    convention = preparer(retenue, Decimal("300000"), "", cast.ars)
    with pytest.raises(ConventionRefusee, match="déjà une convention ARS signée le 01/01/2024"):
        signer(convention, datetime.date(2026, 12, 2), cast.ars)


def test_who_may_see_the_convention(cast, client_for, retenue):
    preparer(retenue, Decimal("300000"), "", cast.ars)
    for user in (cast.owner, cast.member, cast.ars_other, cast.stranger):
        assert client_for(user).get(url(retenue)).status_code == 404, user
        response = client_for(user).post(url(retenue), {"montant_accorde": "1"})
        assert response.status_code == 404
    assert client_for(cast.admin).get(url(retenue)).status_code == 200
    signing = url(retenue, "candidatures:convention_signer")
    assert client_for(cast.owner).post(signing, {"signee_le": "2026-12-02"}).status_code == 404
    assert (
        client_for(cast.stranger).get(url(retenue, "candidatures:convention_pdf")).status_code
        == 404
    )


def test_a_manager_in_conflict_keeps_off_the_convention(cast, client_for, retenue):
    ConflitInstruction.objects.create(
        candidature=retenue, instructeur=cast.ars, motif="Ancienne directrice d'un des ESMS."
    )
    response = client_for(cast.ars).get(url(retenue))
    assert response.status_code == 403
    assert "conflit d'intérêts" in text(response)
    assert client_for(cast.admin).get(url(retenue)).status_code == 200
