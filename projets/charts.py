"""Server-side charts of the plan and the risk register, as inline SVG strings.

The page and the PDF report embed the very same SVG (WeasyPrint lays out inline SVG), so both show
the same picture without any JavaScript. Every function here is pure: same input, same SVG, which
the unit tests compare byte for byte. Text coming from users is escaped; only the final SVG is
marked safe.

Inputs are duck-typed so that unsaved model instances work in tests:
- a step (``Etape``) has ``pk``, ``ordre``, ``titre``, ``phase``, ``planned_start``, ``planned_end``,
  ``actual_start``, ``actual_end``, ``skipped``, ``status(today)`` and ``status_label(today)``
  (the views pass steps from ``EtapeQuerySet.with_missing_deliverables``: no query);
- a milestone (``Jalon``) has ``titre``, ``etape_id``, ``go_no_go``, ``planned_on``, ``decision``,
  ``decided_on``;
- a risk (``Risque``) has ``titre``, ``probabilite`` and ``impact`` (1 to 4).
"""

import datetime

from core import svg
from core.months import month_start, next_month
from core.svg import MOIS, MUTED, PRIMARY, TEXT
from core.text import agree, plural
from projets.enums import DecisionJalon, StatutEtape

# Step status → bar colour (the planned bar takes the colour of the step's status).
STATUS_COLOURS = {
    StatutEtape.A_VENIR: "#6a6af4",
    StatutEtape.EN_COURS: PRIMARY,
    StatutEtape.EN_RETARD: "#ce0500",
    StatutEtape.TERMINEE: "#18753c",
    StatutEtape.SANS_OBJET: "#c8c8c8",
}
ACTUAL_COLOUR = "#161616"
BASELINE_COLOUR = "#555555"
TODAY_COLOUR = "#ce0500"

# Milestone decision → diamond fill ("" = not decided yet).
DECISION_COLOURS = {
    DecisionJalon.GO: "#18753c",
    DecisionJalon.NO_GO: "#ce0500",
    DecisionJalon.AJOURNE: "#e4794a",
    "": "#ffffff",
}

# Probability × impact scale of the risk register (seed 001: matrice des risques).
PROBABILITE_LABELS = {1: "Rare", 2: "Possible", 3: "Probable", 4: "Quasi certain"}
IMPACT_LABELS = {1: "Faible", 2: "Modéré", 3: "Important", 4: "Majeur"}

# Criticality (probability × impact, 1 to 16) → level: (code, label, range, lowest, colour).
NIVEAUX_CRITICITE = [
    ("faible", "Faible", "1 à 3", 1, "#c9f2d4"),
    ("moderee", "Modérée", "4 à 6", 4, "#fff1a8"),
    ("elevee", "Élevée", "8 à 9", 8, "#ffc98a"),
    ("critique", "Critique", "12 à 16", 12, "#f6a0a0"),
]


def niveau_criticite(criticite):
    """{code, label, range, colour} of the level a criticality (1 to 16) falls in."""
    code, label, span, _, colour = [n for n in NIVEAUX_CRITICITE if criticite >= n[3]][-1]
    return {"code": code, "label": label, "range": span, "colour": colour}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _d(date):
    return date.strftime("%d/%m/%Y") if date else "—"


# ---------------------------------------------------------------------------------------------
# Gantt chart of the plan
# ---------------------------------------------------------------------------------------------

GANTT_WIDTH = 1000
GANTT_LABEL_X = 8
GANTT_X0 = 300  # left edge of the time axis
GANTT_X1 = 988  # right edge of the time axis
GANTT_HEADER = 42
GANTT_PHASE_H = 20
GANTT_ROW_H = 22
GANTT_LABEL_CHARS = 54


def gantt_domain(etapes, jalons, today, baseline=None):
    """First day of the first month and first day of the month after the last date shown."""
    dates = [today]
    for etape in etapes:
        dates += [etape.planned_start, etape.planned_end, etape.actual_start, etape.actual_end]
    for jalon in jalons:
        dates += [jalon.planned_on, jalon.decided_on]
    for start, end in (baseline or {}).values():
        dates += [start, end]
    dates = [date for date in dates if date]
    return month_start(min(dates)), next_month(max(dates))


def gantt_x(date, domain):
    """Horizontal position of `date` on the time axis of a chart spanning `domain`."""
    start, end = domain
    span = (end - start).days or 1
    return GANTT_X0 + (date - start).days * (GANTT_X1 - GANTT_X0) / span


def _diamond(x, y, size, fill, *, stroke=TEXT):
    points = f"M{svg.n(x)} {svg.n(y - size)}L{svg.n(x + size)} {svg.n(y)}L{svg.n(x)} {svg.n(y + size)}L{svg.n(x - size)} {svg.n(y)}Z"
    return f'<path d="{points}" fill="{fill}" stroke="{stroke}" stroke-width="1"/>'


def _jalon_date(jalon):
    return jalon.decided_on or jalon.planned_on


def _jalon_title(jalon):
    parts = [f"Jalon : {jalon.titre}"]
    if jalon.go_no_go:
        parts.append("décision go / no go")
    parts.append(f"prévu le {_d(jalon.planned_on)}")
    if jalon.decision:
        parts.append(
            f"décision : {DecisionJalon(jalon.decision).label}"
            + (f" le {_d(jalon.decided_on)}" if jalon.decided_on else "")
        )
    else:
        parts.append("pas encore décidé")
    return " — ".join(parts)


def _gantt_header(domain, bottom):
    """Year and month labels, month grid lines."""
    start, end = domain
    months = []
    cursor = start
    while cursor < end:
        months.append(cursor)
        cursor = next_month(cursor)
    month_width = (GANTT_X1 - GANTT_X0) / max(len(months), 1)
    every = 1 if month_width >= 24 else 2 if month_width >= 12 else 3
    body = ['<g class="axe-temps">']
    for index, month in enumerate(months):
        x = gantt_x(month, domain)
        is_year = month.month == 1 or index == 0
        colour = "#9a9a9a" if month.month == 1 else "#e3e3e3"
        body.append(
            f'<line x1="{svg.n(x)}" y1="{GANTT_HEADER - 10 if is_year else GANTT_HEADER - 4}" '
            f'x2="{svg.n(x)}" y2="{svg.n(bottom)}" stroke="{colour}" stroke-width="1"/>'
        )
        if is_year:
            body.append(svg.text(x + 3, 14, str(month.year), size=11, weight="bold"))
        if index % every == 0:
            middle = x + month_width * every / 2 if every == 1 else x + 2
            anchor = "middle" if every == 1 else "start"
            body.append(
                svg.text(
                    middle,
                    GANTT_HEADER - 12,
                    MOIS[month.month - 1],
                    size=9.5,
                    anchor=anchor,
                    fill=MUTED,
                )
            )
    body.append(
        f'<line x1="{GANTT_X0}" y1="{GANTT_HEADER - 4}" x2="{GANTT_X1}" y2="{GANTT_HEADER - 4}" '
        f'stroke="#9a9a9a" stroke-width="1"/>'
    )
    body.append("</g>")
    return body


def _gantt_legend(y, has_baseline):
    body = [f'<g class="legende" transform="translate({GANTT_LABEL_X} {svg.n(y)})">']
    body.append(svg.text(0, 11, "Statut de l'étape :", size=10, weight="bold"))
    x = 112
    for status in [
        StatutEtape.A_VENIR,
        StatutEtape.EN_COURS,
        StatutEtape.EN_RETARD,
        StatutEtape.TERMINEE,
        StatutEtape.SANS_OBJET,
    ]:
        body.append(f'<rect x="{x}" y="2" width="16" height="10" fill="{STATUS_COLOURS[status]}"/>')
        body.append(svg.text(x + 20, 11, status.label, size=10))
        x += 28 + 6 * len(status.label)
    x += 10
    body.append(svg.text(x, 11, "Jalons :", size=10, weight="bold"))
    x += 50
    for decision, label in [
        (DecisionJalon.GO, "Go"),
        (DecisionJalon.NO_GO, "No go"),
        (DecisionJalon.AJOURNE, "Ajourné"),
        ("", "À décider"),
    ]:
        body.append(_diamond(x + 6, 7, 5.5, DECISION_COLOURS[decision]))
        body.append(svg.text(x + 16, 11, label, size=10))
        x += 26 + 6 * len(label)

    # Second line: how to read the bars.
    body.append(svg.text(0, 31, "Lecture :", size=10, weight="bold"))
    x = 112
    body.append(
        f'<rect x="{x}" y="21" width="24" height="8" fill="{STATUS_COLOURS[StatutEtape.A_VENIR]}"/>'
    )
    body.append(svg.text(x + 28, 30, "prévu (couleur du statut)", size=10))
    x += 190
    body.append(f'<rect x="{x}" y="24" width="24" height="5" fill="{ACTUAL_COLOUR}"/>')
    body.append(svg.text(x + 28, 30, "réel (jusqu'à aujourd'hui si en cours)", size=10))
    x += 250
    if has_baseline:
        body.append(
            f'<rect x="{x}" y="19" width="24" height="14" fill="none" stroke="{BASELINE_COLOUR}" '
            f'stroke-width="1" stroke-dasharray="3 2"/>'
        )
        body.append(svg.text(x + 28, 30, "référence enregistrée", size=10))
        x += 160
    body.append(
        f'<line x1="{x + 8}" y1="18" x2="{x + 8}" y2="34" stroke="{TODAY_COLOUR}" '
        f'stroke-width="1.5" stroke-dasharray="4 3"/>'
    )
    body.append(svg.text(x + 16, 30, "aujourd'hui", size=10))
    body.append("</g>")
    return body


def gantt_svg(etapes, jalons, today, baseline=None, *, phases=None):  # noqa: C901 (a chart builder: each branch draws one element)
    """The plan as a Gantt chart: one row per step grouped by phase.

    `baseline` maps a step's pk to its (planned_start, planned_end) in a saved baseline (drawn as a
    dashed ghost bar); `phases` maps a phase number to its title ("Phase n" otherwise).
    """
    etapes = sorted(etapes, key=lambda etape: (etape.phase, etape.ordre, etape.pk or 0))
    jalons = sorted(
        (jalon for jalon in jalons if _jalon_date(jalon)),
        key=lambda jalon: (_jalon_date(jalon), jalon.titre),
    )
    baseline = baseline or {}
    phases = phases or {}
    domain = gantt_domain(etapes, jalons, today, baseline)

    # Layout first: the y of every row.
    rows = []  # (kind, y, object)
    y = GANTT_HEADER + 4
    current_phase = None
    for etape in etapes:
        if etape.phase != current_phase:
            current_phase = etape.phase
            rows.append(("phase", y, etape.phase))
            y += GANTT_PHASE_H
        rows.append(("etape", y, etape))
        y += GANTT_ROW_H
    row_of = {obj.pk: row_y for kind, row_y, obj in rows if kind == "etape"}
    orphans = [jalon for jalon in jalons if jalon.etape_id not in row_of]
    if orphans:
        rows.append(("jalons", y, None))
        y += GANTT_ROW_H
    bottom = y + 4
    height = bottom + 22 + 44

    body = [f'<rect x="0" y="0" width="{GANTT_WIDTH}" height="{height}" fill="#ffffff"/>']

    # Phase bands (behind everything).
    band_index = 0
    for index, (kind, row_y, obj) in enumerate(rows):
        if kind != "phase":
            continue
        end_y = next(
            (other_y for other_kind, other_y, _ in rows[index + 1 :] if other_kind != "etape"),
            bottom - 4,
        )
        fill = "#f3f3fd" if band_index % 2 == 0 else "#ffffff"
        band_index += 1
        title = phases.get(obj, "")
        label = f"Phase {obj}" + (f" — {title}" if title else "")
        body.append(
            f'<g class="phase" data-phase="{obj}">{svg.title(label)}'
            f'<rect x="0" y="{svg.n(row_y)}" width="{GANTT_WIDTH}" height="{svg.n(end_y - row_y)}" fill="{fill}"/>'
            f'<line x1="0" y1="{svg.n(row_y)}" x2="{GANTT_WIDTH}" y2="{svg.n(row_y)}" stroke="#c8c8e8" stroke-width="1"/>'
            + svg.text(
                GANTT_LABEL_X,
                row_y + 14,
                svg.truncate(label, 80),
                size=11,
                weight="bold",
                fill=PRIMARY,
            )
            + "</g>"
        )

    body += _gantt_header(domain, bottom)

    for kind, row_y, etape in rows:
        if kind == "jalons":
            body.append(
                svg.text(GANTT_LABEL_X + 14, row_y + 15, "Autres jalons", size=10.5, fill=MUTED)
            )
            continue
        if kind != "etape":
            continue
        status = etape.status(today)
        colour = STATUS_COLOURS[status]
        label = f"{etape.ordre}. {etape.titre}"
        summary = [
            f"Étape {label}",
            f"statut : {etape.status_label(today)}",
            f"prévu : {_d(etape.planned_start)} → {_d(etape.planned_end)}",
        ]
        if etape.actual_start or etape.actual_end:
            summary.append(f"réel : {_d(etape.actual_start)} → {_d(etape.actual_end)}")
        if etape.pk in baseline:
            start, end = baseline[etape.pk]
            summary.append(f"référence : {_d(start)} → {_d(end)}")
        body.append(
            f'<g class="etape statut-{status.value}" data-etape="{etape.pk}">{svg.title(" — ".join(summary))}'
        )
        body.append(
            svg.text(
                GANTT_LABEL_X + 14,
                row_y + 15,
                svg.truncate(label, GANTT_LABEL_CHARS),
                size=10.5,
                fill=MUTED if etape.skipped else TEXT,
            )
        )
        start, end = baseline.get(etape.pk, (None, None))
        if start and end:
            x0, x1 = gantt_x(start, domain), gantt_x(end + datetime.timedelta(days=1), domain)
            body.append(
                f'<rect class="barre-reference" x="{svg.n(x0)}" y="{svg.n(row_y + 2)}" '
                f'width="{svg.n(max(x1 - x0, 1))}" height="{GANTT_ROW_H - 4}" fill="none" '
                f'stroke="{BASELINE_COLOUR}" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        if etape.planned_start and etape.planned_end:
            x0 = gantt_x(etape.planned_start, domain)
            x1 = gantt_x(etape.planned_end + datetime.timedelta(days=1), domain)
            body.append(
                f'<rect class="barre-prevue" x="{svg.n(x0)}" y="{svg.n(row_y + 4)}" '
                f'width="{svg.n(max(x1 - x0, 1))}" height="9" fill="{colour}"/>'
            )
        if etape.actual_start:
            actual_end = etape.actual_end or max(today, etape.actual_start)
            x0 = gantt_x(etape.actual_start, domain)
            x1 = gantt_x(actual_end + datetime.timedelta(days=1), domain)
            body.append(
                f'<rect class="barre-reelle" x="{svg.n(x0)}" y="{svg.n(row_y + 14)}" '
                f'width="{svg.n(max(x1 - x0, 1))}" height="5" fill="{ACTUAL_COLOUR}"/>'
            )
        body.append("</g>")

    # Milestones on their step's row (or on the "Autres jalons" row).
    orphan_y = rows[-1][1] if orphans else None
    for jalon in jalons:
        row_y = row_of.get(jalon.etape_id, orphan_y)
        x = gantt_x(_jalon_date(jalon), domain)
        decision = jalon.decision or ""
        css = f"jalon decision-{decision or 'attente'}" + (" go-no-go" if jalon.go_no_go else "")
        body.append(
            f'<g class="{css}">{svg.title(_jalon_title(jalon))}'
            + _diamond(
                x, row_y + GANTT_ROW_H / 2, 6.5 if jalon.go_no_go else 5, DECISION_COLOURS[decision]
            )
            + "</g>"
        )

    # Today's line, over the bars.
    x_today = gantt_x(today, domain)
    today_title = svg.title(f"Aujourd'hui : {_d(today)}")
    body.append(
        f'<g class="aujourdhui" data-x="{svg.n(x_today)}">{today_title}'
        f'<line x1="{svg.n(x_today)}" y1="{GANTT_HEADER - 4}" x2="{svg.n(x_today)}" y2="{svg.n(bottom)}" '
        f'stroke="{TODAY_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        + svg.text(x_today, bottom + 13, "aujourd'hui", size=10, anchor="middle", fill=TODAY_COLOUR)
        + "</g>"
    )

    body += _gantt_legend(bottom + 22, bool(baseline))

    dated = [etape for etape in etapes if etape.planned_start and etape.planned_end]
    if dated:
        first = min(etape.planned_start for etape in dated)
        last = max(etape.planned_end for etape in dated)
        span = f" {agree(len(etapes), 'prévue')} du {_d(first)} au {_d(last)}"
    else:
        span = ""
    late = sum(1 for etape in etapes if etape.status(today) == StatutEtape.EN_RETARD)
    label = (
        f"Planning du projet : {plural(len(etapes), 'étape')}{span}, "
        f"{plural(len(jalons), 'jalon')}, {plural(late, 'étape')} en retard au {_d(today)}."
    )
    return svg.svg(
        GANTT_WIDTH,
        height,
        label,
        body,
        css_class="gantt",
        desc="Le tableau qui suit le diagramme reprend les mêmes données.",
    )


# ---------------------------------------------------------------------------------------------
# Probability × impact matrix of the risk register
# ---------------------------------------------------------------------------------------------

HEATMAP_LEFT = 130
HEATMAP_TOP = 14
HEATMAP_CELL = 72


def heatmap_cell_counts(risques):
    """{(probabilité, impact): [titles]} for the risks given."""
    cells = {}
    for risque in risques:
        cells.setdefault((risque.probabilite, risque.impact), []).append(risque.titre)
    return cells


def heatmap_svg(risques):
    """4 × 4 grid: probability upwards, impact rightwards; each cell shows how many risks it holds
    and is coloured by its criticality (probability × impact)."""
    cells = heatmap_cell_counts(risques)
    grid = 4 * HEATMAP_CELL
    width = HEATMAP_LEFT + grid + 16
    height = HEATMAP_TOP + grid + 96
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for probabilite in range(1, 5):
        for impact in range(1, 5):
            x = HEATMAP_LEFT + (impact - 1) * HEATMAP_CELL
            y = HEATMAP_TOP + (4 - probabilite) * HEATMAP_CELL
            criticite = probabilite * impact
            niveau = niveau_criticite(criticite)
            titles = sorted(cells.get((probabilite, impact), []))
            count = len(titles)
            tooltip = (
                f"Probabilité {probabilite} ({PROBABILITE_LABELS[probabilite]}) × impact {impact} "
                f"({IMPACT_LABELS[impact]}) : criticité {criticite} ({niveau['label'].lower()}), "
                f"{plural(count, 'risque')}" + (" : " + " ; ".join(titles) if titles else "")
            )
            body.append(
                f'<g class="cellule niveau-{niveau["code"]}" data-probabilite="{probabilite}" '
                f'data-impact="{impact}" data-nombre="{count}">{svg.title(tooltip)}'
                f'<rect x="{x}" y="{y}" width="{HEATMAP_CELL}" height="{HEATMAP_CELL}" '
                f'fill="{niveau["colour"]}" stroke="#ffffff" stroke-width="2"/>'
                + svg.text(x + 6, y + 14, str(criticite), size=9, fill="#3a3a3a")
                + (
                    svg.text(
                        x + HEATMAP_CELL / 2,
                        y + HEATMAP_CELL / 2 + 9,
                        str(count),
                        size=24,
                        anchor="middle",
                        weight="bold",
                    )
                    if count
                    else ""
                )
                + "</g>"
            )
    # Axes.
    for probabilite in range(1, 5):
        y = HEATMAP_TOP + (4 - probabilite) * HEATMAP_CELL + HEATMAP_CELL / 2
        body.append(
            svg.text(
                HEATMAP_LEFT - 8, y - 2, str(probabilite), size=11, anchor="end", weight="bold"
            )
        )
        body.append(
            svg.text(
                HEATMAP_LEFT - 8, y + 12, PROBABILITE_LABELS[probabilite], size=10, anchor="end"
            )
        )
    for impact in range(1, 5):
        x = HEATMAP_LEFT + (impact - 1) * HEATMAP_CELL + HEATMAP_CELL / 2
        body.append(
            svg.text(
                x, HEATMAP_TOP + grid + 15, str(impact), size=11, anchor="middle", weight="bold"
            )
        )
        body.append(
            svg.text(x, HEATMAP_TOP + grid + 29, IMPACT_LABELS[impact], size=10, anchor="middle")
        )
    body.append(
        svg.text(
            14,
            HEATMAP_TOP + grid / 2,
            "Probabilité",
            size=11,
            anchor="middle",
            weight="bold",
            extra=f'transform="rotate(-90 14 {svg.n(HEATMAP_TOP + grid / 2)})"',
        )
    )
    body.append(
        svg.text(
            HEATMAP_LEFT + grid / 2,
            HEATMAP_TOP + grid + 46,
            "Impact",
            size=11,
            anchor="middle",
            weight="bold",
        )
    )
    # Legend of the levels.
    x = 8
    y = HEATMAP_TOP + grid + 62
    body.append('<g class="legende">')
    for _code, label, span, _lowest, colour in NIVEAUX_CRITICITE:
        text = f"{label} ({span})"
        body.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}" stroke="#9a9a9a" stroke-width="0.5"/>'
        )
        body.append(svg.text(x + 16, y + 10, text, size=9.5))
        x += 24 + int(5.4 * len(text))
    body.append("</g>")
    total = sum(len(titles) for titles in cells.values())
    critical = sum(
        len(titles)
        for (p, i), titles in cells.items()
        if niveau_criticite(p * i)["code"] == "critique"
    )
    label = (
        f"Matrice des risques (probabilité × impact) : {plural(total, 'risque')}, "
        f"dont {plural(critical, 'critique')}."
    )
    return svg.svg(width, height, label, body, css_class="matrice-risques")


# ---------------------------------------------------------------------------------------------
# Criticality history of one risk
# ---------------------------------------------------------------------------------------------


def sparkline_svg(values, *, width=140, height=32):
    """A tiny line of a risk's successive criticalities (1 to 16)."""
    values = list(values)
    if not values:
        return ""
    pad = 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y_of(value):
        return height - pad - (value - 1) * (height - 2 * pad) / 15

    points = [(pad + index * step, y_of(value)) for index, value in enumerate(values)]
    body = []
    if len(points) > 1:
        path = " ".join(f"{svg.n(x)},{svg.n(y)}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{PRIMARY}" stroke-width="1.5"/>'
        )
    last_x, last_y = points[-1]
    colour = niveau_criticite(values[-1])["colour"]
    body.append(
        f'<circle cx="{svg.n(last_x)}" cy="{svg.n(last_y)}" r="3.5" fill="{colour}" stroke="{PRIMARY}" stroke-width="1"/>'
    )
    label = "Évolution de la criticité : " + " → ".join(str(value) for value in values)
    return svg.svg(width, height, label, body, css_class="sparkline")
