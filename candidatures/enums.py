from django.db import models


class StatutCampagne(models.TextChoices):
    """Where a call stands at a moment (Campagne.statut): its value is what the pages show."""

    A_VENIR = "à venir", "À venir"
    OUVERTE = "ouverte", "Ouverte"
    CLOSE = "close", "Close"

    @property
    def is_upcoming(self):
        return self == StatutCampagne.A_VENIR

    @property
    def is_open(self):
        return self == StatutCampagne.OUVERTE

    @property
    def is_closed(self):
        return self == StatutCampagne.CLOSE


class StatutCandidature(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    INCOMPLETE = "incomplete", "Incomplète"
    INSTRUITE = "instruite", "Instruite"
    RETENUE = "retenue", "Retenue"
    LISTE_ATTENTE = "liste_attente", "Liste d'attente"
    NON_RETENUE = "non_retenue", "Non retenue"
