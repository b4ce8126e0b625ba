"""The postes of the project's budget: the lines of the funding barème (grappe/funding.py, whose
lines carry the same codes), one list. Each poste says, as data, which amount of the call funds it
(`Aap` field): a poste the call does not fund is not eligible, its invoices justify nothing."""

from django.db import models


class Poste(models.TextChoices):
    EDITEUR = "editeur", "Acquisition du DUI — part éditeur"
    USAGES = "usages", "Acquisition du DUI — déploiement des usages"
    CONFORMITE = "conformite", "ESMS déjà équipé — mise en conformité et usages"
    MATERIEL = "materiel", "Équipement matériel (petits organismes gestionnaires)"
    AMOA_MARCHE = "amoa_marche", "AMOA « marché » (procédure de marché)"
    AMOA_PROJET = "amoa_projet", "AMOA « projet » (pilotage du projet)"


# Poste → the amount of the call funding it (an `Aap` field). A poste's code is its funding line's
# (grappe.funding.FundingLine.code).
POSTES = {
    Poste.EDITEUR: "montant_acquisition",
    Poste.USAGES: "montant_usages",
    Poste.CONFORMITE: "montant_conformite",
    Poste.MATERIEL: "montant_equipement_petit_og",
    Poste.AMOA_MARCHE: "montant_amoa_marche",
    Poste.AMOA_PROJET: "montant_amoa_projet",
}
AMOA_POSTES = {Poste.AMOA_MARCHE, Poste.AMOA_PROJET}


def postes_eligibles(aap):
    """The postes the call funds: an amount set on the call (and, for the AMOA, a call that
    finances it: `Aap.finance_amoa`). No call, no eligible poste."""
    if aap is None:
        return set()
    return {
        poste
        for poste, field in POSTES.items()
        if getattr(aap, field) and (poste not in AMOA_POSTES or aap.finance_amoa)
    }
