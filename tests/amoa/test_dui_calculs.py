"""The pure computations of the DUI choice: TCO (amoa/tco.py), coverage (amoa/couverture.py)
and the computed criterion of the shared scoring engine."""

from decimal import Decimal

import pytest

from amoa import couverture, tco
from amoa.models import LignePrix
from core import scoring

D = Decimal


def lines():
    return [
        tco.PriceLine("installation", D(4000), 0),
        tco.PriceLine("parametrage", D(3000), 0),
        tco.PriceLine("licences", D(6000), None),
        tco.PriceLine("maintenance", D(1500), None),
        tco.PriceLine("materiel", D(5000), 0),  # hidden cost
        tco.PriceLine("formation", D(800), 2),  # new arrivals trained in year 2
        tco.PriceLine("complementaire", D(1200), 4),  # extra indicators in year 4
    ]


def test_tco_over_three_years():
    result = tco.compute(lines(), years=3, hidden_natures=["materiel", "complementaire"])
    # year 0: 4000 + 3000 + 5000; years 1–3: 7500 each, + 800 in year 2; year 4 is out.
    assert result.per_year == [D(12000), D(7500), D(8300), D(7500)]
    assert result.total == D(35300)
    assert result.hidden == D(5000)
    assert result.per_nature["licences"] == D(18000)
    assert result.per_nature["complementaire"] == D(0)
    assert [label for label, _ in result.columns] == [
        "Acquisition (année 0)",
        "Année 1",
        "Année 2",
        "Année 3",
    ]


def test_tco_over_five_years_counts_recurring_costs_five_times():
    result = tco.compute(lines(), years=5, hidden_natures=["materiel", "complementaire"])
    assert result.per_year == [D(12000), D(7500), D(8300), D(7500), D(8700), D(7500)]
    assert result.total == D(51500)
    assert result.hidden == D(6200)
    assert result.per_nature["maintenance"] == D(7500)


def test_tco_adds_development_costs_to_the_acquisition_year_as_hors_forfait():
    result = tco.compute([], years=3, development_costs=[D(2500), None, D(500)])
    assert result.per_year == [D(3000), D(0), D(0), D(0)]
    assert result.per_nature == {"hors_forfait": D(3000)}
    assert result.total == D(3000)


def test_tco_needs_at_least_one_year():
    with pytest.raises(ValueError):
        tco.compute(lines(), years=0)


REQUIREMENTS = [
    couverture.Requirement(1, "DOS", "indispensable", "DOS-01 Identité"),
    couverture.Requirement(2, "DOS", "important", "DOS-02 Documents"),
    couverture.Requirement(3, "FAC", "souhaitable", "FAC-01 Compta"),
    couverture.Requirement(4, "FAC", "indispensable", "FAC-02 Facturation"),
]


def test_coverage_is_weighted_by_priority():
    overall, per_domain = couverture.compute(
        REQUIREMENTS, {1: "couvert", 2: "developpable", 3: "impossible", 4: "couvert"}
    )
    # weights 3, 2, 1, 3 = 9; points 3 + 2 × ½ + 0 + 3 = 7 → 77,8 %
    assert overall.weight == D(9)
    assert overall.points == D(7)
    assert overall.rate == D("77.8")
    assert overall.note(10) == D(70) / D(9)
    assert overall.indispensables_ok
    assert (overall.nb_couvert, overall.nb_developpable, overall.nb_impossible) == (2, 1, 1)
    assert per_domain["DOS"].rate == D("80.0")  # (3 + 1) / 5
    assert per_domain["FAC"].rate == D("75.0")  # 3 / 4


def test_an_impossible_or_unanswered_indispensable_requirement_is_reported():
    overall, per_domain = couverture.compute(REQUIREMENTS, {1: "impossible", 2: "couvert"})
    assert overall.missing_indispensables == ["DOS-01 Identité", "FAC-02 Facturation"]
    assert not overall.indispensables_ok
    assert overall.nb_sans_reponse == 2
    assert not per_domain["DOS"].indispensables_ok


def test_a_developpable_indispensable_requirement_passes():
    overall, _ = couverture.compute(
        REQUIREMENTS, {1: "developpable", 2: "couvert", 3: "couvert", 4: "couvert"}
    )
    assert overall.indispensables_ok


def test_empty_grid_gives_zero_not_an_error():
    overall, per_domain = couverture.compute([], {})
    assert overall.rate == 0
    assert overall.note(10) == 0
    assert per_domain == {}


def test_the_engine_takes_a_computed_note_capped_to_the_scale():
    criteria = [
        scoring.Criterion("cout", "Coût", D(50), 10, scoring.PRIX_TOTAL),
        scoring.Criterion("couverture", "Couverture", D(50), 10, scoring.CALCULE),
    ]
    offers = [
        scoring.Offer(1, "A", total_price=D(100), computed={"couverture": D(8)}),
        scoring.Offer(2, "B", total_price=D(200), computed={"couverture": D(12)}),
    ]
    ranking = scoring.evaluate(criteria, offers)
    a, b = ranking.for_offer(1), ranking.for_offer(2)
    assert a.notes["couverture"].note == D(8)
    assert b.notes["couverture"].note == D(10)  # capped
    assert a.total == D(90)  # 50 × 10/10 + 50 × 8/10
    assert b.total == D(75)  # 50 × 5/10 + 50
    assert [r.offer.label for r in ranking.ranked] == ["A", "B"]


def test_a_price_line_reads_its_amount_the_french_way():
    ligne = LignePrix(nature="hebergement", montant=Decimal("6000.00"))
    assert str(ligne).endswith(" : 6\u00a0000,00\u00a0€\u00a0HT")
