from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from grappe.enums import RoleKind
from indicateurs.enums import StatutTranche
from indicateurs.models import USAGE_FIELDS, Tranche, UsageMensuel
from tests.browser.helpers import logout
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms, ars_agent
from tests.indicateurs.factories import csv_bytes, in_service, meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_makes_tranche_2_due_and_the_ars_records_the_payment(
    page, live_server, login, capture
):
    grappe = GrappeFactory(
        name="Grappe du Ternois",
        convention_amount=Decimal("200000"),
        convention_signed_on=date(2025, 12, 1),
    )
    esms = add_esms(grappe, 2)
    porteur = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=porteur, kind=RoleKind.CHEF_PROJET)
    ars_agent("32", UserFactory(email="ars@exemple.fr", first_name="Julie", last_name="Moreau"))
    in_service(grappe, "2026-01")
    for mois in ("2026-01", "2026-02"):
        for e in esms:
            meeting(e, mois)
    # March completes the first measure (3 months) with every target met, the DMP fed over
    # the three months counted in distinct persons (80 of 100).
    data = csv_bytes(
        [[e.finess_et, "2026-03", 100, 80, 80, 95, 95, 95, 80] for e in esms], fields=USAGE_FIELDS
    )

    login("porteur@exemple.fr")
    page.goto(f"{live_server.url}/indicateurs/grappes/{grappe.pk}/usages/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Données d'usage mensuelles")
    page.get_by_label("Fichier des données d'usage").set_input_files(
        files=[{"name": "usages-mars.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("statut-import")).to_have_text("Vérifié (simulation)")
    expect(page.get_by_test_id("decompte")).to_contain_text("Lignes lues")
    capture("01-import-verifie")
    assert not UsageMensuel.objects.filter(mois=date(2026, 3, 1)).exists()
    page.get_by_test_id("appliquer").click()
    expect(page.get_by_test_id("statut-import")).to_have_text("Appliqué")
    assert UsageMensuel.objects.filter(mois=date(2026, 3, 1)).count() == 2

    page.goto(f"{live_server.url}/indicateurs/grappes/{grappe.pk}/tranches/")
    expect(page.get_by_test_id("statut-tranche-2")).to_have_text("Due")
    expect(page.get_by_test_id("tranche-2")).to_contain_text("Cibles atteintes en mars 2026")
    expect(page.get_by_test_id("payer-2")).to_have_count(0)  # the porteur does not pay
    capture("02-tranche-2-due")
    # The ARS hears of tranche 2 (tranche 1 fell due at the convention's signature).
    assert [m.to for m in mail.outbox if "Tranche 2 due" in m.subject] == [["ars@exemple.fr"]]
    logout(page)

    login("ars@exemple.fr")
    page.goto(f"{live_server.url}/indicateurs/grappes/{grappe.pk}/tranches/")
    page.get_by_test_id("payer-2").click()
    page.get_by_label("Payée le").fill("2026-04-20")
    page.get_by_label("Montant payé (€)").fill("100000.00")
    page.get_by_label("Référence du paiement").fill("ARS-2026-0420")
    capture("03-saisie-du-paiement-ars")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.get_by_role("alert").first).to_contain_text("Paiement de la tranche 2 enregistré")
    expect(page.get_by_test_id("statut-tranche-2")).to_have_text("Payée")
    expect(page.get_by_test_id("tranche-2")).to_contain_text("ARS-2026-0420")
    capture("04-tranche-2-payee")
    tranche = Tranche.objects.get(grappe=grappe, numero=2)
    assert tranche.statut == StatutTranche.PAYEE
    assert tranche.paye_le == date(2026, 4, 20)

    # The grappe's dashboard (built by the dashboards app) shows the month, when it exists.
    try:
        dashboard = reverse("indicateurs:tableau_grappe", args=[grappe.pk])
    except NoReverseMatch:
        return
    response = page.goto(f"{live_server.url}{dashboard}")
    assert response.status == 200
    capture("05-tableau-de-bord-de-la-grappe")
