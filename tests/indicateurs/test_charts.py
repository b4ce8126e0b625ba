"""The indicator charts: pure functions, stable output, accessible (title, desc, legend, symbols)."""

import datetime
import html
from decimal import Decimal
from types import SimpleNamespace

from indicateurs.charts import (
    ATTEINTE,
    LOIN,
    MANQUANT,
    NON_CALCULABLE,
    PROCHE,
    heatmap_svg,
    line_chart_svg,
    month_range,
    statut_valeur,
)


def value(valeur, cible=70, atteinte=None):
    valeur = None if valeur is None else Decimal(str(valeur))
    if atteinte is None and valeur is not None:
        atteinte = valeur >= cible
    return SimpleNamespace(valeur=valeur, cible=Decimal(cible), atteinte=atteinte)


def months(count):
    return month_range(datetime.date(2026, 5, 1), count)


def test_month_range_crosses_years():
    assert month_range(datetime.date(2026, 2, 1), 4) == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]


def test_statut_valeur():
    assert statut_valeur(None) == MANQUANT
    assert statut_valeur(value(None)) == NON_CALCULABLE
    assert statut_valeur(value(70)) == ATTEINTE
    assert statut_valeur(value(130)) == ATTEINTE  # MSSanté may exceed 100 %
    assert statut_valeur(value("60.00")) == PROCHE  # 10 points below: still close
    assert statut_valeur(value("59.99")) == LOIN
    assert statut_valeur(value(0)) == LOIN


def test_line_chart_target_line_and_points():
    svg = html.unescape(
        str(
            line_chart_svg(
                "MSSanté",
                list(zip(months(3), [Decimal(50), Decimal(72), Decimal(80)], strict=True)),
                Decimal(70),
            )
        )
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>MSSanté par mois, cible 70 %</title>" in svg
    assert (
        "<desc>Dernière valeur : 80,0 % en mai 2026. Cible atteinte 2 mois sur 3 mesuré(s).</desc>"
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
    points = list(zip(months(2), [Decimal(10), None], strict=True))
    first = line_chart_svg("<script>", points, Decimal(90))
    assert first == line_chart_svg("<script>", points, Decimal(90))
    assert "<script>" not in str(first)
    assert "mai 2026 : non calculable" in html.unescape(str(first))


def test_line_chart_axis_grows_above_100():
    svg = str(line_chart_svg("MSSanté", [(months(1)[0], Decimal(230))], Decimal(70)))
    assert ">240 %<" in svg
    assert ">260 %<" not in svg


def test_line_chart_without_values():
    svg = html.unescape(str(line_chart_svg("DMP", [(months(1)[0], None)], Decimal(70))))
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
        "<desc>3 ESMS sur 2 mois : 2 cible atteinte, 1 proche, 1 loin de la cible, "
        "1 non calculable, 1 donnée manquante.</desc>"
    ) in svg
    assert svg.count('class="cellule statut-') == 6
    assert "EHPAD A — avril 2026 : 20,0 % (loin de la cible)" in svg
    assert "EHPAD B — avril 2026 : donnée manquante" in svg
    assert "✖ 20" in svg and "≈ 65" in svg and "✔ 95" in svg
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
    points = list(zip(months(4), [Decimal(50), MANQUANT, Decimal(72), Decimal(80)], strict=True))
    svg = html.unescape(str(line_chart_svg("DMP", points, Decimal(70))))
    assert svg.count('<circle class="point"') == 3
    assert svg.count('class="serie"') == 1  # March alone, then April–May joined
    assert "non calculable" not in svg
    assert "Cible atteinte 2 mois sur 3 mesuré(s)." in svg


def test_line_chart_nothing_measured():
    svg = html.unescape(str(line_chart_svg("DMP", [(months(1)[0], MANQUANT)], Decimal(70))))
    assert "<desc>Aucune donnée.</desc>" in svg
