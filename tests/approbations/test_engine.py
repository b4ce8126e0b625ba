"""The collegial-approval engine, apart from any document kind: the rule (seats, authors,
quorum and unanimity), the answers it records (rounds, refusals) and the inbox registry.

The documents here are user accounts dressed as documents (an `author_ids`, a `tour`): the
engine needs nothing else, and these tests need no grappe."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from approbations import engine, inbox
from approbations.engine import REJETEE, VALIDEE, ApprobationRefusee, Regle, Wording
from approbations.enums import Decision
from approbations.models import Avis
from projets.validation import ValidationRefusee
from tests.grappe.factories import UserFactory

APPROUVE, REJETTE, COMMENTAIRE = Decision.APPROUVE, Decision.REJETTE, Decision.COMMENTAIRE

WORDING = Wording(
    decisions=(APPROUVE, REJETTE, COMMENTAIRE),
    author_refusal="Vous êtes l'auteur.",
    voter_refusal="Vous ne votez pas.",
    already_answered="Déjà répondu.",
    already_answered_now="Déjà répondu à l'instant.",
    comment_required={REJETTE: "Motivez le refus."},
)


# ---------------------------------------------------------------------------------------------
# outcome() and the rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approvals", "rejections", "voters", "required", "expected"),
    [
        (3, 0, 3, 3, VALIDEE),  # unanimity reached
        (2, 0, 3, 3, None),
        (2, 1, 3, 3, REJETEE),  # unanimity: one refusal refuses
        (2, 0, 4, 2, VALIDEE),  # quorum
        (1, 2, 4, 2, None),  # the two missing may still approve
        (1, 3, 4, 2, REJETEE),
        (0, 0, 0, 0, None),  # nobody votes: nothing is decided
    ],
)
def test_outcome(approvals, rejections, voters, required, expected):
    assert engine.outcome(approvals, rejections, voters, required) == expected


def og_rule(required=None):
    """Three OGs; the first has two directors (users 1 and 2), sharing one seat."""
    seats = {1: "og:10", 2: "og:10", 3: "og:20", 4: "og:30"}
    return Regle(frozenset(seats), 3 if required is None else required, seats=seats)


def test_directors_of_one_og_are_one_seat():
    rule = og_rule()
    assert rule.voters == 3
    assert rule.seat_of(2) == "og:10"
    assert rule.count([(1, APPROUVE), (2, APPROUVE), (3, APPROUVE)]) == (2, 0)
    assert rule.outcome([(1, APPROUVE), (2, APPROUVE), (3, APPROUVE)]) is None


def test_the_first_decisive_answer_of_a_seat_counts():
    rule = og_rule()
    # The second director's refusal does not undo the OG's approval, nor refuse the dossier.
    assert rule.count([(1, APPROUVE), (2, REJETTE)]) == (1, 0)
    assert rule.count([(2, REJETTE), (1, APPROUVE)]) == (0, 1)
    # A comment is no answer: the seat still counts its first approval or refusal.
    assert rule.count([(1, COMMENTAIRE), (2, APPROUVE)]) == (1, 0)


def test_all_ogs_must_approve():
    rule = og_rule()
    answers = [(1, APPROUVE), (3, APPROUVE)]
    assert rule.outcome(answers) is None
    assert rule.outcome([*answers, (4, APPROUVE)]) == VALIDEE
    assert rule.outcome([*answers, (4, REJETTE)]) == REJETEE


def test_a_quorum_counts_seats():
    rule = og_rule(required=2)
    assert rule.outcome([(1, APPROUVE), (2, APPROUVE)]) is None
    assert rule.outcome([(1, APPROUVE), (4, APPROUVE)]) == VALIDEE
    assert rule.outcome([(1, REJETTE), (3, REJETTE)]) == REJETEE


def test_answers_of_people_who_no_longer_vote_are_ignored():
    rule = Regle(frozenset({1, 2}), 2)
    assert rule.voters == 2
    assert rule.seat_of(1) == ""  # a COPIL member votes for themself
    assert rule.count([(9, APPROUVE), (9, REJETTE), (1, APPROUVE)]) == (1, 0)


class Document:
    def __init__(self, *author_ids):
        self.author_ids = frozenset(author_ids)


def test_authors_are_left_out_and_the_requirement_shrinks():
    rule = Regle(frozenset({1, 2, 3}), 3).for_document(Document(1))
    assert (rule.voter_ids, rule.authors, rule.voters, rule.required) == (
        frozenset({2, 3}),
        frozenset({1}),
        2,
        2,
    )
    assert rule.outcome([(1, APPROUVE), (2, APPROUVE)]) is None
    assert rule.outcome([(2, APPROUVE), (3, APPROUVE)]) == VALIDEE


def test_an_author_director_leaves_their_og_seat_to_a_colleague():
    rule = og_rule().for_document(Document(1))
    assert rule.voters == 3  # the second director still holds the seat
    assert rule.required == 3
    rule = og_rule().for_document(Document(3))
    assert (rule.voters, rule.required) == (2, 2)  # the OG's only director wrote it


def test_refusals_name_the_author_first():
    rule = Regle(frozenset({1, 2}), 2).for_document(Document(1))
    names = {"author_refusal": "auteur", "voter_refusal": "votant"}
    with pytest.raises(ApprobationRefusee, match="auteur"):
        rule.check_decider(UserFactory.build(pk=1), **names)
    with pytest.raises(ApprobationRefusee, match="votant"):
        rule.check_decider(UserFactory.build(pk=7), **names)
    rule.check_decider(UserFactory.build(pk=2), **names)


def test_the_deliverables_refusal_is_the_engines():
    assert ValidationRefusee is ApprobationRefusee
    assert ApprobationRefusee("Non.").message == "Non."


def test_approvals_label():
    assert engine.approvals_label(1, 2) == "1 approbation sur les 2 requises"
    assert engine.approvals_label(0, 1) == "0 approbation sur 1 requise"


# ---------------------------------------------------------------------------------------------
# Recording answers, by round
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return UserFactory.create_batch(4)


def dossier(people, tour=1):
    """A document written by people[0]; people[1] and people[2] direct one OG, people[3]
    another."""
    document = people[0]
    document.author_ids = frozenset({people[0].pk})
    document.tour = tour
    seats = {people[1].pk: "og:1", people[2].pk: "og:1", people[3].pk: "og:2"}
    voters = frozenset({people[0].pk, *seats})
    return document, Regle(voters, 3, seats=seats).for_document(document)


def test_record_stores_the_seat_and_counts_the_round(people):
    document, rule = dossier(people)
    avis, tally = engine.record(document, people[1], APPROUVE, "", rule=rule, wording=WORDING)
    assert (avis.siege, avis.tour, avis.document) == ("og:1", 1, document)
    assert tally == engine.Tally(1, 0, None)
    _, tally = engine.record(document, people[2], APPROUVE, "", rule=rule, wording=WORDING)
    assert tally == engine.Tally(1, 0, None)  # same OG: still one approval
    _, tally = engine.record(document, people[3], APPROUVE, " ", rule=rule, wording=WORDING)
    assert tally == engine.Tally(2, 0, VALIDEE)


def test_record_refuses(people):
    document, rule = dossier(people)
    outsider = UserFactory()
    for user, decision, comment, message in [
        (people[1], "peut-etre", "", "Avis inconnu"),
        (people[1], REJETTE, "  ", "Motivez le refus"),
        (people[0], APPROUVE, "", "Vous êtes l'auteur"),
        (outsider, APPROUVE, "", "Vous ne votez pas"),
    ]:
        with pytest.raises(ApprobationRefusee, match=message):
            engine.record(document, user, decision, comment, rule=rule, wording=WORDING)
    assert not Avis.objects.exists()
    # Comments are free, and anybody the caller lets in may comment (not only voters).
    avis, tally = engine.record(
        document, outsider, COMMENTAIRE, "Une remarque", rule=rule, wording=WORDING
    )
    assert (avis.comment, tally) == ("Une remarque", None)


def test_one_decisive_answer_per_person_and_round(people):
    document, rule = dossier(people)
    engine.record(document, people[3], REJETTE, "Non", rule=rule, wording=WORDING)
    with pytest.raises(ApprobationRefusee, match="Déjà répondu"):
        engine.record(document, people[3], APPROUVE, "", rule=rule, wording=WORDING)
    engine.record(document, people[3], COMMENTAIRE, "Je précise", rule=rule, wording=WORDING)
    # The database agrees, for two answers at the same instant.
    with pytest.raises(IntegrityError), transaction.atomic():
        Avis.objects.create(document=document, user=people[3], decision=APPROUVE)


def test_a_new_round_asks_again_and_keeps_the_trail(people):
    document, rule = dossier(people)
    engine.record(document, people[1], APPROUVE, "", rule=rule, wording=WORDING)
    engine.record(document, people[3], REJETTE, "Le budget", rule=rule, wording=WORDING)
    assert engine.tally(document, rule, WORDING) == engine.Tally(1, 1, REJETEE)

    document.tour = 2  # the dossier changed after the answers: everybody answers again
    assert engine.decisions(document) == []
    assert engine.tally(document, rule, WORDING) == engine.Tally(0, 0, None)
    avis, _ = engine.record(document, people[3], APPROUVE, "", rule=rule, wording=WORDING)
    assert avis.tour == 2
    assert engine.decisions(document) == [(people[3].pk, APPROUVE)]
    assert engine.decisions(document, tour=1) == [
        (people[1].pk, APPROUVE),
        (people[3].pk, REJETTE),
    ]
    assert [(a.tour, a.user, a.decision) for a in engine.trail(document)] == [
        (1, people[1], APPROUVE),
        (1, people[3], REJETTE),
        (2, people[3], APPROUVE),
    ]
    assert [a.tour for a in engine.current_answers(document)] == [2]
    assert Avis.objects.for_document(document, tour=1).count() == 2


# ---------------------------------------------------------------------------------------------
# The inbox registry
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(inbox, "_KINDS", {})
    return inbox


def row(day):
    return {"kind": "Test", "submitted_on": day and datetime.date(2026, 6, day)}


def test_the_inbox_merges_kinds_oldest_first(registry, people, django_assert_num_queries):
    users = get_user_model().objects
    registry.register(
        inbox.Kind("a", lambda user: users.filter(pk=user.pk), lambda user, today: [row(9)])
    )
    registry.register(
        inbox.Kind("b", lambda user: users.all(), lambda user, today: [row(None), row(2)])
    )
    registry.register(  # registered again (ready() twice): replaced, not doubled
        inbox.Kind("b", lambda user: users.all(), lambda user, today: [row(None), row(2)])
    )
    days = [r["submitted_on"] and r["submitted_on"].day for r in registry.rows(people[0])]
    assert days == [2, 9, None]
    with django_assert_num_queries(1):
        assert registry.awaiting_count(people[0]) == 1 + len(people)


def test_an_empty_inbox_counts_nothing(registry, people, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert registry.awaiting_count(people[0]) == 0
    assert registry.rows(people[0]) == []
