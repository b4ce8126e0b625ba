"""Total cost of ownership of a DUI offer over N years (seed 003 step 11: "reconstituer le
coût total sur au moins trois ans, y compris les coûts cachés"). Plain data in, plain data out.

A price line is one-off in a given year (0 = at acquisition: installation, paramétrage,
reprise, initial training, hardware; 1..N = a later year) or recurrent (`year=None`: licences,
maintenance, hosting — counted every year 1..N). Lines beyond the horizon are left out.
The development costs an éditeur quotes for requirements it does not cover yet are one-off
costs of year 0 (nature "hors forfait": they are not in the flat price).
"""

from dataclasses import dataclass, field
from decimal import Decimal

MIN_YEARS = 3
ZERO = Decimal(0)
HORS_FORFAIT = "hors_forfait"


@dataclass(frozen=True)
class PriceLine:
    nature: str
    amount: Decimal
    year: int | None = None  # None: recurrent, every year 1..N
    label: str = ""


@dataclass
class Tco:
    years: int
    per_year: list  # index 0 = acquisition (year 0), 1..N = years of use
    per_nature: dict = field(default_factory=dict)  # nature → total over the horizon
    hidden: Decimal = ZERO  # total of the hidden-cost natures
    total: Decimal = ZERO

    @property
    def columns(self):
        """[(label, amount)] for a table: « Année 0 (acquisition) », « Année 1 »…"""
        labels = ["Acquisition (année 0)"] + [f"Année {n}" for n in range(1, self.years + 1)]
        return list(zip(labels, self.per_year, strict=True))


def compute(lines, years=MIN_YEARS, hidden_natures=(), development_costs=()):
    """The Tco of `lines` ([PriceLine]) over `years` years of use (at least 1).

    development_costs: amounts quoted for requirements to develop, added to year 0."""
    if years < 1:
        raise ValueError("L'horizon du coût total doit être d'au moins un an.")
    per_year = [ZERO] * (years + 1)
    per_nature = {}
    hidden = set(hidden_natures)
    hidden_total = ZERO
    all_lines = list(lines) + [
        PriceLine(HORS_FORFAIT, Decimal(amount), 0, "Développements spécifiques")
        for amount in development_costs
        if amount
    ]
    for line in all_lines:
        amount = Decimal(line.amount or 0)
        if line.year is None:
            spread = dict.fromkeys(range(1, years + 1), amount)
        elif 0 <= line.year <= years:
            spread = {line.year: amount}
        else:
            spread = {}
        for year, value in spread.items():
            per_year[year] += value
        subtotal = sum(spread.values(), ZERO)
        per_nature[line.nature] = per_nature.get(line.nature, ZERO) + subtotal
        if line.nature in hidden:
            hidden_total += subtotal
    return Tco(
        years=years,
        per_year=per_year,
        per_nature=per_nature,
        hidden=hidden_total,
        total=sum(per_year, ZERO),
    )
