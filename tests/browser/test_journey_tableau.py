import re

import pytest
from playwright.sync_api import expect

from indicateurs.enums import StatutTranche
from tests.grappe.factories import GrappeFactory, UserFactory, add_esms, ars_agent
from tests.indicateurs.factories_tableaux import (
    esms_values,
    grappe_values,
    indicateurs,
    month,
    tranches,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTHS = [month(2026, m) for m in (3, 4, 5)]


def test_ars_agent_filters_the_region_and_drills_down_to_a_grappe(
    page, live_server, login, capture
):
    indicateurs()
    ars_agent("32", UserFactory(email="ars@exemple.fr", first_name="Hélène", last_name="Durand"))
    flandres = GrappeFactory(name="Grappe des Flandres")
    esms = add_esms(flandres, 3)
    grappe_values(
        flandres,
        MONTHS,
        {"mssante": [50, 65, 75], "dmp": 80, "dui_actifs": 95, "dui_pp": 95, "dui_evenement": 95},
    )
    for item in esms:
        esms_values(item, MONTHS, 80)
    tranches(flandres, StatutTranche.PAYEE, StatutTranche.DUE)
    artois = GrappeFactory(name="Grappe de l'Artois")
    grappe_values(artois, MONTHS, 40)

    # The ARS agent opens the region's dashboard: both grappes, the regional trend.
    login("ars@exemple.fr")
    page.goto(f"{live_server.url}/indicateurs/ars/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tableau de bord ARS — Hauts-de-France"
    )
    table = page.get_by_test_id("grappes-region")
    expect(table.get_by_role("link", name="Grappe des Flandres")).to_be_visible()
    expect(table.get_by_role("link", name="Grappe de l'Artois")).to_be_visible()
    expect(page.get_by_test_id("tendance-mssante").locator("svg")).to_be_visible()
    capture("01-tableau-de-bord-region")

    # Only the grappes that meet every target.
    page.get_by_label("Cibles").select_option(label="Toutes les cibles atteintes")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("nb-resultats")).to_have_text("1 grappe affichée sur 2.")
    expect(table.get_by_role("link", name="Grappe de l'Artois")).to_have_count(0)
    expect(table.locator("tr[data-grappe]")).to_contain_text("T2 : Due")
    capture("02-filtre-cibles-atteintes")

    # Drill down: the grappe's dashboard, with the MSSanté chart and its target line.
    table.get_by_role("link", name="Grappe des Flandres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Indicateurs d'usage — Grappe des Flandres"
    )
    expect(page.get_by_label("Mois", exact=True)).to_have_value("2026-05")
    chart = page.get_by_test_id("courbe-mssante").locator("svg")
    expect(chart).to_be_visible()
    expect(chart.locator("g.cible line")).to_have_count(1)
    expect(chart.locator("g.cible")).to_contain_text("cible 70 %")
    expect(chart.locator("circle.point")).to_have_count(3)
    capture("03-indicateurs-de-la-grappe")
    # The heat map and its legend, the data table alternative.
    expect(page.get_by_test_id("carte-mssante").locator("svg")).to_be_visible()
    page.get_by_test_id("courbe-mssante").get_by_text("Données du graphique").click()
    expect(page.get_by_test_id("courbe-mssante").get_by_role("table")).to_contain_text(
        re.compile(r"mai 2026\s*✔ 75,0 %")
    )
    capture("04-donnees-du-graphique")
