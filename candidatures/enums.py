from django.db import models


class StatutCandidature(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    INCOMPLETE = "incomplete", "Incomplète"
    INSTRUITE = "instruite", "Instruite"
    RETENUE = "retenue", "Retenue"
    LISTE_ATTENTE = "liste_attente", "Liste d'attente"
    NON_RETENUE = "non_retenue", "Non retenue"
