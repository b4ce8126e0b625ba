"""The grappe's indicator dashboard: permissions, charts, heat map, tranches, month selector,
exports (CSV, XLSX), monthly PDF, empty state, query count."""

import csv
import html
import io
import re

import openpyxl
import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from indicateurs import tableaux
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import ValeurIndicateur
from tests.grappe.factories import add_esms
from tests.helpers import READ, text
from tests.indicateurs.factories_tableaux import (
    esms_values,
    grappe_values,
    indicateurs,
    month,
    tranches,
)

pytestmark = pytest.mark.django_db

VIEWS = ["tableau_grappe", "tableau_grappe_pdf", "tableau_grappe_csv", "tableau_grappe_xlsx"]
MONTHS = [month(2026, m) for m in (3, 4, 5)]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def data(cast):
    """Three months of values: the grappe below target in March, every target met in May; the
    three ESMS: one far, one close, one meeting its targets (one month missing)."""
    grappe = cast.grappe
    indicateurs()
    grappe_values(
        grappe,
        MONTHS,
        {
            "mssante": [40, 65, 75],
            "dmp": [30, None, 72],
            "dui_actifs": [80, 88, 95],
            "dui_pp": [85, 89, 91],
            "dui_evenement": [70, 90, 92],
        },
    )
    esms = [m.esms for m in grappe.active_memberships()]
    esms_values(esms[0], MONTHS, 20)  # far from every target
    esms_values(
        esms[1],
        MONTHS,
        {
            "mssante": 65,
            "dmp": 65,
            "dui_actifs": 85,
            "dui_pp": 85,
            "dui_evenement": [85, "absent", 85],
        },
    )
    esms_values(esms[2], MONTHS, 95)
    tranches(grappe, StatutTranche.PAYEE, StatutTranche.DUE)
    return esms


def url(name, grappe, query=""):
    return reverse(f"indicateurs:{name}", args=[grappe.pk]) + query


@pytest.mark.parametrize("view", VIEWS)
def test_permissions(cast, client_for, data, view):
    for name, user in cast.users().items():
        response = client_for(user).get(url(view, cast.grappe))
        expected = READ[name]
        if expected == "login":
            assert response.status_code == 302, name
            assert response["Location"].startswith("/connexion/?next="), name
        else:
            assert response.status_code == expected, f"{view} {name}: {response.status_code}"


def test_empty_state(cast, client_for):
    indicateurs()
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe))
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="tableau-vide"' in page
    assert "Aucune donnée d'usage" in page
    assert "<svg" not in page
    # The PDF works without data too.
    pdf = client_for(cast.owner).get(url("tableau_grappe_pdf", cast.grappe))
    assert pdf.content.startswith(b"%PDF")


def test_latest_month_summary_and_charts(cast, client_for, data):
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe))
    page = text(response)
    assert response.context["mois"] == month(2026, 5)
    assert "Synthèse de la grappe — mai 2026" in page
    assert response.context["toutes_atteintes"] is True
    assert "Toutes les cibles sont atteintes ce mois-ci" in page
    synthese = {c.indicateur.code: c for c in response.context["synthese"]}
    assert synthese["mssante"].texte == "75,0 %"
    assert synthese["mssante"].statut["code"] == "atteinte"
    # One line chart per indicator, with the target line, a title, a description, a data table.
    for code in ("mssante", "dmp", "dui_actifs", "dui_pp", "dui_evenement"):
        assert f'data-testid="courbe-{code}"' in page
    svg = html.unescape(str(response.context["courbes"][0]["svg"]))
    assert '<g class="cible">' in svg and "stroke-dasharray" in svg
    assert "<title>Taux d'utilisation de la MSSanté par mois, cible 70 %</title>" in svg
    assert (
        "<desc>Dernière valeur : 75,0 % en mai 2026. Cible atteinte 1 mois sur 3 mesurés.</desc>"
        in svg
    )
    assert "Données du graphique" in page
    assert 'data-testid="lecture-courbes"' in page
    assert "premiere-mesure" not in svg  # no value flagged as a first measure here
    # DMP: April not computable → the line breaks and the month says so.
    dmp = html.unescape(str(response.context["courbes"][1]["svg"]))
    assert "avril 2026 : non calculable" in dmp
    assert dmp.count('class="serie"') == 0  # two isolated points: no segment of two points
    # Tranches with statuses and amounts.
    assert 'data-testid="tranches"' in page
    assert "Payée" in page and "Due" in page
    amounts = re.findall(r"150\W000,00 €", page)
    assert len(amounts) == 2  # the two tranches; their total is 300 000 €
    assert re.search(r"300\W000,00 €", page)


def test_month_selector(cast, client_for, data):
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe, "?mois=2026-03"))
    assert response.context["mois"] == month(2026, 3)
    synthese = {c.indicateur.code: c for c in response.context["synthese"]}
    assert synthese["mssante"].texte == "40,0 %"
    assert synthese["mssante"].statut["code"] == "loin"
    assert synthese["dui_actifs"].statut["code"] == "proche"
    assert response.context["toutes_atteintes"] is False
    page = text(response)
    assert '<option value="2026-03" selected>mars 2026</option>' in page
    # An unknown month falls back to the latest one.
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe, "?mois=2031-01"))
    assert response.context["mois"] == month(2026, 5)
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe, "?mois=n'importe"))
    assert response.context["mois"] == month(2026, 5)


def test_esms_furthest_first_and_heatmap(cast, client_for, data):
    far, close, good = data
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe, "?mois=2026-04"))
    order = [row["esms"].pk for row in response.context["esms_rows"]]
    assert order == [far.pk, close.pk, good.pk]
    page = text(response)
    assert page.index(f'data-esms="{far.finess_et}"') < page.index(f'data-esms="{good.finess_et}"')
    # The close ESMS has no "événement" value in April: missing counts as far.
    close_row = response.context["esms_rows"][1]
    assert close_row["cellules"][4].statut["code"] == "manquant"
    assert close_row["cellules"][0].statut["code"] == "proche"
    # Heat maps: one per indicator, 3 ESMS × 2 months (March–April), legend with symbols.
    heatmaps = response.context["heatmaps"]
    assert len(heatmaps) == 5
    svg = str(heatmaps[4]["svg"])
    assert svg.count('class="cellule statut-') == 6
    assert svg.count("statut-manquant") == 1
    assert svg.count("statut-atteinte") == 2  # the good ESMS in March and April
    assert "Donnée manquante" in svg and "✔" in svg and "✖" in svg
    assert 'data-testid="legende"' in page
    # Cells are not colour only: the status is spoken in the table too.
    assert "(loin de la cible)" in page


def test_query_count_does_not_grow_with_esms(cast, client_for, data, django_assert_max_num_queries):
    client = client_for(cast.owner)
    with django_assert_max_num_queries(20) as small:
        client.get(url("tableau_grappe", cast.grappe))
    for esms in add_esms(cast.grappe, 12):
        esms_values(esms, MONTHS, 50)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("tableau_grappe", cast.grappe))
    assert len(response.context["esms_rows"]) == 15


def test_csv_export(cast, client_for, data):
    far = data[0]
    response = client_for(cast.ars).get(url("tableau_grappe_csv", cast.grappe))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["FINESS", "ESMS", "Organisme gestionnaire", "Mois"]
    # 3 ESMS × 3 months × 5 indicators, minus the missing April value.
    assert len(rows) - 1 == 3 * 3 * 5 - 1
    far_rows = [row for row in rows if row[0] == far.finess_et]
    assert far_rows[0][3] == "2026-03"
    assert far_rows[0][4] == "mssante"
    assert far_rows[0][8] == "20,0"  # as the pages show it: one decimal
    assert far_rows[0][10] == "Loin de la cible"


def test_xlsx_export(cast, client_for, data):
    response = client_for(cast.copil).get(url("tableau_grappe_xlsx", cast.grappe))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Valeurs"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "FINESS"
    assert len(rows) - 1 == 44
    assert rows[1][8] == 20 and not isinstance(rows[1][8], str)
    assert workbook["Grappe"]["B1"].value == cast.grappe.name


def test_pdf_report(cast, client_for, data):
    response = client_for(cast.owner).get(url("tableau_grappe_pdf", cast.grappe, "?mois=2026-04"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert re.search(r"2026-04", response["Content-Disposition"])


def test_page_and_pdf_say_what_the_mssante_and_dmp_denominator_counts(cast, client_for, data):

    sentence = (
        "Dénominateur des taux « Taux d'utilisation de la MSSanté », « Taux d'utilisation du "
        "DMP » et « Taux de dossiers actifs » : nombre de personnes accompagnées pouvant bénéficier d'un projet d'accueil et "
        "d'accompagnement."
    )
    page = text(client_for(cast.owner).get(url("tableau_grappe", cast.grappe)))
    assert sentence in page
    context = tableaux.grappe_context(cast.grappe, month(2026, 4))
    assert sentence in html.unescape(
        render_to_string("indicateurs/pdf/tableau_grappe.html", context)
    )


def test_pdf_and_page_share_the_context(cast, data):

    context = tableaux.grappe_context(cast.grappe, month(2026, 4))
    body = render_to_string("indicateurs/pdf/tableau_grappe.html", context)
    assert "Synthèse de la grappe — avril 2026" in html.unescape(body)
    assert body.count('class="courbe-indicateur') == 5
    assert body.count('class="carte-chaleur"') == 5


ATTACK = '=HYPERLINK("http://exemple.invalid","x")'


def test_exports_write_names_as_text_never_formulas(cast, client_for, data):
    """A grappe, an ESMS and an OG named like formulas come out as text (core.exports)."""
    far = data[0]
    far.raison_sociale = ATTACK
    far.save()
    far.og.raison_sociale = "@SOMME(A1)"
    far.og.save()
    cast.grappe.name = "+Grappe"
    cast.grappe.save()
    response = client_for(cast.owner).get(url("tableau_grappe_xlsx", cast.grappe))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert ATTACK in {cell.value for cell in cells}
    assert workbook["Grappe"]["B1"].value == "+Grappe"
    content = client_for(cast.owner).get(url("tableau_grappe_csv", cast.grappe)).content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    far_rows = [row for row in rows if row[0] == far.finess_et]
    assert {(row[1], row[2]) for row in far_rows} == {("'" + ATTACK, "'@SOMME(A1)")}
    assert far_rows[0][8] == "20,0"  # numbers untouched


def test_the_first_measure_is_marked_on_the_chart_and_in_its_table(cast, client_for, data):
    ValeurIndicateur.objects.filter(
        niveau=Niveau.GRAPPE, grappe=cast.grappe, mois=month(2026, 3), indicateur__code="mssante"
    ).update(premiere_mesure=True)
    response = client_for(cast.owner).get(url("tableau_grappe", cast.grappe))
    courbes = {courbe["indicateur"].code: courbe for courbe in response.context["courbes"]}
    mssante = html.unescape(str(courbes["mssante"]["svg"]))
    assert mssante.count('<g class="premiere-mesure">') == 1
    labels = [label for label, _ in courbes["mssante"]["table"]]
    assert labels[0] == "mars 2026 (1re mesure : 3 mois cumulés)"
    assert labels[1] == "avril 2026"
    assert "premiere-mesure" not in str(courbes["dmp"]["svg"])
    assert "mars 2026 (1re mesure : 3 mois cumulés)" in text(response)
