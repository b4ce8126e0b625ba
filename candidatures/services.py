"""A grappe's dossier: what it must pass before it can be filed, computed from the grappe's data
(the call's window, the grappe's eligibility, the two cross-grappe rules, the pieces, the
narrative sections), and the filing itself: the content frozen with its SHA-256, the accusé de
réception kept and e-mailed."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from candidatures import engagements, instruction
from candidatures.enums import StatutCandidature
from candidatures.models import Campagne, Candidature, Depot
from core.mail import absolute_url, send_after_commit
from core.money import euros
from core.pdf import render_pdf
from grappe.eligibility import check_eligibility
from grappe.enums import FonctionOg
from grappe.funding import simulate_funding
from grappe.models import EsmsMembership, HistoryEntry, OgPerson

# Filed dossiers hold their ESMS for the call: another grappe cannot file them again.
FILED = [value for value in StatutCandidature.values if value != StatutCandidature.BROUILLON]


class DepotRefuse(Exception):
    """The dossier cannot be filed now; `message` says why in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Point:
    """One line of the checklist: what is checked, whether it passes, why not."""

    code: str
    label: str
    ok: bool
    detail: str = ""
    items: list = field(default_factory=list)


def funded_elsewhere(grappe):
    """The grappe's ESMS already funded for a DUI by another grappe's signed convention on
    another call: [(ESMS, that grappe, its AAP, the signature date)]. The programme funds an
    ESMS once for its DUI, whatever the call (« non-redondance des financements », stated in
    the généralisation's regional calls, DOMAIN.md §9)."""
    memberships = grappe.memberships.filter(left_on__isnull=True)
    earlier = (
        EsmsMembership.objects.filter(
            esms_id__in=memberships.values("esms_id"),
            grappe__convention_signed_on__isnull=False,
        )
        .exclude(grappe=grappe)
        .exclude(grappe__aap_id=grappe.aap_id)
        .select_related("esms", "grappe__aap")
        .order_by("esms__raison_sociale", "grappe__convention_signed_on")
    )
    return [(m.esms, m.grappe, m.grappe.aap, m.grappe.convention_signed_on) for m in earlier]


def in_other_dossiers(candidature):
    """The grappe's ESMS that another grappe's filed dossier on the same call holds (its latest
    version): [(ESMS, that grappe)]. An ESMS belongs to one dossier per call: an ESMS released
    by a grappe after it filed cannot be filed again by the grappe it joined."""
    latest = (
        Depot.objects.filter(candidature=OuterRef("candidature"))
        .order_by("-numero")
        .values("numero")[:1]
    )
    depots = Depot.objects.filter(
        candidature__campagne=candidature.campagne,
        candidature__statut__in=FILED,
        numero=Subquery(latest),
    ).exclude(candidature__grappe=candidature.grappe)
    rows = Depot.esms.through.objects.filter(
        depot__in=depots,
        esms__in=candidature.grappe.memberships.filter(left_on__isnull=True).values("esms"),
    ).select_related("esms", "depot__candidature__grappe")
    return sorted(
        ((row.esms, row.depot.candidature.grappe) for row in rows),
        key=lambda pair: (pair[0].raison_sociale, pair[1].name),
    )


def _fenetre(candidature, now):
    campagne = candidature.campagne
    if candidature.statut == StatutCandidature.INCOMPLETE:
        detail = "L'ARS a demandé des compléments : le dossier complété se dépose à nouveau."
        return Point("fenetre", "Appel ouvert", True, detail)
    if campagne.is_open(now):
        detail = f"Dépôt possible jusqu'au {timezone.localtime(campagne.cloture):%d/%m/%Y à %H:%M}."
        return Point("fenetre", "Appel ouvert", True, detail)
    if now < campagne.ouverture:
        detail = f"L'appel ouvre le {timezone.localtime(campagne.ouverture):%d/%m/%Y à %H:%M}."
    else:
        detail = (
            f"L'appel est clos depuis le {timezone.localtime(campagne.cloture):%d/%m/%Y à %H:%M}."
        )
    return Point("fenetre", "Appel ouvert", False, detail)


def derogation_covers(candidature, funded):
    """Whether the national admin's derogation covers every ESMS funded elsewhere."""
    covered = set(candidature.derogation_esms or [])
    return (
        candidature.derogation_le is not None and {esms.finess_et for esms, *_ in funded} <= covered
    )


def _non_redondance(candidature, funded):
    covered = derogation_covers(candidature, funded)
    if funded and covered:
        detail = (
            f"Dérogation accordée par l'administration nationale le "
            f"{timezone.localtime(candidature.derogation_le):%d/%m/%Y} : "
            f"{candidature.derogation_motif}"
        )
    elif funded:
        detail = (
            "Ces ESMS ont déjà été financés pour leur DUI par un autre appel ; seule "
            "l'administration nationale peut lever ce blocage, motif à l'appui :"
        )
    else:
        detail = ""
    return Point(
        "non_redondance",
        "Non-redondance des financements",
        not funded or covered,
        detail,
        [
            f"{esms.raison_sociale} ({esms.finess_et}) — grappe « {other} », appel "
            f"« {aap.name if aap else 'sans appel'} », convention signée le {signed:%d/%m/%Y}"
            for esms, other, aap, signed in funded
        ],
    )


def _un_dossier(candidature):
    held = in_other_dossiers(candidature)
    return Point(
        "un_dossier",
        "Un seul dossier par ESMS et par appel",
        not held,
        "Ces ESMS figurent déjà dans le dossier déposé d'une autre grappe sur cet appel :"
        if held
        else "",
        [
            f"{esms.raison_sociale} ({esms.finess_et}) — dossier déposé par la grappe « {other} »"
            for esms, other in held
        ],
    )


def _pieces(candidature):
    current = candidature.pieces_courantes()
    missing = [
        piece.libelle
        for piece in candidature.campagne.pieces.all()
        if piece.obligatoire and piece.pk not in current
    ]
    return Point(
        "pieces",
        "Pièces obligatoires jointes",
        not missing,
        "" if not missing else "À joindre :",
        missing,
    )


def _engagements(candidature, contenu):
    rows, outdated = engagements.etat(candidature, fingerprint(contenu))
    items = []
    for row in rows:
        names = ", ".join(user.get_full_name() or user.email for user in row["directions"])
        if not row["directions"]:
            items.append(
                f"{row['og']} : aucune direction déclarée (l'administration nationale la déclare)"
            )
        elif row["avis"] is None:
            items.append(f"{row['og']} : en attente de sa direction ({names})")
        elif not row["ok"]:
            items.append(f"{row['og']} : ne s'engage pas — {row['avis'].comment}")
    detail = ""
    if outdated:
        detail = (
            "Le dossier a changé depuis les approbations : chaque organisme approuve à nouveau."
        )
    elif items:
        detail = "Chaque organisme gestionnaire coopérateur approuve le dossier :"
    ok = not outdated and all(row["ok"] for row in rows) and bool(rows)
    return Point("engagements", "Engagement des organismes gestionnaires", ok, detail, items)


def checklist(candidature, now=None, contenu=None):
    """The points of the dossier, each passing or not with its reason. The dossier is filed
    only when every point passes (deposer). `contenu`: its snapshot, when already made."""
    now = now or timezone.now()
    contenu = contenu or snapshot(candidature)
    grappe = candidature.grappe
    report = check_eligibility(grappe)
    blocking = [f"{check.label} : {check.reason}" for check in report.ko]
    funded = funded_elsewhere(grappe)
    missing = candidature.sections_manquantes()
    return [
        _fenetre(candidature, now),
        Point(
            "eligibilite",
            "Éligibilité de la grappe",
            report.eligible,
            "" if report.eligible else "Points bloquants du rapport d'éligibilité :",
            blocking,
        ),
        _non_redondance(candidature, funded),
        _un_dossier(candidature),
        _pieces(candidature),
        Point(
            "sections",
            "Sections du dossier rédigées",
            not missing,
            "" if not missing else "À rédiger :",
            missing,
        ),
        _engagements(candidature, contenu),
    ]


# ---------------------------------------------------------------------------------------------
# Filing
# ---------------------------------------------------------------------------------------------


def _money(value):
    return f"{value:.2f}"


def snapshot(candidature):
    """What the grappe files, as plain JSON: the composition by OG (ESMS with FINESS), the
    eligibility report, the funding request computed by the call's barème, the sections, the
    pieces with their SHA-256 and the derogation, if any."""
    grappe = candidature.grappe
    memberships = list(grappe.active_memberships())
    report = check_eligibility(grappe, memberships)
    funding = simulate_funding(grappe, memberships)
    composition = {}
    for membership in memberships:
        og = membership.esms.og
        entry = composition.setdefault(
            og.pk, {"og": og.raison_sociale, "finess_ej": og.finess_ej, "esms": []}
        )
        entry["esms"].append(
            {
                "finess": membership.esms.finess_et,
                "raison_sociale": membership.esms.raison_sociale,
                "categorie": str(membership.esms.categorie),
                "departement": str(membership.esms.departement or ""),
                "type_projet": grappe.type_projet_for(membership),
            }
        )
    current = candidature.pieces_courantes()
    return {
        "appel": candidature.campagne.aap.name,
        "grappe": grappe.name,
        "composition": list(composition.values()),
        "eligibilite": [
            {"controle": c.label, "statut": c.status, "motif": c.reason} for c in report.checks
        ],
        "financement": {
            "lignes": [
                {
                    "libelle": line.label,
                    "quantite": line.quantity,
                    "montant_unitaire": _money(line.unit_amount),
                    "montant": _money(line.amount),
                }
                for line in funding.lines
            ],
            "total": _money(funding.total),
            "tranches": [
                {
                    "numero": t.numero,
                    "pourcentage": str(t.pourcentage),
                    "montant": _money(t.montant),
                }
                for t in funding.tranches
            ],
        },
        "sections": {name: text for name, _, _, text in candidature.sections()},
        "pieces": [
            {
                "piece": piece.libelle,
                "fichier": current[piece.pk].original_name,
                "taille": current[piece.pk].size,
                "sha256": current[piece.pk].sha256,
            }
            for piece in candidature.campagne.pieces.all()
            if piece.pk in current
        ],
        "derogation": candidature.derogation_motif if candidature.derogation_le else "",
        "derogation_esms": candidature.derogation_esms if candidature.derogation_le else [],
    }


def fingerprint(contenu):
    """SHA-256 of the content in a canonical form (sorted keys, no spaces): anyone holding the
    content can recompute the figure printed on the accusé de réception."""
    canonical = json.dumps(contenu, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _refuse_unless_fileable(candidature, now, contenu):
    campagne = candidature.campagne
    closing = timezone.localtime(campagne.cloture)
    if not candidature.editable:
        raise DepotRefuse(
            f"La candidature est « {candidature.get_statut_display().lower()} » : le dossier ne "
            "se dépose pas à nouveau."
        )
    # The closing minute binds the first filing; an answer to the ARS's request for missing
    # pieces comes later by nature.
    first = candidature.statut == StatutCandidature.BROUILLON
    if first and now >= campagne.cloture:
        raise DepotRefuse(
            f"L'appel est clos depuis le {closing:%d/%m/%Y à %H:%M} (heure de Paris) : le dossier "
            "ne peut plus être déposé."
        )
    if first and now < campagne.ouverture:
        raise DepotRefuse(
            f"L'appel ouvre le {timezone.localtime(campagne.ouverture):%d/%m/%Y à %H:%M} : le "
            "dossier ne peut pas encore être déposé."
        )
    if not first and now >= campagne.cloture:
        _refuse_growth_after_closing(candidature, contenu)
    failing = [point.label for point in checklist(candidature, now, contenu) if not point.ok]
    if failing:
        raise DepotRefuse("Le dossier ne peut pas être déposé : " + " ; ".join(failing) + ".")


def _finess(contenu):
    return {esms["finess"] for og in contenu.get("composition", []) for esms in og["esms"]}


def _refuse_growth_after_closing(candidature, contenu):
    """Completing a dossier after the closing answers the ARS's request: it adds no ESMS and
    asks no more money than the dossier filed in time — the other grappes could not."""
    previous = candidature.dernier_depot().contenu
    added = sorted(_finess(contenu) - _finess(previous))
    if added:
        raise DepotRefuse(
            "Après la clôture, le dossier complété ne compte pas de nouvel ESMS : "
            + ", ".join(added)
            + "."
        )
    before, after = previous["financement"]["total"], contenu["financement"]["total"]
    if Decimal(after) > Decimal(before):
        raise DepotRefuse(
            f"Après la clôture, le montant demandé ne peut pas dépasser celui du dossier déposé "
            f"dans le délai ({euros(Decimal(before))}) : il serait de {euros(Decimal(after))}."
        )


def deposer(candidature, user, now=None):
    """File the dossier: refused after the closing minute or while a point of the checklist
    fails; otherwise its content is frozen in a new Depot (the next version) with its SHA-256,
    the request computed by the barème becomes `montant_demande`, the statut "déposée", and the
    accusé de réception is rendered, kept and e-mailed to the chefs de projet, the person who
    filed and the coopérateur OGs' directions. Returns the Depot."""
    now = now or timezone.now()
    with transaction.atomic():
        # The campaign first: two grappes filing at once are serialised, so that the second
        # sees the first's ESMS (one dossier per ESMS and call).
        Campagne.objects.select_for_update().filter(pk=candidature.campagne_id).first()
        candidature = (
            Candidature.objects.select_for_update(of=("self",))
            .select_related("campagne__aap", "grappe")
            .get(pk=candidature.pk)
        )
        contenu = snapshot(candidature)
        # A change since the OGs approved (the grappe's composition, say) asks them again.
        engagements.new_round_if_changed(candidature, fingerprint(contenu))
        _refuse_unless_fileable(candidature, now, contenu)
        numero = (
            candidature.depots.order_by("-numero").values_list("numero", flat=True).first() or 0
        ) + 1
        depot = Depot.objects.create(
            candidature=candidature,
            numero=numero,
            deposee_le=now,
            deposee_par=user,
            contenu=contenu,
            empreinte=fingerprint(contenu),
        )
        depot.esms.set(
            candidature.grappe.memberships.filter(left_on__isnull=True).values_list(
                "esms_id", flat=True
            )
        )
        candidature.statut = StatutCandidature.DEPOSEE
        candidature.montant_demande = contenu["financement"]["total"]
        candidature.save(update_fields=["statut", "montant_demande", "updated_at"])
        # An answer to the ARS's request for missing pieces: the request is answered and the
        # grids submitted on the earlier version are reopened for the instructors to confirm.
        if instruction.close_requests(candidature, depot):
            instruction.reopen_grids(candidature, depot)
        instruction.sync_statut(candidature)
        pdf = render_accuse(depot)
        depot.accuse.save(f"accuse-reception-v{numero}.pdf", ContentFile(pdf), save=True)
        HistoryEntry.record(
            candidature.grappe,
            user,
            "Dossier de candidature déposé",
            candidature.campagne,
            {"Version": str(numero), "Empreinte SHA-256": depot.empreinte},
        )
        _mail_accuse(depot, user, pdf)
    return depot


def render_accuse(depot):
    candidature = depot.candidature
    return render_pdf(
        "candidatures/pdf/accuse.html",
        {"depot": depot, "candidature": candidature, "campagne": candidature.campagne},
        grappe=candidature.grappe,
        title=f"Accusé de réception — {candidature.grappe}",
    )


def accuse_recipients(candidature, user):
    """The chefs de projet, the person who filed, the directions of the coopérateur OGs."""
    grappe = candidature.grappe
    directions = OgPerson.objects.filter(
        fonction=FonctionOg.DIRECTION,
        og__grappe_memberships__grappe=grappe,
        og__grappe_memberships__left_on__isnull=True,
    ).select_related("user")
    people = {person.pk: person for person in grappe.chefs_de_projet()}
    people.setdefault(user.pk, user)
    for direction in directions:
        people.setdefault(direction.user_id, direction.user)
    return list(people.values())


def _mail_accuse(depot, user, pdf):
    candidature = depot.candidature
    recipients = accuse_recipients(candidature, user)
    context = {
        "depot": depot,
        "candidature": candidature,
        "campagne": candidature.campagne,
        "link": absolute_url(reverse("candidatures:candidature", args=[candidature.grappe_id])),
    }
    subject = f"Accusé de réception — candidature de {candidature.grappe}"[:150]
    attachment = (f"accuse-reception-v{depot.numero}.pdf", pdf, "application/pdf")
    send_after_commit(
        recipients, subject, "emails/candidature_accuse.txt", context, attachments=[attachment]
    )
