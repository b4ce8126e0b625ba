"""The pure evaluation engine (amoa/scoring.py): no database."""

from decimal import Decimal as D

from core.scoring import (
    INDISPENSABLE,
    PRIX_JOUR,
    PRIX_TOTAL,
    QUALITATIF,
    Criterion,
    IndispensableResult,
    Offer,
    Score,
    evaluate,
    shifted_weights,
    weights_error,
)

PRICE = Criterion("prix", "Coût global", D(40), 10, PRIX_TOTAL)
METHOD = Criterion("methode", "Méthodologie", D(60), 10, QUALITATIF)


def offer(oid, price=D(10000), **kwargs):
    return Offer(id=oid, label=f"Cabinet {oid}", total_price=price, **kwargs)


def test_weights_must_sum_to_100():
    assert weights_error([PRICE, METHOD]) is None
    message = weights_error([PRICE, Criterion("m", "M", D(50))])
    assert message == "La somme des pondérations doit être égale à 100 : elle est de 90."
    # Indispensable criteria are not weighted: they do not count in the sum.
    assert weights_error([PRICE, METHOD, Criterion("x", "X", D(0), 10, INDISPENSABLE)]) is None


def test_price_note_is_max_times_lowest_price_over_offer_price():
    ranking = evaluate([PRICE, METHOD], [offer("A", D(8000)), offer("B", D(10000))])
    a, b = ranking.for_offer("A"), ranking.for_offer("B")
    assert a.notes["prix"].note == D("10.00")
    assert b.notes["prix"].note == D("8.00")  # 10 × 8000 ÷ 10000
    assert b.notes["prix"].points == D("32.00")  # 40 points × 8/10


def test_day_rate_note_uses_the_day_rate():
    day = Criterion("jour", "Coût jour", D(100), 5, PRIX_JOUR)
    offers = [
        Offer("A", "A", day_rate=D(800)),
        Offer("B", "B", day_rate=D(1000)),
    ]
    ranking = evaluate([day], offers)
    assert ranking.for_offer("B").notes["jour"].note == D("4.00")
    assert ranking.for_offer("B").total == D("80.00")


def test_lowest_price_is_taken_among_ranked_offers_only():
    offers = [
        offer("A", D(10000)),
        offer("B", D(12000)),
        offer("late", D(5000), hors_delai=True),
        offer("incomplete", D(4000), recevable=False, missing=("CV des intervenants",)),
    ]
    ranking = evaluate([PRICE, METHOD], offers)
    assert ranking.for_offer("A").notes["prix"].note == D("10.00")
    assert [r.offer.id for r in ranking.ranked] == ["A", "B"]
    assert ranking.for_offer("late").rank is None
    assert ranking.for_offer("late").total is None
    assert [r.offer.id for r in ranking.hors_delai] == ["late"]
    assert ranking.non_recevables[0].reason == "Dossier incomplet : manquent CV des intervenants."


def test_failed_indispensable_criterion_eliminates_with_its_reason():
    refs = Criterion("refs", "Références médico-sociales", D(0), 10, INDISPENSABLE)
    offers = [
        offer("A"),
        offer("B", indispensables={"refs": IndispensableResult(False, "aucune référence")}),
        offer("C", indispensables={"refs": IndispensableResult(True)}),
    ]
    ranking = evaluate([PRICE, METHOD, refs], offers)
    assert [r.offer.id for r in ranking.eliminated] == ["B"]
    assert ranking.for_offer("B").reason == (
        "Critère indispensable non satisfait : Références médico-sociales (aucune référence)."
    )
    assert ranking.for_offer("B").rank is None
    assert {r.offer.id for r in ranking.ranked} == {"A", "C"}


def test_qualitative_note_is_the_mean_with_spread_unless_a_consensus_is_set():
    scores = [
        Score("ev1", "A", "methode", D(6)),
        Score("ev2", "A", "methode", D(9)),
        Score("ev3", "A", "methode", D(7)),
    ]
    ranking = evaluate([PRICE, METHOD], [offer("A")], scores)
    cell = ranking.for_offer("A").notes["methode"]
    assert cell.mean == D("7.33")
    assert (cell.low, cell.high, cell.count) == (D(6), D(9), 3)
    assert cell.note == D("7.33")
    # The total is computed from the notes as shown (2 decimals), so anyone can recompute it.
    assert ranking.for_offer("A").total == D("83.98")  # 40 + 60 × 7.33/10

    agreed = evaluate([PRICE, METHOD], [offer("A")], scores, consensus={("A", "methode"): D(8)})
    cell = agreed.for_offer("A").notes["methode"]
    assert cell.consensus == D(8)
    assert cell.note == D("8.00")
    assert cell.mean == D("7.33")  # still shown
    assert agreed.for_offer("A").total == D("88.00")


def test_conflict_of_interest_excludes_the_evaluator_from_that_offer_only():
    scores = [
        Score("ev1", "A", "methode", D(10)),
        Score("ev2", "A", "methode", D(4)),
        Score("ev1", "B", "methode", D(5)),
        Score("ev2", "B", "methode", D(7)),
    ]
    ranking = evaluate([PRICE, METHOD], [offer("A"), offer("B")], scores, conflicts={("ev1", "A")})
    assert ranking.for_offer("A").notes["methode"].mean == D("4.00")
    assert ranking.for_offer("A").notes["methode"].count == 1
    assert ranking.for_offer("B").notes["methode"].mean == D("6.00")


def test_ties_share_the_rank_and_are_explained():
    scores = [Score("ev", oid, "methode", D(n)) for oid, n in (("A", 8), ("B", 8), ("C", 5))]
    ranking = evaluate([PRICE, METHOD], [offer("A"), offer("B"), offer("C")], scores)
    ranks = {r.offer.id: r.rank for r in ranking.ranked}
    assert ranks == {"A": 1, "B": 1, "C": 3}
    assert ranking.for_offer("A").tied and not ranking.for_offer("C").tied
    assert ranking.ties == [
        "Cabinet A et Cabinet B ont le même total (88,00 / 100) : elles partagent le rang 1, "
        "le rang suivant est 3. Le comité de sélection les départage (audition, négociation) "
        "et motive son choix."
    ]
    assert len(ranking.winners) == 2


def test_total_is_a_decimal_with_two_decimals():
    scores = [Score("ev", "A", "methode", D("6.5")), Score("ev2", "A", "methode", D(7))]
    ranking = evaluate([PRICE, METHOD], [offer("A", D(9000)), offer("B", D(9999))], scores)
    total = ranking.for_offer("B").total
    assert isinstance(total, D)
    assert total == D("36.00")  # 40 × 9000/9999 = 36.0036 → 36.00, no method score
    assert ranking.for_offer("A").total == D("80.50")


def test_shifted_weights_renormalise_the_others_to_keep_100():
    criteria = [
        Criterion("a", "A", D(50)),
        Criterion("b", "B", D(30)),
        Criterion("c", "C", D(20)),
    ]
    weights = shifted_weights(criteria, "a", D(5))
    assert weights["a"] == D(55)
    assert weights["b"] == D(27)  # 30 × 45/50
    assert weights["c"] == D(18)
    assert sum(weights.values()) == D(100)
    assert shifted_weights(criteria, "c", D(-25))["c"] == D(0)


def test_sensitivity_tells_when_the_winner_changes():
    # A is cheaper, B has the better method: with 50/50, A wins narrowly.
    price = Criterion("prix", "Prix", D(50), 10, PRIX_TOTAL)
    method = Criterion("methode", "Méthode", D(50), 10, QUALITATIF)
    scores = [Score("ev", "A", "methode", D(6)), Score("ev", "B", "methode", D(7))]
    offers = [offer("A", D(8000)), offer("B", D(9000))]
    ranking = evaluate([price, method], offers, scores)
    # A: 50 + 30 = 80.00; B: 50 × 8.89/10 + 35 = 79.45.
    assert [(r.offer.id, r.total) for r in ranking.ranked] == [("A", D("80.00")), ("B", D("79.45"))]
    rows = {row.criterion.code: row for row in ranking.sensitivity}
    assert set(rows) == {"prix", "methode"}
    assert rows["methode"].changes is True
    assert rows["methode"].winner_plus == ("Cabinet B",)
    assert rows["methode"].winner_minus == ("Cabinet A",)
    assert rows["prix"].changes is True
    assert rows["prix"].winner_minus == ("Cabinet B",)


def test_sensitivity_is_stable_for_a_clear_winner():
    scores = [Score("ev", "A", "methode", D(9)), Score("ev", "B", "methode", D(3))]
    ranking = evaluate([PRICE, METHOD], [offer("A", D(9000)), offer("B", D(10000))], scores)
    assert all(not row.changes for row in ranking.sensitivity)
    assert all(row.winner_plus == ("Cabinet A",) for row in ranking.sensitivity)


def test_unscored_offer_gets_zero_on_a_qualitative_criterion():
    ranking = evaluate([PRICE, METHOD], [offer("A")])
    cell = ranking.for_offer("A").notes["methode"]
    assert cell.note == D("0.00") and cell.mean is None and cell.count == 0
    assert ranking.for_offer("A").total == D("40.00")
