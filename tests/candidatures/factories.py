import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from candidatures import instruction
from candidatures.models import Campagne, Candidature, Depot, Instructeur
from grappe.enums import TypeAap
from grappe.models import Aap
from tests.grappe.factories import GrappeFactory, add_esms

PARIS = ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def campagne_for(region, **kwargs):
    """A campaign on a new regional AAP, with the default criteria and pieces."""
    aap = Aap.objects.create(
        name=f"AAP ESMS numérique {region.name}",
        kind=TypeAap.GENERALISATION,
        year=2026,
        region=region,
    )
    values = {
        "ouverture": paris(2026, 3, 2, 9),
        "cloture": paris(2026, 10, 30, 12),
        "enveloppe": Decimal("2500000.00"),
        **kwargs,
    }
    campagne = Campagne.objects.create(aap=aap, **values)
    campagne.add_defaults()
    return campagne


# Instruction (ARS)


def filed(campagne, grappe=None, montant="100000.00", statut="deposee"):
    """A filed dossier (version 1) of `grappe` (a new grappe of the call's region, holding one
    ESMS, by default) on the campaign."""

    if grappe is None:
        grappe = GrappeFactory(region=campagne.aap.region, aap=campagne.aap)
        add_esms(grappe, 1)
    candidature = Candidature.objects.create(
        campagne=campagne, grappe=grappe, statut=statut, montant_demande=Decimal(montant)
    )
    Depot.objects.create(
        candidature=candidature,
        numero=1,
        deposee_le=timezone.now(),
        contenu={},
        empreinte="0" * 64,
    )
    return candidature


def designate(campagne, *users):
    for user in users:
        Instructeur.objects.create(campagne=campagne, user=user)


def score(candidature, user, notes, submit=True, justification="Justifié."):
    """The instructor's grid through the service: `notes` in the criteria's order (one value for
    all when a single number)."""
    criteres = list(candidature.campagne.criteres.all())
    if not isinstance(notes, (list, tuple)):
        notes = [notes] * len(criteres)
    values = {c: (Decimal(str(n)), justification) for c, n in zip(criteres, notes, strict=True)}
    return instruction.save_grille(candidature, user, values, submit=submit)
