"""The minutes' workflow (projets.comptes_rendus): draft, snapshot, submission, avis with the
COPIL's rule (unanimity, quorum), requested changes, validation, diffusion, locking, versions,
and the 8-working-day deadline (Alsace-Moselle)."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from approbations.models import Avis
from config.celery import app as celery_app
from grappe.enums import RegleValidation, RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, Departement, HistoryEntry
from projets import comptes_rendus as workflow
from projets.comptes_rendus import CompteRenduOuvert
from projets.enums import AvisCompteRendu, Presence, StatutCompteRendu
from projets.models import CompteRendu, Decision, Participant
from projets.tasks import send_compte_rendu_diffusion
from projets.validation import ValidationRefusee
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.factories import copil_voters
from tests.projets.helpers_comptes_rendus import draft, full_meeting, meeting, suivi_member
from users.models import Civilite

pytestmark = pytest.mark.django_db

APPROUVE = AvisCompteRendu.APPROUVE
MODIFS = AvisCompteRendu.MODIFICATIONS


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(db):
    grappe = GrappeFactory(name="Grappe de l'Artois")
    chef = RoleFactory(
        grappe=grappe,
        kind=RoleKind.CHEF_PROJET,
        user=UserFactory(email="chef@exemple.fr", first_name="Claire", last_name="Dupont"),
    ).user
    reunion = full_meeting(grappe, chef)
    return grappe, chef, reunion


def set_rule(grappe, regle, quorum=None):
    Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).update(
        regle_validation=regle, quorum=quorum
    )


def submitted(reunion, chef, synthese="Synthèse de la séance."):
    cr = workflow.create_draft(reunion, chef)
    workflow.save_draft(cr, chef, synthese, {})
    return workflow.submit(cr, chef)


def refresh(cr):
    return CompteRendu.objects.get(pk=cr.pk)


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------


def test_snapshot_holds_attendance_points_decisions_actions_and_synthese(setup):
    grappe, chef, reunion = setup
    point = reunion.points.get(ordre=1)
    point.discussion = "L'éditeur présente l'état du paramétrage."
    point.save()
    content = workflow.snapshot(reunion, "Séance productive.")
    assert content["reunion"]["titre"] == "COPIL n° 2 — lancement du déploiement"
    assert content["reunion"]["instance"] == "Comité de pilotage (COPIL)"
    assert [(p["nom"], p["presence_label"], p["externe"]) for p in content["participants"]] == [
        ("Élodie Lefèvre", "Présent", False),
        ("Hervé Ménard", "Excusé", False),
        ("Agnès Prévost (éditeur)", "Présent", True),
    ]
    assert [(p["ordre"], p["titre"], p["discussion"]) for p in content["points"]] == [
        (1, "Avancement du paramétrage", "L'éditeur présente l'état du paramétrage."),
        (2, "Calendrier de la reprise des données", ""),
    ]
    assert content["decisions"] == [
        {
            "texte": "Le paramétrage des droits d'accès est validé.",
            "point": "1. Avancement du paramétrage",
            "jalon": "",
            "jalon_decision": "",
        }
    ]
    assert [
        (a["titre"], a["responsable"], a["echeance"], a["statut_label"]) for a in content["actions"]
    ] == [
        ("Envoyer la liste des référents à l'éditeur", "Claire Dupont", "2026-06-12", "À faire"),
        ("Préparer la réunion de reprise des données", "Élodie Lefèvre", None, "En cours"),
    ]
    assert content["synthese"] == "Séance productive."
    shown = workflow.for_display(content)
    assert shown["actions"][0]["echeance"] == datetime.date(2026, 6, 12)
    assert shown["reunion"]["debut"].hour == 14


# ---------------------------------------------------------------------------------------------
# Draft
# ---------------------------------------------------------------------------------------------


def test_create_draft_is_version_1_and_refuses_a_second_open_one(setup):
    grappe, chef, reunion = setup
    cr = workflow.create_draft(reunion, chef)
    assert (cr.numero, cr.statut, cr.redige_par) == (1, StatutCompteRendu.BROUILLON, chef)
    assert HistoryEntry.objects.filter(
        grappe=grappe, action="Rédaction du compte rendu commencée"
    ).exists()
    with pytest.raises(CompteRenduOuvert) as refus:
        workflow.create_draft(reunion, chef)
    assert refus.value.compte_rendu == cr
    assert CompteRendu.objects.filter(reunion=reunion).count() == 1


def test_save_draft_writes_synthese_and_discussions_of_this_meeting_only(setup):
    grappe, chef, reunion = setup
    other = meeting(grappe, titre="Atelier reprise")
    foreign = other.points.first()
    cr = workflow.create_draft(reunion, chef)
    first, second = reunion.points.order_by("ordre")
    changed = workflow.save_draft(
        cr,
        chef,
        "  Synthèse de la séance.  ",
        {first.pk: "Échanges nourris.", second.pk: "", foreign.pk: "Intrusion"},
    )
    assert changed == ["synthèse", "échanges du point 1"]
    assert refresh(cr).synthese == "Synthèse de la séance."
    first.refresh_from_db()
    foreign.refresh_from_db()
    assert first.discussion == "Échanges nourris."
    assert foreign.discussion == ""
    entry = HistoryEntry.objects.get(grappe=grappe, action="Compte rendu modifié")
    assert entry.changes["Modifié"] == "synthèse, échanges du point 1"


# ---------------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------------


def test_submit_freezes_the_content_and_mails_every_voter_only(
    setup, settings, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    copil_member(grappe, UserFactory(email="invite@exemple.fr"), role=RoleComite.INVITE)
    with django_capture_on_commit_callbacks(execute=True):
        cr = submitted(reunion, chef, "Synthèse figée.")
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.SOUMIS
    assert cr.submitted_at is not None
    assert cr.content["synthese"] == "Synthèse figée."
    assert cr.content["tour"] == 1
    assert len(cr.content["participants"]) == 3
    # Later changes to the meeting do not change the submitted minutes.
    Decision.objects.create(reunion=reunion, texte="Décision ajoutée après coup.")
    Participant.objects.filter(reunion=reunion).update(presence=Presence.ABSENT)
    shown = workflow.content_of(refresh(cr))
    assert [d["texte"] for d in shown["decisions"]] == [
        "Le paramétrage des droits d'accès est validé."
    ]
    assert shown["participants"][0]["presence_label"] == "Présent"
    assert sorted(message.to[0] for message in mail.outbox) == sorted(v.email for v in voters)
    message = mail.outbox[0]
    assert message.subject.startswith("À valider : compte rendu — COPIL n° 2")
    link = f"{settings.SITE_URL}/projet/grappes/{grappe.pk}/reunions/{reunion.pk}/compte-rendu/{cr.pk}/"
    assert link in message.body
    assert HistoryEntry.objects.filter(
        grappe=grappe, action="Compte rendu soumis à la validation du COPIL"
    ).exists()


def test_submit_refusals(setup, frozen_now):
    grappe, chef, reunion = setup
    cr = workflow.create_draft(reunion, chef)
    with pytest.raises(ValidationRefusee, match="aucun membre votant"):
        workflow.submit(cr, chef)
    copil_voters(grappe, 1)
    future = meeting(grappe, day=datetime.date(2026, 7, 1), titre="COPIL n° 3")
    future_cr = workflow.create_draft(future, chef)
    with pytest.raises(ValidationRefusee, match="pas encore eu lieu"):
        workflow.submit(future_cr, chef)
    workflow.submit(cr, chef)
    with pytest.raises(ValidationRefusee, match="soumis à validation"):
        workflow.submit(cr, chef)
    assert refresh(future_cr).statut == StatutCompteRendu.BROUILLON


# ---------------------------------------------------------------------------------------------
# Avis and the COPIL's rule
# ---------------------------------------------------------------------------------------------


def test_unanimity_of_three_voters_validates_on_the_third_approval_and_diffuses(
    setup, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 3)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    workflow.record_avis(cr, voters[1], APPROUVE, "Très clair.")
    assert refresh(cr).statut == StatutCompteRendu.SOUMIS
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(cr, voters[2], APPROUVE)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.locked
    assert cr.validated_at is not None and cr.diffused_at is not None
    validation = cr.content["validation"]
    assert [row["nom"] for row in validation["approbations"]] == [
        workflow.person(voter) for voter in voters
    ]
    assert validation["regle"] == "approbation de tous les membres votants du COPIL, soit 3"
    actions = list(
        HistoryEntry.objects.filter(grappe=grappe).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == ["Compte rendu validé par le COPIL", "Compte rendu diffusé"]
    # Diffused to the grappe's people: the chef de projet (the only role holder) and the COPIL.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["chef@exemple.fr", *(voter.email for voter in voters)]
    )


def test_quorum_of_two_out_of_four(setup):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 4)
    set_rule(grappe, RegleValidation.QUORUM, 2)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    assert refresh(cr).statut == StatutCompteRendu.SOUMIS
    workflow.record_avis(cr, voters[1], APPROUVE)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.content["validation"]["regle"] == (
        "quorum de 2 approbations sur 4 membres votants du COPIL"
    )
    with pytest.raises(ValidationRefusee, match="verrouillée"):
        workflow.record_avis(cr, voters[2], APPROUVE)
    assert cr.avis.count() == 2


def test_requested_changes_send_it_back_with_the_comment_then_a_new_round(
    setup, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    with pytest.raises(ValidationRefusee, match="commentaire est obligatoire"):
        workflow.record_avis(cr, voters[1], MODIFS, "   ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(cr, voters[1], MODIFS, "Mon intervention sur le budget manque.")
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.MODIFICATIONS
    assert not cr.locked
    # The comment is kept, the writer is told.
    assert cr.avis.get(user=voters[1]).comment == "Mon intervention sur le budget manque."
    assert [message.to for message in mail.outbox] == [["chef@exemple.fr"]]
    assert "Mon intervention sur le budget manque." in mail.outbox[0].body
    assert f"/compte-rendu/{cr.pk}/modifier/" in mail.outbox[0].body
    # Nobody answers a version sent back.
    with pytest.raises(ValidationRefusee, match="n'est pas soumise"):
        workflow.record_avis(cr, voters[0], APPROUVE)

    # The writer corrects and submits again: a new round, everybody answers again.
    workflow.save_draft(cr, chef, "Synthèse complétée : budget présenté.", {})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(cr, chef)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.SOUMIS
    assert not Avis.objects.for_document(cr, tour=2).exists()
    assert cr.content["tour"] == 2
    # The first round's answers stay, as rows of round 1 (no more archived in the content).
    assert [
        (a.user, a.decision, a.comment, a.tour) for a in Avis.objects.for_document(cr, tour=1)
    ] == [
        (voters[0], APPROUVE, "", 1),
        (voters[1], MODIFS, "Mon intervention sur le budget manque.", 1),
    ]
    assert "avis_precedents" not in cr.content
    assert [
        (a["nom"], a["decision"], a["commentaire"], a["tour"])
        for _, answers in workflow.previous_rounds(cr)
        for a in answers
    ] == [
        (workflow.person(voters[0]), APPROUVE, "", 1),
        (workflow.person(voters[1]), MODIFS, "Mon intervention sur le budget manque.", 1),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(v.email for v in voters)
    assert "version corrigée" in mail.outbox[0].body
    for voter in voters:
        workflow.record_avis(cr, voter, APPROUVE)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.content["synthese"] == "Synthèse complétée : budget présenté."
    assert [(tour, len(answers)) for tour, answers in workflow.previous_rounds(cr)] == [(1, 2)]
    assert Avis.objects.for_document(cr).count() == 4


def test_earlier_rounds_show_their_rows_and_what_the_archive_kept(setup):
    """Answers archived by name before rounds were rows, whose author the data migration could
    not find again, stay in the content through the next submissions and show beside the rows
    of their round."""
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], MODIFS, "Le budget")
    cr = refresh(cr)
    later = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    archived = {
        "tour": 1,
        "nom": "Claire Roux",
        "decision": MODIFS,
        "decision_label": "Demande des modifications",
        "commentaire": "Le lieu",
        "le": later,
    }
    cr.content = {**cr.content, "avis_precedents": [archived]}
    cr.save(update_fields=["content"])
    workflow.submit(cr, chef)
    cr = refresh(cr)
    assert cr.content["avis_precedents"] == [archived]
    ((tour, answers),) = workflow.previous_rounds(cr)
    assert tour == 1
    assert [(a["nom"], a["decision_label"], a["commentaire"]) for a in answers] == [
        (workflow.person(voters[0]), "Demande des modifications", "Le budget"),
        ("Claire Roux", "Demande des modifications", "Le lieu"),
    ]
    # The new round asks everybody again, the one who asked for changes too.
    assert list(CompteRendu.objects.awaiting(voters[0])) == [cr]
    workflow.record_avis(cr, voters[0], APPROUVE)
    assert not CompteRendu.objects.awaiting(voters[0]).exists()


def test_a_member_answers_once_per_round(setup):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    with pytest.raises(ValidationRefusee, match="déjà donné votre avis"):
        workflow.record_avis(cr, voters[0], APPROUVE)
    with pytest.raises(ValidationRefusee, match="Avis inconnu"):
        workflow.record_avis(cr, voters[1], "rejette", "Non")


def test_only_voting_members_of_this_grappe_give_an_avis(setup):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    invite = copil_member(grappe, role=RoleComite.INVITE)
    other = GrappeFactory()
    outsider = copil_member(other)
    cr = submitted(reunion, chef)
    for user in (invite, outsider, chef):
        with pytest.raises(ValidationRefusee, match="membres votants du COPIL de cette grappe"):
            workflow.record_avis(cr, user, APPROUVE)
    assert Avis.objects.count() == 0
    assert voters


def test_a_member_who_left_the_copil_no_longer_counts(setup):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 3)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    ComiteMember.objects.filter(user=voters[0]).delete()
    workflow.record_avis(cr, voters[1], APPROUVE)
    assert refresh(cr).statut == StatutCompteRendu.SOUMIS
    workflow.record_avis(cr, voters[2], APPROUVE)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert len(cr.content["validation"]["approbations"]) == 2


# ---------------------------------------------------------------------------------------------
# Diffusion
# ---------------------------------------------------------------------------------------------


def test_diffusion_mails_role_holders_and_comite_de_suivi_once_each_with_the_pdf(
    setup, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voter = copil_voters(grappe, 1)[0]
    referent = RoleFactory(
        grappe=grappe, kind=RoleKind.REFERENT_DUI, user=UserFactory(email="ref@exemple.fr")
    ).user
    RoleFactory(grappe=grappe, kind=RoleKind.SPONSOR, user=referent)  # two roles, one e-mail
    suivi_member(grappe, UserFactory(email="suivi@exemple.fr"))
    suivi_member(grappe, chef)  # chef de projet and member of the comité de suivi
    suivi_member(grappe, UserFactory(email="parti@exemple.fr", is_active=False))
    other = GrappeFactory()
    RoleFactory(grappe=other, user=UserFactory(email="ailleurs@exemple.fr"))
    cr = submitted(reunion, chef)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(cr, voter, APPROUVE)
    # The voting member holds no role on the grappe: as a COPIL member they receive it too.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["chef@exemple.fr", "ref@exemple.fr", "suivi@exemple.fr", voter.email]
    )
    message = mail.outbox[0]
    assert message.subject.startswith("Compte rendu validé par le COPIL — COPIL n° 2")
    assert f"/projet/grappes/{grappe.pk}/bibliotheque/" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert filename == "compte-rendu-copil-n-2-lancement-du-deploiement-2026-06-02-v1.pdf"
    entry = HistoryEntry.objects.get(grappe=grappe, action="Compte rendu diffusé")
    assert entry.changes["Destinataires"].startswith("4 personnes")


def test_diffuse_only_a_validated_version(setup):
    grappe, chef, reunion = setup
    cr = draft(reunion, chef)
    with pytest.raises(ValidationRefusee, match="Seul un compte rendu validé"):
        workflow.diffuse(cr, chef)
    cr.statut = StatutCompteRendu.DIFFUSE
    cr.save()
    with pytest.raises(ValidationRefusee, match="déjà diffusée"):
        workflow.diffuse(cr, chef)


# ---------------------------------------------------------------------------------------------
# Locking and versions
# ---------------------------------------------------------------------------------------------


def test_a_validated_version_is_locked_and_corrected_by_a_new_version(setup):
    grappe, chef, reunion = setup
    voter = copil_voters(grappe, 1)[0]
    cr = submitted(reunion, chef, "Synthèse v1.")
    workflow.record_avis(cr, voter, APPROUVE)
    cr = refresh(cr)
    frozen = dict(cr.content)
    with pytest.raises(ValidationRefusee, match="ne peut plus être modifiée"):
        workflow.save_draft(cr, chef, "Autre chose", {})
    with pytest.raises(ValidationRefusee):
        workflow.submit(cr, chef)
    with pytest.raises(ValidationRefusee, match="verrouillée"):
        workflow.record_avis(cr, voter, APPROUVE)

    v2 = workflow.new_version(cr, chef)
    assert (v2.numero, v2.statut, v2.synthese) == (2, StatutCompteRendu.BROUILLON, "Synthèse v1.")
    assert refresh(cr).content == frozen
    assert refresh(cr).statut == StatutCompteRendu.DIFFUSE
    assert HistoryEntry.objects.filter(
        grappe=grappe, action="Nouvelle version du compte rendu"
    ).exists()
    # One correction at a time; a draft is corrected in place.
    with pytest.raises(CompteRenduOuvert):
        workflow.new_version(cr, chef)
    with pytest.raises(ValidationRefusee, match="n'est pas validée"):
        workflow.new_version(v2, chef)
    with pytest.raises(CompteRenduOuvert):
        workflow.create_draft(reunion, chef)
    # The correction goes through the same validation.
    workflow.save_draft(v2, chef, "Synthèse v2.", {})
    workflow.submit(v2, chef)
    workflow.record_avis(v2, voter, APPROUVE)
    assert refresh(v2).statut == StatutCompteRendu.DIFFUSE
    assert refresh(v2).content["synthese"] == "Synthèse v2."
    # …after which create_draft starts version 3 from the last synthèse.
    v3 = workflow.create_draft(reunion, chef)
    assert (v3.numero, v3.synthese) == (3, "Synthèse v2.")


def test_only_the_latest_version_is_submitted(setup):
    grappe, chef, reunion = setup
    copil_voters(grappe, 1)
    old = draft(reunion, chef, numero=1)
    draft(reunion, chef, numero=2)
    with pytest.raises(ValidationRefusee, match="dernière version"):
        workflow.submit(old, chef)


# ---------------------------------------------------------------------------------------------
# Deadline: 8 working days, Alsace-Moselle aware
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("departement", "deadline"),
    [("59", datetime.date(2026, 4, 13)), ("57", datetime.date(2026, 4, 14))],
)
def test_deadline_around_easter_2026_nord_and_moselle(setup, departement, deadline):
    """Meeting on Tuesday 31 March 2026: Easter Monday (6 April) is a holiday everywhere, Good
    Friday (3 April) only in Alsace-Moselle."""
    grappe, chef, _ = setup
    grappe.porteur.departement = Departement.objects.get(code=departement)
    grappe.porteur.save()
    reunion = meeting(grappe, day=datetime.date(2026, 3, 31))
    assert reunion.minutes_deadline() == deadline
    info = workflow.deadline_status(reunion, today=datetime.date(2026, 4, 9))
    days = 2 if departement == "59" else 3
    assert info["days_left"] == days
    assert info["label"] == (
        f"À transmettre au plus tard le {deadline:%d/%m/%Y}, dans {days} jours ouvrés."
    )
    late = workflow.deadline_status(reunion, today=datetime.date(2026, 4, 15))
    assert late["late"]
    assert late["days_late"] == (2 if departement == "59" else 1)


def test_deadline_labels(setup):
    grappe, chef, reunion = setup  # 2 June 2026 → 12 June 2026
    assert workflow.deadline_status(reunion, today=datetime.date(2026, 6, 12))["label"] == (
        "À transmettre au plus tard le 12/06/2026, aujourd'hui."
    )
    assert workflow.deadline_status(reunion, today=datetime.date(2026, 6, 11))["label"] == (
        "À transmettre au plus tard le 12/06/2026, dans 1 jour ouvré."
    )
    assert workflow.deadline_status(reunion, today=datetime.date(2026, 6, 13))["label"] == (
        "En retard : l'échéance du 12/06/2026 est dépassée."
    )
    assert workflow.deadline_status(reunion, today=datetime.date(2026, 6, 17))["label"] == (
        "En retard de 3 jours ouvrés : à transmettre au plus tard le 12/06/2026."
    )
    copil_voters(grappe, 1)
    cr = submitted(reunion, chef)  # today, 15 June: one working day late
    info = workflow.deadline_status(reunion, refresh(cr))
    assert info["late"] and cr.is_late()
    assert info["label"] == (
        "Transmis au COPIL le 15/06/2026, en retard de 1 jour ouvré (au plus tard le 12/06/2026)."
    )
    corrective = CompteRendu(reunion=reunion, numero=2)
    assert not workflow.deadline_status(reunion, corrective)["applies"]


# ---------------------------------------------------------------------------------------------
# Inbox rows
# ---------------------------------------------------------------------------------------------


def test_awaiting_rows_for_the_inbox(setup):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 2)
    cr = submitted(reunion, chef)
    workflow.record_avis(cr, voters[0], APPROUVE)
    assert workflow.awaiting_rows(voters[0]) == []
    (row,) = workflow.awaiting_rows(voters[1])
    assert row["kind"] == "Compte rendu"
    assert row["titre"] == "Compte rendu — COPIL n° 2 — lancement du déploiement"
    assert row["contexte"] == "Comité de pilotage (COPIL) du 02/06/2026"
    assert row["detail"] == "Version 1"
    assert row["days"] == 0
    assert row["url"] == cr.get_absolute_url()


# ---------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)
# ---------------------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_last_approvals_still_validate_once():
    if connection.vendor != "postgresql":
        pytest.skip("Verrou de ligne (SELECT … FOR UPDATE) : vérifié sur PostgreSQL.")
    grappe = GrappeFactory()
    chef = RoleFactory(grappe=grappe, kind=RoleKind.CHEF_PROJET).user
    voters = copil_voters(grappe, 2)
    reunion = meeting(grappe)
    cr = submitted(reunion, chef)
    barrier = threading.Barrier(len(voters))
    errors = []

    def approve(user):
        try:
            barrier.wait(timeout=10)
            workflow.record_avis(CompteRendu.objects.get(pk=cr.pk), user, APPROUVE)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert HistoryEntry.objects.filter(grappe=grappe, action="Compte rendu diffusé").count() == 1


def test_a_voter_leaving_the_copil_validates_and_diffuses_the_waiting_minutes(
    setup, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voters = copil_voters(grappe, 3)
    cr = submitted(reunion, chef)
    for voter in voters[:2]:
        workflow.record_avis(cr, voter, APPROUVE)
    assert refresh(cr).statut == StatutCompteRendu.SOUMIS
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ComiteMember.objects.get(comite__grappe=grappe, user=voters[2]).delete()
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.content["validation"]["regle"] == (
        "approbation de tous les membres votants du COPIL, soit 2"
    )
    assert mail.outbox and all(m.attachments for m in mail.outbox)


def test_minutes_sent_back_after_the_deadline_keep_their_on_time_transmission(setup, frozen_now):
    grappe, chef, reunion = setup  # meeting 2 June; deadline Friday 12 June (Nord)
    voter = copil_voters(grappe, 1)[0]
    frozen_now.move_to("2026-06-04 10:00 +0200")
    cr = submitted(reunion, chef)
    frozen_now.move_to("2026-06-17 10:00 +0200")
    workflow.record_avis(cr, voter, workflow.DEMANDE_MODIFICATIONS, "Préciser le calendrier.")
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.MODIFICATIONS and not cr.is_late()
    assert workflow.deadline_status(reunion, cr)["label"] == (
        "Transmis au COPIL le 04/06/2026, dans le délai (au plus tard le 12/06/2026)."
    )
    frozen_now.move_to("2026-06-18 10:00 +0200")
    cr = workflow.submit(cr, chef)
    assert timezone.localdate(cr.first_submitted_at) == datetime.date(2026, 6, 4)
    assert not workflow.deadline_status(reunion, cr)["late"]


def test_a_failed_diffusion_is_retried_by_the_task(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    grappe, chef, reunion = setup
    voter = copil_voters(grappe, 1)[0]
    cr = submitted(reunion, chef)
    real_send = workflow.send_templated_mail
    failures = []

    def flaky(*args, **kwargs):
        if not failures:
            failures.append("refused")
            raise ConnectionRefusedError("relais SMTP indisponible")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(workflow, "send_templated_mail", flaky)
    mail.outbox.clear()
    # As on a worker: the task's failure is caught and retried, not raised to the caller.
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.record_avis(cr, voter, APPROUVE)
    finally:
        celery_app.conf.task_eager_propagates = propagates
    assert failures == ["refused"]
    assert refresh(cr).statut == StatutCompteRendu.DIFFUSE
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["chef@exemple.fr", voter.email])


def test_the_diffusion_task_delivered_twice_mails_once(setup, django_capture_on_commit_callbacks):
    """acks_late: a worker lost after sending delivers the task again; it finds the e-mails
    sent and sends nothing."""
    grappe, chef, reunion = setup
    voter = copil_voters(grappe, 1)[0]
    cr = submitted(reunion, chef)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(cr, voter, APPROUVE)
    sent = len(mail.outbox)
    assert sent == 2 and refresh(cr).diffusion_mailed_at is not None
    assert send_compte_rendu_diffusion.apply(args=(cr.pk,)).get() == 0
    assert len(mail.outbox) == sent


# ---------------------------------------------------------------------------------------------
# Nobody validates their own minutes (issue 21)
# ---------------------------------------------------------------------------------------------


def test_the_writer_on_the_copil_does_not_validate_their_own_minutes(
    setup, django_capture_on_commit_callbacks
):
    """The minutes' writer, also a voting COPIL member, saw « Approuver » on her own minutes. A
    COPIL of two under unanimity: the other member validates alone, no deadlock."""
    grappe, chef, reunion = setup
    copil_member(grappe, chef)
    (other,) = copil_voters(grappe, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cr = submitted(reunion, chef)
    assert [message.to for message in mail.outbox] == [[other.email]]
    assert cr.author_ids == {chef.pk}
    assert not CompteRendu.objects.awaiting(chef).exists()
    assert list(CompteRendu.objects.awaiting(other)) == [cr]
    for decision, comment in ((APPROUVE, ""), (MODIFS, "Je corrige moi-même.")):
        with pytest.raises(ValidationRefusee, match="Vous avez rédigé ou soumis ce compte rendu"):
            workflow.record_avis(cr, chef, decision, comment)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(cr, other, APPROUVE)
    cr = refresh(cr)
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.content["validation"]["regle"] == (
        "approbation de tous les membres votants du COPIL, soit 1, hors auteur du compte rendu"
    )
    assert [row["nom"] for row in cr.content["validation"]["approbations"]] == [
        workflow.person(other)
    ]


def test_the_voter_who_submits_the_minutes_does_not_validate_them(setup):
    grappe, chef, reunion = setup
    submitter, a = copil_voters(grappe, 2)
    cr = workflow.create_draft(reunion, chef)
    workflow.submit(cr, submitter)
    cr = refresh(cr)
    assert cr.submitted_by == submitter
    assert cr.author_ids == {chef.pk, submitter.pk}
    with pytest.raises(ValidationRefusee, match="Vous avez rédigé ou soumis ce compte rendu"):
        workflow.record_avis(cr, submitter, APPROUVE)
    workflow.record_avis(cr, a, APPROUVE)
    assert refresh(cr).statut == StatutCompteRendu.DIFFUSE


def test_minutes_are_not_submitted_when_their_writer_is_the_only_voter(setup):
    grappe, chef, reunion = setup
    copil_member(grappe, chef)
    cr = workflow.create_draft(reunion, chef)
    with pytest.raises(ValidationRefusee, match="pas d'autre membre votant que l'auteur"):
        workflow.submit(cr, chef)
    assert refresh(cr).statut == StatutCompteRendu.BROUILLON


def test_attendance_is_said_of_each_person(setup):
    """« Présente » for a woman of the grappe (User.civilite), « Présent » otherwise, guests
    included (their civility is unknown)."""
    _grappe, _chef, reunion = setup
    elodie = reunion.participants.get(user__first_name="Élodie").user
    elodie.civilite = Civilite.MADAME
    elodie.save()
    labels = {p["nom"]: p["presence_label"] for p in workflow.snapshot(reunion)["participants"]}
    assert labels == {
        "Élodie Lefèvre": "Présente",
        "Hervé Ménard": "Excusé",
        "Agnès Prévost (éditeur)": "Présent",
    }
