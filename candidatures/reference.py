"""Default content of a campaign, copied into it when the ARS opens it and edited there.

Priority criteria: seed 002 (présentation de l'AAP amorçage n°2, ARS de Corse), « Comment se
rendre éligible ? » — identify the partners (within the territory, ideally with earlier
cooperation), build a common vision (a common objective, structured governance), file one common
dossier showing the quality and meaning of the mutualisation. The weights are ours: a proposal,
to be set by the ARS."""

CRITERES_SOURCE = (
    "Présentation de l'AAP amorçage n°2 (ARS de Corse), « Comment se rendre éligible ? » ; "
    "pondération proposée par défaut, à fixer par l'ARS."
)

DEFAULT_CRITERES = [
    (
        "Qualité et sens de la mutualisation",
        "« Déposer un dossier commun mettant en avant la qualité et le sens de la mutualisation » ;"
        " « la candidature doit s'appuyer sur la mutualisation définie ».",
        30,
    ),
    (
        "Coopérations antérieures entre les partenaires",
        "« Identifier les partenaires de la mutualisation […] idéalement, avec des expériences "
        "de coopération préalables ».",
        20,
    ),
    (
        "Vision commune et gouvernance structurée",
        "« Construire une vision commune : un objectif commun, une gouvernance structurée ».",
        30,
    ),
    (
        "Territoire couvert",
        "« Identifier les partenaires de la mutualisation au sein de son territoire ».",
        20,
    ),
]

# The pieces the dossier carries besides what Grappe builds from its data (composition,
# eligibility, funding request): par défaut, à confirmer par l'ARS.
DEFAULT_PIECES = [
    ("Lettre d'engagement de chaque organisme gestionnaire coopérateur", True),
    ("Convention de coopération entre les organismes gestionnaires", True),
    ("Budget prévisionnel par poste de dépense", True),
    ("Calendrier prévisionnel du projet", False),
]
