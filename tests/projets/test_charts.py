"""Server-side SVG charts: pure functions, tested without the database (unsaved instances)."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from core import svg
from projets import charts
from projets.enums import DecisionJalon, StatutRisque
from projets.models import Etape, Jalon, Risque

SVG = "{http://www.w3.org/2000/svg}"
D = datetime.date
TODAY = D(2026, 6, 15)


def etape(
    pk, ordre, titre, start, end, *, phase=1, actual_start=None, actual_end=None, missing=0, **kw
):
    instance = Etape(
        pk=pk,
        phase=phase,
        ordre=ordre,
        titre=titre,
        planned_start=start,
        planned_end=end,
        actual_start=actual_start,
        actual_end=actual_end,
        **kw,
    )
    # What EtapeQuerySet.with_missing_deliverables annotates: no query from the chart.
    instance.livrables_attendus = missing
    return instance


@pytest.fixture
def etapes():
    return [
        etape(
            1,
            1,
            "Cadrage",
            D(2026, 1, 5),
            D(2026, 2, 1),
            actual_start=D(2026, 1, 5),
            actual_end=D(2026, 2, 6),
        ),
        etape(2, 2, "Équipe-projet", D(2026, 2, 2), D(2026, 3, 31)),  # late: should have ended
        etape(
            3,
            3,
            "Étude de l'existant",
            D(2026, 6, 1),
            D(2026, 7, 31),
            phase=2,
            actual_start=D(2026, 6, 2),
        ),
        etape(4, 4, "Consultation", D(2026, 9, 1), D(2026, 11, 30), phase=3),
    ]


@pytest.fixture
def jalons():
    return [
        Jalon(
            titre="Note de cadrage approuvée",
            etape_id=1,
            go_no_go=True,
            planned_on=D(2026, 2, 1),
            decision=DecisionJalon.GO,
            decided_on=D(2026, 2, 10),
        ),
        Jalon(
            titre="Cahier des charges validé",
            etape_id=3,
            go_no_go=True,
            planned_on=D(2026, 7, 31),
            decision=DecisionJalon.NO_GO,
            decided_on=D(2026, 6, 12),
        ),
        Jalon(titre="Choix de la solution", etape_id=4, go_no_go=True, planned_on=D(2026, 11, 30)),
    ]


def parse(svg):
    return ET.fromstring(str(svg))


def groups(root, css_class):
    return [g for g in root.iter(f"{SVG}g") if css_class in g.get("class", "").split()]


def test_gantt_is_deterministic_and_independent_of_input_order(etapes, jalons):
    first = charts.gantt_svg(etapes, jalons, TODAY, phases={1: "Cadrage du projet"})
    again = charts.gantt_svg(
        list(reversed(etapes)), list(reversed(jalons)), TODAY, phases={1: "Cadrage du projet"}
    )
    assert first == again
    assert str(first).startswith("<svg")


def test_gantt_is_accessible_svg(etapes, jalons):
    root = parse(charts.gantt_svg(etapes, jalons, TODAY))
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith(
        "Planning du projet : 4 étapes prévues du 05/01/2026 au 30/11/2026, 3 jalons, 1 étape "
        "en retard au 15/06/2026."
    )
    assert "1 étape en retard au 15/06/2026" in root.get("aria-label")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    # Every step and milestone carries its own <title>.
    for g in groups(root, "etape") + groups(root, "jalon"):
        assert g.find(f"{SVG}title") is not None


def test_gantt_today_line_is_at_the_right_x(etapes, jalons):
    root = parse(charts.gantt_svg(etapes, jalons, TODAY))
    # The axis spans whole months: 1 January 2026 → 1 December 2026 (334 days).
    expected = (
        charts.GANTT_X0 + (TODAY - D(2026, 1, 1)).days * (charts.GANTT_X1 - charts.GANTT_X0) / 334
    )
    (today,) = groups(root, "aujourdhui")
    line = today.find(f"{SVG}line")
    assert float(line.get("x1")) == pytest.approx(expected, abs=0.05)
    assert line.get("x1") == line.get("x2")
    assert today.find(f"{SVG}title").text == "Aujourd'hui : 15/06/2026"


def test_gantt_colours_a_late_step_as_late(etapes, jalons):
    root = parse(charts.gantt_svg(etapes, jalons, TODAY))
    by_pk = {g.get("data-etape"): g for g in groups(root, "etape")}
    late = by_pk["2"]
    assert "statut-en_retard" in late.get("class")
    bar = next(r for r in late.iter(f"{SVG}rect") if r.get("class") == "barre-prevue")
    assert bar.get("fill") == charts.STATUS_COLOURS["en_retard"] == "#ce0500"
    assert "statut : En retard" in late.find(f"{SVG}title").text
    done = next(r for r in by_pk["1"].iter(f"{SVG}rect") if r.get("class") == "barre-prevue")
    assert done.get("fill") == charts.STATUS_COLOURS["terminee"]


def test_gantt_actual_bar_runs_to_today_while_in_progress(etapes, jalons):
    root = parse(charts.gantt_svg(etapes, jalons, TODAY))
    in_progress = next(g for g in groups(root, "etape") if g.get("data-etape") == "3")
    assert "statut-en_cours" in in_progress.get("class")
    actual = next(r for r in in_progress.iter(f"{SVG}rect") if r.get("class") == "barre-reelle")
    domain = (D(2026, 1, 1), D(2026, 12, 1))
    start = charts.gantt_x(D(2026, 6, 2), domain)
    end = charts.gantt_x(TODAY + datetime.timedelta(days=1), domain)
    assert float(actual.get("x")) == pytest.approx(start, abs=0.05)
    assert float(actual.get("width")) == pytest.approx(end - start, abs=0.1)
    # A step not started has no actual bar.
    future = next(g for g in groups(root, "etape") if g.get("data-etape") == "4")
    assert not [r for r in future.iter(f"{SVG}rect") if r.get("class") == "barre-reelle"]


def test_gantt_milestone_diamonds_coloured_by_decision(etapes, jalons):
    root = parse(charts.gantt_svg(etapes, jalons, TODAY))
    fills = {}
    for g in groups(root, "jalon"):
        assert "go-no-go" in g.get("class")
        fills[g.find(f"{SVG}title").text.split(" — ")[0]] = g.find(f"{SVG}path").get("fill")
    assert fills == {
        "Jalon : Note de cadrage approuvée": charts.DECISION_COLOURS["go"],
        "Jalon : Cahier des charges validé": charts.DECISION_COLOURS["no_go"],
        "Jalon : Choix de la solution": "#ffffff",
    }
    go = groups(root, "decision-go")[0]
    assert "décision : Go le 10/02/2026" in go.find(f"{SVG}title").text
    # The diamond sits on its step's row, at the decision date.
    path = go.find(f"{SVG}path").get("d")
    x = charts.gantt_x(D(2026, 2, 10), (D(2026, 1, 1), D(2026, 12, 1)))
    assert path.startswith(f"M{svg.n(x)} ")


def test_gantt_phase_bands_month_ticks_and_legend(etapes, jalons):
    svg = str(
        charts.gantt_svg(etapes, jalons, TODAY, phases={1: "Cadrage du projet", 2: "Définition"})
    )
    root = parse(svg)
    assert [g.get("data-phase") for g in groups(root, "phase")] == ["1", "2", "3"]
    labels = [t.text for g in groups(root, "phase") for t in g.iter(f"{SVG}text")]
    assert labels == ["Phase 1 — Cadrage du projet", "Phase 2 — Définition", "Phase 3"]
    months = [t.text for g in groups(root, "axe-temps") for t in g.iter(f"{SVG}text")]
    assert months[:4] == ["2026", "janv.", "févr.", "mars"]
    assert "août" in months and "nov." in months and "déc." not in months
    legend = " ".join(t.text for g in groups(root, "legende") for t in g.iter(f"{SVG}text"))
    for label in [
        "À venir",
        "En cours",
        "En retard",
        "Terminée",
        "Sans objet",
        "Go",
        "No go",
        "aujourd'hui",
    ]:
        assert label in legend
    assert "référence enregistrée" not in legend


def test_gantt_baseline_ghost_bars(etapes, jalons):
    baseline = {1: (D(2026, 1, 5), D(2026, 2, 1)), 2: (D(2026, 2, 2), D(2026, 3, 1))}
    root = parse(charts.gantt_svg(etapes, jalons, TODAY, baseline))
    ghosts = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "barre-reference"]
    assert len(ghosts) == 2
    assert all(r.get("stroke-dasharray") for r in ghosts)
    legend = " ".join(t.text for g in groups(root, "legende") for t in g.iter(f"{SVG}text"))
    assert "référence enregistrée" in legend
    assert not [
        r
        for r in parse(charts.gantt_svg(etapes, jalons, TODAY)).iter(f"{SVG}rect")
        if r.get("class") == "barre-reference"
    ]


def test_gantt_escapes_text():
    hostile = etape(9, 1, '<script>alert("x")</script> & Cie', D(2026, 1, 5), D(2026, 2, 1))
    jalon = Jalon(titre="<b>Go</b>", etape_id=9, planned_on=D(2026, 2, 1))
    svg = str(charts.gantt_svg([hostile], [jalon], TODAY, phases={1: "Phase <i>"}))
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in svg
    root = parse(svg)  # still well-formed XML
    assert any(
        '<script>alert("x")</script> & Cie' in (t.text or "") for t in root.iter(f"{SVG}title")
    )


def test_gantt_handles_unscheduled_steps_and_orphan_milestones():
    steps = [
        etape(1, 1, "Sans dates", None, None),
        etape(2, 2, "Sans objet", D(2026, 1, 5), D(2026, 1, 20), skipped=True),
    ]
    orphan = Jalon(titre="Bilan", etape_id=None, planned_on=D(2026, 3, 1))
    root = parse(charts.gantt_svg(steps, [orphan], TODAY))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Autres jalons" in texts
    skipped = next(g for g in groups(root, "etape") if g.get("data-etape") == "2")
    assert "statut-sans_objet" in skipped.get("class")


def test_gantt_truncates_long_titles_but_keeps_them_in_the_title_element():
    long = "Identifier les prestataires potentiels et analyser l'offre existante"
    root = parse(charts.gantt_svg([etape(1, 5, long, D(2026, 1, 5), D(2026, 2, 1))], [], TODAY))
    (g,) = groups(root, "etape")
    label = g.find(f"{SVG}text").text
    assert label.endswith("…") and len(label) <= charts.GANTT_LABEL_CHARS
    assert long in g.find(f"{SVG}title").text


# ---------------------------------------------------------------------------------------------
# Heat map
# ---------------------------------------------------------------------------------------------


def risque(titre, probabilite, impact):
    return Risque(titre=titre, probabilite=probabilite, impact=impact, statut=StatutRisque.OUVERT)


def cells(svg):
    return {
        (int(g.get("data-probabilite")), int(g.get("data-impact"))): g
        for g in groups(parse(svg), "cellule")
    }


def test_heatmap_counts_per_cell():
    risques = [risque("A", 4, 4), risque("B", 4, 4), risque("C", 2, 3), risque("D", 1, 1)]
    by_cell = cells(charts.heatmap_svg(risques))
    assert len(by_cell) == 16
    counts = {key: int(g.get("data-nombre")) for key, g in by_cell.items()}
    assert counts[(4, 4)] == 2
    assert counts[(2, 3)] == 1
    assert counts[(1, 1)] == 1
    assert sum(counts.values()) == 4
    big = [t.text for t in by_cell[(4, 4)].iter(f"{SVG}text")]
    assert big == ["16", "2"]  # criticality in the corner, count in the middle
    assert [t.text for t in by_cell[(3, 3)].iter(f"{SVG}text")] == ["9"]  # empty: no count shown
    assert "A ; B" in by_cell[(4, 4)].find(f"{SVG}title").text


def test_heatmap_colours_by_criticality_and_french_axes():
    svg = charts.heatmap_svg([])
    by_cell = cells(svg)
    assert by_cell[(1, 1)].find(f"{SVG}rect").get("fill") == charts.niveau_criticite(1)["colour"]
    assert "niveau-critique" in by_cell[(4, 4)].get("class")
    assert "niveau-elevee" in by_cell[(3, 3)].get("class")
    assert "niveau-moderee" in by_cell[(2, 2)].get("class")
    assert "niveau-faible" in by_cell[(1, 3)].get("class")
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    for label in [
        "Probabilité",
        "Impact",
        "Rare",
        "Quasi certain",
        "Faible",
        "Majeur",
        "Critique (12 à 16)",
    ]:
        assert label in texts
    root = parse(svg)
    assert root.get("role") == "img"
    assert (
        root.get("aria-label")
        == "Matrice des risques (probabilité × impact) : 0 risque, dont 0 critique."
    )


def test_heatmap_is_deterministic_and_escaped():
    risques = [risque("<b>Fuite</b> & co", 3, 4), risque("Retard", 3, 4)]
    first = charts.heatmap_svg(risques)
    assert first == charts.heatmap_svg(list(reversed(risques)))
    assert "<b>" not in str(first)
    assert "&lt;b&gt;Fuite&lt;/b&gt; &amp; co" in str(first)


@pytest.mark.parametrize(
    ("criticite", "code"),
    [
        (1, "faible"),
        (3, "faible"),
        (4, "moderee"),
        (6, "moderee"),
        (8, "elevee"),
        (9, "elevee"),
        (12, "critique"),
        (16, "critique"),
    ],
)
def test_niveau_criticite(criticite, code):
    assert charts.niveau_criticite(criticite)["code"] == code


def test_sparkline():
    assert charts.sparkline_svg([]) == ""
    root = parse(charts.sparkline_svg([6, 9, 12]))
    assert root.get("aria-label") == "Évolution de la criticité : 6 → 9 → 12"
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 3
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2]  # rising criticality goes up
    single = parse(charts.sparkline_svg([4]))
    assert single.find(f"{SVG}polyline") is None and single.find(f"{SVG}circle") is not None
