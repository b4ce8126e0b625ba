from django.db import models


class Mission(models.TextChoices):
    """The two AMOA missions of the AAP (seed 002): envelopes of 15 k€ and 100 k€."""

    MARCHE = "marche", "Mission « marché » (choix de la solution)"
    PROJET = "projet", "Mission « projet » (accompagnement du déploiement)"


class StatutConsultation(models.TextChoices):
    BROUILLON = "brouillon", "En préparation"
    PUBLIEE = "publiee", "Publiée"
    EVALUATION = "evaluation", "Offres en cours d'évaluation"
    ATTRIBUEE = "attribuee", "Attribuée"
    INFRUCTUEUSE = "infructueuse", "Infructueuse"
