"""Is the grappe eligible to its call for projects? One check per rule of the AAP.

Every threshold comes from the grappe's `Aap` row (DOMAIN.md §4: "configurable per AAP — these are
defaults, not constants"), so an ARS or the national admin can change a rule without a release.
The report is shown on the grappe page and in its PDF fiche: each reason is a French sentence with
the figures, so a porteur can see what to fix without knowing the rules by heart.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import models

from core.text import agree, plural
from grappe.enums import Domaine, TypeProjet, UniteSeuil
from grappe.finess import check_finess
from grappe.models import EditeurReference
from grappe.reference import default_sad_domains, editeur_key

# Long lists of offenders are cut so that a reason stays readable on the page and in the PDF.
MAX_NAMED = 5


class CheckStatus(models.TextChoices):
    OK = "ok", "Conforme"
    KO = "ko", "Bloquant"
    WARNING = "warning", "À vérifier"
    INFO = "info", "Information"


@dataclass
class Check:
    code: str
    label: str
    status: str
    reason: str

    @property
    def status_label(self):
        return CheckStatus(self.status).label

    def __str__(self):
        return f"{self.label} : {self.status_label} — {self.reason}"


@dataclass
class EligibilityReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self):
        return not self.ko

    @property
    def ko(self):
        return [check for check in self.checks if check.status == CheckStatus.KO]

    @property
    def warnings(self):
        return [check for check in self.checks if check.status == CheckStatus.WARNING]

    def get(self, code):
        """The check with this code, or None (the set of checks depends on the AAP)."""
        return next((check for check in self.checks if check.code == code), None)


def enumerate_fr(items, limit=MAX_NAMED):
    """'a, b et c' — at most `limit` items named, the rest counted."""
    items = list(items)
    if len(items) > limit:
        rest = len(items) - limit
        items = [*items[:limit], plural(rest, "autre")]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"


def esms_label(esms):
    return f"{esms.name} ({esms.finess_et})"


def domaine_label(value):
    try:
        return Domaine(value).label
    except ValueError:
        # sad_domains is free JSON edited in the admin: show an unknown value as typed.
        return str(value)


def check_eligibility(grappe, memberships=None):
    """All eligibility checks of the grappe against its AAP.

    `memberships`: the active EsmsMembership rows with esms__og/categorie/departement selected,
    as the grappe page already loads them; fetched here when not given.
    """
    if memberships is None:
        memberships = list(grappe.active_memberships())
    aap = grappe.aap
    # Only L.312-1 establishments count towards the thresholds: a hospital in the list is reported
    # by the category check and must not make up for a missing ESMS.
    in_scope = [m for m in memberships if m.esms.categorie.is_esms]

    checks = []
    if aap is None:
        checks.append(
            Check(
                "aap",
                "Appel à projets",
                CheckStatus.KO,
                "Choisissez l'appel à projets de la grappe : les règles d'éligibilité et le "
                "barème de financement en dépendent.",
            )
        )
    # Without an AAP the rules it carries are shown as "info"; the others are checked anyway,
    # so that the porteur can fix them while choosing the call.
    checks.append(_min_esms(grappe, aap, in_scope, memberships))
    if aap is not None and aap.max_esms is not None:
        checks.append(_max_esms(aap, in_scope))
    if aap is not None and (aap.national_threshold is not None or aap.region_id is not None):
        checks.append(_scope(grappe, aap, in_scope))
    checks.append(_finess(memberships))
    checks.append(_unique_per_aap(aap))
    checks.append(_categories(memberships))
    checks.append(_sad(grappe, aap, memberships))
    editeurs = _editeurs_conformite(grappe, aap, memberships)
    if editeurs is not None:
        checks.append(editeurs)
    checks.append(_porteur(grappe))
    if aap is not None and aap.min_og is not None:
        checks.append(_amorcage_og(aap, in_scope))
    return EligibilityReport(checks)


def _out_of_scope_note(in_scope, memberships):
    excluded = len(memberships) - len(in_scope)
    if not excluded:
        return ""
    return (
        f" ; {plural(excluded, 'établissement')} hors champ ESMS "
        f"{agree(excluded, 'non compté', 'non comptés')}"
    )


def _min_esms(grappe, aap, in_scope, memberships):
    if aap is None:
        return Check(
            "min_esms",
            "Nombre minimal d'ESMS",
            CheckStatus.INFO,
            f"{len(in_scope)} ESMS{_out_of_scope_note(in_scope, memberships)} ; "
            "le minimum dépend de l'appel à projets.",
        )
    region = grappe.region
    count = len(in_scope)
    note = _out_of_scope_note(in_scope, memberships)
    if region.reduced_threshold and aap.seuil_reduit is not None:
        minimum = aap.seuil_reduit
        where = f"pour la région {region.name}, seuil réduit Corse et outre-mer de l'appel"
        if aap.seuil_reduit_unite == UniteSeuil.OG:
            return _reduced_og(aap, in_scope, minimum, where, note)
    else:
        minimum = aap.min_esms
        where = f"pour la région {region.name}"
        if region.reduced_threshold:
            where += f" : l'appel « {aap.name} » ne prévoit pas de seuil réduit"
    if count >= minimum:
        return Check(
            "min_esms",
            "Nombre minimal d'ESMS",
            CheckStatus.OK,
            f"{count} ESMS (minimum {minimum} {where}){note}.",
        )
    return Check(
        "min_esms",
        "Nombre minimal d'ESMS",
        CheckStatus.KO,
        f"{count} ESMS : il en faut au moins {minimum} {where}{note}. "
        f"Ajoutez {minimum - count} ESMS.",
    )


def _reduced_og(aap, in_scope, minimum, where, note):
    """The reduced threshold counted in distinct OG (national call n°2, seed 002)."""
    label = "Nombre minimal d'organismes gestionnaires"
    count = len({m.esms.og_id for m in in_scope})
    distinct = plural(
        count, "organisme gestionnaire distinct", "organismes gestionnaires distincts"
    )
    if count >= minimum:
        return Check(
            "min_esms", label, CheckStatus.OK, f"{distinct} (minimum {minimum} {where}){note}."
        )
    return Check(
        "min_esms",
        label,
        CheckStatus.KO,
        f"{distinct} : il en faut au moins {minimum} {where}{note}. "
        f"Ajoutez des ESMS de {plural(minimum - count, 'autre organisme gestionnaire', 'autres organismes gestionnaires')}.",
    )


def _max_esms(aap, in_scope):
    count = len(in_scope)
    if count <= aap.max_esms:
        return Check(
            "max_esms",
            "Nombre maximal d'ESMS",
            CheckStatus.OK,
            f"{count} ESMS (maximum {aap.max_esms} pour l'appel « {aap.name} »).",
        )
    return Check(
        "max_esms",
        "Nombre maximal d'ESMS",
        CheckStatus.KO,
        f"{count} ESMS : l'appel « {aap.name} » en accepte au plus {aap.max_esms}. "
        f"Retirez {count - aap.max_esms} ESMS ou scindez la grappe.",
    )


def _scope(grappe, aap, in_scope):
    """Which call the grappe falls under: regional ARS call below the threshold, national above."""
    label = "Appel régional ou national"
    count = len(in_scope)
    if aap.region_id is not None and aap.region_id != grappe.region_id:
        return Check(
            "portee",
            label,
            CheckStatus.KO,
            f"L'appel « {aap.name} » est réservé à la région {aap.region.name} ; "
            f"la grappe est en région {grappe.region.name}.",
        )
    threshold = aap.national_threshold
    if threshold is None:
        return Check(
            "portee", label, CheckStatus.INFO, f"Appel régional de l'{grappe.region.ars_name}."
        )
    if count >= threshold:
        if aap.region_id is not None:
            return Check(
                "portee",
                label,
                CheckStatus.KO,
                f"{count} ESMS : à partir de {threshold} ESMS, la grappe relève de l'appel "
                f"national, pas de l'appel régional « {aap.name} ».",
            )
        return Check(
            "portee",
            label,
            CheckStatus.INFO,
            f"{count} ESMS (au moins {threshold}) : la grappe relève de l'appel national.",
        )
    return Check(
        "portee",
        label,
        CheckStatus.INFO,
        f"{count} ESMS (moins de {threshold}) : la grappe relève de l'appel régional de "
        f"l'{grappe.region.ars_name}.",
    )


def _finess(memberships):
    label = "Identification par un FINESS géographique"
    errors, warnings = [], []
    for membership in memberships:
        result = check_finess(membership.esms.finess_et)
        if result.error:
            errors.append(f"{esms_label(membership.esms)} : {result.error}")
        elif result.warning:
            warnings.append(esms_label(membership.esms))
    if errors:
        return Check(
            "finess",
            label,
            CheckStatus.KO,
            f"Seuls les ESMS identifiés par un FINESS géographique valide sont finançables. "
            f"{plural(len(errors), 'numéro invalide', 'numéros invalides')} : "
            f"{enumerate_fr(errors)}.",
        )
    if warnings:
        return Check(
            "finess",
            label,
            CheckStatus.WARNING,
            f"Clé de contrôle non vérifiable pour {plural(len(warnings), 'numéro corse', 'numéros corses')} "
            f"(2A/2B) : {enumerate_fr(warnings)}. Vérifiez-les sur finess.esante.gouv.fr.",
        )
    return Check(
        "finess",
        label,
        CheckStatus.OK,
        f"{plural(len(memberships), 'établissement identifié', 'établissements identifiés')} "
        "par un FINESS géographique valide.",
    )


def _unique_per_aap(aap):
    """Guaranteed by the database: an ESMS is active in one grappe at a time (a grappe takes
    it only once the other has released it), so no query is needed."""
    label = "Une seule grappe par appel à projets"
    if aap is None:
        return Check(
            "unicite",
            label,
            CheckStatus.INFO,
            "Un ESMS n'appartient qu'à une grappe à la fois : il ne peut être présenté que "
            "par une grappe par appel.",
        )
    return Check(
        "unicite",
        label,
        CheckStatus.OK,
        "Aucun ESMS de la grappe n'est présenté par une autre grappe : un ESMS n'appartient "
        f"qu'à une grappe à la fois, pour l'appel « {aap.name} » comme pour tout autre.",
    )


def _categories(memberships):
    label = "ESMS au sens de l'art. L.312-1 du CASF"
    offenders = [
        f"{esms_label(m.esms)}, catégorie {m.esms.categorie.code} — {m.esms.categorie.libelle}"
        for m in memberships
        if not m.esms.categorie.is_esms
    ]
    if offenders:
        return Check(
            "categories",
            label,
            CheckStatus.KO,
            f"{plural(len(offenders), 'établissement')} hors du champ social et médico-social "
            f"(établissements de santé et autres catégories non éligibles) : "
            f"{enumerate_fr(offenders)}. Retirez-{agree(len(offenders), 'le', 'les')} de la grappe.",
        )
    return Check(
        "categories",
        label,
        CheckStatus.OK,
        "Toutes les catégories d'établissement relèvent de l'art. L.312-1 du CASF.",
    )


def _sad(grappe, aap, memberships):
    """The DUI of a PA / PH / domicile ESMS in acquisition must be bought through the RESAH SAD.

    The obligation is assessed per ESMS: an ESMS in acquisition outside the SAD domains, next to
    SAD-domain ESMS that only upgrade their DUI, does not trigger it (DOMAIN.md §3, seed 002).
    """
    label = "Achat du DUI via le SAD du RESAH"
    if aap is None:
        return Check(
            "sad",
            label,
            CheckStatus.INFO,
            "Les domaines soumis au SAD du RESAH dépendent de l'appel à projets.",
        )
    sad_domains = set(aap.sad_domains or [])
    concerned = [
        m
        for m in memberships
        if m.esms.categorie.domaine in sad_domains
        and grappe.type_projet_for(m) == TypeProjet.ACQUISITION
    ]
    concerned_domains = sorted({domaine_label(m.esms.categorie.domaine) for m in concerned})
    domains = enumerate_fr(concerned_domains, limit=10)
    if not concerned:
        listed = enumerate_fr([domaine_label(d) for d in aap.sad_domains or []], limit=10)
        return Check(
            "sad",
            label,
            CheckStatus.INFO,
            "Non obligatoire : aucun ESMS en acquisition dans les domaines soumis au SAD"
            + (f" ({listed})." if listed else "."),
        )
    count = f"{len(concerned)} ESMS"
    if grappe.achat_sad:
        return Check(
            "sad",
            label,
            CheckStatus.OK,
            f"La grappe achète son DUI via le SAD du RESAH, obligatoire pour ses {count} en "
            f"acquisition ({domains}).",
        )
    return Check(
        "sad",
        label,
        CheckStatus.KO,
        f"{count} en acquisition {agree(len(concerned), 'relève', 'relèvent')} "
        f"{agree(len(concerned_domains), 'du domaine', 'des domaines')} {domains} : le DUI doit "
        "être acheté via le SAD du RESAH. Engagez la procédure et "
        "cochez « achat via le SAD du RESAH » dans la fiche de la grappe.",
    )


# Seed 002, « Rappel de la mécanique de contractualisation avec les éditeurs ».
SOURCE_EDITEUR_CONFORMITE = (
    "présentation de l'AAP amorçage n°2, ARS de Corse : « L'éditeur concerné doit être "
    "référencé dans le marché national c'est-à-dire dans la liste des éditeurs référencés par "
    "le Resah et dans la catégorie pertinente. »"
)


def _editeurs_conformite(grappe, aap, memberships):
    """A « mise en conformité » upgrades the DUI the ESMS already has: the OG contracts with
    that solution's éditeur through the SAD's kit de passation, so the éditeur must be
    referenced in the ESMS's SAD category (seed 002). A warning, not a failure: the list kept
    in the admin may lag the RESAH's, the éditeur may apply to the SAD, and seed 002 foresees a
    derogation for a non-referenced solution deployed in all the ESMS of a field. None when no
    ESMS of the SAD domains is in mise en conformité (nothing to say)."""
    sad_domains = set(aap.sad_domains or []) if aap is not None else set(default_sad_domains())
    concerned = [
        m
        for m in memberships
        if m.esms.categorie.domaine in sad_domains
        and grappe.type_projet_for(m) == TypeProjet.CONFORMITE
    ]
    if not concerned:
        return None
    label = "Éditeur référencé au SAD (mise en conformité)"
    referenced = EditeurReference.objects.keys_by_domaine()
    missing, unreferenced, unlisted = [], [], set()
    for membership in concerned:
        esms = membership.esms
        domaine = esms.categorie.domaine
        if not editeur_key(esms.editeur):
            missing.append(esms_label(esms))
        elif editeur_key(esms.editeur) not in referenced.get(domaine, set()):
            unreferenced.append(f"{esms_label(esms)} — {esms.editeur}, {domaine_label(domaine)}")
            if not referenced.get(domaine):
                unlisted.add(domaine_label(domaine))
    count = plural(len(concerned), "ESMS en mise en conformité", "ESMS en mise en conformité")
    if not missing and not unreferenced:
        return Check(
            "editeurs_sad",
            label,
            CheckStatus.OK,
            f"{count} : {agree(len(concerned), 'son éditeur est référencé', 'leurs éditeurs sont référencés')} "
            "au SAD du RESAH dans la catégorie de l'établissement (liste tenue par "
            "l'administration nationale).",
        )
    parts = [f"{count}."]
    if unreferenced:
        parts.append(
            f"Éditeur non référencé au SAD dans la catégorie de l'établissement pour "
            f"{plural(len(unreferenced), 'ESMS', 'ESMS')} : {enumerate_fr(unreferenced)}."
        )
    if unlisted:
        parts.append(
            "Aucun éditeur référencé n'est encore enregistré pour "
            f"{agree(len(unlisted), 'la catégorie', 'les catégories')} "
            f"{enumerate_fr(sorted(unlisted), limit=10)} : la liste est transmise avec le kit "
            "de passation, à l'accès de l'organisme gestionnaire au SAD."
        )
    if missing:
        fiche = agree(len(missing), "la fiche de l'ESMS", "la fiche de chacun")
        parts.append(
            f"Éditeur du DUI actuel non renseigné pour {plural(len(missing), 'ESMS', 'ESMS')} : "
            f"{enumerate_fr(missing)} ; renseignez-le dans {fiche}."
        )
    parts.append(
        "L'organisme gestionnaire contractualise avec l'éditeur de sa solution actuelle via le "
        "kit de passation : vérifiez son référencement auprès de l'ARS. Un éditeur non "
        "référencé peut candidater au SAD ; à défaut, l'ESMS relève d'un projet d'acquisition "
        "(sauf dérogation : solution non référencée déployée dans l'ensemble des ESMS d'au "
        f"moins un champ). Source : {SOURCE_EDITEUR_CONFORMITE}"
    )
    return Check("editeurs_sad", label, CheckStatus.WARNING, " ".join(parts))


def _porteur(grappe):
    label = "Porteur et organismes gestionnaires"
    if grappe.porteur_id is None:
        return Check(
            "porteur",
            label,
            CheckStatus.KO,
            "Aucun porteur désigné : un organisme gestionnaire doit porter la grappe et signer "
            "la convention avec l'ARS.",
        )
    active = set(grappe.og_memberships.filter(left_on__isnull=True).values_list("og_id", flat=True))
    if not active:
        return Check(
            "porteur",
            label,
            CheckStatus.KO,
            "Aucun organisme gestionnaire coopérateur actif dans la grappe.",
        )
    if grappe.porteur_id not in active:
        # A neutral porteur is possible (seed 004), but it must be party to the cooperation.
        return Check(
            "porteur",
            label,
            CheckStatus.WARNING,
            f"Le porteur {grappe.porteur.name} ne figure pas parmi les coopérateurs actifs "
            f"({plural(len(active), 'organisme gestionnaire', 'organismes gestionnaires')}).",
        )
    return Check(
        "porteur",
        label,
        CheckStatus.OK,
        f"Porteur : {grappe.porteur.name} ; "
        f"{plural(len(active), 'coopérateur actif', 'coopérateurs actifs')}.",
    )


def _amorcage_og(aap, in_scope):
    """Amorçage: at least N distinct OG, or one OG with more than M ESMS in the grappe."""
    label = "Organismes gestionnaires (règle d'amorçage)"
    per_og = Counter(m.esms.og_id for m in in_scope)
    og_count = len(per_og)
    largest = max(per_og.values(), default=0)
    more_than = aap.single_og_more_than
    if og_count >= aap.min_og:
        return Check(
            "amorcage_og",
            label,
            CheckStatus.OK,
            f"{og_count} organismes gestionnaires distincts (minimum {aap.min_og}).",
        )
    if more_than is not None and largest > more_than:
        return Check(
            "amorcage_og",
            label,
            CheckStatus.OK,
            f"Un organisme gestionnaire présente {largest} ESMS (plus de {more_than}).",
        )
    distinct = plural(
        og_count, "organisme gestionnaire distinct", "organismes gestionnaires distincts"
    )
    alternative = (
        f" et aucun ne présente plus de {more_than} ESMS (le plus important en présente {largest})"
        if more_than is not None
        else ""
    )
    return Check(
        "amorcage_og",
        label,
        CheckStatus.KO,
        f"{distinct} (minimum {aap.min_og}){alternative}. Élargissez la grappe à d'autres "
        "organismes gestionnaires.",
    )
