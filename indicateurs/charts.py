"""Server-side SVG charts of the usage indicators: a monthly line with its target, and the
ESMS × month heat map coloured against the targets.

Same approach as projets/charts.py (primitives in core/svg.py): pure functions, same input →
same SVG, inline in the page and in the PDF (WeasyPrint lays out inline SVG), no JavaScript. Every
chart carries <title>/<desc>; the pages put a data table next to it. Colour is never the only
signal: each heat-map cell also shows a symbol, explained in the legend. Values are Taux
(indicateurs.taux): statuses are decided and figures rounded there, once.
"""

import math
from decimal import Decimal
from fractions import Fraction

from django.utils.html import escape

from core import svg
from core.svg import MOIS, MUTED, PRIMARY
from core.text import plural
from indicateurs.taux import fr_cible

# Status of one value against its target.
ATTEINTE = "atteinte"
PROCHE = "proche"
LOIN = "loin"
NON_CALCULABLE = "non_calculable"
MANQUANT = "manquant"
# A first measure summed over its months where the period's distinct count is missing.
MAJORANT = "majorant"
# An indicator that does not apply to the ESMS's category (Indicateur.categories_exclues).
NON_APPLICABLE = "non_applicable"

# A value "close" to its target is at most this many points below it.
PROCHE_POINTS = Decimal(10)

# code → (label, fill colour, text colour, symbol, how cells of that status are counted: singular
# and plural). Labels are read inside parentheses by screen readers: none holds its own.
STATUTS = {
    ATTEINTE: ("Cible atteinte", "#b8fec9", "#0d5225", "✔", "cible atteinte", "cibles atteintes"),
    PROCHE: (
        f"Proche : moins de {PROCHE_POINTS} points sous la cible",
        "#fceeac",
        "#5c4600",
        "≈",
        "proche",
        "proches",
    ),
    LOIN: ("Loin de la cible", "#ffbdbd", "#7a0000", "✖", "loin de la cible", "loin de la cible"),
    NON_CALCULABLE: (
        "Non calculable : dénominateur nul ou manquant",
        "#e5e5e5",
        "#3a3a3a",
        "∅",
        "non calculable",
        "non calculables",
    ),
    MANQUANT: (
        "Donnée manquante",
        "#ffffff",
        "#666666",
        "?",
        "donnée manquante",
        "données manquantes",
    ),
}
STATUTS[MAJORANT] = (
    "Majorant : somme des 3 mois, en attente du nombre de personnes distinctes",
    "#dbe7ff",
    "#1d2f6f",
    "≤",
    "majorant",
    "majorants",
)
STATUTS[NON_APPLICABLE] = (
    "Non applicable à la catégorie de l'ESMS",
    "#f6f6f6",
    "#3a3a3a",
    "–",
    "non applicable",
    "non applicables",
)
STATUT_ORDER = [ATTEINTE, PROCHE, LOIN, MAJORANT, NON_CALCULABLE, NON_APPLICABLE, MANQUANT]

TARGET_COLOUR = "#ce0500"


def statut_taux(taux):
    """Status of a Taux (None when the month has no value), decided on the exact value; a status
    code given instead of a Taux (NON_APPLICABLE) is that status."""
    if isinstance(taux, str):
        return taux
    if taux is None:
        return MANQUANT
    if not taux.calculable:
        return NON_CALCULABLE
    if taux.majorant:
        return MAJORANT
    if taux.atteinte:
        return ATTEINTE
    if taux.exact >= Fraction(taux.cible - PROCHE_POINTS):
        return PROCHE
    return LOIN


def statut_info(code):
    label, fill, ink, symbol = STATUTS[code][:4]
    return {"code": code, "label": label, "fill": fill, "ink": ink, "symbol": symbol}


MOIS_LONGS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def mois_label(mois, *, short=True):
    """ "avr. 26" on chart axes, "avril 2026" in sentences."""
    if short:
        return f"{MOIS[mois.month - 1]} {mois:%y}"
    return f"{MOIS_LONGS[mois.month - 1]} {mois.year}"


# ---------------------------------------------------------------------------------------------
# Monthly line with the target
# ---------------------------------------------------------------------------------------------

LINE_LEFT = 44
LINE_RIGHT = 64  # room for the target's label, right of the plot
LINE_TOP = 14
LINE_BOTTOM = 34
AXIS_FONT = 9
# Width of a glyph of the axis labels, in ems: DejaVu Sans' widest lower-case letters and
# digits (FONT lists it first, and it is the widest of the fonts listed), so that an estimate
# from the number of characters is never narrower than the drawn label.
AXIS_CHAR_EM = 0.64
AXIS_GAP = 6


def _axis_max(values, cible):
    top = max([Fraction(100), Fraction(cible or 0), *(taux.exact for taux in values)])
    # Round up to the next multiple of 20 so that the grid lines fall on round figures.
    return int((top + 19) // 20 * 20)


def axis_label_indexes(labels, step):
    """The indexes of the month labels drawn under an axis whose months are `step` apart: every
    n-th month counted back from the latest (always labelled), n the smallest spacing at which
    the widest label clears its neighbours, so that labels never overlap."""
    if not labels:
        return []
    widest = max(len(label) for label in labels) * AXIS_CHAR_EM * AXIS_FONT
    every = max(1, math.ceil((widest + AXIS_GAP) / step)) if step else len(labels)
    return list(range(len(labels) - 1, -1, -every))[::-1]


PREMIERE_MESURE = "1re mesure : 3 mois cumulés"


def line_chart_svg(libelle, points, cible, *, width=520, height=220, code="", premiere=None):  # noqa: C901 (a chart builder: each branch draws one element)
    """Monthly values of one indicator (`points`: [(mois, value)], chronological) with the target
    as a dashed line. A value is a Taux (not calculable: the line breaks and the month shows ∅)
    or MANQUANT (no value computed that month: the line breaks, nothing is drawn — a gap, never
    a zero). `premiere`: the month of the first measure of a flow indicator, whose numerator
    cumulates three months (indicateurs.services): marked by a dotted line and a label, so that
    its high value followed by a drop reads as the rule, not as a fall in usage."""
    points = list(points)
    known = [value for _, value in points if value != MANQUANT and value.calculable]
    top = _axis_max(known, cible)
    x0, x1 = LINE_LEFT, width - LINE_RIGHT
    y0, y1 = LINE_TOP, height - LINE_BOTTOM
    step = (x1 - x0) / max(len(points) - 1, 1)

    def x_of(index):
        return x0 + index * step if len(points) > 1 else (x0 + x1) / 2

    def y_of(value):
        return y1 - float(value) * (y1 - y0) / top

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    body.append('<g class="grille">')
    for tick in range(0, top + 1, 20):
        y = y_of(tick)
        body.append(
            f'<line x1="{x0}" y1="{svg.n(y)}" x2="{x1}" y2="{svg.n(y)}" stroke="#e3e3e3" stroke-width="1"/>'
        )
        body.append(svg.text(x0 - 6, y + 3.5, f"{tick} %", size=9, anchor="end", fill=MUTED))
    body.append("</g>")
    labels = [mois_label(mois) for mois, _ in points]
    body.append('<g class="axe-mois">')
    for index in axis_label_indexes(labels, step if len(points) > 1 else 0):
        body.append(
            svg.text(
                x_of(index), y1 + 15, labels[index], size=AXIS_FONT, anchor="middle", fill=MUTED
            )
        )
    body.append("</g>")
    if cible is not None:
        y = y_of(cible)
        body.append(
            f'<g class="cible">{svg.title(f"Cible : {fr_cible(cible)} %")}'
            f'<line x1="{x0}" y1="{svg.n(y)}" x2="{x1}" y2="{svg.n(y)}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
            + svg.text(x1 + 4, y + 3.5, f"cible {fr_cible(cible)} %", size=9, fill=TARGET_COLOUR)
            + "</g>"
        )
    months = [mois for mois, _ in points]
    if premiere in months:
        x = x_of(months.index(premiere))
        body.append(
            f'<g class="premiere-mesure">{svg.title(PREMIERE_MESURE)}'
            f'<line x1="{svg.n(x)}" y1="{y0}" x2="{svg.n(x)}" y2="{y1}" stroke="{MUTED}" '
            f'stroke-width="1" stroke-dasharray="2 3"/>'
            # The label on the side with room: after the line, or before it near the right edge.
            + (
                svg.text(x + 4, y0 + 9, PREMIERE_MESURE, size=9, fill=MUTED)
                if x < (x0 + x1) / 2
                else svg.text(x - 4, y0 + 9, PREMIERE_MESURE, size=9, anchor="end", fill=MUTED)
            )
            + "</g>"
        )
    # The line, broken at "non calculable" and missing months.
    segments, current = [], []
    for index, (_, value) in enumerate(points):
        if value == MANQUANT or not value.calculable:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x_of(index), y_of(value)))
    if current:
        segments.append(current)
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{svg.n(x)},{svg.n(y)}" for x, y in segment)
            body.append(
                f'<polyline class="serie" points="{path}" fill="none" stroke="{PRIMARY}" '
                f'stroke-width="2"/>'
            )
    for index, (mois, value) in enumerate(points):
        if value == MANQUANT:
            continue
        if not value.calculable:
            body.append(
                f'<g class="non-calculable">{svg.title(f"{mois_label(mois, short=False)} : non calculable")}'
                + svg.text(x_of(index), y1 - 4, "∅", size=10, anchor="middle", fill=MUTED)
                + "</g>"
            )
            continue
        met = value.atteinte
        tooltip = f"{mois_label(mois, short=False)} : {value.texte()}" + (
            " (cible atteinte)" if met else " (sous la cible)" if met is not None else ""
        )
        if mois == premiere:
            tooltip += f" — {PREMIERE_MESURE}"
        # Met: filled disc; below target: hollow — shape, not only colour.
        fill = PRIMARY if met else "#ffffff"
        body.append(
            f'<circle class="point" cx="{svg.n(x_of(index))}" cy="{svg.n(y_of(value))}" r="3.5" '
            f'fill="{fill}" stroke="{PRIMARY}" stroke-width="1.5">{svg.title(tooltip)}</circle>'
        )
    label = f"{libelle} par mois" + (f", cible {fr_cible(cible)} %" if cible else "")
    return svg.svg(
        width,
        height,
        label,
        body,
        css_class=f"courbe-indicateur{f' indicateur-{escape(code)}' if code else ''}",
        desc=_line_desc(points),
    )


def _line_desc(points):
    measured = [(mois, value) for mois, value in points if value != MANQUANT]
    known = [(mois, value) for mois, value in measured if value.calculable]
    if not measured:
        return "Aucune donnée."
    if not known:
        return "Aucune valeur calculable sur la période."
    mois, value = known[-1]
    met = sum(1 for _, v in known if v.atteinte)
    return (
        f"Dernière valeur : {value.texte()} en {mois_label(mois, short=False)}. "
        f"Cible atteinte {met} mois sur {plural(len(measured), 'mesuré')}."
    )


# ---------------------------------------------------------------------------------------------
# ESMS × month heat map
# ---------------------------------------------------------------------------------------------

HEAT_LABEL_W = 230
HEAT_CELL_W = 46
HEAT_CELL_H = 22
HEAT_TOP = 30


def heatmap_svg(libelle, months, rows):
    """`rows`: [(ESMS name, [Taux or None per month])] in display order. A cell shows its
    figure as the tables do (Taux.chiffre: one decimal, two where the target needs them)."""
    months = list(months)
    rows = list(rows)
    width = HEAT_LABEL_W + HEAT_CELL_W * max(len(months), 1) + 10
    legend_y = HEAT_TOP + HEAT_CELL_H * len(rows) + 12
    height = legend_y + 22 * len(STATUT_ORDER) + 8
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for index, mois in enumerate(months):
        x = HEAT_LABEL_W + index * HEAT_CELL_W + HEAT_CELL_W / 2
        body.append(
            svg.text(x, HEAT_TOP - 10, mois_label(mois), size=9, anchor="middle", fill=MUTED)
        )
    counts = dict.fromkeys(STATUT_ORDER, 0)
    for row_index, (name, cells) in enumerate(rows):
        y = HEAT_TOP + row_index * HEAT_CELL_H
        body.append(svg.text(6, y + 15, svg.truncate(name, 38), size=10))
        for index, (mois, taux) in enumerate(zip(months, cells, strict=True)):
            code = statut_taux(taux)
            counts[code] += 1
            label, fill, ink, symbol = STATUTS[code][:4]
            x = HEAT_LABEL_W + index * HEAT_CELL_W
            measured = code in (ATTEINTE, PROCHE, LOIN, MAJORANT)
            shown = taux.chiffre() if measured else symbol
            tooltip = f"{name} — {mois_label(mois, short=False)} : " + (
                f"{taux.texte()} ({label.lower()})" if measured else label.lower()
            )
            body.append(
                f'<g class="cellule statut-{code}">{svg.title(tooltip)}'
                f'<rect x="{x}" y="{y}" width="{HEAT_CELL_W}" height="{HEAT_CELL_H}" '
                f'fill="{fill}" stroke="#bdbdbd" stroke-width="0.5"/>'
                + svg.text(
                    x + HEAT_CELL_W / 2,
                    y + 15,
                    f"{symbol} {shown}" if measured else shown,
                    size=9.5,
                    anchor="middle",
                    fill=ink,
                )
                + "</g>"
            )
    body.append('<g class="legende">')
    for index, code in enumerate(STATUT_ORDER):
        label, fill, ink, symbol = STATUTS[code][:4]
        y = legend_y + index * 22
        body.append(
            f'<rect x="6" y="{y}" width="26" height="16" fill="{fill}" stroke="#9a9a9a" '
            f'stroke-width="0.5"/>'
        )
        body.append(svg.text(19, y + 12, symbol, size=10, anchor="middle", fill=ink))
        body.append(svg.text(40, y + 12, label, size=10))
    body.append("</g>")
    # The statuses that may not occur in a grappe (upper bound, not applicable) only when they do.
    summary = ", ".join(
        plural(counts[code], *STATUTS[code][4:])
        for code in STATUT_ORDER
        if counts[code] or code not in (MAJORANT, NON_APPLICABLE)
    )
    return svg.svg(
        width,
        height,
        f"Carte de chaleur ESMS × mois — {libelle}",
        body,
        css_class="carte-chaleur",
        desc=f"{len(rows)} ESMS sur {len(months)} mois : {summary}.",
    )
