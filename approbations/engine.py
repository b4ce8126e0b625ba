"""The collegial rule, whatever the document (deliverable, minutes, application dossier).

Pure layer: `outcome()` and `Regle` say, from who votes and what they answered, whether a
document is approved, refused or still pending. Each vote is a seat: by default every voter
is their own seat (a COPIL member), but several people may share one (the directors of one
OG): a seat counts once, by its first decisive answer.

Recording layer: `record()` checks one answer under the rule and stores it (approbations.Avis,
in the document's current round), `tally()` counts the current round, `trail()` reads all
rounds. What the document becomes (validated, sent back…) stays its workflow's business.

A document tells the engine who wrote it (`author_ids`: they never decide on it) and its
current round (`tour`, 1 when it has none).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from approbations.enums import DECISIVE, Decision
from approbations.models import Avis
from core.text import is_plural, plural

VALIDEE = "validee"
REJETEE = "rejetee"


class ApprobationRefusee(Exception):
    """What the user asked is not possible: `message` says why, in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------


def outcome(approvals, rejections, voters, required):
    """ "validee", "rejetee" or None (pending).

    Validated as soon as `approvals` reach `required` (all voters under the unanimity rule, the
    quorum otherwise); rejected as soon as that can no longer happen, i.e. when more voters
    rejected than the voters who may be missing (`voters - required`): under unanimity a single
    rejection rejects. Without any voter nothing is ever decided.
    """
    if voters <= 0 or required <= 0:
        return None
    if approvals >= required:
        return VALIDEE
    if rejections > voters - required:
        return REJETEE
    return None


def document_round(document):
    """The round a document's answers are given in: its `tour`, 1 for documents without."""
    return getattr(document, "tour", None) or 1


@dataclass(frozen=True)
class Regle:
    """Who votes (user ids), how many approvals (seats) validate, and who shares a seat.

    `seats`: {user id: seat key} for the voters who vote for something else than themselves
    ("og:12"); the others are their own seat. `authors`: the voters left out because they wrote
    or submitted the document (for_document)."""

    voter_ids: frozenset
    required: int
    authors: frozenset = frozenset()
    seats: Mapping = field(default_factory=dict, hash=False)

    def seat_of(self, user):
        """The seat `user` (or a user id) answers for, as stored in Avis.siege: "" themself."""
        return self.seats.get(getattr(user, "pk", user), "")

    def _seat_key(self, user_id):
        return self.seats.get(user_id) or f"user:{user_id}"

    @property
    def voters(self):
        """The number of seats: several directors of one OG are one voter."""
        return len({self._seat_key(user_id) for user_id in self.voter_ids})

    def for_document(self, document):
        """The rule for one document: its authors (document.author_ids) do not vote on it, and
        it asks at most as many approvals as there are seats left — all of them under the
        unanimity rule, the quorum otherwise —, so leaving the authors out never deadlocks it."""
        authors = self.voter_ids & document.author_ids
        voter_ids = self.voter_ids - authors
        rule = Regle(voter_ids, self.required, self.authors | authors, self.seats)
        return Regle(voter_ids, min(self.required, rule.voters), rule.authors, self.seats)

    def may_decide(self, user):
        return user.pk in self.voter_ids

    def check_decider(self, user, *, author_refusal, voter_refusal):
        """Its authors never decide on a document, and only its voters do; each refusal worded
        for the document."""
        if user.pk in self.authors:
            raise ApprobationRefusee(author_refusal)
        if not self.may_decide(user):
            raise ApprobationRefusee(voter_refusal)

    def count(self, decisions, approve=Decision.APPROUVE, reject=Decision.REJETTE):
        """(approvals, rejections) among `decisions`, (user_id, decision) pairs in the order
        given. A seat counts once, by its first approval or rejection; answers of people who no
        longer vote (left the COPIL, became guests) do not count. Documents name their answers
        differently: minutes pass `reject="modifications"`."""
        approvals = rejections = 0
        counted = set()
        for user_id, decision in decisions:
            if user_id not in self.voter_ids or decision not in (approve, reject):
                continue
            seat = self._seat_key(user_id)
            if seat in counted:
                continue
            counted.add(seat)
            if decision == approve:
                approvals += 1
            else:
                rejections += 1
        return approvals, rejections

    def outcome(self, decisions, **names):
        approvals, rejections = self.count(decisions, **names)
        return outcome(approvals, rejections, self.voters, self.required)


def approvals_label(approvals, required):
    """« 1 approbation sur les 2 requises », « 0 approbation sur 1 requise »."""
    requises = f"les {required} requises" if is_plural(required) else f"{required} requise"
    return f"{plural(approvals, 'approbation')} sur {requises}"


# ---------------------------------------------------------------------------------------------
# Recording and reading answers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """What a kind of document calls its answers, and how it words the refusals.

    `decisions`: the answers it takes; `approve`/`reject`: the two that count; `comment_required`:
    {decision: the refusal when its comment is empty}; `decisive_only_by_voters`: whether the
    author and voter refusals apply to every answer or only to the decisive ones (anybody who
    may comment a deliverable does so)."""

    decisions: tuple
    author_refusal: str
    voter_refusal: str
    already_answered: str
    already_answered_now: str
    approve: str = Decision.APPROUVE
    reject: str = Decision.REJETTE
    comment_required: Mapping = field(default_factory=dict, hash=False)
    decisive_only_by_voters: bool = True
    unknown: str = "Avis inconnu."

    @property
    def names(self):
        return {"approve": self.approve, "reject": self.reject}


@dataclass(frozen=True)
class Tally:
    """The current round counted: approvals, rejections and the outcome (None: pending)."""

    approvals: int
    rejections: int
    result: str | None


def clean_answer(decision, comment, wording):
    """The comment stripped, once the answer is one the document takes, with its comment when
    it needs one. Workflows call it before anything else, so these refusals come first."""
    comment = (comment or "").strip()
    if decision not in wording.decisions:
        raise ApprobationRefusee(wording.unknown)
    if decision in wording.comment_required and not comment:
        raise ApprobationRefusee(wording.comment_required[decision])
    return comment


def decisions(document, tour=None):
    """[(user_id, decision)] of the decisive answers of the document's round (the current one
    by default), in the order they were given."""
    tour = document_round(document) if tour is None else tour
    return list(
        Avis.objects.for_document(document, tour)
        .decisive()
        .order_by("created_at", "pk")
        .values_list("user", "decision")
    )


def tally(document, rule, wording):
    """The current round of `document` counted under `rule` (the document's own, for_document)."""
    approvals, rejections = rule.count(decisions(document), **wording.names)
    return Tally(approvals, rejections, outcome(approvals, rejections, rule.voters, rule.required))


def trail(document):
    """Every answer on the document, all rounds, oldest first: what was said stays."""
    return (
        Avis.objects.for_document(document)
        .select_related("user")
        .order_by("tour", "created_at", "pk")
    )


def current_answers(document):
    """The answers of the document's current round, oldest first, with their authors."""
    return trail(document).filter(tour=document_round(document))


def record(document, user, decision, comment, *, rule, wording):
    """Store `user`'s answer on `document` (locked by the caller, in a state that takes answers)
    in its current round, under `rule` (the document's, Regle.for_document). Refused: an unknown
    answer, a missing comment, an author or a non-voter deciding, a second decisive answer in
    the round (also when two arrive at the same instant: the database refuses). Returns
    (Avis, Tally), the tally None after a mere comment."""
    comment = clean_answer(decision, comment, wording)
    decisive = decision in DECISIVE
    if decisive or not wording.decisive_only_by_voters:
        rule.check_decider(
            user, author_refusal=wording.author_refusal, voter_refusal=wording.voter_refusal
        )
    tour = document_round(document)
    mine = Avis.objects.for_document(document, tour).filter(user=user)
    if decisive and mine.decisive().exists():
        raise ApprobationRefusee(wording.already_answered)
    try:
        with transaction.atomic():
            avis = Avis.objects.create(
                document=document,
                tour=tour,
                user=user,
                siege=rule.seat_of(user),
                decision=decision,
                comment=comment,
            )
    except IntegrityError as error:  # the same person, twice at the same instant
        raise ApprobationRefusee(wording.already_answered_now) from error
    return avis, (tally(document, rule, wording) if decisive else None)
