"""The COPIL's collegial rule and the deliverable workflow built on it (projets.validation)."""

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from approbations.models import Avis
from grappe.enums import RegleValidation, RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, HistoryEntry
from projets.enums import DecisionAvis, StatutVersion
from projets.models import Livrable, LivrableVersion
from projets.validation import (
    REJETEE,
    VALIDEE,
    Regle,
    ValidationRefusee,
    copil_rule,
    outcome,
    record_avis,
    submit_version,
)
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.factories import copil_voters, plan_for

APPROUVE, REJETTE, COMMENTAIRE = (
    DecisionAvis.APPROUVE,
    DecisionAvis.REJETTE,
    DecisionAvis.COMMENTAIRE,
)

# ---------------------------------------------------------------------------------------------
# The rule, pure
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "approvals, rejections, expected",
    [
        (0, 0, None),
        (2, 0, None),
        (3, 0, VALIDEE),
        (0, 1, REJETEE),
        (2, 1, REJETEE),
    ],
)
def test_unanimity_of_three_voters(approvals, rejections, expected):
    assert outcome(approvals, rejections, voters=3, required=3) == expected


@pytest.mark.parametrize(
    "approvals, rejections, expected",
    [
        (1, 0, None),
        (2, 0, VALIDEE),
        (2, 2, VALIDEE),
        (0, 2, None),
        (1, 2, None),
        (0, 3, REJETEE),
        (1, 3, REJETEE),
    ],
)
def test_quorum_of_two_out_of_four(approvals, rejections, expected):
    assert outcome(approvals, rejections, voters=4, required=2) == expected


def test_nothing_is_decided_without_voters():
    assert outcome(0, 0, voters=0, required=0) is None


def test_regle_counts_only_current_voters():
    rule = Regle(frozenset({1, 2, 3}), 3)
    decisions = [(1, APPROUVE), (2, APPROUVE), (9, APPROUVE), (9, REJETTE), (3, COMMENTAIRE)]
    assert rule.count(decisions) == (2, 0)
    assert rule.outcome(decisions) is None
    assert rule.outcome([*decisions, (3, APPROUVE)]) == VALIDEE


def test_regle_with_other_answer_names():
    """Minutes answer "approuve" or "modifications": the same rule applies."""
    rule = Regle(frozenset({1, 2}), 2)
    decisions = [(1, "approuve"), (2, "modifications")]
    assert rule.count(decisions, reject="modifications") == (1, 1)
    assert rule.outcome(decisions, reject="modifications") == REJETEE


# ---------------------------------------------------------------------------------------------
# The grappe's COPIL rule
# ---------------------------------------------------------------------------------------------


def set_rule(grappe, regle, quorum=None):
    Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).update(
        regle_validation=regle, quorum=quorum
    )


def test_copil_rule_guests_do_not_count(db):
    grappe = GrappeFactory()
    voters = copil_voters(grappe, 2)
    guest = copil_member(grappe, role=RoleComite.INVITE)
    rule = copil_rule(grappe)
    assert rule.voter_ids == {user.pk for user in voters}
    assert guest.pk not in rule.voter_ids
    assert (rule.voters, rule.required) == (2, 2)


def test_copil_rule_quorum_capped_by_the_voters(db):
    grappe = GrappeFactory()
    copil_voters(grappe, 4)
    set_rule(grappe, RegleValidation.QUORUM, 2)
    assert (copil_rule(grappe).voters, copil_rule(grappe).required) == (4, 2)
    set_rule(grappe, RegleValidation.QUORUM, 9)
    assert copil_rule(grappe).required == 4


def test_copil_rule_without_members(db):
    rule = copil_rule(GrappeFactory())
    assert (rule.voters, rule.required) == (0, 0)


# ---------------------------------------------------------------------------------------------
# The workflow
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def setup(db):
    grappe = GrappeFactory(name="Grappe de l'Artois")
    chef = RoleFactory(
        grappe=grappe,
        kind=RoleKind.CHEF_PROJET,
        user=UserFactory(email="chef@exemple.fr", first_name="Claire", last_name="Dupont"),
    ).user
    plan = plan_for(grappe, user=chef)
    livrable = Livrable.objects.get(plan=plan, reference__code="note_cadrage")
    return grappe, chef, livrable


def make_version(livrable, status=StatutVersion.DEPOSEE, numero=None, user=None):
    numero = numero or (livrable.versions.count() + 1)
    version = LivrableVersion(
        livrable=livrable,
        numero=numero,
        original_name=f"note-v{numero}.pdf",
        size=20,
        content_type="application/pdf",
        status=status,
        uploaded_by=user,
    )
    version.file.save(version.original_name, ContentFile(b"%PDF-1.4 essai"), save=False)
    version.save()
    return version


def test_submit_mails_every_voter_only(
    setup, settings, mailoutbox, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    voters = copil_voters(grappe, 2)
    copil_member(grappe, role=RoleComite.INVITE)
    version = make_version(livrable, user=chef)
    with django_capture_on_commit_callbacks(execute=True):
        submit_version(version, chef)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE
    assert version.submitted_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in voters)
    body = mailoutbox[0].body
    assert "Note de cadrage consolidée" in body
    assert f"{settings.SITE_URL}/projet/grappes/{grappe.pk}/livrables/{livrable.pk}/" in body
    assert f"{settings.SITE_URL}/projet/a-valider/" in body
    assert "&#x27;" not in body and "&amp;" not in body  # plain text, never HTML-escaped
    entry = HistoryEntry.objects.filter(grappe=grappe).first()
    assert entry.action == "Livrable soumis à la validation du COPIL"
    assert entry.user == chef


def test_submit_refusals(setup):
    grappe, chef, livrable = setup
    version = make_version(livrable)
    with pytest.raises(ValidationRefusee, match="aucun membre votant"):
        submit_version(version, chef)
    copil_voters(grappe, 1)
    make_version(livrable)
    with pytest.raises(ValidationRefusee, match="dernière version"):
        submit_version(version, chef)
    validated = make_version(livrable, status=StatutVersion.VALIDEE)
    with pytest.raises(ValidationRefusee, match="seule une version déposée"):
        submit_version(validated, chef)
    simple = Livrable.objects.get(plan=livrable.plan, reference__code="planning_amoa")
    assert not simple.validation_copil
    with pytest.raises(ValidationRefusee, match="n'est pas soumis à la validation du COPIL"):
        submit_version(make_version(simple), chef)


def test_unanimity_three_voters_validates_on_the_third_approval(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    a, b, c = copil_voters(grappe, 3)
    version = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(version, a, APPROUVE, "Très clair.")
    record_avis(version, b, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE
    assert version.decided_at is None
    with django_capture_on_commit_callbacks(execute=True):
        record_avis(version, c, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE
    assert version.locked
    assert version.decided_at is not None
    entry = HistoryEntry.objects.filter(grappe=grappe, action="Livrable validé").get()
    assert entry.user == c
    assert entry.changes["Approbations"] == "3 approbations sur les 3 requises"
    # The chef de projet is told, with the comments.
    assert [m.to for m in mailoutbox] == [[chef.email]]
    assert mailoutbox[0].subject.startswith("Livrable validé : Note de cadrage")
    assert "Très clair." in mailoutbox[0].body


def test_one_rejection_rejects_under_unanimity(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    a, b, _c = copil_voters(grappe, 3)
    version = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(version, a, APPROUVE)
    with django_capture_on_commit_callbacks(execute=True):
        record_avis(version, b, REJETTE, "Le calendrier oublie l'été.")
    version.refresh_from_db()
    assert version.status == StatutVersion.REJETEE
    assert version.decided_at is not None
    assert HistoryEntry.objects.filter(grappe=grappe, action="Livrable rejeté", user=b).exists()
    assert [m.to for m in mailoutbox] == [[chef.email]]
    assert "rejeté" in mailoutbox[0].subject
    assert "Le calendrier oublie l'été." in mailoutbox[0].body


def test_quorum_two_of_four(setup):
    grappe, _chef, livrable = setup
    a, b, c, d = copil_voters(grappe, 4)
    set_rule(grappe, RegleValidation.QUORUM, 2)

    rejected = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(rejected, a, REJETTE, "Non.")
    record_avis(rejected, b, REJETTE, "Non plus.")
    rejected.refresh_from_db()
    assert rejected.status == StatutVersion.SOUMISE  # two may still approve
    record_avis(rejected, c, REJETTE, "Toujours non.")
    rejected.refresh_from_db()
    assert rejected.status == StatutVersion.REJETEE

    validated = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(validated, a, APPROUVE)
    record_avis(validated, d, REJETTE, "Réserve.")
    record_avis(validated, b, APPROUVE)
    validated.refresh_from_db()
    assert validated.status == StatutVersion.VALIDEE


def test_guests_comment_but_do_not_vote(setup):
    grappe, _chef, livrable = setup
    (voter,) = copil_voters(grappe, 1)
    guest = copil_member(grappe, role=RoleComite.INVITE)
    version = make_version(livrable, StatutVersion.SOUMISE)
    with pytest.raises(ValidationRefusee, match="membres votants"):
        record_avis(version, guest, APPROUVE)
    record_avis(version, guest, COMMENTAIRE, "Pensez aux équipes de nuit.")
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE
    record_avis(version, voter, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


def test_a_member_decides_once_but_comments_freely(setup):
    grappe, _chef, livrable = setup
    a, _b = copil_voters(grappe, 2)
    version = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(version, a, APPROUVE)
    with pytest.raises(ValidationRefusee, match="déjà donné votre avis"):
        record_avis(version, a, APPROUVE)
    with pytest.raises(ValidationRefusee, match="déjà donné votre avis"):
        record_avis(version, a, REJETTE, "Finalement non.")
    record_avis(version, a, COMMENTAIRE, "Une précision.")
    record_avis(version, a, COMMENTAIRE, "Une autre.")
    assert Avis.objects.for_document(version).filter(user=a).count() == 3
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE


def test_avis_refused_on_deposited_validated_or_rejected_versions(setup):
    grappe, _chef, livrable = setup
    (voter,) = copil_voters(grappe, 1)
    for status, message in [
        (StatutVersion.DEPOSEE, "n'est pas soumise"),
        (StatutVersion.VALIDEE, "validée et verrouillée"),
        (StatutVersion.REJETEE, "n'est pas soumise"),
    ]:
        version = make_version(livrable, status)
        for decision in (APPROUVE, COMMENTAIRE):
            with pytest.raises(ValidationRefusee, match=message):
                record_avis(version, voter, decision, "Texte")
        assert not version.avis.exists()


def test_rejection_needs_a_comment(setup):
    grappe, _chef, livrable = setup
    (voter,) = copil_voters(grappe, 1)
    version = make_version(livrable, StatutVersion.SOUMISE)
    with pytest.raises(ValidationRefusee, match="Motivez le rejet"):
        record_avis(version, voter, REJETTE, "   ")
    assert not version.avis.exists()


def test_a_member_who_left_the_copil_no_longer_counts(setup):
    grappe, _chef, livrable = setup
    a, b = copil_voters(grappe, 2)
    version = make_version(livrable, StatutVersion.SOUMISE)
    record_avis(version, a, APPROUVE)
    ComiteMember.objects.filter(user=a).delete()
    c = copil_member(grappe)
    record_avis(version, b, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE  # a's approval no longer counts
    record_avis(version, c, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


def test_decision_mail_goes_to_every_chef_de_projet_and_the_uploader(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    second = RoleFactory(grappe=grappe, kind=RoleKind.CHEF_PROJET).user
    amoa = RoleFactory(grappe=grappe, kind=RoleKind.AMOA).user
    (voter,) = copil_voters(grappe, 1)
    version = make_version(livrable, StatutVersion.SOUMISE, user=amoa)
    with django_capture_on_commit_callbacks(execute=True):
        record_avis(version, voter, APPROUVE)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([chef.email, second.email, amoa.email])


def test_no_mail_when_nothing_is_decided(setup, mailoutbox, django_capture_on_commit_callbacks):
    grappe, _chef, livrable = setup
    a, _b = copil_voters(grappe, 2)
    version = make_version(livrable, StatutVersion.SOUMISE)
    with django_capture_on_commit_callbacks(execute=True):
        record_avis(version, a, APPROUVE)
        record_avis(version, a, COMMENTAIRE, "Bravo")
    assert mailoutbox == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_last_approvals_still_validate():
    """Both members approve at the same instant: the row lock makes the second one see the
    first's approval, so the version is validated (without it both could miss the threshold)."""
    if connection.vendor != "postgresql":
        pytest.skip("Verrou de ligne (SELECT … FOR UPDATE) : vérifié sur PostgreSQL.")
    grappe = GrappeFactory()
    plan = plan_for(grappe)
    livrable = Livrable.objects.get(plan=plan, reference__code="note_cadrage")
    voters = copil_voters(grappe, 2)
    version = make_version(livrable, StatutVersion.SOUMISE)
    barrier = threading.Barrier(len(voters))
    errors = []

    def approve(user):
        try:
            barrier.wait(timeout=10)
            record_avis(LivrableVersion.objects.get(pk=version.pk), user, APPROUVE)
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
    version.refresh_from_db()
    assert version.avis.count() == 2
    assert version.status == StatutVersion.VALIDEE
    assert HistoryEntry.objects.filter(grappe=grappe, action="Livrable validé").count() == 1


# ---------------------------------------------------------------------------------------------
# The rule weighed again when the COPIL changes
# ---------------------------------------------------------------------------------------------


def submitted_with_three_of_four(grappe, chef, livrable):
    voters = copil_voters(grappe, 4)
    version = make_version(livrable, user=chef)
    submit_version(version, chef)
    for voter in voters[:3]:
        record_avis(version, voter, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE  # unanimity: the fourth is missing
    return voters, version


def test_a_voter_leaving_the_copil_settles_the_waiting_version(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    voters, version = submitted_with_three_of_four(grappe, chef, livrable)
    with django_capture_on_commit_callbacks(execute=True):
        ComiteMember.objects.get(comite__grappe=grappe, user=voters[3]).delete()
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE
    entry = HistoryEntry.objects.filter(grappe=grappe, action="Livrable validé").get()
    assert entry.user is None
    assert mailoutbox[-1].subject == f"Livrable validé : {livrable.titre}"


def test_a_deactivated_voter_no_longer_holds_the_version_back(
    setup, django_capture_on_commit_callbacks
):
    grappe, chef, livrable = setup
    voters, version = submitted_with_three_of_four(grappe, chef, livrable)
    assert copil_rule(grappe).voters == 4
    with django_capture_on_commit_callbacks(execute=True):
        voters[3].is_active = False
        voters[3].save()
    assert copil_rule(grappe).voters == 3
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


def test_a_lowered_quorum_settles_the_waiting_version(setup, django_capture_on_commit_callbacks):
    grappe, chef, livrable = setup
    voters, version = submitted_with_three_of_four(grappe, chef, livrable)
    copil = Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL)
    copil.regle_validation, copil.quorum = RegleValidation.QUORUM, 3
    with django_capture_on_commit_callbacks(execute=True):
        copil.save()  # edited in the comité page, not by a bulk update
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


def test_a_new_voter_does_not_settle_anything(setup, django_capture_on_commit_callbacks):
    grappe, chef, livrable = setup
    voters, version = submitted_with_three_of_four(grappe, chef, livrable)
    with django_capture_on_commit_callbacks(execute=True):
        copil_member(grappe, role=RoleComite.MEMBRE)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE


# ---------------------------------------------------------------------------------------------
# Nobody approves their own document (issue 21)
# ---------------------------------------------------------------------------------------------


class Document:
    """Anything with author_ids (projets.models.AuthoredDocument)."""

    def __init__(self, *author_ids):
        self.author_ids = frozenset(author_ids)


def test_the_rule_for_a_document_leaves_its_authors_out():
    unanimity = Regle(frozenset({1, 2, 3, 4}), 4)
    mine = unanimity.for_document(Document(1, None))
    assert (mine.voter_ids, mine.required, mine.authors) == (frozenset({2, 3, 4}), 3, {1})
    assert not mine.may_decide(type("User", (), {"pk": 1})())
    # A quorum smaller than the voters left stays; an author who does not vote changes nothing.
    quorum = Regle(frozenset({1, 2, 3, 4}), 2)
    assert quorum.for_document(Document(1)).required == 2
    assert quorum.for_document(Document(9)) == Regle(frozenset({1, 2, 3, 4}), 2)
    # Under unanimity the author can never hold the document back: the others decide.
    pair = Regle(frozenset({1, 2}), 2).for_document(Document(1))
    assert pair.outcome([(1, APPROUVE), (2, APPROUVE)]) == VALIDEE
    assert pair.outcome([(2, APPROUVE)]) == VALIDEE
    assert pair.outcome([(2, REJETTE)]) == REJETEE


def test_versions_name_who_deposited_and_submitted_them(setup):
    grappe, chef, livrable = setup
    uploader = UserFactory()
    version = make_version(livrable, user=uploader)
    assert version.author_ids == {uploader.pk}
    copil_voters(grappe, 1)
    submit_version(version, chef)
    version.refresh_from_db()
    assert version.submitted_by == chef
    assert version.author_ids == {uploader.pk, chef.pk}


def test_a_voter_may_not_decide_on_the_version_they_deposited(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    """A COPIL of two under unanimity, one of whom deposited the version: the other decides
    alone, and the author is neither asked nor able to approve."""
    grappe, chef, livrable = setup
    author, other = copil_voters(grappe, 2)
    version = make_version(livrable, user=author)
    with django_capture_on_commit_callbacks(execute=True):
        submit_version(version, chef)
    assert [m.to for m in mailoutbox] == [[other.email]]
    assert not LivrableVersion.objects.awaiting(author).exists()
    assert list(LivrableVersion.objects.awaiting(other)) == [version]
    for decision in (APPROUVE, REJETTE):
        with pytest.raises(ValidationRefusee, match="Vous avez déposé ou soumis cette version"):
            record_avis(version, author, decision, "Relu.")
    record_avis(version, author, COMMENTAIRE, "Version corrigée selon vos remarques.")
    record_avis(version, other, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE
    entry = HistoryEntry.objects.get(grappe=grappe, action="Livrable validé")
    assert entry.changes["Approbations"] == "1 approbation sur 1 requise"


def test_a_voter_may_not_decide_on_the_version_they_submitted(setup):
    grappe, chef, livrable = setup
    submitter, a, b = copil_voters(grappe, 3)
    version = make_version(livrable, user=chef)
    submit_version(version, submitter)
    with pytest.raises(ValidationRefusee, match="Vous avez déposé ou soumis cette version"):
        record_avis(version, submitter, APPROUVE)
    record_avis(version, a, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE
    record_avis(version, b, APPROUVE)
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


def test_submission_refused_when_the_author_is_the_only_voter(setup):
    grappe, chef, livrable = setup
    (alone,) = copil_voters(grappe, 1)
    version = make_version(livrable, user=alone)
    with pytest.raises(ValidationRefusee, match="pas d'autre membre votant que l'auteur"):
        submit_version(version, chef)
    version.refresh_from_db()
    assert (version.status, version.submitted_by) == (StatutVersion.DEPOSEE, None)


def test_reevaluation_leaves_the_author_out(setup, django_capture_on_commit_callbacks):
    """A voter leaving the COPIL settles what waits, counted without the author."""
    grappe, chef, livrable = setup
    author, a, leaving = copil_voters(grappe, 3)
    version = make_version(livrable, user=author)
    submit_version(version, chef)
    record_avis(version, a, APPROUVE)
    with django_capture_on_commit_callbacks(execute=True):
        ComiteMember.objects.filter(user=leaving).delete()
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


# ---------------------------------------------------------------------------------------------
# A deliverable the COPIL does not validate is complete once deposited (issue 21)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [StatutVersion.SOUMISE, StatutVersion.VALIDEE, StatutVersion.REJETEE]
)
def test_a_simple_deposit_is_never_awaiting_nor_decided(setup, status):
    _grappe, _chef, livrable = setup
    simple = Livrable.objects.get(plan=livrable.plan, reference__code="synthese_auditions")
    with pytest.raises(ValueError, match="n'est pas validé par le COPIL"):
        make_version(simple, status)
    assert not simple.versions.exists()
    version = make_version(simple)  # deposited: that is all it needs
    version.status = status
    with pytest.raises(ValueError):
        version.save()


def test_migration_brings_stuck_simple_deposits_back_to_deposited(setup):
    """Rows the demo made before the rule: submitted or validated versions of deliverables the
    COPIL does not validate wait for nobody; the migration makes them deposited."""
    grappe, chef, livrable = setup
    voter = copil_voters(grappe, 1)[0]
    simple = Livrable.objects.get(plan=livrable.plan, reference__code="synthese_auditions")
    stuck = make_version(simple)
    LivrableVersion.objects.filter(pk=stuck.pk).update(
        status=StatutVersion.SOUMISE, submitted_at=timezone.now()
    )
    Avis.objects.create(document=stuck, user=voter, decision=APPROUVE)
    copil = make_version(livrable, StatutVersion.SOUMISE)
    migration = importlib.import_module("projets.migrations.0007_submitted_by_and_simple_deposits")
    migration.simple_deposits_are_deposited(django_apps, None)
    stuck.refresh_from_db()
    copil.refresh_from_db()
    assert (stuck.status, stuck.submitted_at) == (StatutVersion.DEPOSEE, None)
    assert stuck.avis.count() == 1  # what was said stays in its history
    assert copil.status == StatutVersion.SOUMISE
