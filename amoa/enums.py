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


class TypeCritere(models.TextChoices):
    """How a criterion is scored (amoa/scoring.py reads these codes)."""

    PRIX_TOTAL = "prix_total", "Prix global (note calculée)"
    PRIX_JOUR = "prix_jour", "Prix de journée (note calculée)"
    QUALITATIF = "qualitatif", "Qualitatif (noté par les évaluateurs)"
    INDISPENSABLE = "indispensable", "Indispensable (éliminatoire, non pondéré)"


class TypePiece(models.TextChoices):
    """The pieces of a complete answer (cahier des charges §1.6, seed 000 annex)."""

    LETTRE_ENGAGEMENT = "lettre_engagement", "Lettre d'engagement"
    URSSAF = "urssaf", "Attestation URSSAF"
    ASSURANCE = "assurance", "Attestation d'assurance"
    NOTE_METHODOLOGIQUE = "note_methodologique", "Note méthodologique"
    CV = "cv", "CV des intervenants"
    DETAIL_PRESTATIONS = "detail_prestations", "Détail des prestations et du coût"
    REFERENCES = "references", "Références"
    PLANNING = "planning", "Planning prévisionnel"
    AUTRE = "autre", "Autre document"


# Every piece but "autre" is required for an offer to be recevable.
PIECES_REQUISES = [value for value in TypePiece.values if value != TypePiece.AUTRE]
