"""Demo calls for projects, coherent with the demo's today (the real date):

- the national généralisation call the demo grappe answered (closed 31/10/2025): its dossier,
  filed on 20/10/2025, instructed, retained on 15/12/2025; its convention, prepared with the
  amount the grappe holds today and signed on the grappe's date (16/03/2026), is the grappe's
  existing ARS convention (whose tranches grappe.demo and indicateurs.demo already set);
- the Hauts-de-France 2026 call (01/06/2026 → 30/09/2026, committee on 26/11/2026): eight
  grappes of the region (candidatures.demo_grappes), one dossier each, at every statut;
- the Hauts-de-France 2027 call, open today, for the porteurs to draft.

The services write the rows (filing, grids, requests, decisions, conventions) so that the demo
shows what the application produces; they stamp `timezone.now()` where they take no date, so the
recorded moments are set afterwards with `.update()`: the history entries (`_backdated`), the
dossier's created_at/updated_at, the OG's approvals, the instructors' designation, the grids'
submission, the request for pieces, the decisions' and conventions' recording. `deposer` (now=),
`decider` (date=) and `signer` (the signature date) take their date.
Idempotent: a dossier is played only when the grappe has none on the call yet.
"""

import datetime
import hashlib
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from approbations.enums import Decision
from approbations.models import Avis
from candidatures import conventions, demo_grappes, engagements, instruction, services
from candidatures.enums import StatutCandidature as S
from candidatures.models import (
    Campagne,
    Candidature,
    Convention,
    DecisionSelection,
    DemandePieces,
    GrilleInstruction,
    Instructeur,
    PieceJointe,
)
from core.pdf import simple_pdf
from grappe.demo import Seeder
from grappe.enums import TypeAap
from grappe.models import Aap, ArsAgent, Grappe, HistoryEntry
from users.models import Civilite

PARIS = ZoneInfo("Europe/Paris")

REGIONAL_2026 = "Généralisation ESMS numérique — Hauts-de-France 2026"
REGIONAL_2027 = "Généralisation ESMS numérique — Hauts-de-France 2027"
COMITE = datetime.date(2026, 11, 26)

# The second instructor of the regional call, a demo login like the first (people["ars"]).
INSTRUCTEUR_2 = (
    "instructeur.ars@demo.grappe.fr",
    "Antoine",
    "Delcourt",
    "Inspecteur de l'action sanitaire et sociale, ARS",
    False,
    Civilite.MONSIEUR,
)


def _at(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# ---------------------------------------------------------------------------------------------
# Writing the past with the services
# ---------------------------------------------------------------------------------------------


@contextmanager
def _backdated(when):
    """The history entries the services write inside the block carry the event's moment, not
    the seeding's: the grappe's and the campaign's history read as the timeline happened."""
    last = HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    HistoryEntry.objects.filter(pk__gt=last).update(created_at=when)


def _joindre(candidature, piece, user, when):
    grappe = candidature.grappe
    content = simple_pdf([piece.libelle, grappe.name, f"Version du {when:%d/%m/%Y}"])
    slug = piece.libelle.split(" ")[0].lower()
    jointe = PieceJointe(
        candidature=candidature,
        piece=piece,
        original_name=f"{slug}-{grappe.pk}.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        uploaded_at=when,
    )
    jointe.file.save(jointe.original_name, ContentFile(content), save=False)
    jointe.save()


def _sections(grappe, territoire, porteur_name, complete=True, extra=None):
    ogs = [m.og.raison_sociale for m in grappe.active_og_memberships().order_by("og__finess_ej")]
    sections = {
        "projet_commun": (
            f"Les organismes gestionnaires {' et '.join(ogs)} déploient ensemble un dossier "
            f"usager informatisé unique dans leurs {grappe.memberships.count()} établissements "
            f"et services du territoire ({territoire}) : un même éditeur acheté via le SAD du "
            "RESAH, un paramétrage commun du projet personnalisé, la MSSanté et l'alimentation "
            "du DMP dès la mise en service."
        ),
        "gouvernance": (
            f"Un COPIL réunissant les directeurs généraux des organismes, présidé par le "
            f"porteur ({porteur_name}), se tient chaque trimestre et valide les livrables ; "
            "un comité de suivi opérationnel mensuel réunit la cheffe ou le chef de projet et "
            "les référents DUI de chaque établissement."
        ),
        "cooperations": grappe.origines,
        "calendrier": (
            "Choix de l'AMOA au premier trimestre suivant la notification, consultation des "
            "éditeurs sur le SAD au deuxième, déploiement par vagues sur douze mois, mesure des "
            "usages trois mois après la dernière mise en service."
        ),
    }
    sections.update(extra or {})
    if not complete:
        sections["cooperations"] = ""
        sections["calendrier"] = ""
    return sections


def _brouillon(campagne, grappe, chef, territoire, created, complete=True, extra=None):
    candidature = Candidature.objects.create(
        campagne=campagne,
        grappe=grappe,
        created_by=chef,
        **_sections(grappe, territoire, grappe.porteur.raison_sociale, complete, extra),
    )
    Candidature.objects.filter(pk=candidature.pk).update(created_at=created, updated_at=created)
    return candidature


def _engager(candidature, when):
    """Every coopérateur OG's direction approves the dossier (the filing requires it)."""
    with _backdated(when):
        for direction in engagements.directions(candidature.grappe):
            engagements.engager(candidature, direction.user, Decision.APPROUVE)
    candidature.refresh_from_db()
    Avis.objects.for_document(candidature, candidature.tour).update(created_at=when)


def _deposer(candidature, chef, when, pieces=None):
    """Attach the pieces a few days before, have the OG engage, then file through the service
    (`now=`)."""
    for piece in pieces if pieces is not None else candidature.campagne.pieces.all():
        _joindre(candidature, piece, chef, when - datetime.timedelta(days=3))
    _engager(candidature, when - datetime.timedelta(days=1))
    with _backdated(when):
        depot = services.deposer(candidature, chef, now=when)
    Candidature.objects.filter(pk=candidature.pk).update(updated_at=when)
    return depot


# The justification an instructor writes on each criterion, by level of the note.
JUSTIFICATIONS = {
    "haut": [
        "Mutualisation réelle : un seul éditeur, un paramétrage commun et des référents "
        "partagés entre les organismes.",
        "Coopérations anciennes et documentées (conventions signées, services communs).",
        "COPIL constitué, règles de décision écrites, chef de projet à temps plein identifié.",
        "Couverture cohérente d'un territoire de proximité, en lien avec l'hôpital de recours.",
    ],
    "moyen": [
        "Mutualisation annoncée mais le paramétrage commun reste à construire.",
        "Coopérations ponctuelles, sans convention antérieure au projet.",
        "Gouvernance décrite, calendrier des instances à préciser.",
        "Territoire cohérent, quelques établissements éloignés du cœur du projet.",
    ],
    "bas": [
        "Le dossier juxtapose deux projets plus qu'il ne les mutualise.",
        "Aucune coopération antérieure démontrée entre les organismes.",
        "Ni COPIL constitué ni règles de décision : la gouvernance reste à construire.",
        "Établissements dispersés sur deux bassins de vie sans lien entre eux.",
    ],
}


def _grille(candidature, user, notes, when, commentaire="", submit=True):
    criteres = list(candidature.campagne.criteres.all())
    values = {}
    for critere, note, n in zip(criteres, notes, range(len(criteres)), strict=False):
        level = "haut" if note >= 8 else "moyen" if note >= 6 else "bas"
        values[critere] = (Decimal(str(note)), JUSTIFICATIONS[level][n % 4])
    with _backdated(when):
        grille = instruction.save_grille(
            candidature, user, values, commentaire=commentaire, submit=submit
        )
    if submit:
        GrilleInstruction.objects.filter(pk=grille.pk).update(soumise_le=when)
    return grille


def _decider(candidature, decision, motif, user, when):
    with _backdated(when):
        row, _warning = instruction.decider(candidature, decision, motif, user, date=when.date())
    DecisionSelection.objects.filter(pk=row.pk).update(created_at=when)
    Candidature.objects.filter(pk=candidature.pk).update(updated_at=when)
    return row


def _preparer(candidature, montant, motif, user, when):
    with _backdated(when):
        convention = conventions.preparer(candidature, montant, motif, user)
    Convention.objects.filter(pk=convention.pk).update(created_at=when)
    return convention


# ---------------------------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------------------------


def _campagne(aap, ouverture, cloture, enveloppe, user):
    campagne, created = Campagne.objects.get_or_create(
        aap=aap,
        defaults={
            "ouverture": ouverture,
            "cloture": cloture,
            "enveloppe": enveloppe,
            "created_by": user,
        },
    )
    if created:
        campagne.add_defaults()
        # Published some weeks before it opened.
        Campagne.objects.filter(pk=campagne.pk).update(
            created_at=ouverture - datetime.timedelta(days=21)
        )
    return campagne


def _designer(campagne, users, by, when):
    if Instructeur.objects.filter(campagne=campagne).exists():
        return
    with _backdated(when):
        instruction.designer(campagne, users, by)
    Instructeur.objects.filter(campagne=campagne).update(designe_le=when)


def seed(grappe, people):
    national = None
    if grappe.aap is not None:
        national = _campagne(
            grappe.aap,
            _at(2025, 6, 2, 9),
            _at(2025, 10, 31, 12),
            Decimal("45000000.00"),
            people.get("admin"),
        )
        dossier_national(national, grappe, people)
    regional = regional_2026(grappe.region, people)
    aap_2027, _ = Aap.objects.get_or_create(
        name=REGIONAL_2027,
        defaults={"kind": TypeAap.GENERALISATION, "year": 2027, "region": grappe.region},
    )
    _campagne(
        aap_2027,
        _at(2026, 11, 16, 9),
        _at(2027, 2, 26, 12),
        Decimal("3200000.00"),
        people.get("ars"),
    )
    return {"national": national, "regional": regional}


def dossier_national(campagne, grappe, people):
    """The demo grappe's dossier on the national call, from its filing to its convention."""
    if Candidature.objects.filter(campagne=campagne, grappe=grappe).exists():
        return
    porteur, admin = people["porteur"], people["admin"]
    candidature = _brouillon(
        campagne,
        grappe,
        porteur,
        "Flandres intérieures, Ternois et Avesnois",
        _at(2025, 9, 8, 10),
    )
    _deposer(candidature, porteur, _at(2025, 10, 20, 14, 30))
    # A national call has no regional ARS: the national administration instructs it.
    _designer(campagne, [admin], admin, _at(2025, 11, 3, 9))
    _grille(
        candidature,
        admin,
        [9, 8, 8, 8],
        _at(2025, 11, 24, 16),
        "Dossier solide : trois organismes habitués à travailler ensemble, gouvernance en place.",
    )
    _decider(
        candidature,
        S.RETENUE,
        "Dossier retenu : mutualisation de trois organismes gestionnaires déjà liés par le "
        "dispositif d'appui à la coordination, COPIL constitué, budget conforme au barème de "
        "l'instruction de généralisation.",
        admin,
        _at(2025, 12, 15, 17),
    )
    # The grappe's convention already exists (grappe.demo: amount and signature date; its
    # tranches from indicateurs.demo, the first paid). The dossier leads to it: prepared with
    # that amount, and its signature written directly — `conventions.signer` refuses a grappe
    # already signed, and would re-create the tranches the indicators' demo has paid.
    convention = _preparer(candidature, grappe.convention_amount, "", admin, _at(2026, 2, 2, 11))
    Convention.objects.filter(pk=convention.pk).update(
        signee_le=grappe.convention_signed_on, signature_par=admin
    )


# The regional call's dossiers, by grappe key (candidatures.demo_grappes): when each was filed
# (the Boulonnais's never was), the two instructors' notes per criterion (Julie Moreau, Antoine
# Delcourt) and when they submitted them, the committee's decisions with their reasons.
FILINGS = {
    "calaisis": _at(2026, 9, 14, 10, 12),
    "cambresis": _at(2026, 9, 22, 16, 40),
    "thierache": _at(2026, 9, 25, 11, 5),
    "vimeu": _at(2026, 9, 28, 9, 30),
    "beauvaisis": _at(2026, 9, 29, 15, 20),
    "saint_quentinois": _at(2026, 9, 29, 17, 45),
    "douaisis": _at(2026, 9, 30, 11, 48),
}
NOTES = {
    "calaisis": ([9, 8, 9, 8], [8, 9, 9, 8]),
    "cambresis": ([8, 7, 8, 8], [8, 8, 7, 7]),
    "thierache": ([7, 6, 7, 7], [7, 7, 6, 6]),
    "vimeu": ([5, 4, 4, 6], [4, 5, 4, 5]),
    "beauvaisis": ([6, 6, 6, 7], [6, 7, 6, 6]),
}
GRID_DATES = {
    "calaisis": (_at(2026, 10, 12, 15), _at(2026, 10, 20, 10)),
    "cambresis": (_at(2026, 10, 19, 11), _at(2026, 10, 27, 16)),
    "thierache": (_at(2026, 10, 26, 14), _at(2026, 11, 5, 9, 30)),
    "vimeu": (_at(2026, 11, 3, 10), _at(2026, 11, 12, 15)),
    # Scored after the committee: it awaits the next one.
    "beauvaisis": (_at(2026, 11, 27, 10), _at(2026, 12, 1, 16)),
}
DECISIONS = [
    (
        "calaisis",
        S.RETENUE,
        "Dossier classé premier. Mutualisation aboutie entre deux associations déjà liées par une "
        "convention de coopération, gouvernance en place et chef de projet identifié : le "
        "montant demandé est accordé.",
    ),
    (
        "cambresis",
        S.RETENUE,
        "Dossier classé deuxième. Projet cohérent sur un territoire de proximité ; le comité "
        "retient le dossier et ajuste le poste d'équipement matériel au nombre de postes "
        "réellement à renouveler.",
    ),
    (
        "thierache",
        S.LISTE_ATTENTE,
        "Dossier de qualité classé troisième. L'enveloppe restante après les deux dossiers "
        "retenus ne permet pas de le financer en totalité : il sera retenu en cas de désistement "
        "ou d'abondement de l'enveloppe régionale.",
    ),
    (
        "vimeu",
        S.NON_RETENUE,
        "Score insuffisant : la gouvernance commune n'est pas encore structurée (aucun COPIL "
        "constitué) et les coopérations antérieures entre les organismes ne sont pas démontrées. "
        "La grappe est invitée à présenter un dossier consolidé à l'appel 2027.",
    ),
]


def regional_2026(region, people):
    """The Hauts-de-France 2026 call and its eight dossiers (see the module's docstring)."""
    ars = people["ars"]
    aap, _ = Aap.objects.get_or_create(
        name=REGIONAL_2026,
        defaults={
            "kind": TypeAap.GENERALISATION,
            "year": 2026,
            "region": region,
            "opens_on": datetime.date(2026, 6, 1),
            "closes_on": datetime.date(2026, 9, 30),
            "sad_domains": ["pa", "ph", "domicile"],
            "finance_amoa": True,
            "regles_source": (
                "Instruction nationale de généralisation, reprise par l'ARS Hauts-de-France "
                "(seuils et barème par défaut, à confirmer)."
            ),
        },
    )
    # The envelope retains two dossiers and leaves the third on the waiting list.
    campagne = _campagne(aap, _at(2026, 6, 1, 9), _at(2026, 9, 30, 12), Decimal("1800000.00"), ars)
    seconde = Seeder().person(*INSTRUCTEUR_2)
    ArsAgent.objects.get_or_create(user=seconde, region=region)

    dossiers = {}
    for offset, spec in enumerate(demo_grappes.GRAPPES):
        grappe, chef, created = demo_grappes.build(spec, region, aap, offset)
        if created:
            Grappe.objects.filter(pk=grappe.pk).update(created_at=_at(2026, 5, 4, 9))
        if Candidature.objects.filter(campagne=campagne, grappe=grappe).exists():
            continue
        filed = FILINGS.get(spec.key)
        started = (filed or _at(2026, 9, 21, 9)) - datetime.timedelta(days=40)
        # The Boulonnais's dossier was started and never filed: two sections and one piece.
        candidature = _brouillon(
            campagne,
            grappe,
            chef,
            spec.territoire,
            started,
            complete=filed is not None,
            extra=spec.sections,
        )
        if filed is None:
            _joindre(candidature, campagne.pieces.first(), chef, started)
            continue
        _deposer(candidature, chef, filed)
        dossiers[spec.key] = candidature
    if not dossiers:
        return campagne  # already played

    _designer(campagne, [ars, seconde], ars, _at(2026, 10, 1, 9))
    for key, (notes_ars, notes_seconde) in NOTES.items():
        first, second = GRID_DATES[key]
        _grille(dossiers[key], ars, notes_ars, first)
        _grille(dossiers[key], seconde, notes_seconde, second)
        # The second grid made it instructed: its statut changed then, not today.
        Candidature.objects.filter(pk=dossiers[key].pk).update(updated_at=second)

    # The Saint-Quentinois's budget came unsigned: the pieces were asked for before any grid,
    # and the answer is late today.
    demande_le = _at(2026, 10, 15, 10, 30)
    with _backdated(demande_le):
        demande = instruction.demander_pieces(
            dossiers["saint_quentinois"],
            "Budget prévisionnel signé par le représentant légal du porteur, et lettre "
            "d'engagement de la Fondation saint-quentinoise de gérontologie.",
            datetime.date(2026, 11, 15),
            ars,
        )
    DemandePieces.objects.filter(pk=demande.pk).update(demandee_le=demande_le)
    Candidature.objects.filter(pk=demande.candidature_id).update(updated_at=demande_le)

    # The Douaisis, filed just before the closing: one grid submitted, the other a draft.
    _grille(dossiers["douaisis"], ars, [8, 6, 7, 7], _at(2026, 11, 18, 14))
    _grille(
        dossiers["douaisis"],
        seconde,
        [7, 6],
        _at(2026, 11, 30, 11),
        "Notes provisoires, à compléter après l'échange avec le porteur.",
        submit=False,
    )

    comite = datetime.datetime.combine(COMITE, datetime.time(17), tzinfo=PARIS)
    for key, decision, motif in DECISIONS:
        _decider(dossiers[key], decision, motif, ars, comite)

    calaisis = Candidature.objects.get(pk=dossiers["calaisis"].pk)
    convention = _preparer(calaisis, calaisis.montant_demande, "", ars, _at(2026, 11, 27, 11))
    signed_on = datetime.date(2026, 12, 2)
    with _backdated(_at(2026, 12, 2, 15)):
        conventions.signer(convention, signed_on, ars)
    cambresis = Candidature.objects.get(pk=dossiers["cambresis"].pk)
    _preparer(
        cambresis,
        cambresis.montant_demande - Decimal("40000.00"),
        "Équipement matériel ramené à 13 établissements : deux EHPAD ont renouvelé leurs "
        "postes en 2025 sur leurs fonds propres.",
        ars,
        _at(2026, 12, 3, 10),
    )
    return campagne
