"""The demo's calls for projects, coherent with the demo's today (4 December 2026): the demo
grappe's retained dossier on the national call leads to its convention; the Hauts-de-France 2026
call holds a dossier at every statut, dated as the campaign happened; the 2027 call is open.
Seeding is slow (every demo app): each test seeds once, the idempotency test twice."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from approbations.models import Avis
from candidatures.demo import COMITE, REGIONAL_2026, REGIONAL_2027
from candidatures.enums import StatutCandidature as S
from candidatures.models import (
    Campagne,
    Candidature,
    Convention,
    DecisionSelection,
    DemandePieces,
    Depot,
    GrilleInstruction,
    Instructeur,
    PieceJointe,
)
from grappe.demo import GRAPPE_NAME, PEOPLE
from grappe.models import Grappe, HistoryEntry
from indicateurs.enums import StatutTranche
from tests.demo.conftest import DEMO_TODAY
from users.models import User

pytestmark = pytest.mark.django_db

TODAY = DEMO_TODAY


def regional():
    return Campagne.objects.select_related("aap").get(aap__name=REGIONAL_2026)


def dossier(name_part, campagne=None):
    return Candidature.objects.select_related("grappe").get(
        campagne=campagne or regional(), grappe__name__contains=name_part
    )


def test_seed_demo_opens_the_calls():
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    answered = Campagne.objects.get(aap=grappe.aap)
    # The call the grappe answered closed before its convention was signed.
    assert timezone.localdate(answered.cloture) < grappe.convention_signed_on
    assert answered.statut() == "close"
    assert regional().statut() == "close"
    # The 2027 call stays open, for the porteurs to draft.
    open_call = Campagne.objects.get(aap__name=REGIONAL_2027)
    assert open_call.aap.region == grappe.region
    assert open_call.statut() == "ouverte"
    assert open_call.poids_total() == 100
    assert open_call.cloture > timezone.now() + datetime.timedelta(days=30)


def test_the_demo_grappes_retained_dossier_leads_to_its_convention():
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    campagne = Campagne.objects.get(aap=grappe.aap)
    candidature = dossier("Flandres", campagne)
    assert candidature.statut == S.RETENUE
    depot = candidature.depots.get()
    assert campagne.ouverture <= depot.deposee_le < campagne.cloture
    decision = candidature.decisions.get()
    assert decision.motif
    assert timezone.localdate(campagne.cloture) < decision.date < grappe.convention_signed_on
    convention = candidature.convention
    assert convention.montant_accorde == grappe.convention_amount == candidature.montant_demande
    assert convention.signee_le == grappe.convention_signed_on
    # The indicators' demo keeps its tranches: the first paid a month after the signature.
    assert grappe.tranches.get(numero=1).statut == StatutTranche.PAYEE


def test_the_regional_call_holds_every_statut_coherent_in_time():
    now = timezone.now()
    today = timezone.localdate()
    campagne = regional()
    candidatures = Candidature.objects.filter(campagne=campagne)
    assert set(candidatures.values_list("statut", flat=True)) == set(S.values)
    assert candidatures.count() == 8
    assert candidatures.filter(statut=S.RETENUE).count() == 2
    assert Instructeur.objects.filter(campagne=campagne).count() == 2

    # Nothing happened after today.
    for model, fields in [
        (Candidature, ["created_at", "updated_at"]),
        (PieceJointe, ["uploaded_at"]),
        (Depot, ["deposee_le"]),
        (Avis, ["created_at"]),
        (Instructeur, ["designe_le"]),
        (GrilleInstruction, ["soumise_le"]),
        (DemandePieces, ["demandee_le"]),
        (DecisionSelection, ["created_at"]),
        (Convention, ["created_at"]),
        (HistoryEntry, ["created_at"]),
    ]:
        for field in fields:
            latest = model.objects.exclude(**{field: None}).order_by(f"-{field}").first()
            assert getattr(latest, field) <= now, (model.__name__, field)
    assert all(d <= today for d in DecisionSelection.objects.values_list("date", flat=True))
    # The dossiers last changed on their last event, not on the seeding's day.
    assert all(timezone.localdate(c.updated_at) < today for c in candidatures)
    assert all(
        d <= today
        for d in Convention.objects.exclude(signee_le=None).values_list("signee_le", flat=True)
    )

    # Filed within the call's window; scored after its closing; decided by the committee.
    depots = Depot.objects.filter(candidature__campagne=campagne)
    assert depots.count() == 7  # the draft was never filed
    assert all(campagne.ouverture <= d.deposee_le < campagne.cloture for d in depots)
    assert not dossier("Boulonnais").depots.exists()
    grilles = GrilleInstruction.objects.filter(candidature__campagne=campagne)
    assert all(g.soumise_le > campagne.cloture for g in grilles.exclude(soumise_le=None))
    decisions = DecisionSelection.objects.filter(candidature__campagne=campagne)
    assert {d.date for d in decisions} == {COMITE}
    assert all(d.motif and d.rang for d in decisions)
    assert timezone.localdate(campagne.cloture) < COMITE

    # The signed convention made its signature tranche due; the other awaits its signature.
    signed = dossier("Calaisis")
    assert signed.convention.signee_le == datetime.date(2026, 12, 2)
    assert signed.grappe.convention_signed_on == signed.convention.signee_le
    assert signed.grappe.convention_amount == signed.convention.montant_accorde
    tranche = signed.grappe.tranches.get(numero=1)
    assert tranche.statut == StatutTranche.DUE
    assert timezone.localdate(tranche.due_le) == datetime.date(2026, 12, 2)
    prepared = dossier("Cambrésis").convention
    assert not prepared.signee
    assert prepared.montant_accorde < prepared.candidature.montant_demande
    assert prepared.motif_ecart

    # The request for pieces went unanswered past its date.
    demande = dossier("Saint-Quentinois").demandes_pieces.get()
    assert timezone.localdate(demande.demandee_le) == datetime.date(2026, 10, 15)
    assert demande.echeance == datetime.date(2026, 11, 15)
    assert demande.en_retard()

    # The dossier filed last is being instructed: one grid submitted, the other a draft.
    douaisis = dossier("Douaisis")
    assert douaisis.statut == S.DEPOSEE
    assert douaisis.depots.get().deposee_le > campagne.cloture - datetime.timedelta(hours=1)
    assert sorted(g.soumise for g in douaisis.grilles.all()) == [False, True]
    assert dossier("Beauvaisis").statut == S.INSTRUITE


def test_the_ars_agent_reads_the_campaign_a_dossier_and_a_decision_letter(client):
    client.force_login(User.objects.get(email=PEOPLE["ars"][0]))
    campagne = regional()
    retained = dossier("Calaisis")
    refused = dossier("Vimeu")
    pages = [
        reverse("candidatures:campagne", args=[campagne.pk]),
        reverse("candidatures:instruction", args=[campagne.pk, retained.pk]),
        reverse("candidatures:instruction", args=[campagne.pk, dossier("Douaisis").pk]),
        reverse("candidatures:convention", args=[campagne.pk, retained.pk]),
    ]
    with time_machine.travel(TODAY, tick=False):
        for url in pages:
            assert client.get(url).status_code == 200, url
        letter = client.get(reverse("candidatures:lettre_decision", args=[campagne.pk, refused.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
