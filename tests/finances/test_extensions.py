"""What finances shows outside its own pages, through the extension points of the apps below
it: the « Consommation de la subvention » column of the ARS region dashboard
(indicateurs.extensions, finances/tableaux.py) and the « Finances » section of the progress
report (projets.extensions, finances/rapports.py). Figures computed by hand."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.money import euros as core_euros
from finances.enums import Poste, postes_eligibles
from finances.services import subventions, synthese
from finances.tableaux import CLE, consommation_subvention
from indicateurs import extensions as indicateurs_extensions
from indicateurs import tableaux as indicateurs_tableaux
from tests.finances.factories import engagement, facture, money_grappe
from tests.grappe.factories import GrappeFactory
from tests.helpers import pdf_text, text
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db

D = Decimal
NBSP = "\u00a0"
PAID = datetime.date(2026, 5, 5)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def money(grappe, **aap_kwargs):
    """The cast's kind of money grappe (convention 60 000 €, call opened on 2 March 2026,
    funding the éditeur poste, not the AMOA) and its invoices:

    paid, eligible          F1 1 000 HT + 20 %  = 1 200,00
    paid, eligible          F2   500 HT + 5,5 % =   527,50
    unpaid                  F3 2 000 HT + 20 %  = 2 400,00  not counted
    paid, before opening    F4   300 HT + 20 %  =   360,00  not counted
    paid, before, forced    F5   100 HT + 20 %  =   120,00
    paid, AMOA poste        F6   800 HT + 20 %  =   960,00  not counted (not funded)
    justified: 1 847,50 €. Two alerts: the AMOA poste engaged with no budget, the usages
    engagement with no invoice after 90 days."""
    grappe = money_grappe(grappe, **aap_kwargs)
    assert Poste.EDITEUR in postes_eligibles(grappe.aap)
    assert Poste.AMOA_PROJET not in postes_eligibles(grappe.aap)
    licences = engagement(grappe, ht="5000.00")
    facture(licences, "F1", "1000.00", payee_le=PAID)
    facture(licences, "F2", "500.00", tva="5.50", payee_le=PAID)
    facture(licences, "F3", "2000.00")
    facture(licences, "F4", "300.00", date=datetime.date(2026, 2, 1), payee_le=PAID)
    facture(
        licences,
        "F5",
        "100.00",
        date=datetime.date(2026, 2, 1),
        payee_le=PAID,
        eligibilite_forcee=True,
        motif_forcage="Acompte prévu par la convention.",
    )
    amoa = engagement(grappe, poste=Poste.AMOA_PROJET, ht="800.00", fournisseur="Conseil SARL")
    facture(amoa, "F6", "800.00", payee_le=PAID)
    engagement(grappe, poste=Poste.USAGES, ht="1000.00", objet="Formation des équipes")
    return grappe


def region_url(code="32", name="tableau_region"):
    return reverse(f"indicateurs:{name}", args=[code])


def colonne_of(response, grappe):
    row = next(row for row in response.context["rows"] if row["grappe"].pk == grappe.pk)
    return next(cell for cell in row["colonnes"] if cell["cle"] == CLE)


# --- The region dashboard's column --------------------------------------------------------------


def test_column_sums_the_paid_eligible_invoices_against_the_convention(cast, client_for):
    grappe = money(cast.grappe)
    response = client_for(cast.ars).get(region_url())
    assert response.status_code == 200
    cell = colonne_of(response, grappe)
    assert cell["justifie"] == D("1847.50")  # 1 200 + 527,50 + 120
    assert cell["subvention"] == D("60000.00")
    assert cell["pourcentage"] == D(3)  # 3,079 % rounded down
    assert cell["texte"] == f"1{NBSP}847,50{NBSP}€ / 60{NBSP}000,00{NBSP}€ (3 %)"
    # The same rule as the grappe's finances page.
    assert synthese(grappe).totaux.justifie == cell["justifie"]
    page = text(response)
    assert "Consommation de la subvention" in page
    assert cell["texte"] in page


def test_column_without_subsidy(cast, client_for):
    money(cast.grappe)
    sans_appel = GrappeFactory(name="Grappe sans appel")
    sans_convention = money(GrappeFactory(name="Grappe sans convention"), name="AAP bis")
    sans_convention.convention_amount = None
    sans_convention.save(update_fields=["convention_amount"])
    response = client_for(cast.ars).get(region_url())
    cell = colonne_of(response, sans_appel)
    assert (cell["texte"], cell["detail"], cell["pourcentage"]) == ("Pas de subvention", "", None)
    # The simulation's total would cost queries per grappe: the column waits for the convention.
    cell = colonne_of(response, sans_convention)
    assert cell["texte"] == "Convention non signée"
    assert cell["detail"] == f"1{NBSP}847,50{NBSP}€ justifiés"
    # The grappe of another region is not in the table.
    assert cast.other_grappe.pk not in {row["grappe"].pk for row in response.context["rows"]}


def test_column_with_a_convention_of_zero(cast):
    grappe = money(cast.grappe, convention=D("0.00"))
    cell = consommation_subvention([grappe])["valeurs"][grappe.pk]
    assert cell["texte"] == "Pas de subvention"
    assert cell["detail"] == f"1{NBSP}847,50{NBSP}€ justifiés"


def test_column_reads_nothing_for_an_empty_page(django_assert_num_queries):
    with django_assert_num_queries(0):
        colonne = consommation_subvention([])
    assert colonne["libelle"] == "Consommation de la subvention" and colonne["valeurs"] == {}


def page_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(region_url())
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.pdf
def test_region_page_query_count_does_not_grow_with_the_grappes(cast, client_for, monkeypatch):
    client = client_for(cast.ars)
    for index in range(2):
        money(GrappeFactory(name=f"Grappe {index}"), name=f"AAP {index}")
    with_two, response = page_queries(client)
    assert sum(1 for row in response.context["rows"] if row["colonnes"][0]["justifie"]) == 2
    for index in range(2, 6):
        money(GrappeFactory(name=f"Grappe {index}"), name=f"AAP {index}")
    with_six, response = page_queries(client)
    assert sum(1 for row in response.context["rows"] if row["colonnes"][0]["justifie"]) == 6
    assert with_six == with_two
    # The PDF: every row of the table, the column too.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(region_url(name="tableau_region_pdf"))
    pdf_queries = len(captured)
    assert "Consommation de la subvention" in pdf_text(response)
    # What the column costs: the grappes with their call and its campaign, then one grouped sum
    # of the invoices (finances.tableaux), page and PDF alike.
    monkeypatch.setattr(indicateurs_extensions, "region_column_providers", [])
    without, _ = page_queries(client)
    assert with_six - without == 2
    with CaptureQueriesContext(connection) as captured:
        client.get(region_url(name="tableau_region_pdf"))
    assert pdf_queries - len(captured) == 2


def test_columns_are_asked_for_the_rows_of_the_page_only(cast, client_for, monkeypatch):
    for index in range(5):
        GrappeFactory(name=f"Grappe {index}")
    seen = []

    def spy(grappes):
        seen.append(sorted(grappe.name for grappe in grappes))
        return {"cle": "espion", "libelle": "Espion", "valeurs": {}}

    monkeypatch.setattr(indicateurs_tableaux, "REGION_PAGE_SIZE", 2)
    monkeypatch.setattr(indicateurs_extensions, "region_column_providers", [spy])
    response = client_for(cast.ars).get(region_url() + "?page=2")
    assert seen == [["Grappe 2", "Grappe 3"]]
    assert "Espion" in text(response)
    assert all(row["colonnes"] == [{"cle": "espion"}] for row in response.context["rows"])


# --- The progress report's section --------------------------------------------------------------


def rapport_url(grappe, name="rapport"):
    return reverse(f"projets:{name}", args=[grappe.pk])


def cells(html, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, testid
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", match.group(1), re.S)
    ]


@pytest.fixture
def report_grappe(cast):
    grappe = money(cast.grappe)
    plan_for(grappe, user=cast.owner)
    return grappe


def euros(amount):
    return amount.replace(" ", NBSP) + NBSP + "€"


def test_report_section_for_the_chef_de_projet(cast, client_for, report_grappe):
    html = text(client_for(cast.owner).get(rapport_url(report_grappe)))
    assert 'data-testid="rapport-finances"' in html
    # Budget: the convention (no own funding). Engaged 6 000 + 960 + 1 200. Invoiced: the six
    # invoices. Paid: all but F3. Justified: F1, F2, F5.
    assert cells(html, "rapport-finances-totaux") == [
        "Total",
        euros("60 000,00"),
        euros("8 160,00"),
        euros("5 567,50"),
        euros("3 167,50"),
        euros("1 847,50"),
    ]
    # The éditeur poste's share of the convention (finances.services.subventions: the cast's
    # grappe has more ESMS than money_grappe's own).
    budget = subventions(report_grappe)[Poste.EDITEUR]
    assert cells(html, "rapport-poste-editeur") == [
        "Acquisition du DUI — part éditeur",
        core_euros(budget),
        euros("6 000,00"),
        euros("4 607,50"),
        euros("2 207,50"),
        euros("1 847,50"),
    ]
    assert "(non financé par l'appel)" in html  # the AMOA poste
    assert 'data-testid="rapport-poste-materiel"' not in html  # nothing on it: left out
    # The AMOA poste, engaged with no budget, and the engagement with no invoice after 90 days.
    assert "2 alertes" in html
    assert "Acquisition" not in cells(html, "rapport-poste-amoa_projet")[0]
    assert "Engagement « Formation des équipes »" in html
    assert f'href="{reverse("finances:grappe", args=[report_grappe.pk])}"' in html


def test_report_section_matches_synthese(cast, report_grappe):
    totaux = synthese(report_grappe).totaux
    assert (totaux.budget, totaux.engage, totaux.facture, totaux.paye, totaux.justifie) == (
        D("60000.00"),
        D("8160.00"),
        D("5567.50"),
        D("3167.50"),
        D("1847.50"),
    )


def test_report_section_hidden_from_who_cannot_read_the_finances(cast, client_for, report_grappe):
    # The référent sees the grappe and its progress report, not its money.
    response = client_for(cast.member).get(rapport_url(report_grappe))
    assert response.status_code == 200
    html = text(response)
    assert "Rapport d'avancement" in html
    assert 'data-testid="rapport-finances"' not in html
    assert "Alertes financières" not in html
    for person in ("copil", "ars", "admin"):
        html = text(client_for(cast.users()[person]).get(rapport_url(report_grappe)))
        assert 'data-testid="rapport-finances"' in html, person


def test_report_without_money_has_no_section(cast, client_for):
    plan_for(cast.grappe, user=cast.owner)
    html = text(client_for(cast.owner).get(rapport_url(cast.grappe)))
    assert 'data-testid="rapport-finances"' not in html


@pytest.mark.pdf
def test_report_pdf_has_the_section(cast, client_for, report_grappe):
    response = client_for(cast.owner).get(rapport_url(report_grappe, "rapport_pdf"))
    content = pdf_text(response)
    assert "Finances" in content
    assert "Alertes financières" in content
    assert "60 000,00 € 8 160,00 € 5 567,50 € 3 167,50 € 1 847,50 €" in content
    assert "Voir les finances du projet" not in content  # no link in a PDF
    response = client_for(cast.member).get(rapport_url(report_grappe, "rapport_pdf"))
    assert "Alertes financières" not in pdf_text(response)
