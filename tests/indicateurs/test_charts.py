"""The indicator charts: pure functions, stable output, accessible (title, desc, legend, symbols)."""

import datetime
import html
import re
from decimal import Decimal

from core.months import month_range
from indicateurs.charts import (
    ATTEINTE,
    AXIS_CHAR_EM,
    AXIS_FONT,
    LOIN,
    MANQUANT,
    NON_CALCULABLE,
    PROCHE,
    heatmap_svg,
    line_chart_svg,
    mois_label,
    statut_taux,
)
from indicateurs.taux import Taux


def value(valeur, cible=70):
    """A rate of `valeur` % (None: not calculable), as numerator / 10 000."""
    if valeur is None:
        return Taux(None, 0, cible=cible)
    return Taux(int(Decimal(str(valeur)) * 100), 10_000, cible=cible)


def months(count):
    return month_range(datetime.date(2026, 5, 1), count)


def test_month_range_crosses_years():
    assert month_range(datetime.date(2026, 2, 1), 4) == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]


def test_statut_taux():
    assert statut_taux(None) == MANQUANT
    assert statut_taux(value(None)) == NON_CALCULABLE
    assert statut_taux(value(70)) == ATTEINTE
    assert statut_taux(value(130)) == ATTEINTE  # MSSanté may exceed 100 %
    assert statut_taux(value("60.00")) == PROCHE  # 10 points below: still close
    assert statut_taux(value("59.99")) == LOIN
    assert statut_taux(value(0)) == LOIN


def test_statut_is_decided_on_the_exact_value():
    # 22 499 / 25 000 = 89.996 %: two decimals would say 90.00, the target is not met.
    assert statut_taux(Taux(22_499, 25_000, cible=90)) == PROCHE
    # 59.9996 % is not 10 points within a 70 % target, though it rounds to 60.00.
    assert statut_taux(Taux(599_996, 1_000_000, cible=70)) == LOIN


def test_line_chart_target_line_and_points():
    svg = html.unescape(
        str(
            line_chart_svg(
                "MSSanté",
                list(zip(months(3), [value(50), value(72), value(80)], strict=True)),
                Decimal(70),
            )
        )
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>MSSanté par mois, cible 70 %</title>" in svg
    assert (
        "<desc>Dernière valeur : 80,0 % en mai 2026. Cible atteinte 2 mois sur 3 mesurés.</desc>"
        in svg
    )
    assert svg.count('<g class="cible">') == 1
    assert svg.count('<circle class="point"') == 3
    assert svg.count('class="serie"') == 1
    # Below target: hollow point; met: filled (shape, not only colour).
    assert "mars 2026 : 50,0 % (sous la cible)" in svg
    assert "mai 2026 : 80,0 % (cible atteinte)" in svg
    assert svg.count('fill="#ffffff" stroke="#000091"') == 1


def test_line_chart_is_deterministic_and_escapes():
    points = list(zip(months(2), [value(10, 90), value(None, 90)], strict=True))
    first = line_chart_svg("<script>", points, Decimal(90))
    assert first == line_chart_svg("<script>", points, Decimal(90))
    assert "<script>" not in str(first)
    assert "mai 2026 : non calculable" in html.unescape(str(first))


def test_line_chart_axis_grows_above_100():
    svg = str(line_chart_svg("MSSanté", [(months(1)[0], value(230))], Decimal(70)))
    assert ">240 %<" in svg
    assert ">260 %<" not in svg


def test_line_chart_without_values():
    svg = html.unescape(str(line_chart_svg("DMP", [(months(1)[0], value(None))], Decimal(70))))
    assert "<desc>Aucune valeur calculable sur la période.</desc>" in svg
    assert "<circle" not in svg


def test_heatmap_cells_symbols_and_legend():
    rows = [
        ("EHPAD A", [value(20), value(65)]),
        ("EHPAD B", [None, value(None)]),
        ("EHPAD C", [value(95, 90), value(91, 90)]),
    ]
    svg = html.unescape(str(heatmap_svg("DMP", months(2), rows)))
    assert "<title>Carte de chaleur ESMS × mois — DMP</title>" in svg
    assert (
        "<desc>3 ESMS sur 2 mois : 2 cibles atteintes, 1 proche, 1 loin de la cible, "
        "1 non calculable, 1 donnée manquante.</desc>"
    ) in svg
    assert svg.count('class="cellule statut-') == 6
    assert "EHPAD A — avril 2026 : 20,0 % (loin de la cible)" in svg
    assert "EHPAD B — avril 2026 : donnée manquante" in svg
    assert "✖ 20,0<" in svg and "≈ 65,0<" in svg and "✔ 95,0<" in svg
    # The legend lists the five statuses with their symbol.
    legend = svg[svg.index('<g class="legende">') :]
    for label in (
        "Cible atteinte",
        "Proche",
        "Loin de la cible",
        "Non calculable",
        "Donnée manquante",
    ):
        assert label in legend


def test_line_chart_missing_month_breaks_the_line_without_marker():
    points = list(zip(months(4), [value(50), MANQUANT, value(72), value(80)], strict=True))
    svg = html.unescape(str(line_chart_svg("DMP", points, Decimal(70))))
    assert svg.count('<circle class="point"') == 3
    assert svg.count('class="serie"') == 1  # March alone, then April–May joined
    assert "non calculable" not in svg
    assert "Cible atteinte 2 mois sur 3 mesurés." in svg


def test_line_chart_nothing_measured():
    svg = html.unescape(str(line_chart_svg("DMP", [(months(1)[0], MANQUANT)], Decimal(70))))
    assert "<desc>Aucune donnée.</desc>" in svg


def test_heatmap_cell_figures_never_contradict_the_target():
    rows = [
        # 89.96 % and 89.976 %: below a 90 % target, though « 90,0 » to one decimal.
        ("EHPAD A", [Taux(8996, 10_000, cible=90), Taux(22_494, 25_000, cible=90)]),
        ("EHPAD B", [Taux(95, 100, cible=90), Taux(1203, 1267, cible=90)]),
    ]
    svg = html.unescape(str(heatmap_svg("DUI", months(2), rows)))
    assert "≈ 89,96<" in svg and "≈ 89,98<" in svg
    assert "✔ 95,0<" in svg and "✔ 94,9<" in svg
    assert "EHPAD B — mai 2026 : 94,9 % (cible atteinte)" in svg
    assert "90,0" not in svg


def _axis_labels(svg):
    """(x, text) of the month labels under the axis, left to right."""
    group = svg[svg.index('<g class="axe-mois">') :]
    group = group[: group.index("</g>")]
    return [
        (float(x), label)
        for x, label in re.findall(r'<text x="([\d.]+)"[^>]*>([^<]+)</text>', group)
    ]


def test_axis_labels_never_overlap_over_24_months():
    points = [(mois, value(50 + index)) for index, mois in enumerate(months(24))]
    # The region's small charts (380 px) and the grappe's (520 px).
    for width, height, expected in ((380, 180, 5), (520, 220, 8)):
        svg = html.unescape(
            str(line_chart_svg("DMP", points, Decimal(70), width=width, height=height))
        )
        labels = _axis_labels(svg)
        assert len(labels) == expected, (width, labels)
        # The latest month is always labelled, the others evenly back from it.
        assert labels[-1][1] == "mai 26"
        widest = max(len(mois_label(m)) for m in months(24)) * AXIS_CHAR_EM * AXIS_FONT
        gaps = [b[0] - a[0] for a, b in zip(labels, labels[1:], strict=False)]
        assert min(gaps) >= widest, (width, gaps)
        assert max(gaps) - min(gaps) < 0.2  # evenly spaced (coordinates to 0.1)
        # Inside the drawing, left and right.
        assert labels[0][0] - widest / 2 >= 0 and labels[-1][0] + widest / 2 <= width


def test_axis_labels_every_month_when_there_is_room():
    points = [(mois, value(50)) for mois in months(4)]
    svg = html.unescape(str(line_chart_svg("DMP", points, Decimal(70))))
    assert [label for _, label in _axis_labels(svg)] == ["févr. 26", "mars 26", "avr. 26", "mai 26"]


def test_line_chart_marks_the_first_measure():
    first, *_ = points_months = months(3)
    points = list(zip(points_months, [value(125), value(50), value(55)], strict=True))
    svg = html.unescape(str(line_chart_svg("MSSanté", points, Decimal(70), premiere=first)))
    assert svg.count('<g class="premiere-mesure">') == 1
    assert ">1re mesure : 3 mois cumulés</text>" in svg
    assert "mars 2026 : 125,0 % (cible atteinte) — 1re mesure : 3 mois cumulés" in svg
    # Without a first measure in the window, no mark.
    plain = str(line_chart_svg("MSSanté", points, Decimal(70)))
    assert "premiere-mesure" not in plain
    outside = line_chart_svg("MSSanté", points, Decimal(70), premiere=datetime.date(2025, 1, 1))
    assert "premiere-mesure" not in str(outside)


def test_first_measure_label_stays_inside_near_the_right_edge():
    points = list(zip(months(3), [value(50), value(50), value(125)], strict=True))
    svg = str(line_chart_svg("DMP", points, Decimal(70), premiere=months(3)[-1]))
    assert 'fill="#666666" text-anchor="end">1re mesure' in svg
