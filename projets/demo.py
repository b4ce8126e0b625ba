"""Demo data of the project plan of the main grappe, at the DUI-choice stage (demo/stages.py): a
plan started in January 2026, phases 1 and 2 done with their go decisions, the éditeur
consultation (step 9) and the auditions (step 10) done, the choice of the solution (step 11)
under way: the comité de sélection chose on 24/11/2026 (amoa.demo), the COPIL's go, planned
at COPIL n° 4, waits for the rapport de choix (step 11 shows late). Every deliverable of the
finished steps deposited (those the COPIL validates, validated), a baseline taken when the
note de cadrage was approved, the cooperation risks assessed. Then the governance meetings: three COPIL whose minutes were validated and
diffused, and the COPIL n° 4 that examined the rapport de choix.

What waits for the COPIL's voters is dated from the demo's today (it runs on the real date), so
that every voter always finds work: the minutes of COPIL n° 4, submitted the working day after
it, 8 working days before their avis is due: in 2 working days, the rapport de choix submitted
after it (no avis yet) and the support of that COPIL (the president approved it). The comité de
suivi meets in 11 days. The rest are fixed dates, in the past for any today from 04/12/2026."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from approbations.models import Avis
from core.pdf import simple_pdf
from core.working_days import add_working_days, is_working_day
from grappe.enums import TypeComite
from grappe.models import Comite, HistoryEntry
from projets.comptes_rendus import DELAI_JOURS_OUVRES, snapshot
from projets.enums import (
    AvisCompteRendu,
    DecisionAvis,
    DecisionJalon,
    ModeDecision,
    Presence,
    StatutAction,
    StatutCompteRendu,
    StatutRisque,
    StatutVersion,
    TypeReunion,
)
from projets.models import (
    Action,
    Baseline,
    BaselineEtape,
    CompteRendu,
    Decision,
    Livrable,
    LivrableVersion,
    Participant,
    PointOrdreDuJour,
    Reunion,
    Risque,
    RisqueHistorique,
)
from projets.reference import risques_cooperation
from projets.services import instantiate_plan

START = datetime.date(2026, 1, 5)

# Step number → (actual start, actual end or None, progress)
PROGRESS = {
    1: (datetime.date(2026, 1, 5), datetime.date(2026, 2, 6), 100),
    2: (datetime.date(2026, 1, 19), datetime.date(2026, 2, 13), 100),
    3: (datetime.date(2026, 2, 9), datetime.date(2026, 2, 27), 100),
    4: (datetime.date(2026, 3, 2), datetime.date(2026, 4, 24), 100),
    5: (datetime.date(2026, 3, 16), datetime.date(2026, 4, 30), 100),
    6: (datetime.date(2026, 4, 6), datetime.date(2026, 6, 19), 100),
    7: (datetime.date(2026, 6, 1), datetime.date(2026, 6, 26), 100),
    8: (datetime.date(2026, 6, 22), datetime.date(2026, 7, 24), 100),
    9: (datetime.date(2026, 9, 1), datetime.date(2026, 10, 16), 100),
    10: (datetime.date(2026, 10, 19), datetime.date(2026, 11, 20), 100),
    11: (datetime.date(2026, 11, 23), None, 50),
}

# Milestone of step N → (decision, date, reasons, pour, contre, abstention)
DECISIONS = {
    3: (
        DecisionJalon.GO,
        datetime.date(2026, 3, 3),
        "Note de cadrage approuvée à l'unanimité.",
        4,
        0,
        0,
    ),
    8: (
        DecisionJalon.GO,
        datetime.date(2026, 7, 28),
        "Cahier des charges et grille des fonctionnalités validés ; publication sur le SAD en septembre.",
        3,
        0,
        1,
    ),
}

# (reference code, versions: list of (status, day, avis)); day: a date, or the days after the
# step's actual end. A finished step has all its deliverables deposited, and a deliverable the
# COPIL does not validate stays « déposée » (LivrableVersion.save refuses anything else).
LIVRABLES = {
    "note_cadrage_objectifs": [("deposee", -5, None)],
    "note_cadrage_equipe_projet": [("deposee", -2, None)],
    "note_cadrage": [("rejetee", 0, "rejette"), ("validee", 10, "approuve")],
    "cdc_existant": [("deposee", 3, None)],
    "bilan_etude_marche": [("validee", 5, "approuve")],
    "cdc_besoins_fonctionnels": [("deposee", -3, None)],
    "grille_fonctionnalites": [("validee", 4, "approuve")],
    "cdc_exigences_techniques": [("deposee", -1, None)],
    "cdc_prestations": [("deposee", -2, None)],
    "cahier_des_charges": [("validee", 2, "approuve")],
    "cadre_reponse": [("deposee", 0, None)],
    "lettres_appel_offres": [("deposee", -10, None)],
    "dossier_consultation": [("deposee", 1, None)],
    # Auditions done (step 10): their synthesis, and the éditeurs' answers to COPIL n° 3.
    "synthese_auditions": [("deposee", datetime.date(2026, 11, 13), None)],
    "complements_offres": [("deposee", datetime.date(2026, 11, 20), None)],
    # Step 11 under way: the interviews' minutes; the rapport de choix is added in seed(),
    # dated from today (RECENT).
    "cr_entretiens_candidats": [("deposee", datetime.date(2026, 11, 24), None)],
    # The AMOA's supports of the COPIL meetings, validated by the COPIL each time; the last
    # one's (COPIL n° 4, dated from today) is added in seed().
    "supports_cr_copil": [
        ("validee", datetime.date(2026, 7, 21), "approuve"),
        ("validee", datetime.date(2026, 11, 10), "approuve"),
    ],
}


def working_days_before(day, count):
    """The working day `count` working days before `day` (French public holidays)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def recent():
    """The dates of what waits for the COPIL, from the demo's today: {"copil4": the meeting,
    the working day before "submitted": its minutes' submission, 8 working days before the
    avis is due (projets.comptes_rendus.avis_deadline), in 2 working days; "suivi": the next
    comité de suivi}."""
    today = timezone.localdate()
    # Counted back from the avis' deadline, 2 working days ahead: a today that is not a
    # working day (a weekend) keeps it 2 working days ahead too.
    submitted = working_days_before(add_working_days(today, 2), DELAI_JOURS_OUVRES)
    return {
        "copil4": working_days_before(submitted, 1),
        "submitted": submitted,
        "suivi": today + datetime.timedelta(days=11),
    }


def demo_pdf(title, grappe, version):
    # A small hand-written PDF (core.pdf.simple_pdf): WeasyPrint would cost ~0.1 s a file.
    return simple_pdf(
        [
            title,
            f"Version {version} - document de démonstration de la grappe « {grappe.name} ».",
            "Ce livrable résume les travaux de l'étape et les décisions prises avec les "
            "référents des établissements.",
        ]
    )


def seed(grappe, people):  # noqa: C901 (a demo script: one branch per seeded object)
    if hasattr(grappe, "plan"):
        return grappe.plan
    porteur, amoa = people["porteur"], people["amoa"]
    voters = [people["copil1"], people["copil2"], people["copil3"], porteur]
    plan = instantiate_plan(grappe, START, porteur)
    etapes = {etape.ordre: etape for etape in plan.etapes.all()}

    baseline = Baseline.objects.create(
        plan=plan, name="Validation de la note de cadrage", created_by=porteur
    )
    BaselineEtape.objects.bulk_create(
        BaselineEtape(
            baseline=baseline, etape=e, planned_start=e.planned_start, planned_end=e.planned_end
        )
        for e in etapes.values()
    )
    Baseline.objects.filter(pk=baseline.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 18, 0))
    )

    # Auditions ran late: the COPIL pushed the deployment (steps 12–18) back by four weeks and
    # planned its go on the choice of the solution (step 11) at COPIL n° 4. The rapport de
    # choix presented there still waits for the voters' written avis: step 11 shows late.
    for numero in range(12, 19):
        etape = etapes[numero]
        etape.planned_start += datetime.timedelta(weeks=4)
        etape.planned_end += datetime.timedelta(weeks=4)
        etape.save(update_fields=["planned_start", "planned_end"])
    etape = etapes[11]
    etape.planned_end = max(etape.planned_start, recent()["copil4"])
    etape.save(update_fields=["planned_end"])
    plan.jalons.filter(etape=etape).update(planned_on=etape.planned_end)
    for numero, (start, end, progress) in PROGRESS.items():
        etape = etapes[numero]
        etape.actual_start, etape.actual_end, etape.progress = start, end, progress
        etape.save(update_fields=["actual_start", "actual_end", "progress"])
    etapes[18].skipped = True
    etapes[18].skip_reason = "Pas de prestation complémentaire prévue à ce stade."
    etapes[18].save(update_fields=["skipped", "skip_reason"])

    for jalon in plan.jalons.select_related("etape"):
        decision = DECISIONS.get(jalon.etape.ordre)
        if decision:
            value, day, reasons, pour, contre, abstention = decision
            jalon.decision, jalon.decided_on, jalon.reasons = value, day, reasons
            jalon.mode = ModeDecision.VOTE
            jalon.votes_pour, jalon.votes_contre, jalon.votes_abstention = pour, contre, abstention
            jalon.recorded_by = porteur
            jalon.recorded_at = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(18))
            )
            jalon.save()

    dates = recent()
    livrables = {
        **LIVRABLES,
        # Submitted after COPIL n° 4 examined it: no voter has answered yet.
        "rapport_choix": [("soumise", dates["submitted"], None)],
        "supports_cr_copil": [
            *LIVRABLES["supports_cr_copil"],
            ("soumise", working_days_before(dates["copil4"], 3), "partial"),
        ],
    }
    for code, versions in livrables.items():
        livrable = Livrable.objects.select_related("etape").get(plan=plan, reference__code=code)
        for numero, (status, day, avis) in enumerate(versions, start=1):
            if not isinstance(day, datetime.date):
                day = livrable.etape.actual_end + datetime.timedelta(days=day)
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            version = LivrableVersion(
                livrable=livrable,
                numero=numero,
                original_name=f"{code.replace('_', '-')}-v{numero}.pdf",
                content_type="application/pdf",
                status=status,
                uploaded_by=amoa,
                uploaded_at=moment,
                # The AMOA submits what it deposits: the voters are the COPIL's four members.
                submitted_at=moment if status != StatutVersion.DEPOSEE else None,
                submitted_by=amoa if status != StatutVersion.DEPOSEE else None,
                decided_at=moment + datetime.timedelta(days=4)
                if status in (StatutVersion.VALIDEE, StatutVersion.REJETEE)
                else None,
            )
            content = demo_pdf(livrable.titre, grappe, numero)
            version.size = len(content)
            version.file.save(version.original_name, ContentFile(content), save=False)
            version.save()
            if avis == "approuve":
                for voter in voters[:3]:
                    Avis.objects.create(
                        document=version,
                        user=voter,
                        decision=DecisionAvis.APPROUVE,
                        created_at=moment + datetime.timedelta(days=2),
                    )
            elif avis == "rejette":
                Avis.objects.create(
                    document=version,
                    user=people["copil2"],
                    decision=DecisionAvis.REJETTE,
                    comment="Le calendrier ne prévoit pas la période estivale ; merci de le revoir.",
                    created_at=moment + datetime.timedelta(days=3),
                )
            elif avis == "partial":
                Avis.objects.create(
                    document=version,
                    user=people["copil1"],
                    decision=DecisionAvis.APPROUVE,
                    created_at=moment + datetime.timedelta(days=1),
                )

    for index, risque in enumerate(risques_cooperation()):
        probabilite, impact = [(3, 4), (2, 4), (3, 3), (2, 2), (1, 3)][index % 5]
        created = Risque.objects.create(
            plan=plan,
            titre=risque["titre"],
            categorie=risque["categorie"],
            description=risque["description"],
            mitigation=risque["mitigation"],
            probabilite=probabilite,
            impact=impact,
            owner=porteur if index % 2 == 0 else amoa,
            statut=StatutRisque.EN_TRAITEMENT if index < 4 else StatutRisque.OUVERT,
            review_on=datetime.date(2026, 12, 1),
        )
        RisqueHistorique.objects.create(
            risque=created,
            probabilite=min(4, probabilite + 1),
            impact=impact,
            statut=StatutRisque.OUVERT,
            recorded_at=timezone.make_aware(datetime.datetime(2026, 2, 27, 12)),
            user=porteur,
        )
        RisqueHistorique.objects.create(
            risque=created, probabilite=probabilite, impact=impact, statut=created.statut, user=amoa
        )
    seed_reunions(grappe, plan, people)
    HistoryEntry.record(grappe, porteur, "Plan projet de démonstration chargé", plan)
    return plan


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# (kind, day, title, agenda [(title, presenter, minutes, discussion)], decisions [(text, step of
# the go/no-go milestone or None)], actions [(title, owner key, due, status)], minutes)
# minutes: "diffuse" (validated by the 4 voters, diffused), "soumis" (1 approval of 4), None.
REUNIONS = [
    (
        TypeReunion.COPIL,
        datetime.date(2026, 3, 3),
        "COPIL n° 1 — validation de la note de cadrage",
        [
            (
                "Note de cadrage, version 2",
                "Camille Lefebvre",
                45,
                "La version 2 intègre la période "
                "estivale au calendrier ; les directeurs la jugent réaliste.",
            ),
            (
                "Gouvernance et comitologie",
                "Camille Lefebvre",
                30,
                "Le comité de suivi se réunira toutes les six semaines, le COPIL à chaque jalon.",
            ),
        ],
        [("La note de cadrage est approuvée ; la phase 2 (étude de l'existant) est lancée.", 3)],
        [
            (
                "Désigner un référent DUI dans chaque établissement",
                "porteur",
                datetime.date(2026, 3, 20),
                StatutAction.FAITE,
            )
        ],
        "diffuse",
    ),
    (
        TypeReunion.COPIL,
        datetime.date(2026, 7, 28),
        "COPIL n° 2 — cahier des charges de l'éditeur",
        [
            (
                "Cahier des charges et grille des fonctionnalités",
                "Thomas Girard (AMOA)",
                60,
                "Les "
                "exigences indispensables sont arrêtées ; la reprise des données est chiffrée à part.",
            ),
            (
                "Calendrier de la consultation",
                "Thomas Girard (AMOA)",
                20,
                "Publication sur le SAD du RESAH en septembre, auditions en octobre.",
            ),
        ],
        [("Le cahier des charges est validé ; la consultation des éditeurs est lancée.", 8)],
        [
            (
                "Recenser les postes informatiques de chaque ESMS",
                "referent",
                datetime.date(2026, 9, 30),
                StatutAction.EN_COURS,
            ),
            (
                "Préparer les questions d'audition",
                "amoa",
                datetime.date(2026, 10, 5),
                StatutAction.FAITE,
            ),
        ],
        "diffuse",
    ),
    (
        TypeReunion.COPIL,
        datetime.date(2026, 11, 17),
        "COPIL n° 3 — synthèse des auditions",
        [
            (
                "Synthèse des auditions des éditeurs",
                "Thomas Girard (AMOA)",
                60,
                "Deux offres sont "
                "jugées régulières ; l'écart de coût sur trois ans reste à expliquer.",
            ),
        ],
        [("Les deux éditeurs classés en tête sont invités à préciser leur offre.", None)],
        [
            (
                "Demander aux éditeurs le détail de la reprise des données",
                "amoa",
                datetime.date(2026, 11, 23),
                StatutAction.FAITE,
            )
        ],
        "diffuse",
    ),
    # Dated from today (recent()): the minutes wait for the four voters' avis.
    (
        TypeReunion.COPIL,
        "copil4",
        "COPIL n° 4 — rapport de choix de l'éditeur",
        [
            (
                "Rapport de choix du comité de sélection",
                "Thomas Girard (AMOA)",
                60,
                "Médi-Logis couvre toutes les exigences indispensables ; son coût total sur "
                "trois ans, reprise des données comprise, reste le plus bas des offres classées.",
            ),
        ],
        [
            (
                "Le rapport de choix est soumis à la validation écrite du COPIL ; le go de "
                "l'étape 11 sera prononcé à son approbation.",
                None,
            )
        ],
        [
            (
                "Préparer la notification du marché à l'éditeur retenu",
                "amoa",
                "suivi",
                StatutAction.A_FAIRE,
            )
        ],
        "soumis",
    ),
    (
        TypeReunion.SUIVI,
        "suivi",
        "Comité de suivi — préparation du déploiement",
        [("Plan de formation des utilisateurs", "Aurélie Dubois", 45, "")],
        [],
        [],
        None,
    ),
]


def seed_reunions(grappe, plan, people):
    porteur = people["porteur"]
    voters = [people["copil1"], people["copil2"], people["copil3"], porteur]
    jalons = {jalon.etape.ordre: jalon for jalon in plan.jalons.select_related("etape")}
    comites = {comite.kind: comite for comite in Comite.objects.filter(grappe=grappe)}
    dates = recent()
    for kind, day, titre, points, decisions, actions, minutes in REUNIONS:
        day = dates.get(day, day)
        comite = comites.get(TypeComite.COPIL if kind == TypeReunion.COPIL else TypeComite.SUIVI)
        reunion = Reunion.objects.create(
            grappe=grappe,
            kind=kind,
            comite=comite,
            titre=titre,
            starts_at=at(day, 14),
            ends_at=at(day, 16),
            lieu="Siège de l'Association des Flandres, salle du conseil",
            created_by=porteur,
            invitation_sent_at=at(day - datetime.timedelta(days=14), 9),
        )
        past = minutes is not None
        for index, member in enumerate(comite.members.select_related("user") if comite else []):
            # In the past meetings one member was excused, the others present.
            presence = (Presence.EXCUSE if index == 2 else Presence.PRESENT) if past else ""
            Participant.objects.create(reunion=reunion, user=member.user, presence=presence)
        for ordre, (point, presenter, duree, discussion) in enumerate(points, start=1):
            PointOrdreDuJour.objects.create(
                reunion=reunion,
                ordre=ordre,
                titre=point,
                presenter=presenter,
                duree_minutes=duree,
                discussion=discussion,
            )
        for texte, step in decisions:
            jalon = jalons.get(step) if step else None
            Decision.objects.create(
                reunion=reunion,
                texte=texte,
                jalon=jalon,
                jalon_decision=DecisionJalon.GO if jalon else "",
            )
        for action, owner, due, statut in actions:
            due = dates.get(due, due)
            Action.objects.create(
                grappe=grappe,
                reunion=reunion,
                titre=action,
                owner=people[owner],
                due_on=due,
                statut=statut,
                closed_at=at(due, 12) if statut == StatutAction.FAITE else None,
            )
        if minutes:
            submitted = day + datetime.timedelta(days=2)
            if minutes == "soumis":
                submitted = dates["submitted"]
            seed_compte_rendu(reunion, submitted, minutes, people["amoa"], voters)


def seed_compte_rendu(reunion, day, minutes, writer, voters):
    """The minutes of `reunion`, submitted on `day`: validated by the four voters and diffused,
    or ("soumis") waiting for every voter's avis."""
    submitted = at(day, 11)
    diffused = minutes == "diffuse"
    cr = CompteRendu.objects.create(
        reunion=reunion,
        numero=1,
        statut=StatutCompteRendu.DIFFUSE if diffused else StatutCompteRendu.SOUMIS,
        synthese="Séance tenue en présence des directeurs des trois organismes gestionnaires.",
        content=snapshot(
            reunion,
            "Séance tenue en présence des directeurs des trois organismes gestionnaires.",
        ),
        redige_par=writer,
        submitted_by=writer,
        submitted_at=submitted,
        first_submitted_at=submitted,
        validated_at=submitted + datetime.timedelta(days=3) if diffused else None,
        diffused_at=submitted + datetime.timedelta(days=3) if diffused else None,
    )
    for index, voter in enumerate(voters if diffused else []):
        Avis.objects.create(
            document=cr,
            user=voter,
            decision=AvisCompteRendu.APPROUVE,
            created_at=submitted + datetime.timedelta(days=1, hours=index),
        )
