"""The porteur's finances in a browser: record an invoice with its PDF, see its poste move,
pass the ARS's tranche on to a coopérateur OG, download the bilan financier."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.pdf import render_pdf
from grappe.enums import RoleKind
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from tests.finances.factories import engagement, money_grappe
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory
from tests.helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.pdf, pytest.mark.django_db(transaction=True)]


def test_porteur_records_an_invoice_shares_a_tranche_and_downloads_the_bilan(
    page, live_server, login, capture
):
    grappe = money_grappe(GrappeFactory(name="Grappe du Hainaut"))
    porteur = UserFactory(email="porteur@exemple.fr")
    RoleFactory(grappe=grappe, user=porteur, kind=RoleKind.CHEF_PROJET)
    contrat = engagement(grappe, ht="20000.00", objet="Licences du DUI")
    Tranche.objects.create(
        grappe=grappe,
        numero=1,
        pourcentage=Decimal(50),
        montant=Decimal("30000.00"),
        statut=StatutTranche.PAYEE,
        paye_le=datetime.date(2026, 5, 4),
        montant_paye=Decimal("30000.00"),
    )
    invoice = render_pdf(
        "projets/pdf/demo_livrable.html",
        {"html": "<h1>Facture FA-2026-031</h1><p>Licences du DUI, 1er trimestre.</p>"},
        grappe=grappe,
        title="Facture",
    )

    login("porteur@exemple.fr")
    page.goto(f"{live_server.url}/finances/grappes/{grappe.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finances du projet")
    editeur = page.get_by_test_id("poste-editeur")
    expect(editeur.locator("td").nth(5)).to_have_text("0,00\xa0€")  # facturé
    capture("01-finances-avant-facture")

    # The invoice, against the licences' contract, with its PDF.
    page.get_by_role("link", name="Licences du DUI").first.click()
    page.get_by_test_id("ajouter-facture").click()
    page.get_by_label("Numéro").fill("FA-2026-031")
    page.get_by_label("Date de la facture").fill("2026-04-15")
    page.get_by_label("Montant (€ HT)").fill("5000.00")
    page.get_by_label("Payée le").fill("2026-05-10")
    page.locator("input[name=fichier]").set_input_files(
        files=[{"name": "FA-2026-031.pdf", "mimeType": "application/pdf", "buffer": invoice}]
    )
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Facture n° FA-2026-031 enregistrée")
    expect(page.get_by_test_id("table-factures")).to_contain_text("6\xa0000,00\xa0€")
    expect(page.get_by_role("link", name="FA-2026-031.pdf")).to_be_visible()
    assert contrat.factures.get().montant_ttc == Decimal("6000.00")

    # The part éditeur moved: 6 000,00 € invoiced, paid and justified.
    page.get_by_role("link", name=re.compile("Finances de")).click()
    for column in (5, 6, 7):  # facturé, payé, justifié
        expect(editeur.locator("td").nth(column)).to_have_text("6\xa0000,00\xa0€")
    expect(page.get_by_test_id("graphique-postes")).to_be_visible()
    capture("02-finances-apres-facture")

    # The tranche passed on to the second OG: its share prefilled, then nothing left owed.
    second = grappe.second_og
    owed = page.get_by_test_id(f"repartition-og-{second.finess_ej}")
    expect(owed.locator("td").nth(2)).not_to_have_text("0,00\xa0€")
    page.get_by_test_id("repartition-tranche-1").get_by_role("link", name="reverser").click()
    expect(page.get_by_label("Montant")).not_to_have_value("")
    page.get_by_label("Référence du virement").fill("VIR-2026-118")
    page.get_by_role("button", name="Enregistrer le reversement").click()
    expect(page.get_by_role("alert").first).to_contain_text("ASSOCIATION LES GLYCINES")
    expect(owed.locator("td").nth(2)).to_have_text("0,00\xa0€")
    expect(page.get_by_test_id("table-reversements")).to_contain_text("VIR-2026-118")
    capture("03-tranche-reversee")

    # The bilan financier for the ARS.
    # The PDF opens in the browser's viewer: fetch the link's target with the session's cookies.
    href = page.get_by_test_id("bilan-pdf").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Bilan financier — Grappe du Hainaut" in text
    assert "FA-2026-031" in text
    assert "VIR-2026-118" in text or "ASSOCIATION LES GLYCINES" in text
