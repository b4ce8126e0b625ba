"""A grappe with money: its own call (amounts chosen for hand-made sums), its campaign, ESMS of
two OGs, and helpers to record engagements and invoices."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from candidatures.models import Campagne
from finances.models import Engagement, Facture, FinancementPropre
from grappe.enums import TypeAap
from grappe.models import Aap, EsmsMembership
from tests.candidatures.factories import paris
from tests.grappe.factories import GrappeFactory, OrganismeGestionnaireFactory, add_esms

D = Decimal
PDF = b"%PDF-1.4\n% facture de test\n"
CONVENTION = D("60000.00")


def call(**kwargs):
    """A call whose barème the tests add up by hand: no small-OG line, no AMOA funded."""
    values = {
        "name": "AAP finances",
        "kind": TypeAap.GENERALISATION,
        "year": 2026,
        "montant_acquisition": D(12000),
        "montant_acquisition_segur": None,
        "montant_usages": D(7000),
        "montant_conformite": D(5000),
        "seuil_petit_og": None,
        "finance_amoa": False,
        **kwargs,
    }
    return Aap.objects.create(**values)


def campagne(aap, ouverture=None):
    return Campagne.objects.create(
        aap=aap,
        ouverture=ouverture or paris(2026, 3, 2, 9),
        cloture=paris(2026, 10, 30, 12),
        enveloppe=D("2500000.00"),
    )


def money_grappe(grappe=None, convention=CONVENTION, with_campagne=True, **aap_kwargs):
    """3 ESMS of the porteur in acquisition, 1 of a second OG in mise en conformité: the
    simulation gives part éditeur 36 000, usages 21 000, conformité 5 000 (62 000 €)."""
    aap = call(**aap_kwargs)
    if with_campagne:
        campagne(aap)
    grappe = grappe or GrappeFactory()
    grappe.aap = aap
    grappe.convention_amount = convention
    grappe.save(update_fields=["aap", "convention_amount"])
    add_esms(grappe, 3)
    second = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION LES GLYCINES")
    for esms in add_esms(grappe, 1, og=second):
        EsmsMembership.objects.filter(esms=esms).update(type_projet="conformite")
    grappe.second_og = second
    return grappe


def propre(grappe, og, poste, montant):
    return FinancementPropre.objects.create(grappe=grappe, og=og, poste=poste, montant=D(montant))


def engagement(grappe, og=None, poste="editeur", ht="1000.00", tva="20.00", date=None, **kw):
    values = {
        "fournisseur": "Éditeur SA",
        "objet": "Licences du DUI",
        "date": date or datetime.date(2026, 3, 10),
        **kw,
    }
    return Engagement.objects.create(
        grappe=grappe,
        og=og or grappe.porteur,
        poste=poste,
        montant_ht=D(ht),
        taux_tva=D(tva),
        **values,
    )


def facture(engagement, numero, ht, tva="20.00", date=None, payee_le=None, **kwargs):
    item = Facture(
        engagement=engagement,
        numero=numero,
        date=date or datetime.date(2026, 4, 1),
        montant_ht=D(ht),
        taux_tva=D(tva),
        payee_le=payee_le,
        nom_fichier=f"{numero}.pdf",
        type_fichier="application/pdf",
        taille=len(PDF),
        **kwargs,
    )
    item.fichier.save(f"{numero}.pdf", ContentFile(PDF), save=False)
    item.save()
    return item
