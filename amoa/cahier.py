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
from core.reference import read
from core.text import agree, plural, time_fr
from core.working_days import DELAI_COMPTES_RENDUS
from grappe.enums import RoleKind, TypeComite

# ---------------------------------------------------------------------------------------------
# Reference data: the seed's model, in French, adapted to a grappe of ESMS
# (amoa/reference/cahier.toml)
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


def _item(data):
    return Item(
        data["code"], data["label"], tuple(_item(child) for child in data.get("children", []))
    )


def _checklist(data):
    return Checklist(
        key=data["key"],
        title=data["title"],
        items=tuple(_item(item) for item in data["items"]),
        mission=Mission(data["mission"]) if "mission" in data else "",
        intro=data.get("intro", ""),
        conseils=tuple(data.get("conseils", ())),
    )


_REFERENCE = read("amoa", "cahier")  # amoa/reference/cahier.toml

CHECKLISTS = tuple(_checklist(data) for data in _REFERENCE["checklists"])
CHECKLISTS_BY_KEY = {checklist.key: checklist for checklist in CHECKLISTS}
PERIMETRE_MARCHE = CHECKLISTS_BY_KEY["perimetre_marche"]
COMPETENCES_MARCHE = CHECKLISTS_BY_KEY["competences_marche"]
PERIMETRE_PROJET = CHECKLISTS_BY_KEY["perimetre_projet"]
COMPETENCES_PROJET = CHECKLISTS_BY_KEY["competences_projet"]
LIVRABLES = CHECKLISTS_BY_KEY["livrables"]
REPONSE = CHECKLISTS_BY_KEY["reponse"]

# "« marché »" in sentences: the enum's code has no accent.
MISSION_NOMS = {Mission.MARCHE: "marché", Mission.PROJET: "projet"}

_TEXTES = _REFERENCE["textes"]
PHRASE_DELAI = _TEXTES["phrase_delai"].format(delai=DELAI_COMPTES_RENDUS)
TEXTE_SELECTION = _TEXTES["selection"]
TEXTE_CRITERES = _TEXTES["criteres"]
TEXTE_CONFIDENTIALITE = _TEXTES["confidentialite"]
TEXTE_PROPRIETE = _TEXTES["propriete"]
TEXTE_MODALITES = _TEXTES["modalites"]

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


def missing_data(consultation, context, choices, criteres):  # noqa: C901 (a flat checklist, one test per missing item)
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
        "is_marche": mission == Mission.MARCHE,
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
