"""The starting grille hiérarchisée des fonctionnalités of a DUI for ESMS (seed 003 step 6 and
annex 2, adapted to the medico-social sector; seed 000 §2.2 for the Ségur / SAD context).

Copied into a grappe's grid when it is created (amoa.models.GrilleFonctionnelle.
from_reference): the grappe then adapts it (adds, amends, removes — the seed insists the model
is "maximaliste"). Plain constants: no data migration needed.

A domain: (code, label, [requirements], [sub-domains]).
A requirement: (label, priority, [professions]).
"""

IND, IMP, SOU = "indispensable", "important", "souhaitable"
TOUS = ["direction", "administratif", "educatif", "soignant", "medical", "paramedical"]
SOIN = ["soignant", "medical", "paramedical"]
ACCOMPAGNEMENT = ["educatif", "soignant", "paramedical", "domicile"]

DOMAINES = [
    (
        "DOS",
        "Dossier de l'usager",
        [
            ("Identité, contacts, représentants légaux et personnes de confiance", IND, TOUS),
            ("Historique des admissions, sorties et orientations (notification MDPH)", IND, TOUS),
            ("Synthèse de l'usager consultable selon les habilitations", IND, TOUS),
            (
                "Gestion documentaire du dossier (pièces numérisées, modèles de courriers)",
                IMP,
                TOUS,
            ),
        ],
        [
            (
                "DOS-SOIN",
                "Dossier de soins",
                [
                    ("Antécédents, allergies, pathologies et traitements en cours", IND, SOIN),
                    ("Évaluations (grilles AGGIR, douleur, risque de chute, nutrition)", IMP, SOIN),
                    ("Suivi des constantes et des courbes", IMP, SOIN),
                ],
                [],
            ),
        ],
    ),
    (
        "PPA",
        "Projet personnalisé d'accompagnement",
        [
            (
                "Co-construction du projet avec l'usager et sa famille, objectifs et actions",
                IND,
                ACCOMPAGNEMENT + ["usager"],
            ),
            ("Échéances de réévaluation et alertes", IMP, ACCOMPAGNEMENT),
            ("Nomenclature SERAFIN-PH des besoins et prestations", IMP, ["direction", "educatif"]),
        ],
        [],
    ),
    (
        "AGE",
        "Agenda et planification",
        [
            ("Agenda partagé des professionnels et des usagers", IND, TOUS + ["domicile"]),
            ("Planification des interventions à domicile et des tournées", IMP, ["domicile"]),
            ("Gestion des ressources (salles, véhicules, matériels)", SOU, ["administratif"]),
        ],
        [],
    ),
    (
        "TRA",
        "Transmissions",
        [
            (
                "Transmissions ciblées et observations, par équipe et par usager",
                IND,
                ACCOMPAGNEMENT,
            ),
            ("Consignes et tâches partagées avec échéances", IMP, ACCOMPAGNEMENT),
            (
                "Saisie en mobilité (tablette, smartphone), y compris hors connexion",
                IMP,
                ["domicile", "soignant"],
            ),
        ],
        [],
    ),
    (
        "MED",
        "Circuit du médicament",
        [
            ("Prescription informatisée ou saisie des prescriptions", IND, ["medical", "soignant"]),
            ("Plan d'administration et traçabilité de la distribution", IND, ["soignant"]),
            ("Interface avec la pharmacie d'officine ou la PUI", IMP, ["soignant", "medical"]),
        ],
        [],
    ),
    (
        "MSS",
        "Messagerie sécurisée de santé (MSSanté)",
        [
            ("Envoi et réception de messages MSSanté depuis le dossier", IND, SOIN + ["educatif"]),
            ("Boîtes aux lettres organisationnelles par établissement", IMP, ["administratif"]),
        ],
        [],
    ),
    (
        "DMP",
        "DMP / Mon espace santé",
        [
            ("Alimentation du DMP (documents de synthèse, lettres de liaison)", IND, SOIN),
            ("Consultation du DMP depuis le dossier de l'usager", IMP, SOIN),
        ],
        [],
    ),
    (
        "INS",
        "Identité nationale de santé (INS)",
        [
            ("Appel au téléservice INSi et qualification de l'identité", IND, ["administratif"]),
            ("Gestion des doublons et de l'identitovigilance", IMP, ["administratif"]),
        ],
        [],
    ),
    (
        "INT",
        "Interopérabilité",
        [
            (
                "Conformité au cadre d'interopérabilité (CI-SIS) et aux volets Ségur",
                IND,
                ["direction"],
            ),
            ("Connexion à l'outil régional de coordination et au ROR", IMP, ["direction"]),
            ("Imports et exports des données (réversibilité)", IND, ["direction"]),
        ],
        [],
    ),
    (
        "HAB",
        "Habilitations et sécurité",
        [
            ("Profils d'habilitation par métier et par établissement", IND, ["direction"]),
            ("Authentification forte et Pro Santé Connect", IND, TOUS),
            ("Traçabilité des accès et des modifications", IND, ["direction"]),
        ],
        [],
    ),
    (
        "IND",
        "Indicateurs et pilotage",
        [
            ("Tableaux de bord d'activité par établissement et par grappe", IMP, ["direction"]),
            ("Export des indicateurs d'usage ESMS numérique", IND, ["direction"]),
            ("Requêteur libre", SOU, ["direction"]),
        ],
        [],
    ),
    (
        "FAC",
        "Facturation",
        [
            (
                "Facturation de l'hébergement, de la dépendance et des prestations",
                IMP,
                ["administratif"],
            ),
            ("Gestion des absences et des présences pour la facturation", IMP, ["administratif"]),
            ("Interface avec le logiciel de comptabilité", SOU, ["administratif"]),
        ],
        [],
    ),
]

# Technical preferences (seed 003 step 6). Hosting carries the seed's pros/cons table.
HEBERGEMENT_AVANTAGES_INCONVENIENTS = {
    "externalise": (
        "Pas de contrainte de gestion et de maintenance du serveur ; facturation simplifiée "
        "à l'utilisation (mode service).",
        "Dépendance accrue à la qualité du réseau de télécommunication (risques de pannes ou de "
        "dysfonctionnements liés à des défaillances réseau), nécessitant selon les technologies "
        "le recours à une connexion à haut débit.",
    ),
    "internalise": (
        "Plus faible dépendance à la qualité du réseau de télécommunication, risques "
        "d'indisponibilité de la solution plus limités (postes en réseau local combinés à des "
        "postes en accès distant).",
        "Acquisition, gestion et maintenance du serveur à assurer en interne (ou par un "
        "prestataire) ; hébergeur certifié HDS obligatoire pour des données de santé confiées "
        "à un tiers.",
    ),
}

# (theme, preference): the other technical preferences the grappe states.
PREFERENCES = [
    ("Modalités d'achat", "Facturation à l'utilisation (mode service) plutôt que par poste."),
    ("Postes de travail", "Accès par navigateur web récent, sans installation sur les postes."),
    ("Mobilité", "Application mobile pour les intervenants à domicile, avec mode hors connexion."),
    ("Réseau", "Fonctionnement sur les liaisons des établissements (débit minimal à préciser)."),
]
