"""The bilan financier for the ARS (PDF) and the finances export (XLSX), issue 15: the same sums
as the page, computed by hand here; who gets them."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from core.money import XLSX_EUROS
from finances.models import CleRepartition, ModeRepartition, Reversement
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from tests.finances.factories import engagement, facture, money_grappe
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
travel = time_machine.travel("2026-06-30 12:00 +0200", tick=False)
ATTACK = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def grappe(cast):
    grappe = money_grappe(cast.grappe)
    grappe.convention_signed_on = datetime.date(2026, 3, 20)
    grappe.save(update_fields=["convention_signed_on"])
    grappe.porteur.raison_sociale = "ALPHA PORTEUR"
    grappe.porteur.save()
    # The cast's grappe has 3 ESMS of the porteur already: the simulation gives part éditeur
    # 72 000, usages 42 000, conformité 5 000 (119 000 €); the convention's 60 000 € split alike.
    # Part éditeur (subsidy 60 000 × 72 000 / 119 000 = 36 302,52 €): 1 200,00 € paid and
    # eligible; 600,00 € paid but dated before the call opened (2 March 2026); 300,00 € unpaid.
    licences = engagement(grappe, ht="5000.00")
    facture(licences, "F-001", "1000.00", payee_le=datetime.date(2026, 4, 15))
    facture(
        licences,
        "F-002",
        "500.00",
        date=datetime.date(2026, 2, 1),
        payee_le=datetime.date(2026, 2, 20),
    )
    facture(licences, "F-003", "250.00")
    formation = engagement(grappe, poste="usages", ht="100.00", fournisseur=ATTACK)
    facture(formation, "U-001", "100.00", payee_le=datetime.date(2026, 5, 2))
    # One paid tranche, shared equally between the porteur and LES GLYCINES: 5 000,00 € each,
    # 1 234,56 € transferred to LES GLYCINES.
    CleRepartition.objects.create(grappe=grappe, mode=ModeRepartition.EGAL)
    tranche = Tranche.objects.create(
        grappe=grappe,
        numero=1,
        pourcentage=D(50),
        montant=D("10000.00"),
        statut=StatutTranche.PAYEE,
        paye_le=datetime.date(2026, 5, 1),
        montant_paye=D("10000.00"),
    )
    Reversement.objects.create(
        grappe=grappe,
        og=grappe.second_og,
        tranche=tranche,
        montant=D("1234.56"),
        date=datetime.date(2026, 5, 20),
    )
    return grappe


def test_the_finances_page_links_to_the_bilan_and_the_export(cast, grappe, client_for):
    content = client_for(cast.ars).get(reverse("finances:grappe", args=[grappe.pk])).content
    assert reverse("finances:bilan_pdf", args=[grappe.pk]).encode() in content
    assert reverse("finances:export_xlsx", args=[grappe.pk]).encode() in content


@pytest.mark.pdf
@travel
def test_the_bilan_pdf(cast, grappe, client_for):
    response = client_for(cast.ars).get(reverse("finances:bilan_pdf", args=[grappe.pk]))
    assert response.status_code == 200
    text = pdf_text(response)
    assert f"Bilan financier — {grappe.name}" in text
    assert "Arrêté au 30 juin 2026" in text
    assert "ALPHA PORTEUR" in text and "AAP finances" in text
    assert "60 000,00 €, signée le 20/03/2026" in text
    # Part éditeur: its subsidy and its justified expenses (F-001 only).
    assert (
        "Acquisition du DUI — part éditeur — subvention 36 302,52 €, dépenses justifiées "
        "1 200,00 €" in text
    )
    assert "F-001 Éditeur SA 01/04/2026 1 200,00 € 15/04/2026 Éligible" in text
    assert "F-002 Éditeur SA 01/02/2026 600,00 € 20/02/2026 Non éligible : Datée avant" in text
    assert "F-003 Éditeur SA 01/04/2026 300,00 € non payée" in text
    # The tranche's share of LES GLYCINES, what was transferred and what remains.
    assert "ASSOCIATION LES GLYCINES 5 000,00 € 1 234,56 € 3 765,44 €" in text
    assert "Projet" not in text.split("Bilan financier")[0]


@travel
def test_the_export(cast, grappe, client_for):
    response = client_for(cast.owner).get(reverse("finances:export_xlsx", args=[grappe.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-2026-06-30.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Postes", "Engagements", "Factures", "Répartition"]

    postes = {row[0].value: row for row in workbook["Postes"].iter_rows(min_row=2)}
    editeur = postes["Acquisition du DUI — part éditeur"]
    # Subvention, propre, budget, engagé, facturé, payé, justifié: numbers shown in euros.
    assert [cell.value for cell in editeur[1:8]] == [36302.52, 0, 36302.52, 6000, 2100, 1800, 1200]
    assert {cell.number_format for cell in editeur[1:8]} == {XLSX_EUROS}
    assert postes["Total"][1].value == 60000
    assert postes["Total"][7].value == 1320

    factures = {row[1].value: row for row in workbook["Factures"].iter_rows(min_row=2)}
    f002 = [cell.value for cell in factures["F-002"]]
    assert f002[6] == 600 and factures["F-002"][6].number_format == XLSX_EUROS
    assert f002[8] == "non" and f002[9].startswith("Datée avant l'ouverture de l'appel")
    assert factures["F-001"][8].value == "oui"
    # A supplier typed as a formula stays text.
    u001 = factures["U-001"][3]
    assert u001.value == ATTACK and u001.data_type == "s"
    engagements = [row[3] for row in workbook["Engagements"].iter_rows(min_row=2)]
    attack = next(cell for cell in engagements if cell.value == ATTACK)
    assert attack.data_type == "s"

    rows = [[cell.value for cell in row] for row in workbook["Répartition"].iter_rows(min_row=2)]
    glycines = next(row for row in rows if row[3] == "ASSOCIATION LES GLYCINES")
    assert glycines[0] == 1 and glycines[2:] == [
        10000,
        "ASSOCIATION LES GLYCINES",
        5000,
        1234.56,
        3765.44,
    ]
    porteur = next(row for row in rows if row[3] == "ALPHA PORTEUR (porteur)")
    assert porteur[4:] == [5000, 5000, 0]


@pytest.mark.parametrize("name", ["finances:bilan_pdf", "finances:export_xlsx"])
def test_who_gets_the_bilan_and_the_export(cast, grappe, client_for, name):
    url = reverse(name, args=[grappe.pk])
    for person, status in {
        "owner": 200,
        "copil": 200,
        "ars": 200,
        "admin": 200,
        "member": 403,
        "stranger": 404,
        "ars_other": 404,
    }.items():
        assert client_for(cast.users()[person]).get(url).status_code == status, person
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert client_for(cast.owner).post(url).status_code == 405
