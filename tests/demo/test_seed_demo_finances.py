"""The demo's money tells a story coherent with the rest of the demo, as of DEMO_TODAY: money is
engaged only on choices made, invoiced only for work started, transferred only once the ARS
paid and never beyond a share; the sums add up; the page shows it to the chef de projet."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amoa.enums import ObjetConsultation
from amoa.models import Choix
from candidatures.demo_grappes import GRAPPES
from finances import services
from finances.demo import ETAPE_DES_TRAVAUX
from finances.enums import Poste
from finances.models import (
    CleRepartition,
    Engagement,
    Facture,
    FinancementPropre,
    PartCle,
    Reversement,
)
from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe, HistoryEntry
from indicateurs.enums import StatutTranche
from projets.models import Etape
from tests.demo.conftest import DEMO_TODAY
from users.models import User

pytestmark = pytest.mark.django_db

TODAY = datetime.date.fromisoformat(DEMO_TODAY[:10])
MODELS = (FinancementPropre, CleRepartition, PartCle, Engagement, Facture, Reversement)


def demo_grappe():
    return Grappe.objects.get(name=GRAPPE_NAME)


def test_seed_demo_shows_every_kind_of_row():
    assert all(model.objects.exists() for model in MODELS)


def test_nothing_is_recorded_in_the_future():
    now = timezone.now()
    for model in (Engagement, Facture, Reversement):
        assert not model.objects.filter(created_at__gt=now).exists(), model.__name__
    assert not CleRepartition.objects.filter(updated_at__gt=now).exists()
    assert not HistoryEntry.objects.filter(created_at__gt=now).exists()
    assert not Reversement.objects.filter(date__gt=TODAY).exists()


def test_invoices_follow_their_engagement_and_the_work():
    factures = Facture.objects.select_related("engagement__grappe")
    assert factures.exists()
    starts = {
        (etape.plan.grappe_id, etape.ordre): etape.actual_start
        for etape in Etape.objects.select_related("plan")
    }
    for facture in factures:
        engagement = facture.engagement
        assert engagement.date <= facture.date <= TODAY, facture
        assert facture.payee_le is None or facture.date <= facture.payee_le <= TODAY
        assert engagement.date <= TODAY
        step = ETAPE_DES_TRAVAUX.get(Poste(engagement.poste))
        if step is not None:
            start = starts.get((engagement.grappe_id, step))
            assert start is not None and start <= facture.date, facture
        # Each invoice carries its PDF, described as the upload form would.
        assert facture.fichier and facture.type_fichier == "application/pdf"
        assert facture.taille == facture.fichier.size
        with facture.fichier.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"


def test_engagements_only_on_choices_made():
    for engagement in Engagement.objects.all():
        if engagement.poste == Poste.EDITEUR:
            # An éditeur contract needs a DUI choice of the grappe.
            assert Choix.objects.filter(
                consultation__grappe=engagement.grappe_id,
                consultation__objet=ObjetConsultation.EDITEUR,
            ).exists()
        if engagement.choix_id:
            assert engagement.choix.consultation.grappe_id == engagement.grappe_id
            assert engagement.date >= engagement.choix.date
    # The demo grappe's AMOA contract comes from its AMOA choice, on the poste it suggests.
    grappe = demo_grappe()
    amoa = Engagement.objects.get(grappe=grappe, choix__consultation__objet=ObjetConsultation.AMOA)
    assert amoa.poste == Poste.AMOA_PROJET and amoa.montant_ht == Decimal("58000.00")
    assert amoa.montant_ttc == Decimal("69600.00")
    # The DUI is chosen but the COPIL has not said go at step 11: the contract is proposed.
    assert [p["poste"] for p in services.propositions(grappe)] == [Poste.EDITEUR]


def test_only_the_grappes_with_a_convention_have_finances():
    money = set(FinancementPropre.objects.values_list("grappe__name", flat=True))
    money |= set(Engagement.objects.values_list("grappe__name", flat=True))
    money |= set(CleRepartition.objects.values_list("grappe__name", flat=True))
    signed = set(
        Grappe.objects.filter(convention_signed_on__lte=TODAY).values_list("name", flat=True)
    )
    assert money <= signed
    assert {GRAPPE_NAME, GRAPPES[0].name} <= money  # the Calaisis signed on 02/12/2026
    # A grappe whose convention is this week's has engaged nothing yet.
    assert not Engagement.objects.filter(grappe__name=GRAPPES[0].name).exists()


def test_transfers_follow_the_payments_and_never_exceed_a_share():
    for reversement in Reversement.objects.select_related("tranche"):
        tranche = reversement.tranche
        assert tranche.statut == StatutTranche.PAYEE and tranche.paye_le
        assert tranche.paye_le <= reversement.date <= TODAY
        assert reversement.og_id != reversement.grappe.porteur_id
    for grappe in Grappe.objects.all():
        partage = services.repartition(grappe, today=TODAY)
        for total in partage.ogs:
            assert total.du >= 0, (grappe, total.og)
        for ligne in partage.tranches:
            for part in ligne.parts:
                assert part.reste >= 0
    # One coopérateur is still owed part of tranche 1: the page's one (intended) alert.
    partage = services.repartition(demo_grappe(), today=TODAY)
    assert [total.du > 0 for total in partage.ogs if not total.porteur].count(True) == 1
    assert len(partage.alertes) == 1


def test_the_sums_add_up_and_tell_the_rules():
    grappe = demo_grappe()
    synthese = services.synthese(grappe)
    for key in services.KEYS:
        total = sum((getattr(ligne, key) for ligne in synthese.postes), Decimal(0))
        assert getattr(synthese.totaux, key) == total, key
    for key in ("propre", "engage", "facture", "paye", "justifie"):
        total = sum((getattr(ligne, key) for ligne in synthese.ogs), Decimal(0))
        assert getattr(synthese.totaux, key) == total, key
    assert synthese.totaux.subvention == grappe.convention_amount
    assert synthese.totaux.justifie <= synthese.totaux.paye <= synthese.totaux.facture
    assert synthese.totaux.facture <= synthese.totaux.engage
    # The only alert is the partial transfer; no poste overspent, no engagement left idle.
    assert not [ligne for ligne in synthese.postes if ligne.depasse]
    assert synthese.sans_facture == []
    assert len(synthese.alertes) == 1 and synthese.alertes[0].startswith("Tranche 1 ")
    # One invoice dated before the call's opening stays ineligible, one is forced with a reason.
    regles = synthese.regles
    factures = Facture.objects.filter(engagement__grappe=grappe).select_related("engagement")
    motifs = [regles.motif(f, Poste(f.engagement.poste)) for f in factures]
    assert [m for m in motifs if m] == [
        f"Datée avant l'ouverture de l'appel ({regles.ouverture:%d/%m/%Y})."
    ]
    forced = factures.get(eligibilite_forcee=True)
    assert forced.date < regles.ouverture and forced.motif_forcage
    assert factures.filter(payee_le__isnull=True).exists()


def test_the_finances_page_shows_the_demo_to_its_chef_de_projet(client):
    grappe = demo_grappe()
    client.force_login(User.objects.get(email="cheffe.projet@demo.grappe.fr"))
    response = client.get(reverse("finances:grappe", args=[grappe.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cap Médico-Social Conseil" in content
    calaisis = Grappe.objects.get(name=GRAPPES[0].name)
    client.force_login(User.objects.get(email=GRAPPES[0].chef[0]))
    assert client.get(reverse("finances:grappe", args=[calaisis.pk])).status_code == 200
