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
    CALCULE = "calcule", "Calculé (couverture fonctionnelle du cadre de réponse)"


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
# An éditeur answers with the cadre de réponse (imported) and a signed commitment.
PIECES_REQUISES_EDITEUR = [TypePiece.LETTRE_ENGAGEMENT]


class ObjetConsultation(models.TextChoices):
    """What a consultation buys: the AMOA (issue 6) or the DUI solution (issue 8). Both share
    the offers, the criteria, the evaluation and the scoring engine."""

    AMOA = "amoa", "Assistance à maîtrise d'ouvrage"
    EDITEUR = "editeur", "Solution DUI (éditeurs)"


# ---------------------------------------------------------------------------------------------
# Choosing the DUI (seed 003 steps 5–11)


class Priorite(models.TextChoices):
    """Priority of a requirement in the grille hiérarchisée des fonctionnalités."""

    INDISPENSABLE = "indispensable", "Indispensable"
    IMPORTANT = "important", "Important"
    SOUHAITABLE = "souhaitable", "Souhaitable"


class Couverture(models.TextChoices):
    """An éditeur's answer on a requirement (cadre de réponse, seed 003 step 9)."""

    COUVERT = "couvert", "Couvert"
    DEVELOPPABLE = "developpable", "Non couvert mais développable"
    IMPOSSIBLE = "impossible", "Impossible"


class NatureCout(models.TextChoices):
    """Lines of the price structure; the last four are the hidden costs of the TCO."""

    LICENCES = "licences", "Licences / droits d'usage"
    INSTALLATION = "installation", "Installation"
    PARAMETRAGE = "parametrage", "Paramétrage"
    REPRISE = "reprise", "Reprise de données"
    FORMATION = "formation", "Formation"
    MAINTENANCE = "maintenance", "Maintenance"
    HEBERGEMENT = "hebergement", "Hébergement"
    MATERIEL = "materiel", "Matériel nécessaire"
    GARANTIE = "garantie", "Extension de garantie"
    HORS_FORFAIT = "hors_forfait", "Prestations hors forfait"
    COMPLEMENTAIRE = "complementaire", "Prestations complémentaires"


# Natures a price structure may hide (seed 003 step 11: "coûts cachés").
COUTS_CACHES = [
    NatureCout.MATERIEL,
    NatureCout.GARANTIE,
    NatureCout.HORS_FORFAIT,
    NatureCout.COMPLEMENTAIRE,
]


class Profession(models.TextChoices):
    """Professions concerned by a requirement (medico-social teams)."""

    DIRECTION = "direction", "Direction"
    ADMINISTRATIF = "administratif", "Administratif / secrétariat"
    EDUCATIF = "educatif", "Éducatif et social"
    SOIGNANT = "soignant", "Soignant (IDE, aide-soignant)"
    MEDICAL = "medical", "Médical"
    PARAMEDICAL = "paramedical", "Paramédical (kiné, ergo, psychologue)"
    INTERVENANT_DOMICILE = "domicile", "Intervenant à domicile"
    USAGER = "usager", "Usager et famille"


class Hebergement(models.TextChoices):
    """Technical preference on hosting (seed 003 step 6, pros/cons table)."""

    EXTERNALISE = "externalise", "Hébergement externalisé (hébergeur agréé / certifié HDS)"
    INTERNALISE = "internalise", "Hébergement internalisé (serveur dans la structure)"
    INDIFFERENT = "indifferent", "Sans préférence"
