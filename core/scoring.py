"""The weighted-scoring engine: plain data in, plain data out.

It lives in `core` because three evaluations share it and none may import another's app: the
AMOA call for tenders and the DUI éditeur consultation (amoa) and the ARS instruction of the
grappes' applications to a call for projects (candidatures). No Django model is imported here:
each caller maps its models to `Criterion`, `Offer`, `Score` and reads back a `Ranking`.

Rules (French public-procurement practice, DOMAIN.md §6):
- only regular offers are ranked: received in time, complete (recevable), passing every
  indispensable criterion; the others are listed apart with the reason;
- a price note is `scale max × lowest price ÷ offer price`, the lowest price taken among the
  ranked offers only (an eliminated low bid must not depress everybody's note);
- a computed note (kind "calcule", e.g. the functional coverage of a DUI offer) is given by the
  caller in `Offer.computed`, on the criterion's scale;
- a qualitative note is the consensus when the committee set one, else the mean of the
  evaluators' scores (an evaluator in conflict of interest with the candidate is left out);
- the weighted total is on 100: Σ weight × note ÷ scale max, rounded to 2 decimals;
- equal totals share a rank (1, 1, 3) and the tie is explained;
- sensitivity: each weight moved by ±5 points, the others renormalised proportionally to keep
  100 — does the winner change?
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

PRIX_TOTAL = "prix_total"
PRIX_JOUR = "prix_jour"
QUALITATIF = "qualitatif"
INDISPENSABLE = "indispensable"
CALCULE = "calcule"
PRICE_KINDS = {PRIX_TOTAL, PRIX_JOUR}
KINDS = {PRIX_TOTAL, PRIX_JOUR, QUALITATIF, INDISPENSABLE, CALCULE}

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SENSITIVITY_STEP = Decimal(5)


def quantize(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _fr(value):
    """A Decimal as French text (78,50)."""
    return f"{quantize(value):.2f}".replace(".", ",")


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: Decimal  # points out of 100 (0 for an indispensable criterion)
    scale_max: int = 10
    kind: str = QUALITATIF

    @property
    def weighted(self):
        return self.kind != INDISPENSABLE


@dataclass(frozen=True)
class IndispensableResult:
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Offer:
    id: object
    label: str
    total_price: Decimal | None = None
    day_rate: Decimal | None = None
    hors_delai: bool = False
    recevable: bool = True
    missing: tuple = ()  # labels of the missing pieces, when not recevable
    indispensables: dict = field(default_factory=dict)  # criterion code → IndispensableResult
    computed: dict = field(default_factory=dict)  # criterion code → note (kind "calcule")


@dataclass(frozen=True)
class Score:
    evaluator: object
    offer_id: object
    criterion: str
    value: Decimal


@dataclass
class CriterionResult:
    code: str
    note: Decimal  # the note retained, on the criterion's scale
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    consensus: Decimal | None = None
    count: int = 0  # evaluators who scored
    points: Decimal = Decimal(0)  # contribution to the total on 100


@dataclass
class OfferResult:
    offer: Offer
    status: str = "classee"  # classee | eliminee | hors_delai | non_recevable
    reason: str = ""
    notes: dict = field(default_factory=dict)  # criterion code → CriterionResult
    total: Decimal | None = None
    rank: int | None = None
    tied: bool = False

    @property
    def ranked(self):
        return self.status == "classee"

    @property
    def eliminated(self):
        return self.status == "eliminee"


@dataclass
class SensitivityRow:
    criterion: Criterion
    weight: Decimal
    winner_minus: tuple  # labels of the winner(s) with weight − 5
    winner_plus: tuple
    changes: bool


@dataclass
class Ranking:
    criteria: list
    ranked: list  # OfferResult, best first
    eliminated: list
    hors_delai: list
    non_recevables: list
    ties: list  # French sentences
    sensitivity: list
    weights_total: Decimal

    @property
    def winners(self):
        return [result for result in self.ranked if result.rank == 1]

    @property
    def results(self):
        return self.ranked + self.eliminated + self.hors_delai + self.non_recevables

    def for_offer(self, offer_id):
        for result in self.results:
            if result.offer.id == offer_id:
                return result
        raise KeyError(offer_id)


def weights_error(criteria):
    """None when the weighted criteria's weights sum to 100, else a French message."""
    total = sum((Decimal(c.weight) for c in criteria if c.weighted), Decimal(0))
    if total != HUNDRED:
        return (
            f"La somme des pondérations doit être égale à 100 : elle est de {total.normalize():f}."
        )
    return None


def _status(offer, criteria):
    if offer.hors_delai:
        return "hors_delai", "Offre reçue après la date et l'heure limites."
    if not offer.recevable:
        missing = ", ".join(offer.missing)
        reason = "Dossier incomplet" + (f" : manquent {missing}." if missing else ".")
        return "non_recevable", reason
    for criterion in criteria:
        if criterion.kind != INDISPENSABLE:
            continue
        result = offer.indispensables.get(criterion.code)
        if result is not None and not result.passed:
            reason = f"Critère indispensable non satisfait : {criterion.label}"
            if result.reason:
                reason += f" ({result.reason})"
            return "eliminee", reason + "."
    return "classee", ""


def _price_note(criterion, offer, lowest):
    price = offer.total_price if criterion.kind == PRIX_TOTAL else offer.day_rate
    if not price or not lowest:
        return Decimal(0)
    return Decimal(criterion.scale_max) * Decimal(lowest) / Decimal(price)


def _qualitative(criterion, offer, scores, conflicts, consensus):
    values = [
        Decimal(score.value)
        for score in scores
        if score.offer_id == offer.id
        and score.criterion == criterion.code
        and (score.evaluator, offer.id) not in conflicts
    ]
    agreed = consensus.get((offer.id, criterion.code))
    mean = sum(values, Decimal(0)) / len(values) if values else None
    note = Decimal(agreed) if agreed is not None else (mean if mean is not None else Decimal(0))
    return CriterionResult(
        code=criterion.code,
        note=note,
        mean=quantize(mean) if mean is not None else None,
        low=min(values) if values else None,
        high=max(values) if values else None,
        consensus=Decimal(agreed) if agreed is not None else None,
        count=len(values),
    )


def _notes(criteria, offers, scores, conflicts, consensus):
    """{offer id: {code: CriterionResult}} for the offers given (the ranked ones)."""
    lowest = {}
    for kind in PRICE_KINDS:
        prices = [
            (o.total_price if kind == PRIX_TOTAL else o.day_rate)
            for o in offers
            if (o.total_price if kind == PRIX_TOTAL else o.day_rate)
        ]
        lowest[kind] = min(prices) if prices else None
    notes = {}
    for offer in offers:
        per_offer = {}
        for criterion in criteria:
            if not criterion.weighted:
                continue
            if criterion.kind in PRICE_KINDS:
                note = _price_note(criterion, offer, lowest[criterion.kind])
                per_offer[criterion.code] = CriterionResult(code=criterion.code, note=note)
            elif criterion.kind == CALCULE:
                note = min(
                    Decimal(criterion.scale_max),
                    max(Decimal(0), Decimal(offer.computed.get(criterion.code) or 0)),
                )
                per_offer[criterion.code] = CriterionResult(code=criterion.code, note=note)
            else:
                per_offer[criterion.code] = _qualitative(
                    criterion, offer, scores, conflicts, consensus
                )
        notes[offer.id] = per_offer
    return notes


def _total(criteria, weights, per_offer):
    total = Decimal(0)
    for criterion in criteria:
        if not criterion.weighted or not criterion.scale_max:
            continue
        total += weights[criterion.code] * per_offer[criterion.code].note / criterion.scale_max
    return total


def _rank(totals):
    """[(offer id, total, rank)] best first; equal totals (to the cent) share a rank."""
    ordered = sorted(totals.items(), key=lambda item: -quantize(item[1]))
    ranks = []
    previous = None
    for position, (offer_id, total) in enumerate(ordered, start=1):
        rounded = quantize(total)
        rank = previous[0] if previous is not None and rounded == previous[1] else position
        ranks.append((offer_id, rounded, rank))
        previous = (rank, rounded)
    return ranks


def _winners(criteria, weights, notes, labels):
    totals = {
        offer_id: _total(criteria, weights, per_offer) for offer_id, per_offer in notes.items()
    }
    return tuple(sorted(labels[oid] for oid, _, rank in _rank(totals) if rank == 1))


def shifted_weights(criteria, code, delta):
    """The weights with `code` moved by `delta` points (kept within 0–100) and the other
    weighted criteria scaled proportionally so that the sum stays 100."""
    weights = {c.code: Decimal(c.weight) for c in criteria if c.weighted}
    current = weights[code]
    target = min(HUNDRED, max(Decimal(0), current + delta))
    others = HUNDRED - current
    new = {}
    for other, weight in weights.items():
        if other == code:
            new[other] = target
        elif others:
            new[other] = weight * (HUNDRED - target) / others
        else:
            new[other] = Decimal(0)
    return new


def _sensitivity(criteria, notes, labels):
    weighted = [c for c in criteria if c.weighted]
    if len(weighted) < 2 or not notes:
        return []
    base = {c.code: Decimal(c.weight) for c in weighted}
    reference = _winners(criteria, base, notes, labels)
    rows = []
    for criterion in weighted:
        minus = _winners(
            criteria, shifted_weights(criteria, criterion.code, -SENSITIVITY_STEP), notes, labels
        )
        plus = _winners(
            criteria, shifted_weights(criteria, criterion.code, SENSITIVITY_STEP), notes, labels
        )
        rows.append(
            SensitivityRow(
                criterion=criterion,
                weight=Decimal(criterion.weight),
                winner_minus=minus,
                winner_plus=plus,
                changes=minus != reference or plus != reference,
            )
        )
    return rows


TIE_ADVICE = "Le comité de sélection les départage (audition, négociation) et motive son choix."


def evaluate(criteria, offers, scores=(), conflicts=(), consensus=None, tie_advice=TIE_ADVICE):
    """Rank the offers.

    criteria: [Criterion]; offers: [Offer]; scores: [Score];
    conflicts: {(evaluator, offer id)} — that evaluator's scores on that offer are ignored;
    consensus: {(offer id, criterion code): Decimal} — replaces the mean;
    tie_advice: the sentence ending each tie's explanation (who breaks it, and how: a call for
    tenders hears and negotiates, a call for projects decides on the dossiers).
    """
    criteria = list(criteria)
    conflicts = set(conflicts)
    consensus = dict(consensus or {})
    scores = list(scores)
    results = {}
    for offer in offers:
        status, reason = _status(offer, criteria)
        results[offer.id] = OfferResult(offer=offer, status=status, reason=reason)
    ranked_offers = [o for o in offers if results[o.id].ranked]
    notes = _notes(criteria, ranked_offers, scores, conflicts, consensus)
    # Offers set apart still get their qualitative notes shown (never a price note or a total).
    apart = [o for o in offers if not results[o.id].ranked]
    qualitative = [c for c in criteria if c.kind == QUALITATIF]
    for offer in apart:
        results[offer.id].notes = {
            c.code: _qualitative(c, offer, scores, conflicts, consensus) for c in qualitative
        }
    weights = {c.code: Decimal(c.weight) for c in criteria if c.weighted}
    totals = {}
    for offer in ranked_offers:
        per_offer = notes[offer.id]
        for criterion in criteria:
            if criterion.weighted and criterion.scale_max:
                result = per_offer[criterion.code]
                result.points = quantize(
                    weights[criterion.code] * result.note / criterion.scale_max
                )
                result.note = quantize(result.note)
        results[offer.id].notes = per_offer
        totals[offer.id] = _total(criteria, weights, per_offer)
    ranks = _rank(totals)
    by_rank = {}
    for offer_id, total, rank in ranks:
        result = results[offer_id]
        result.total = total
        result.rank = rank
        by_rank.setdefault(rank, []).append(result)
    ties = []
    for rank, group in sorted(by_rank.items()):
        if len(group) > 1:
            for result in group:
                result.tied = True
            names = " et ".join(r.offer.label for r in group)
            ties.append(
                f"{names} ont le même total ({_fr(group[0].total)} / 100) : elles partagent "
                f"le rang {rank}, le rang suivant est {rank + len(group)}. {tie_advice}"
            )
    labels = {o.id: o.label for o in ranked_offers}
    raw_notes = {
        oid: {code: CriterionResult(code=code, note=r.note) for code, r in per.items()}
        for oid, per in notes.items()
    }
    return Ranking(
        criteria=criteria,
        ranked=[results[offer_id] for offer_id, _, _ in ranks],
        eliminated=[r for r in results.values() if r.status == "eliminee"],
        hors_delai=[r for r in results.values() if r.status == "hors_delai"],
        non_recevables=[r for r in results.values() if r.status == "non_recevable"],
        ties=ties,
        sensitivity=_sensitivity(criteria, raw_notes, labels),
        weights_total=sum(weights.values(), Decimal(0)),
    )


# --- A ranking as plain JSON data (the snapshot frozen when the committee's choice is recorded)
# Decimals are kept as strings so that the frozen figures are exactly the ones printed.


def _str(value):
    return None if value is None else str(value)


def _dec(value):
    return None if value is None else Decimal(value)


def _criterion_data(criterion):
    return {
        "code": criterion.code,
        "label": criterion.label,
        "weight": str(criterion.weight),
        "scale_max": criterion.scale_max,
        "kind": criterion.kind,
    }


def _criterion_from(data):
    return Criterion(
        code=data["code"],
        label=data["label"],
        weight=Decimal(data["weight"]),
        scale_max=data["scale_max"],
        kind=data["kind"],
    )


def _offer_data(offer):
    return {
        "id": offer.id,
        "label": offer.label,
        "total_price": _str(offer.total_price),
        "day_rate": _str(offer.day_rate),
        "hors_delai": offer.hors_delai,
        "recevable": offer.recevable,
        "missing": list(offer.missing),
        "indispensables": {
            code: [result.passed, result.reason] for code, result in offer.indispensables.items()
        },
        "computed": {code: _str(value) for code, value in offer.computed.items()},
    }


def _offer_from(data):
    return Offer(
        id=data["id"],
        label=data["label"],
        total_price=_dec(data["total_price"]),
        day_rate=_dec(data["day_rate"]),
        hors_delai=data["hors_delai"],
        recevable=data["recevable"],
        missing=tuple(data["missing"]),
        indispensables={
            code: IndispensableResult(passed, reason)
            for code, (passed, reason) in data["indispensables"].items()
        },
        computed={code: _dec(value) for code, value in data["computed"].items()},
    )


NOTE_FIELDS = ("note", "mean", "low", "high", "consensus", "points")


def _result_data(result):
    return {
        "offer": _offer_data(result.offer),
        "status": result.status,
        "reason": result.reason,
        "total": _str(result.total),
        "rank": result.rank,
        "tied": result.tied,
        "notes": {
            code: {"count": note.count, **{name: _str(getattr(note, name)) for name in NOTE_FIELDS}}
            for code, note in result.notes.items()
        },
    }


def _result_from(data):
    notes = {
        code: CriterionResult(
            code=code, count=note["count"], **{name: _dec(note[name]) for name in NOTE_FIELDS}
        )
        for code, note in data["notes"].items()
    }
    return OfferResult(
        offer=_offer_from(data["offer"]),
        status=data["status"],
        reason=data["reason"],
        notes=notes,
        total=_dec(data["total"]),
        rank=data["rank"],
        tied=data["tied"],
    )


GROUPS = ("ranked", "eliminated", "hors_delai", "non_recevables")


def ranking_to_data(ranking):
    """The ranking as JSON-serialisable data; `ranking_from_data` gives it back unchanged."""
    return {
        "criteria": [_criterion_data(c) for c in ranking.criteria],
        **{group: [_result_data(r) for r in getattr(ranking, group)] for group in GROUPS},
        "ties": list(ranking.ties),
        "sensitivity": [
            {
                "criterion": row.criterion.code,
                "weight": str(row.weight),
                "winner_minus": list(row.winner_minus),
                "winner_plus": list(row.winner_plus),
                "changes": row.changes,
            }
            for row in ranking.sensitivity
        ],
        "weights_total": str(ranking.weights_total),
    }


def ranking_from_data(data):
    criteria = [_criterion_from(c) for c in data["criteria"]]
    by_code = {c.code: c for c in criteria}
    return Ranking(
        criteria=criteria,
        **{group: [_result_from(r) for r in data[group]] for group in GROUPS},
        ties=list(data["ties"]),
        sensitivity=[
            SensitivityRow(
                criterion=by_code[row["criterion"]],
                weight=Decimal(row["weight"]),
                winner_minus=tuple(row["winner_minus"]),
                winner_plus=tuple(row["winner_plus"]),
                changes=row["changes"],
            )
            for row in data["sensitivity"]
        ],
        weights_total=Decimal(data["weights_total"]),
    )
