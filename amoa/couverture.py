"""Functional coverage of a DUI offer from its cadre de réponse. Plain data in, plain data out.

- a requirement counts 1 when covered, ½ when the éditeur commits to develop it (deadline and
  cost given: the cost goes into the TCO), 0 when impossible or not answered;
- the coverage rate is weighted by priority (indispensable 3, important 2, souhaitable 1);
- the indispensable test (eliminatory): every indispensable requirement is covered or
  committed to development; one impossible or unanswered indispensable eliminates the offer.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

COUVERT = "couvert"
DEVELOPPABLE = "developpable"
IMPOSSIBLE = "impossible"
INDISPENSABLE = "indispensable"
IMPORTANT = "important"
SOUHAITABLE = "souhaitable"
WEIGHTS = {INDISPENSABLE: Decimal(3), IMPORTANT: Decimal(2), SOUHAITABLE: Decimal(1)}
VALUES = {COUVERT: Decimal(1), DEVELOPPABLE: Decimal("0.5"), IMPOSSIBLE: Decimal(0)}
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Requirement:
    id: object
    domain: object  # the top-level domain the requirement is counted in
    priority: str
    label: str = ""


@dataclass
class Coverage:
    total: int = 0
    counts: dict = field(default_factory=dict)  # answer ("" = no answer) → number
    weight: Decimal = Decimal(0)
    points: Decimal = Decimal(0)
    missing_indispensables: list = field(default_factory=list)  # labels

    @property
    def rate(self):
        """Weighted coverage in percent (one decimal)."""
        if not self.weight:
            return Decimal(0)
        return (Decimal(100) * self.points / self.weight).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        )

    @property
    def indispensables_ok(self):
        return not self.missing_indispensables

    def count(self, answer):
        return self.counts.get(answer, 0)

    @property
    def nb_couvert(self):
        return self.count(COUVERT)

    @property
    def nb_developpable(self):
        return self.count(DEVELOPPABLE)

    @property
    def nb_impossible(self):
        return self.count(IMPOSSIBLE)

    @property
    def nb_sans_reponse(self):
        return self.count("")

    def note(self, scale):
        """The coverage as a note on `scale` (the scoring engine's computed criterion)."""
        if not self.weight:
            return Decimal(0)
        return Decimal(scale) * self.points / self.weight


def _add(coverage, requirement, answer):
    weight = WEIGHTS.get(requirement.priority, Decimal(1))
    coverage.total += 1
    coverage.counts[answer or ""] = coverage.counts.get(answer or "", 0) + 1
    coverage.weight += weight
    coverage.points += weight * VALUES.get(answer, Decimal(0))
    if requirement.priority == INDISPENSABLE and answer not in (COUVERT, DEVELOPPABLE):
        coverage.missing_indispensables.append(requirement.label)


def compute(requirements, answers):
    """(overall Coverage, {domain: Coverage}) for `answers` {requirement id: answer}."""
    overall = Coverage()
    per_domain = {}
    for requirement in requirements:
        answer = answers.get(requirement.id, "")
        _add(overall, requirement, answer)
        _add(per_domain.setdefault(requirement.domain, Coverage()), requirement, answer)
    return overall, per_domain
