"""The finances' bar chart, server-side SVG (core.svg): the page and the bilan financier PDF show
the same picture. Per poste with money, one bar per measure (budget, engagé, facturé, payé,
justifié), all on one scale so that a poste's bars compare with each other and with the other
postes'. Horizontal bars: the postes' long names stay readable at a phone's width."""

from decimal import Decimal

from core import svg
from core.money import euros
from core.svg import MUTED, TEXT

# (key of services.Ligne, label, colour): budget first, as the reference the others fill.
MESURES = [
    ("budget", "Budget", "#c8c8c8"),
    ("engage", "Engagé", "#6a6af4"),
    ("facture", "Facturé", "#000091"),
    ("paye", "Payé", "#e4794a"),
    ("justifie", "Justifié", "#18753c"),
]
WIDTH = 640
LEFT = 8
BAR_AREA = 460  # the bars' width at the largest amount; the amounts written after them
BAR = 9
GAP = 2
LABEL = 16  # the poste's name above its bars
GROUP_GAP = 12
LEGEND = 26


def _scale(lignes):
    top = max((getattr(ligne, key) for ligne in lignes for key, _, _ in MESURES), default=0)
    return Decimal(top) if top else Decimal(1)


def postes_svg(lignes):
    """The chart of `lignes` (services.Ligne), leaving out the postes without any money; None
    when no poste has any (the page then says so in words)."""
    lignes = [ligne for ligne in lignes if any(getattr(ligne, k) for k, _, _ in MESURES)]
    if not lignes:
        return None
    top = _scale(lignes)
    body = []
    x = LEFT
    for _key, label, colour in MESURES:
        body.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        body.append(svg.text(x + 14, 15, label, size=10, fill=TEXT))
        x += 14 + 8 * len(label) + 18
    y = LEGEND
    group = LABEL + len(MESURES) * (BAR + GAP) + GROUP_GAP
    for ligne in lignes:
        body.append(svg.text(LEFT, y + 11, svg.truncate(ligne.libelle, 80), size=11, weight="bold"))
        bar_y = y + LABEL
        for key, label, colour in MESURES:
            amount = getattr(ligne, key)
            width = float(BAR_AREA * amount / top) if amount > 0 else 0
            tooltip = f"{ligne.libelle} — {label} : {euros(amount)}"
            body.append(
                f'<g class="barre barre-{key}">{svg.title(tooltip)}'
                f'<rect x="{LEFT}" y="{svg.n(bar_y)}" width="{svg.n(width)}" height="{BAR}" '
                f'fill="{colour}"/>'
                + svg.text(
                    LEFT + width + 4,
                    bar_y + BAR - 1,
                    f"{label} {euros(amount)}",
                    size=9,
                    fill=MUTED,
                )
                + "</g>"
            )
            bar_y += BAR + GAP
        y += group
    desc = " ; ".join(
        f"{ligne.libelle} : "
        + ", ".join(f"{label.lower()} {euros(getattr(ligne, key))}" for key, label, _ in MESURES)
        for ligne in lignes
    )
    return svg.svg(
        WIDTH,
        y,
        "Budget, engagé, facturé, payé et justifié par poste",
        body,
        css_class="graphique-finances",
        desc=desc,
    )
