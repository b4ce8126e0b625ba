"""The stages of the demo's grappes: one region (Hauts-de-France) told at every stage of the
programme, each grappe consistent with its stage (issue 16, « a demo that tells a true story »).

The demo runs on the real date, so there is no fixed "today" for the story. Two kinds of dates:
- fixed dates that stay in the past for any today ≥ 04/12/2026 (the day the tests pin,
  tests/demo/conftest.py): the calls and their dossiers (candidatures.demo), the main grappe's
  history up to its DUI choice (projets.demo, amoa.demo);
- dates relative to `timezone.localdate()` for what must stay current: what waits for the COPIL
  of the main grappe (its last COPIL, its minutes, the rapport de choix: projets.demo), and the
  whole timeline of the grappes past their DUI choice (built here): plan, mise en service, usage
  months (up to the elapsed month), tranches. `month(n)` is the first day of the month n months
  before the current one.

The assignment (`STAGES`: grappe name → stage; `stage_of(grappe)` derives the stage from the data,
so the tests check the one against the other):

| stage | grappe | what shows it |
|---|---|---|
| constitution | Boulonnais | dossier of the HDF 2026 call started, never filed |
| dépôt | Douaisis | dossier filed, instruction under way (one grid still a draft) |
| pièces demandées | Saint-Quentinois | the ARS asked for pieces, the answer is late |
| instruite | Beauvaisis | both grids submitted after the committee: awaits the next one |
| liste d'attente | Thiérache | committee of 26/11/2026 |
| non retenue | Vimeu – Ponthieu | committee of 26/11/2026 |
| conventionnement | Cambrésis | retained, its convention prepared, not signed yet |
| consultation AMOA | Calaisis | convention signed 02/12/2026 (tranche 1 due), plan started, the AMOA call published |
| choix du DUI | Flandres – Ternois – Avesnois | the main grappe: auditions done, the comité de sélection chose, the COPIL's go on step 11 awaits the rapport de choix; tranche 1 paid, no usage data |
| déploiement | Artois | step 11 done (go), paramétrages and reprise under way, no mise en service: no usage data |
| montée en charge | Métropole lilloise | DUI in service 5 months ago, rates rising, targets not met |
| cibles atteintes, tranche due | Amiénois | in service 10 months ago, every target met last month: tranche 2 due (the ARS agent's payment to make) |
| tranche payée | Compiégnois | in service 24 months ago, targets met after a year of service, tranche 2 paid three months later |
| en difficulté | Soissonnais | in service 12 months ago, training and maintenance steps late, rates stagnating far from the targets |

The last five grappes (not in the HDF 2026 call: their conventions predate it) are built with
candidatures.demo_grappes' helpers; the first two on the national généralisation call of 2025,
the other three on the amorçage temps 2 call, older. Their DUI choice is recorded as the COPIL's
go on the step 11 milestone (their éditeur consultation itself is not seeded: only the main
grappe shows the consultation's pages). Their usage data goes through indicateurs.demo (the
product's monthly computation, once per month for all grappes).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from amoa.enums import Mission, ObjetConsultation, StatutConsultation
from amoa.models import Consultation
from candidatures import demo_grappes
from candidatures.enums import StatutCandidature
from candidatures.models import Candidature
from core.months import add_months
from core.pdf import simple_pdf
from grappe.enums import RoleKind, TypeAap
from grappe.models import Aap, Grappe, HistoryEntry, Region
from indicateurs import demo as indicateurs_demo
from indicateurs.enums import StatutTranche
from projets.enums import DecisionJalon, ModeDecision, StatutEtape, StatutVersion
from projets.models import Livrable, LivrableVersion
from projets.services import instantiate_plan
from users.models import Civilite

ASSO = demo_grappes.ASSO
OgDemo = demo_grappes.OgDemo
GrappeDemo = demo_grappes.GrappeDemo

# Stage keys, in the programme's order, with their French labels.
LABELS = {
    "constitution": "Constitution (dossier en préparation)",
    "deposee": "Dossier déposé, en instruction",
    "pieces_demandees": "Pièces complémentaires demandées",
    "instruite": "Dossier instruit",
    "liste_attente": "Liste d'attente",
    "non_retenue": "Non retenue",
    "conventionnement": "Retenue, convention à signer",
    "consultation_amoa": "Consultation de l'AMOA",
    "choix_dui": "Choix du DUI",
    "deploiement": "Déploiement",
    "montee_en_charge": "Montée en charge des usages",
    "cibles_atteintes": "Cibles atteintes, tranche 2 due",
    "tranche_payee": "Tranche 2 payée",
    "en_difficulte": "En difficulté",
}


@dataclass
class Timeline:
    """Months before the current one (`month(n)`) of a grappe's events; None: not yet."""

    convention: int
    plan_start: int
    choix_dui: int  # step 11 done (the COPIL's go)
    mise_en_service: int | None
    aap: str  # "generalisation" (national 2025) or "amorcage_t2"
    montant: Decimal


LATER = [
    (
        "deploiement",
        GrappeDemo(
            key="artois",
            name="Grappe numérique de l'Artois",
            territoire="l'Artois",
            dep="62",
            communes=[
                ("62000", "ARRAS"),
                ("62400", "BÉTHUNE"),
                ("62800", "LIÉVIN"),
                ("62300", "LENS"),
            ],
            ogs=[
                OgDemo("62950000", "ASSOCIATION ARTÉSIENNE DU GRAND ÂGE", ASSO, "pa", 8),
                OgDemo("62960000", "ASSOCIATION LES COMPAGNONS DE LA SCARPE", ASSO, "ph", 7),
            ],
            origines="Les deux associations partagent un service qualité depuis 2020.",
            enjeux="Déployer un DUI commun dans 15 établissements de l'Artois.",
            chef=(
                "cheffe.projet.artois@demo.grappe.fr",
                "Hélène",
                "Desmarets",
                "Cheffe de projet DUI",
                Civilite.MADAME,
            ),
        ),
        Timeline(10, 11, 2, None, "generalisation", Decimal("285000.00")),
    ),
    (
        "montee_en_charge",
        GrappeDemo(
            key="lille",
            name="Grappe numérique de la Métropole lilloise",
            territoire="la métropole lilloise",
            dep="59",
            communes=[
                ("59000", "LILLE"),
                ("59100", "ROUBAIX"),
                ("59200", "TOURCOING"),
                ("59650", "VILLENEUVE-D'ASCQ"),
            ],
            ogs=[
                OgDemo("59950000", "ASSOCIATION LILLOISE DES AÎNÉS", ASSO, "pa", 8),
                OgDemo("59960000", "ASSOCIATION MÉTROPOLE HANDICAP", ASSO, "ph", 7),
            ],
            origines="Les deux associations gèrent ensemble un pôle de compétences depuis 2019.",
            enjeux="Un DUI unique pour 15 établissements, la MSSanté avec le CHU de Lille.",
            chef=(
                "chef.projet.lille@demo.grappe.fr",
                "Romain",
                "Delannoy",
                "Chef de projet DUI",
                Civilite.MONSIEUR,
            ),
        ),
        Timeline(11, 11, 7, 5, "generalisation", Decimal("285000.00")),
    ),
    (
        "cibles_atteintes",
        GrappeDemo(
            key="amienois",
            name="Grappe numérique de l'Amiénois",
            territoire="l'Amiénois",
            dep="80",
            communes=[
                ("80000", "AMIENS"),
                ("80330", "LONGUEAU"),
                ("80480", "SALEUX"),
                ("80260", "POULAINVILLE"),
            ],
            ogs=[
                OgDemo("80930000", "FONDATION AMIÉNOISE DE GÉRONTOLOGIE", "Fondation", "pa", 8),
                OgDemo("80940000", "ASSOCIATION LA SOMME SOLIDAIRE", ASSO, "ph", 7),
            ],
            origines="Les deux organismes coopèrent au sein du dispositif d'appui à la coordination.",
            enjeux="Équiper 15 établissements d'un DUI et alimenter le DMP.",
            chef=(
                "cheffe.projet.amienois@demo.grappe.fr",
                "Claire",
                "Boulanger",
                "Cheffe de projet DUI",
                Civilite.MADAME,
            ),
        ),
        Timeline(30, 30, 16, 10, "amorcage_t2", Decimal("375000.00")),
    ),
    (
        "tranche_payee",
        GrappeDemo(
            key="compiegnois",
            name="Grappe numérique du Compiégnois",
            territoire="le Compiégnois",
            dep="60",
            communes=[
                ("60200", "COMPIÈGNE"),
                ("60150", "THOUROTTE"),
                ("60350", "PIERREFONDS"),
                ("60280", "MARGNY-LÈS-COMPIÈGNE"),
            ],
            ogs=[
                OgDemo("60930000", "ASSOCIATION COMPIÉGNOISE POUR L'AUTONOMIE", ASSO, "pa", 8),
                OgDemo("60940000", "ASSOCIATION LES ATELIERS DE L'OISE", ASSO, "ph", 7),
            ],
            origines="Les deux associations partagent une direction des systèmes d'information.",
            enjeux="Un DUI commun pour 15 établissements, mis en service en une vague.",
            chef=(
                "chef.projet.compiegnois@demo.grappe.fr",
                "Vincent",
                "Masson",
                "Directeur des systèmes d'information",
                Civilite.MONSIEUR,
            ),
        ),
        Timeline(40, 40, 30, 24, "amorcage_t2", Decimal("375000.00")),
    ),
    (
        "en_difficulte",
        GrappeDemo(
            key="soissonnais",
            name="Grappe numérique du Soissonnais",
            territoire="le Soissonnais",
            dep="02",
            communes=[
                ("02200", "SOISSONS"),
                ("02880", "CUFFIES"),
                ("02290", "VIC-SUR-AISNE"),
                ("02600", "VILLERS-COTTERÊTS"),
            ],
            ogs=[
                OgDemo("02950000", "ASSOCIATION SOISSONNAISE D'ENTRAIDE", ASSO, "pa", 8),
                OgDemo("02960000", "ASSOCIATION LES VALLÉES DE L'AISNE", ASSO, "ph", 7),
            ],
            origines="Les deux associations se sont rapprochées pour l'appel à projets.",
            enjeux="Sortir du papier dans 15 établissements ruraux.",
            chef=(
                "cheffe.projet.soissonnais@demo.grappe.fr",
                "Agnès",
                "Lefort",
                "Directrice adjointe, cheffe de projet",
                Civilite.MADAME,
            ),
        ),
        Timeline(34, 34, 20, 12, "amorcage_t2", Decimal("375000.00")),
    ),
]

# Every stage of the demo, by grappe name (the main grappe's name is grappe.demo's).
STAGES = {
    "Grappe numérique du Boulonnais": "constitution",
    "Grappe numérique du Douaisis": "deposee",
    "Grappe numérique du Saint-Quentinois": "pieces_demandees",
    "Grappe numérique du Beauvaisis": "instruite",
    "Grappe numérique de la Thiérache": "liste_attente",
    "Grappe numérique Vimeu – Ponthieu": "non_retenue",
    "Grappe numérique du Cambrésis": "conventionnement",
    "Grappe ESMS numérique du Calaisis": "consultation_amoa",
    "Grappe numérique Flandres – Ternois – Avesnois": "choix_dui",
    **{spec.name: stage for stage, spec, _ in LATER},
}

AMOA_CALAISIS = "Assistance à maîtrise d'ouvrage « marché » — procédure RESAH"


def today():
    return timezone.localdate()


def month(n):
    """The first day of the month `n` months before the current one."""
    return add_months(today().replace(day=1), -n)


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# ---------------------------------------------------------------------------------------------
# Deriving a grappe's stage from its data
# ---------------------------------------------------------------------------------------------


def _late(plan, day):
    return any(etape.status(day) == StatutEtape.EN_RETARD for etape in plan.etapes.all())


def stage_of(grappe):
    """The stage the data of `grappe` tells (see the module's docstring): the tests compare it
    with STAGES, so a seeding that drifts from its story fails."""
    tranche = {t.numero: t.statut for t in grappe.tranches.all()}
    if tranche.get(2) == StatutTranche.PAYEE:
        return "tranche_payee"
    if tranche.get(2) == StatutTranche.DUE:
        return "cibles_atteintes"
    plan = getattr(grappe, "plan", None)
    if grappe.memberships.filter(dui_in_service_on__isnull=False).exists():
        return "en_difficulte" if plan and _late(plan, today()) else "montee_en_charge"
    if plan and plan.etapes.filter(ordre=11, actual_end__isnull=False).exists():
        return "deploiement"
    consultations = set(grappe.consultations.values_list("objet", flat=True))
    if ObjetConsultation.EDITEUR in consultations:
        return "choix_dui"
    if ObjetConsultation.AMOA in consultations:
        return "consultation_amoa"
    candidature = Candidature.objects.filter(grappe=grappe).order_by("-pk").first()
    if candidature is None:
        return None
    return {
        StatutCandidature.BROUILLON: "constitution",
        StatutCandidature.DEPOSEE: "deposee",
        StatutCandidature.INCOMPLETE: "pieces_demandees",
        StatutCandidature.INSTRUITE: "instruite",
        StatutCandidature.LISTE_ATTENTE: "liste_attente",
        StatutCandidature.NON_RETENUE: "non_retenue",
        StatutCandidature.RETENUE: "conventionnement",
    }.get(candidature.statut, candidature.statut)


# ---------------------------------------------------------------------------------------------
# Seeding the grappes past their DUI choice
# ---------------------------------------------------------------------------------------------


def seed(people):
    """Build the later-stage grappes (idempotent: a grappe that exists is left as it is), the
    Calaisis's plan and AMOA call, then the usage data and tranches of them all."""
    region = Region.objects.get(code="32")
    aaps = {
        "generalisation": Aap.objects.get(kind=TypeAap.GENERALISATION, region__isnull=True),
        "amorcage_t2": Aap.objects.get(kind=TypeAap.AMORCAGE_T2),
    }
    grappes = {}
    for offset, (stage, spec, timeline) in enumerate(LATER, start=len(demo_grappes.GRAPPES)):
        grappe, chef, created = demo_grappes.build(spec, region, aaps[timeline.aap], offset)
        grappes[stage] = (grappe, timeline)
        if created:
            _later_grappe(grappe, chef, stage, timeline)
    seed_calaisis(people)
    indicateurs_demo.seed_stages(
        {
            stage: (grappe, timeline.mise_en_service)
            for stage, (grappe, timeline) in grappes.items()
        },
        people,
    )
    return grappes


def _later_grappe(grappe, chef, stage, timeline):
    signed_on = month(timeline.convention) + datetime.timedelta(days=14)
    Grappe.objects.filter(pk=grappe.pk).update(
        created_at=at(month(timeline.plan_start + 4)),
        convention_signed_on=signed_on,
        convention_amount=timeline.montant,
    )
    grappe.refresh_from_db()
    # Members since the grappe was formed, before its plan (demo_grappes.build dates them from
    # the 2026 call): a month's usage belongs to the grappe holding the ESMS (held_in).
    joined_on = month(timeline.plan_start + 4)
    grappe.memberships.update(joined_on=joined_on)
    grappe.og_memberships.update(joined_on=joined_on)
    plan_start = month(timeline.plan_start) + datetime.timedelta(days=3)
    plan = instantiate_plan(grappe, plan_start, chef)
    _schedule(plan, stage, timeline, chef)
    if timeline.mise_en_service is not None:
        # Recorded on the step 15 milestone, like projets:mise_en_service does; set directly
        # (not through projets.services.record_mise_en_service): its listener would recompute
        # each month per grappe, the demo computes every month once for all grappes.
        in_service = month(timeline.mise_en_service)
        grappe.memberships.filter(left_on__isnull=True).update(dui_in_service_on=in_service)
        entry = HistoryEntry.record(
            grappe,
            chef,
            "Mise en service du DUI enregistrée",
            "Mise en service du DUI",
            {"Établissements": f"{grappe.memberships.count()} ESMS le {in_service:%d/%m/%Y}"},
        )
        HistoryEntry.objects.filter(pk=entry.pk).update(created_at=at(in_service, 18))


def _spread(start, end, count):
    """`count` consecutive (start, end) periods covering [start, end]."""
    span = max((end - start).days, count)
    bounds = [start + datetime.timedelta(days=span * i // count) for i in range(count + 1)]
    return [(bounds[i], bounds[i + 1] - datetime.timedelta(days=1)) for i in range(count)]


def _schedule(plan, stage, timeline, chef):
    """The plan's dates from the timeline: steps 1–11 done by the DUI choice, 12–15 up to the
    mise en service (or under way), 16 from it, 17 (bilan) a year after it; the difficult
    grappe's training and maintenance late."""
    etapes = {etape.ordre: etape for etape in plan.etapes.all()}
    choix = month(timeline.choix_dui) + datetime.timedelta(days=20)
    periods = dict(enumerate(_spread(plan.start_on, choix, 11), start=1))
    if timeline.mise_en_service is not None:
        in_service = month(timeline.mise_en_service)
        periods.update(enumerate(_spread(choix + datetime.timedelta(days=1), in_service, 4), 12))
        periods[16] = (in_service, add_months(in_service, 60))
        periods[17] = (
            add_months(in_service, 12),
            add_months(in_service, 14) - datetime.timedelta(days=1),
        )
    else:
        # Deploying: paramétrages, reprise, recette and training planned over the next months.
        periods.update(
            enumerate(_spread(choix + datetime.timedelta(days=1), month(-5), 4), start=12)
        )
        periods[16] = (month(-5), add_months(month(-5), 24))
        periods[17] = (add_months(month(-5), 12), add_months(month(-5), 14))
    periods[18] = periods[17]
    now = today()
    for ordre, etape in etapes.items():
        start, end = periods[ordre]
        etape.planned_start, etape.planned_end = start, end
        done = end < now and not (stage == "en_difficulte" and ordre >= 15)
        if ordre == 16:
            done = False  # maintenance goes on
        etape.actual_start = start if start <= now else None
        etape.actual_end = end if done else None
        etape.progress = 100 if done else (50 if etape.actual_start else 0)
        if ordre == 18:
            etape.skipped = True
            etape.skip_reason = "Pas de prestation complémentaire prévue."
            etape.actual_start = etape.actual_end = None
            etape.progress = 0
        etape.save()
    if stage == "en_difficulte":
        # Training started with the mise en service and should have ended two months later;
        # maintenance never got organised: the steps show late.
        in_service = month(timeline.mise_en_service)
        etape = etapes[15]
        etape.planned_start = add_months(in_service, -2)
        etape.planned_end = add_months(in_service, 2)
        etape.actual_start, etape.actual_end, etape.progress = etape.planned_start, None, 40
        etape.save()
        etape = etapes[16]
        etape.actual_start, etape.progress = None, 0
        etape.save()
        etape = etapes[17]
        etape.actual_start = etape.actual_end = None
        etape.progress = 0
        etape.save()
    for jalon in plan.jalons.select_related("etape"):
        etape = jalon.etape
        if not etape.actual_end or not jalon.go_no_go:
            continue
        jalon.decision, jalon.decided_on = DecisionJalon.GO, etape.actual_end
        jalon.reasons = (
            "Éditeur retenu sur le SAD du RESAH ; rapport de choix validé par le COPIL."
            if etape.ordre == 11
            else "Go du COPIL."
        )
        jalon.mode = ModeDecision.CONSENSUS
        jalon.recorded_by = chef
        jalon.recorded_at = at(etape.actual_end, 18)
        jalon.save()
    _deposit(plan, chef)


def _deposit(plan, user):
    """One version of each deliverable of the finished steps (deposited: these grappes' COPIL
    work is not seeded), a small hand-written PDF each."""
    livrables = Livrable.objects.filter(plan=plan, etape__actual_end__isnull=False).select_related(
        "etape"
    )
    for livrable in livrables:
        day = livrable.etape.actual_end
        content = simple_pdf([livrable.titre, plan.grappe.name, f"Version du {day:%d/%m/%Y}"])
        version = LivrableVersion(
            livrable=livrable,
            numero=1,
            original_name=f"{livrable.reference.code.replace('_', '-')}-v1.pdf"
            if livrable.reference_id
            else "livrable-v1.pdf",
            content_type="application/pdf",
            status=StatutVersion.DEPOSEE,
            uploaded_by=user,
            uploaded_at=at(day),
            size=len(content),
        )
        version.file.save(version.original_name, ContentFile(content), save=False)
        version.save()


def seed_calaisis(people):
    """The Calaisis, its convention signed on 02/12/2026: the plan it started after filing,
    cadrage done, and its AMOA « marché » call published after the signature."""
    grappe = Grappe.objects.filter(name="Grappe ESMS numérique du Calaisis").first()
    if grappe is None or hasattr(grappe, "plan"):
        return
    chef = grappe.roles.filter(kind=RoleKind.CHEF_PROJET).first()
    chef = chef.user if chef else None
    plan = instantiate_plan(grappe, datetime.date(2026, 10, 5), chef)
    etapes = {etape.ordre: etape for etape in plan.etapes.all()}
    for ordre, start, end in (
        (1, datetime.date(2026, 10, 5), datetime.date(2026, 10, 30)),
        (2, datetime.date(2026, 10, 19), datetime.date(2026, 11, 13)),
        (3, datetime.date(2026, 11, 16), None),
    ):
        etape = etapes[ordre]
        etape.actual_start, etape.actual_end = start, end
        etape.progress = 100 if end else 60
        etape.save(update_fields=["actual_start", "actual_end", "progress"])
    _deposit(plan, chef)
    # Published two days after the signature (or later: the demo's today moves on), offers due
    # four weeks after the publication.
    published = max(datetime.date(2026, 12, 2), today() - datetime.timedelta(days=2))
    deadline = at(published + datetime.timedelta(days=28), 12)
    Consultation.objects.create(
        grappe=grappe,
        titre=AMOA_CALAISIS,
        missions=[Mission.MARCHE],
        budget=Decimal(15000),
        statut=StatutConsultation.PUBLIEE,
        publiee_le=published,
        questions_avant=published + datetime.timedelta(days=18),
        offres_avant=deadline,
        contact_nom=chef.get_full_name() if chef else "",
        contact_email=chef.email if chef else "",
        created_by=chef,
    ).ensure_default_criteres()
