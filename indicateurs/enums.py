from django.db import models


class Niveau(models.TextChoices):
    """Where an indicator value is computed (sums of numerators ÷ sums of denominators)."""

    ESMS = "esms", "ESMS"
    OG = "og", "Organisme gestionnaire"
    GRAPPE = "grappe", "Grappe"
    REGION = "region", "Région"


class SourceUsage(models.TextChoices):
    FICHIER = "fichier", "Import de fichier"
    API = "api", "API"
    SAISIE = "saisie", "Saisie manuelle"


class StatutImport(models.TextChoices):
    EN_VERIFICATION = "en_verification", "En cours de vérification"
    VERIFIE = "verifie", "Vérifié (simulation)"
    REFUSE = "refuse", "Refusé (erreurs)"
    ECHEC = "echec", "Échec de la vérification"
    APPLIQUE = "applique", "Appliqué"


class StatutCalcul(models.TextChoices):
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ECHEC = "echec", "Échec"


class StatutTranche(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    DUE = "due", "Due"
    A_REVOIR = "a_revoir", "Due — à revoir (données corrigées)"
    # Paid in part (indicateurs.models.Paiement): the ARS still owes the rest.
    PARTIELLE = "partielle", "Partiellement payée"
    PAYEE = "payee", "Payée"
