"""A usage rate as everything shows it (pages, PDFs, exports, API, e-mail, history): numerator ×
factor ÷ denominator kept as an exact fraction, compared with its target exactly, rounded once.

Every ValeurIndicateur keeps its numerator and denominator; its `valeur` column (two decimals)
serves SQL reads and the admin only. Rounding that stored figure again for display rounded twice
(1 203 / 1 267 = 94.9487 % → 94.95 → « 95,0 »): texts and figures come from here, rounded once
from the fraction.

Rounding: half up, to one decimal. Where that figure would sit on the other side of the target
(89.976 % shown « 90,0 » beside « cible non atteinte » for a 90 % target), the second decimal is
shown (« 89,98 »); where even two decimals would cross it (89.996 → 90.00), the second decimal
is rounded towards the exact value (« 89,99 »): a figure never contradicts its target's status.
"""

import math
from decimal import Decimal
from fractions import Fraction

DECIMALES = 1
# Targets have two decimals (Indicateur.cible): with two, a rounded figure can always be kept on
# the side of the target where the exact value is.
DECIMALES_MAX = 2
NON_CALCULABLE = "non calculable"


def fr_number(value):
    """A number as French readers write it, « 72,5 », with the decimals it has: rounding is
    Taux.arrondi's, done before."""
    return "—" if value is None else f"{Decimal(value):f}".replace(".", ",")


def pourcent(figure):
    """« 94,9 % » from a figure already rounded (Taux.arrondi, or as a tranche froze it);
    « non calculable » for None."""
    return NON_CALCULABLE if figure is None else f"{fr_number(figure)} %"


def fr_cible(cible):
    """A target without its useless zeros, as the templates' floatformat:"-2": 70, 72,5."""
    return fr_number(Decimal(cible).normalize())


def _rounded(exact, places, rounding):
    """exact (a Fraction ≥ 0) to `places` decimals: rounding is math.floor, math.ceil or
    _half_up, applied to exact × 10^places in integers, so no binary or decimal intermediate
    rounds first."""
    return Decimal(rounding(exact * 10**places)).scaleb(-places)


def _half_up(value):
    return math.floor(value + Fraction(1, 2))


class Taux:
    """numerateur × facteur ÷ denominateur against `cible` (None: no target). Not calculable
    (exact None) when a count is missing or the denominator is zero — never 0."""

    __slots__ = ("cible", "exact", "majorant")

    def __init__(self, numerateur, denominateur, facteur=100, cible=None, majorant=False):
        calculable = numerateur is not None and denominateur  # None or 0: not calculable
        self.exact = Fraction(numerateur * facteur, denominateur) if calculable else None
        self.cible = None if cible is None else Decimal(cible)
        # An upper bound (ValeurIndicateur.majorant): shown « ≤ … », never assessed.
        self.majorant = bool(majorant) and calculable

    @classmethod
    def de(cls, valeur, indicateur):
        """The rate of a ValeurIndicateur (None when the month has no row), against the target
        frozen on the row."""
        if valeur is None:
            return None
        return cls(
            valeur.numerateur,
            valeur.denominateur,
            indicateur.facteur,
            valeur.cible,
            getattr(valeur, "majorant", False),
        )

    @property
    def calculable(self):
        return self.exact is not None

    @property
    def atteinte(self):
        """Target met, on the exact value: 70 meets 70, 69.996 does not (the rule the
        computation applies in SQL: numerateur × facteur ≥ cible × denominateur). None when not
        calculable, without a target, or an upper bound (the real figure may be below it)."""
        if self.exact is None or self.cible is None or self.majorant:
            return None
        return self.exact >= Fraction(self.cible)

    def ecart(self):
        """Points missing to reach the target (0 when met), exact; the whole target when not
        calculable."""
        cible = Fraction(self.cible or 0)
        return cible if self.exact is None else max(Fraction(0), cible - self.exact)

    def arrondi(self):
        """The figure shown, a Decimal with DECIMALES places or, near the target, up to
        DECIMALES_MAX (see the module's docstring); None when not calculable."""
        if self.exact is None:
            return None
        atteinte = self.atteinte
        for places in range(DECIMALES, DECIMALES_MAX + 1):
            figure = _rounded(self.exact, places, _half_up)
            if atteinte is None or (figure >= self.cible) == atteinte:
                return figure
        return _rounded(self.exact, places, math.ceil if atteinte else math.floor)

    def chiffre(self):
        """« 94,9 » (no unit); « non calculable »."""
        figure = self.arrondi()
        return NON_CALCULABLE if figure is None else fr_number(figure)

    def texte(self):
        """« 94,9 % »; « ≤ 105,0 % » for an upper bound; « non calculable »."""
        text = pourcent(self.arrondi())
        return f"≤ {text}" if self.majorant else text

    def __float__(self):
        return float(self.exact)

    def __repr__(self):
        return f"Taux({self.exact}, cible={self.cible}, majorant={self.majorant})"
