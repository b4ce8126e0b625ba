"""The AMOA cahier des charges builder: the model of seed 000's annex (§1.1 to §1.9) adapted to a
grappe of ESMS, and the assembly of one document from three sources:

- the registry, read live (OG and FINESS juridique, ESMS and FINESS géographique, activity types,
  COPIL / comité de suivi / comité de sélection, chef de projet and référents): never copied, so the
  document follows the grappe;
- the consultation's own fields (missions, deadlines, contact);
- `Consultation.cahier` (JSON), what the user chose in the builder: seed items removed, items added,
  free texts, the audition time and place, the weights of the criteria.

An empty `cahier` means "every seed item kept": the builder works on a fresh consultation.
The seed leaves placeholders (XXXX, JJMMAAAA, HHhMM…). Here every one is filled from data, and what
cannot be filled is listed by `missing_data` (with a link to where to fill it): the PDF is refused
while the list is not empty.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import formats, timezone

from amoa.enums import Mission
from core.text import agree, plural, time_fr
from core.working_days import DELAI_COMPTES_RENDUS
from grappe.enums import RoleKind, TypeComite

# ---------------------------------------------------------------------------------------------
# Reference data: the seed's model, in French, adapted to a grappe of ESMS
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A line of a checklist. `code` is stable (stored in `cahier["retires"]`), the label is not."""

    code: str
    label: str
    children: tuple = ()


@dataclass(frozen=True)
class Checklist:
    key: str
    title: str
    items: tuple
    mission: str = ""  # only in the document when the consultation has this mission
    intro: str = ""
    # Seed's "points d'attention": advice for the comité writing the cahier, not printed.
    conseils: tuple = ()


PERIMETRE_MARCHE = Checklist(
    key="perimetre_marche",
    title="Périmètre",
    mission=Mission.MARCHE,
    intro=(
        "La mission « marché » accompagne la grappe dans la procédure d'achat de son dossier "
        "usager informatisé (DUI) par le système d'acquisition dynamique (SAD) du RESAH, "
        "centrale d'achat mandatée par la CNSA. Elle comprend :"
    ),
    items=(
        Item(
            "m_dossier",
            "Accompagnement au remplissage du dossier de consultation",
            (
                Item(
                    "m_dossier_sad",
                    "Présentation du fonctionnement du système d'acquisition dynamique",
                ),
                Item("m_dossier_pieces", "Présentation des pièces de consultation"),
                Item(
                    "m_dossier_infos",
                    "Récupération auprès des ESMS des informations demandées dans la rédaction des pièces",
                ),
                Item(
                    "m_dossier_redaction",
                    "Rédaction et adaptation des pièces fournies par le RESAH",
                ),
                # The seed's "x ateliers": the number comes from the builder (see item_label).
                Item(
                    "m_dossier_ateliers",
                    "Organisation et animation {ateliers} de relecture pour validation des pièces",
                ),
            ),
        ),
        Item(
            "m_publication",
            "Accompagnement à la publication du marché et à la notification du marché",
            (
                Item(
                    "m_publication_plateforme",
                    "Sélection de la plate-forme de marchés publics adéquate",
                ),
                Item("m_publication_profil", "Accompagnement à la création du profil acheteur"),
                Item("m_publication_publication", "Accompagnement à la publication du marché"),
            ),
        ),
        Item("m_auditions", "Assistance à la conduite des auditions des éditeurs"),
        Item("m_recevabilite", "Contrôle de la recevabilité et de la complétude des offres"),
        Item(
            "m_depouillement",
            "Dépouillement des offres formulées par les éditeurs",
            (
                Item(
                    "m_depouillement_grille",
                    "Réalisation et complétion d'une grille d'analyse des offres",
                ),
                Item(
                    "m_depouillement_analyse",
                    "Analyse des offres (analyse technique et analyse financière), rédaction du "
                    "rapport d'analyse et accompagnement au choix sur la base des critères "
                    "préalablement définis dans le CCTP",
                ),
                Item("m_depouillement_rapport", "Rédaction d'un rapport de choix"),
            ),
        ),
        Item("m_attribution", "Suivi de l'attribution et de la notification du marché"),
        Item("m_execution", "Suivi de l'exécution du marché"),
    ),
    conseils=(
        "Articulation possible avec une prestation du RESAH (relecture et ajustement des pièces "
        "administratives : invitation à soumissionner, acte d'engagement, CCAP).",
        "Faut-il limiter le nombre d'offres analysées ?",
        "Précisez les modalités d'analyse des offres (sur dossier ? auditions ? et dans ce cas, qui "
        "en assure le cadrage et la logistique ?).",
    ),
)

COMPETENCES_MARCHE = Checklist(
    key="competences_marche",
    title="Qualités, compétences requises",
    mission=Mission.MARCHE,
    intro="Le candidat retenu pour la mission « marché » devra justifier :",
    items=(
        Item("cm_commande_publique", "d'une connaissance du code de la commande publique ;"),
        Item(
            "cm_sad",
            "d'une expérience avérée de la procédure d'achat par système d'acquisition dynamique ;",
        ),
        Item(
            "cm_dui",
            "d'une connaissance du dossier usager informatisé, des priorités du Ségur du numérique "
            "en santé, des processus et des exigences liées aux programmes de financement "
            "(programme ESMS numérique).",
        ),
    ),
    conseils=("Soyez attentifs aux CV des intervenants, au-delà des références des sociétés.",),
)

PERIMETRE_PROJET = Checklist(
    key="perimetre_projet",
    title="Périmètre",
    mission=Mission.PROJET,
    intro=(
        "La mission « projet » accompagne la grappe dans le pilotage du projet de DUI, de "
        "l'expression des besoins jusqu'au bilan du déploiement dans ses ESMS. Elle comprend :"
    ),
    items=(
        Item(
            "p_besoins",
            "Expression et formalisation des besoins, en parallèle de la mission « marché »",
            (
                Item(
                    "p_besoins_metiers",
                    "Accompagnement des équipes métiers des ESMS à l'expression des besoins, "
                    "identification des contraintes techniques et définition de la cible",
                ),
                Item("p_besoins_sourcing", "Sourcing des éditeurs"),
                Item("p_besoins_cdc", "Rédaction du cahier des charges"),
            ),
        ),
        Item(
            "p_contractualisation",
            "Accompagnement à la contractualisation avec la maîtrise d'œuvre (éditeur)",
        ),
        Item(
            "p_structuration",
            "Accompagnement à la structuration du projet",
            (
                Item(
                    "p_structuration_gouvernance",
                    "Structuration de la gouvernance du projet, de sa comitologie et définition "
                    "des rôles et responsabilités entre la chefferie de projet, l'AMOA, la "
                    "maîtrise d'œuvre, les équipes SI et les métiers",
                ),
                Item(
                    "p_structuration_jalons",
                    "Identification des jalons, des livrables et du planning",
                ),
            ),
        ),
        Item(
            "p_formation_projet",
            "Formation des équipes dédiées à la gestion d'un projet SI (référents projet : "
            "planification, jalons, suivi, indicateurs) pour aider à capitaliser",
        ),
        Item(
            "p_pilotage",
            "Pilotage et coordination du projet à l'échelle de la grappe, en lien avec les "
            "référents de chaque organisme gestionnaire et de chaque établissement",
            (
                Item(
                    "p_pilotage_comites",
                    "Préparation et animation des COPIL et du comité de suivi opérationnel, et "
                    "rédaction des comptes rendus",
                ),
                Item("p_pilotage_risques", "Suivi du projet, alertes et gestion des risques"),
                Item("p_pilotage_equipe", "Animation et soutien de l'équipe projet"),
                Item(
                    "p_pilotage_cooperation",
                    "Facilitation des liens entre les coopérateurs et des mutualisations",
                ),
            ),
        ),
        Item(
            "p_moe",
            "Suivi de la prestation de la maîtrise d'œuvre",
            (
                Item(
                    "p_moe_ateliers",
                    "Organisation des ateliers de conception animés par la maîtrise d'œuvre et "
                    "participation à ces ateliers",
                ),
                Item(
                    "p_moe_deploiement",
                    "Élaboration d'une stratégie de déploiement et d'accompagnement",
                ),
            ),
        ),
        Item(
            "p_supervision",
            "Supervision des développements et suivi des travaux internes",
            (
                Item(
                    "p_supervision_recette",
                    "Définition de la stratégie de recette, rédaction des cahiers de recette",
                ),
                Item(
                    "p_supervision_retours",
                    "Supervision des recettes par les équipes métiers, gestion des retours de recette",
                ),
                Item(
                    "p_supervision_reprise",
                    "Supervision des reprises de données par l'équipe SI ou une équipe dédiée",
                ),
                Item(
                    "p_supervision_demarrage",
                    "Définition de la stratégie de démarrage (tests à blanc, critères de go / no go)",
                ),
            ),
        ),
        Item(
            "p_changement",
            "Accompagnement au changement",
            (
                Item("p_changement_processus", "Modélisation des processus métiers"),
                Item("p_changement_formation", "Formation des équipes par l'équipe projet"),
                Item("p_changement_usages", "Processus de management des usages"),
                Item("p_changement_communication", "Plan de communication"),
                Item("p_changement_operationnel", "Préparation de la phase opérationnelle"),
                Item(
                    "p_changement_tiers",
                    "Structuration et organisation de la phase opérationnelle, pilotage de la "
                    "relation contractuelle avec les tiers (éditeur, hébergeur, réseaux et "
                    "télécommunications…)",
                ),
                Item("p_changement_post_demarrage", "Assistance renforcée après le démarrage"),
                Item(
                    "p_changement_relais",
                    "Préparation du passage de témoin en interne, pour que l'animation autour de "
                    "l'usage du DUI se poursuive au-delà du déploiement",
                ),
            ),
        ),
        Item(
            "p_reporting",
            "Reporting du projet",
            (
                Item("p_reporting_indicateurs", "Définition des indicateurs de suivi du projet"),
                Item(
                    "p_reporting_tableaux",
                    "Production des tableaux de bord relatifs aux indicateurs de suivi du projet, "
                    "dont les cibles d'usage du programme ESMS numérique",
                ),
                Item("p_reporting_bilan", "Élaboration du bilan du projet en fin de mission"),
            ),
        ),
    ),
)

COMPETENCES_PROJET = Checklist(
    key="competences_projet",
    title="Qualités, compétences requises",
    mission=Mission.PROJET,
    intro=(
        "Le candidat retenu pour la mission « projet » devra être organisé et rigoureux. "
        "Autonome, créatif et efficace dans la conduite de projet, il devra être capable :"
    ),
    items=(
        Item(
            "cp_reunions",
            "d'animer des réunions (COPIL, comité de suivi opérationnel, ateliers thématiques…) ;",
        ),
        Item(
            "cp_difficultes",
            "d'affronter d'éventuelles situations difficiles, d'alerter les directions et le COPIL "
            "et de solliciter un arbitrage si besoin ;",
        ),
        Item(
            "cp_coordination",
            "de coordonner des équipes transverses et des équipes opérationnelles ;",
        ),
        Item("cp_changement", "d'accompagner le changement ;"),
        Item(
            "cp_analyse",
            "d'analyser les demandes, de prendre des initiatives et d'apporter la réponse adéquate ;",
        ),
        Item("cp_ecoute", "de faire preuve d'écoute et d'une faculté d'adaptation ;"),
        Item(
            "cp_experience",
            "de justifier d'expériences de projets SI dans le secteur médico-social ou le secteur "
            "de la santé ;",
        ),
        Item(
            "cp_programmes",
            "de démontrer sa connaissance des programmes de financement et de leurs enjeux "
            "(programme ESMS numérique, SONS).",
        ),
    ),
)

LIVRABLES = Checklist(
    key="livrables",
    title="Livrables attendus",
    intro=(
        "Le candidat retenu fournira, au fur et à mesure de l'avancement du projet, les documents "
        "qui jalonnent les différentes étapes du marché et du déploiement :"
    ),
    items=(
        Item("l_planning", "le planning de l'AMOA ;"),
        Item(
            "l_copil",
            "les supports et comptes rendus des comités de pilotage et des comités techniques, "
            "validés par le COPIL avant leur diffusion aux membres de la grappe et du comité de "
            "suivi ;",
        ),
        Item("l_ateliers", "les comptes rendus des ateliers de travail thématiques ;"),
        Item("l_avancement", "le rapport d'avancement actualisé (projet et marché) ;"),
        Item("l_risques", "le rapport de gestion des risques actualisé ;"),
        Item("l_tests", "le plan de tests ;"),
        Item("l_communication", "le plan de communication ;"),
        Item("l_bilan", "les indicateurs de suivi et le bilan du projet."),
    ),
)

REPONSE = Checklist(
    key="reponse",
    title="Contenu de la réponse",
    intro="Le dossier de candidature comprend :",
    items=(
        Item(
            "r_administratif",
            "les pièces administratives :",
            (
                Item("r_administratif_engagement", "lettre d'engagement"),
                Item("r_administratif_urssaf", "attestation de vigilance URSSAF"),
                Item("r_administratif_assurance", "attestation d'assurance"),
            ),
        ),
        Item(
            "r_note",
            "une note méthodologique reprenant :",
            (
                Item(
                    "r_note_comprehension",
                    "la compréhension du projet (contexte, objectifs, risques)",
                ),
                Item(
                    "r_note_methode",
                    "la méthodologie et le plan d'actions proposés : détail de la méthodologie "
                    "d'accompagnement, de l'organisation et des outils utilisés pour réaliser les "
                    "prestations demandées",
                ),
            ),
        ),
        Item("r_cv", "la présentation de la société et le CV des intervenants pressentis ;"),
        Item(
            "r_prestations",
            "le détail des prestations proposées, en cohérence avec les missions décrites dans le "
            "présent cahier des charges : étapes, nombre de jours, prérequis, ressources à "
            "mobiliser en interne ;",
        ),
        Item("r_cout", "le détail du coût associé (coût global et coût jour) ;"),
        Item(
            "r_references",
            "les références sur des projets équivalents dans le secteur médico-social ;",
        ),
        Item("r_planning", "un planning prévisionnel d'intervention."),
    ),
)

# "« marché »" in sentences: the enum's code has no accent.
MISSION_NOMS = {Mission.MARCHE: "marché", Mission.PROJET: "projet"}

CHECKLISTS = (
    PERIMETRE_MARCHE,
    COMPETENCES_MARCHE,
    PERIMETRE_PROJET,
    COMPETENCES_PROJET,
    LIVRABLES,
    REPONSE,
)
CHECKLISTS_BY_KEY = {checklist.key: checklist for checklist in CHECKLISTS}

PHRASE_DELAI = (
    f"Le délai pour la transmission des comptes rendus après une réunion est fixé à "
    f"{DELAI_COMPTES_RENDUS} jours ouvrés maximum."
)

TEXTE_SELECTION = (
    "Le comité de sélection, désigné par le COPIL, a pour mission d'élaborer le cahier des "
    "charges définissant les besoins en AMOA et de désigner le candidat retenu au regard des "
    "critères du présent cahier des charges."
)
TEXTE_CRITERES = (
    "L'analyse des offres s'appuiera sur une grille portant sur la qualité de la réponse (respect "
    "du cadre, méthodologie), l'expérience du consultant pressenti, le planning proposé et le "
    "coût global de la prestation. Cette évaluation sera actualisée au cours des auditions."
)
TEXTE_CONFIDENTIALITE = (
    "Le titulaire du marché est tenu de respecter la confidentialité des informations liées au "
    "projet, notamment des données relatives aux établissements, à leurs professionnels et aux "
    "personnes accompagnées dont il aurait connaissance."
)
TEXTE_PROPRIETE = (
    "Les livrables produits dans le cadre de la mission sont la propriété de la grappe : le "
    "porteur et les organismes gestionnaires coopérateurs peuvent les utiliser, les modifier et "
    "les diffuser librement."
)
TEXTE_MODALITES = (
    "Le présent cahier des charges est soumis à plusieurs prestataires identifiés pour leur "
    "expertise et leur capacité à mener ce projet."
)

# Free texts of the builder (key in `cahier` → label).
TEXTES = {
    "origines": "Origines du projet",
    "enjeux": "Enjeux de la candidature",
    "confidentialite": "Clauses de confidentialité complémentaires",
}


# ---------------------------------------------------------------------------------------------
# The stored choices (`Consultation.cahier`)
# ---------------------------------------------------------------------------------------------


def stored(consultation):
    """The builder's choices with every key present (an empty cahier = the seed's defaults)."""
    data = consultation.cahier or {}
    return {
        "retires": set(data.get("retires", [])),
        "ajouts": {key: list(value) for key, value in (data.get("ajouts") or {}).items()},
        "origines": data.get("origines", ""),
        "enjeux": data.get("enjeux", ""),
        "confidentialite": data.get("confidentialite", ""),
        "nb_ateliers": data.get("nb_ateliers"),
        "auditions_heure": data.get("auditions_heure", ""),
        "auditions_lieu": data.get("auditions_lieu", ""),
    }


def serialise(choices):
    """The JSON stored in `Consultation.cahier` (sorted, so that saving twice changes nothing)."""
    return {
        "retires": sorted(choices["retires"]),
        "ajouts": {key: value for key, value in sorted(choices["ajouts"].items()) if value},
        "origines": choices["origines"],
        "enjeux": choices["enjeux"],
        "confidentialite": choices["confidentialite"],
        "nb_ateliers": choices["nb_ateliers"],
        "auditions_heure": choices["auditions_heure"],
        "auditions_lieu": choices["auditions_lieu"],
    }


def active_checklists(consultation):
    """The checklists of the document: the chosen missions' ones, then the common ones."""
    return [c for c in CHECKLISTS if not c.mission or c.mission in consultation.missions]


def item_label(item, choices):
    if "{ateliers}" not in item.label:
        return item.label
    count = choices["nb_ateliers"]
    ateliers = f"de {plural(count, 'atelier')}" if count else "d'ateliers"
    return item.label.replace("{ateliers}", ateliers)


def resolved_items(checklist, choices):
    """What the document lists: the seed items kept, each group with its own additions, then the
    checklist's additions. [{"label", "children": [label…], "ajout": bool}]"""
    rows = []
    for item in checklist.items:
        if item.code in choices["retires"]:
            continue
        children = [
            item_label(child, choices)
            for child in item.children
            if child.code not in choices["retires"]
        ]
        children += choices["ajouts"].get(item.code, [])
        rows.append({"label": item_label(item, choices), "children": children, "ajout": False})
    rows += [
        {"label": label, "children": [], "ajout": True}
        for label in choices["ajouts"].get(checklist.key, [])
    ]
    return rows


def criteres_rows(consultation):
    """The consultation's criteria (amoa.models.Critere, edited on the criteria page): the
    weighted ones and the indispensable (eliminatory) ones."""
    criteres = list(consultation.criteres.all())
    return {
        "all": criteres,
        "ponderes": [c for c in criteres if not c.is_indispensable and c.poids],
        "indispensables": [c for c in criteres if c.is_indispensable],
        "total": sum(c.poids for c in criteres if not c.is_indispensable),
        "erreur": consultation.weights_error(criteres) if criteres else None,
    }


# ---------------------------------------------------------------------------------------------
# The grappe's context, from the registry
# ---------------------------------------------------------------------------------------------


@dataclass
class GrappeContext:
    grappe: object
    ogs: list  # [{"og", "is_porteur", "esms_count"}], the porteur first
    esms: list  # [Esms] with og, categorie
    categories: list  # [(libellé, count)]
    domaines: list  # [(libellé, count)]
    comites: dict  # kind → Comite (members prefetched)
    chefs_projet: list  # [User]
    referents_dui: list  # [Role] with user, esms
    departements: list = field(default_factory=list)  # [(libellé, count)]

    @property
    def is_multi_og(self):
        return len(self.ogs) > 1

    @property
    def porteur(self):
        return self.grappe.porteur

    def members(self, kind):
        comite = self.comites.get(kind)
        return list(comite.members.all()) if comite else []


def grappe_context(grappe):
    """A fixed number of queries, whatever the number of ESMS or OG."""
    memberships = list(grappe.active_memberships())
    esms = [membership.esms for membership in memberships]
    esms_by_og = Counter(item.og_id for item in esms)
    ogs = {om.og_id: om.og for om in grappe.active_og_memberships().order_by("og__raison_sociale")}
    for item in esms:  # an ESMS whose OG left the grappe by mistake still shows its OG
        ogs.setdefault(item.og_id, item.og)
    og_rows = sorted(
        (
            {"og": og, "is_porteur": og.pk == grappe.porteur_id, "esms_count": esms_by_og[og.pk]}
            for og in ogs.values()
        ),
        key=lambda row: (not row["is_porteur"], row["og"].name.lower()),
    )
    categories = Counter(item.categorie.libelle for item in esms)
    domaines = Counter(item.categorie.domaine.label for item in esms)
    departements = Counter(
        f"{item.departement.insee_code} — {item.departement.name}"
        if item.departement
        else "Non renseigné"
        for item in esms
    )
    comites = {comite.kind: comite for comite in grappe.comites.in_display_order()}
    roles = list(
        grappe.roles.filter(kind__in=[RoleKind.CHEF_PROJET, RoleKind.REFERENT_DUI])
        .select_related("user", "esms")
        .order_by("kind", "user__last_name", "user__first_name")
    )
    return GrappeContext(
        grappe=grappe,
        ogs=og_rows,
        esms=sorted(esms, key=lambda item: (item.og.name.lower(), item.name.lower())),
        categories=sorted(categories.items(), key=lambda pair: (-pair[1], pair[0])),
        domaines=sorted(domaines.items(), key=lambda pair: (-pair[1], pair[0])),
        comites=comites,
        chefs_projet=[role.user for role in roles if role.kind == RoleKind.CHEF_PROJET],
        referents_dui=[role for role in roles if role.kind == RoleKind.REFERENT_DUI],
        departements=sorted(departements.items()),
    )


def composition_phrase(context):
    """Mono-OG or multi-OG, in one French sentence (seed 000 §1.1.1)."""
    grappe = context.grappe
    n_esms = len(context.esms)
    if n_esms > 1:
        esms_words = f"{n_esms} établissements et services sociaux et médico-sociaux (ESMS)"
    else:
        esms_words = f"{n_esms} établissement ou service social et médico-social (ESMS)"
    if not context.ogs:
        return f"La grappe « {grappe.name} » ne compte encore aucun organisme gestionnaire."
    if context.is_multi_og:
        return (
            f"La grappe « {grappe.name} » est une grappe multi-OG : elle réunit "
            f"{len(context.ogs)} organismes gestionnaires coopérateurs et {esms_words}."
        )
    og = context.ogs[0]["og"]
    if not n_esms:
        return (
            f"La grappe « {grappe.name} » réunit un organisme gestionnaire, {og.name} (FINESS "
            f"juridique {og.finess_ej}), et ne compte encore aucun ESMS."
        )
    ses, relevent = agree(n_esms, "son", "ses"), agree(n_esms, "relève", "relèvent")
    return (
        f"La grappe « {grappe.name} » est une grappe mono-OG : {ses} {esms_words} {relevent} "
        f"d'un seul organisme gestionnaire, {og.name} (FINESS juridique {og.finess_ej})."
    )


def porteur_phrase(context):
    porteur = context.porteur
    if porteur is None:
        return ""
    role = "coopérateur et " if context.is_multi_og else ""
    return (
        f"Le porteur du projet DUI est {porteur.name} (FINESS juridique {porteur.finess_ej}), "
        f"{role}signataire de la convention avec l'ARS {context.grappe.region.name}."
    )


# ---------------------------------------------------------------------------------------------
# Missing data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    message: str
    url: str
    lien: str  # the link's text


def builder_url(consultation, anchor):
    url = reverse("amoa:cahier", args=[consultation.grappe_id, consultation.pk])
    return f"{url}#{anchor}"


def missing_data(consultation, context, choices, criteres):
    """Everything that keeps the cahier des charges from being generated, in document order."""
    grappe = consultation.grappe
    edit_grappe = reverse("grappe:edit", args=[grappe.pk])
    missing = []

    def add(message, url, lien):
        missing.append(Missing(message, url, lien))

    if grappe.porteur_id is None:
        add("Porteur non désigné", edit_grappe, "Désigner le porteur")
    if not context.esms:
        add(
            "Aucun ESMS dans la grappe",
            reverse("grappe:esms_add", args=[grappe.pk]),
            "Ajouter des ESMS",
        )
    if not (choices["origines"].strip() or grappe.origines.strip()):
        add(
            "Origines du projet non renseignées",
            builder_url(consultation, "section-contexte"),
            "Rédiger les origines",
        )
    if not context.members(TypeComite.COPIL):
        add(
            "Aucun membre au comité de pilotage (COPIL)",
            reverse("grappe:comite", args=[grappe.pk, TypeComite.COPIL]),
            "Composer le COPIL",
        )
    if not consultation.missions:
        add(
            "Aucune mission choisie pour la consultation (« marché » ou « projet »)",
            reverse("amoa:consultation_edit", args=[grappe.pk, consultation.pk]),
            "Choisir les missions",
        )
    for checklist in active_checklists(consultation):
        if checklist.key.startswith("perimetre") and not resolved_items(checklist, choices):
            add(
                f"Périmètre de la mission « {MISSION_NOMS[checklist.mission]} » vide",
                builder_url(consultation, f"section-{checklist.key}"),
                "Choisir des éléments du périmètre",
            )
    if not context.members(TypeComite.SELECTION):
        add(
            "Aucun membre au comité de sélection",
            reverse("grappe:comite", args=[grappe.pk, TypeComite.SELECTION]),
            "Composer le comité de sélection",
        )
    modalites = builder_url(consultation, "section-modalites")
    if consultation.offres_avant is None:
        add("Date limite de remise des offres non renseignée", modalites, "Fixer la date limite")
    if consultation.auditions_du is None:
        add("Date des auditions non renseignée", modalites, "Fixer la date des auditions")
    if not choices["auditions_heure"]:
        add("Heure des auditions non renseignée", modalites, "Fixer l'heure des auditions")
    if not choices["auditions_lieu"].strip():
        add("Lieu des auditions non renseigné", modalites, "Indiquer le lieu des auditions")
    for attribute, label in (
        ("contact_nom", "Interlocuteur de la consultation (nom) non renseigné"),
        ("contact_email", "Adresse e-mail de remise des offres non renseignée"),
        ("contact_telephone", "Téléphone de l'interlocuteur non renseigné"),
    ):
        if not getattr(consultation, attribute).strip():
            add(label, modalites, "Renseigner le contact")
    criteres_url = reverse("amoa:criteres", args=[grappe.pk, consultation.pk])
    if not criteres["all"]:
        add("Aucun critère de sélection défini", criteres_url, "Définir les critères")
    elif criteres["erreur"]:
        add(
            f"Pondération des critères de sélection : {criteres['erreur']}",
            criteres_url,
            "Corriger les pondérations",
        )
    return missing


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def _datetime_words(value):
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'l j F Y')} à {time_fr(local)}"


def _date_words(value):
    return formats.date_format(value, "l j F Y")


def modalites(consultation, choices):
    """The seed's §1.7 sentences with their blanks filled (None where data is missing)."""
    depot = None
    if consultation.offres_avant and consultation.contact_email:
        depot = (
            f"{consultation.contact_email} avant le {_datetime_words(consultation.offres_avant)}"
        )
    auditions = None
    if (
        consultation.auditions_du
        and choices["auditions_heure"]
        and choices["auditions_lieu"].strip()
    ):
        heure = time_fr(datetime.time.fromisoformat(choices["auditions_heure"]))
        if consultation.auditions_au and consultation.auditions_au != consultation.auditions_du:
            quand = (
                f"du {_date_words(consultation.auditions_du)} au "
                f"{_date_words(consultation.auditions_au)}, à partir de {heure} chaque jour"
            )
        else:
            quand = f"le {_date_words(consultation.auditions_du)} à partir de {heure}"
        auditions = f"{quand}, {choices['auditions_lieu'].strip()}"
    contact = None
    if consultation.contact_nom and consultation.contact_email and consultation.contact_telephone:
        contact = (
            f"{consultation.contact_nom} – {consultation.contact_email} – "
            f"Tél. : {consultation.contact_telephone}"
        )
    questions = _date_words(consultation.questions_avant) if consultation.questions_avant else ""
    return {
        "depot": depot,
        "auditions": auditions,
        "contact": contact,
        "questions_avant": questions,
    }


def section_numbers(consultation):
    """Numbered sections: the missions not chosen are left out and the numbers follow."""
    codes = ["contexte"]
    codes += [code for code in (Mission.MARCHE, Mission.PROJET) if code in consultation.missions]
    codes += ["livrables", "selection", "reponse", "modalites", "criteres", "confidentialite"]
    return {str(code): number for number, code in enumerate(codes, start=1)}


def mission_section(consultation, mission, choices, numero):
    perimetre, competences = (
        (PERIMETRE_MARCHE, COMPETENCES_MARCHE)
        if mission == Mission.MARCHE
        else (PERIMETRE_PROJET, COMPETENCES_PROJET)
    )
    return {
        "code": str(mission),
        "numero": numero,
        "title": f"Définition du périmètre de la mission « {MISSION_NOMS[mission]} »",
        "perimetre": perimetre,
        "perimetre_items": resolved_items(perimetre, choices),
        "competences": competences,
        "competences_items": resolved_items(competences, choices),
    }


def cahier_context(consultation, context=None):
    """Everything the preview and the PDF show (the same context feeds both)."""
    grappe = consultation.grappe
    context = context or grappe_context(grappe)
    choices = stored(consultation)
    numbers = section_numbers(consultation)
    selection_members = context.members(TypeComite.SELECTION)
    criteres = criteres_rows(consultation)
    return {
        "grappe": grappe,
        "consultation": consultation,
        "ctx": context,
        "choices": choices,
        "numeros": numbers,
        "composition": composition_phrase(context),
        "porteur_phrase": porteur_phrase(context),
        "origines": choices["origines"].strip() or grappe.origines.strip(),
        "enjeux": choices["enjeux"].strip() or grappe.enjeux.strip(),
        # (titre, comité, membres, composition obligatoire)
        "gouvernance": [
            (
                "Comité de pilotage (COPIL)",
                context.comites.get(TypeComite.COPIL),
                context.members(TypeComite.COPIL),
                True,
            ),
            (
                "Comité de suivi opérationnel",
                context.comites.get(TypeComite.SUIVI),
                context.members(TypeComite.SUIVI),
                False,
            ),
        ],
        "missions": [
            mission_section(consultation, mission, choices, numbers[str(mission)])
            for mission in (Mission.MARCHE, Mission.PROJET)
            if mission in consultation.missions
        ],
        "livrables": resolved_items(LIVRABLES, choices),
        "livrables_intro": LIVRABLES.intro,
        "phrase_delai": PHRASE_DELAI,
        "texte_selection": TEXTE_SELECTION,
        "selection_members": selection_members,
        "reponse": resolved_items(REPONSE, choices),
        "reponse_intro": REPONSE.intro,
        "texte_modalites": TEXTE_MODALITES,
        "modalites": modalites(consultation, choices),
        "texte_criteres": TEXTE_CRITERES,
        "criteres": criteres,
        "texte_confidentialite": TEXTE_CONFIDENTIALITE,
        "texte_propriete": TEXTE_PROPRIETE,
        "confidentialite": choices["confidentialite"].strip(),
        "missing": missing_data(consultation, context, choices, criteres),
    }


# ---------------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------------

ITEM_LABELS = {
    entry.code: entry.label.replace("{ateliers}", "d'ateliers").rstrip(" ;.:")
    for checklist in CHECKLISTS
    for item in checklist.items
    for entry in (item, *item.children)
}
CHOICE_LABELS = {
    "origines": "Origines du projet",
    "enjeux": "Enjeux de la candidature",
    "confidentialite": "Clauses de confidentialité complémentaires",
    "nb_ateliers": "Nombre d'ateliers de relecture",
    "auditions_heure": "Heure des auditions",
    "auditions_lieu": "Lieu des auditions",
}


def _shown(value):
    return "" if value in (None, "") else str(value)


def choices_changes(old, new):
    """{libellé: [avant, après]} or {libellé: fait} for HistoryEntry, from two `stored` dicts."""
    changes = {}
    removed = sorted(new["retires"] - old["retires"], key=list(ITEM_LABELS).index)
    restored = sorted(old["retires"] - new["retires"], key=list(ITEM_LABELS).index)
    if removed:
        changes["Éléments retirés"] = " ; ".join(ITEM_LABELS[code] for code in removed)
    if restored:
        changes["Éléments rétablis"] = " ; ".join(ITEM_LABELS[code] for code in restored)
    old_added = {line for lines in old["ajouts"].values() for line in lines}
    new_added = {line for lines in new["ajouts"].values() for line in lines}
    if new_added - old_added:
        changes["Éléments ajoutés"] = " ; ".join(sorted(new_added - old_added))
    if old_added - new_added:
        changes["Éléments ajoutés supprimés"] = " ; ".join(sorted(old_added - new_added))
    for key, label in CHOICE_LABELS.items():
        if _shown(old[key]) != _shown(new[key]):
            changes[label] = [_shown(old[key]), _shown(new[key])]
    return changes
