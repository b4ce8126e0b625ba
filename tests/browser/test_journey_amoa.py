"""Journey: the chef de projet records three offers, two evaluators of the comité de sélection
score them, the ranking shows and the rapport d'analyse downloads."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from amoa.enums import PIECES_REQUISES
from amoa.models import Offre, PieceOffre
from grappe.enums import RoleKind
from tests.amoa.factories import PDF, ConsultationFactory, evaluator
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFRES = [
    ("Alpha Conseil", "60000", "900"),
    ("Beta Santé", "50000", "850"),
    ("Gamma Partenaires", "55000", "1000"),
]
# Méthodologie scores of the two evaluators, per offer.
SCORES = {"Alpha Conseil": ("9", "8"), "Beta Santé": ("5", "6"), "Gamma Partenaires": ("7", "7")}


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("networkidle")


def complete_file(offre):
    """The remaining pieces of the file arrived by e-mail (the upload form is exercised once)."""
    present = set(offre.pieces.values_list("type", flat=True))
    for code in PIECES_REQUISES:
        if code in present:
            continue
        piece = PieceOffre(
            offre=offre,
            type=code,
            original_name=f"{code}.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
        piece.file.save(f"{code}.pdf", ContentFile(PDF), save=False)
        piece.save()


def test_offers_scored_by_two_evaluators_are_ranked_and_reported(page, live_server, login, capture):
    grappe = GrappeFactory(name="Grappe du Hainaut")
    owner = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=owner, kind=RoleKind.CHEF_PROJET)
    evaluator(grappe, UserFactory(email="eval1@exemple.fr", first_name="Paul", last_name="Roux"))
    evaluator(grappe, UserFactory(email="eval2@exemple.fr", first_name="Inès", last_name="Blanc"))
    consultation = ConsultationFactory(grappe=grappe, titre="AMOA du Hainaut")
    base = f"{live_server.url}/amoa/grappes/{grappe.pk}/consultations/{consultation.pk}/"

    # The chef de projet records the three offers.
    login("porteur@exemple.fr")
    for societe, total, rate in OFFRES:
        page.goto(base)
        page.get_by_role("link", name="Enregistrer une offre").click()
        page.get_by_label("Société candidate").fill(societe)
        page.get_by_label("Reçue le").fill("2026-05-30T10:00")
        page.get_by_label("Prix global (€ HT)").fill(total)
        page.get_by_label("Prix de journée (€ HT)").fill(rate)
        page.get_by_label("Étape / phase").first.fill("Analyse des offres")
        page.get_by_label("Nombre de jours").first.fill("5")
        page.get_by_role("button", name="Enregistrer l'offre").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Offre de {societe}")
        expect(page.get_by_test_id("recevabilite")).to_have_text("Dossier incomplet")
        if societe == OFFRES[0][0]:
            capture("01-offre-enregistree")
    # One piece through the upload form.
    page.get_by_label("Type de pièce").select_option(label="Note méthodologique")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "Note méthodologique.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Déposer la pièce").click()
    expect(page.get_by_role("alert").first).to_contain_text("est déposé")
    capture("02-piece-deposee")
    for offre in Offre.objects.filter(consultation=consultation):
        complete_file(offre)
    page.goto(base)
    expect(page.get_by_test_id("offres")).to_contain_text("Gamma Partenaires")
    expect(page.get_by_test_id("offres").get_by_text("Complète")).to_have_count(3)
    capture("03-offres-completes")
    logout(page)

    # Two evaluators score the methodology and submit.
    offres = {o.candidat.societe: o for o in Offre.objects.select_related("candidat")}
    for position, email in enumerate(["eval1@exemple.fr", "eval2@exemple.fr"]):
        login(email)
        page.goto(f"{base}evaluation/")
        expect(page.get_by_test_id("evaluation-en-cours")).to_be_visible()
        for societe, values in SCORES.items():
            grid = page.get_by_test_id(f"grille-{offres[societe].pk}")
            grid.get_by_label("Méthodologie (sur 10)", exact=True).fill(values[position])
            grid.get_by_label("Justification — Méthodologie", exact=True).fill(
                f"Avis de l'évaluateur {position + 1}"
            )
        if position == 0:
            capture("04-grille-du-premier-evaluateur")
        page.get_by_role("button", name="Soumettre mon évaluation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Consolidation des notes")
        expect(page.get_by_test_id(f"consolidation-{offres['Alpha Conseil'].pk}")).to_contain_text(
            "Avis de l'évaluateur 1"
        )
        capture(f"{5 + position:02d}-consolidation-evaluateur-{position + 1}")
        logout(page)

    # The chef de projet sees the ranking and downloads the report.
    login("porteur@exemple.fr")
    page.goto(f"{base}classement/")
    ranking = page.get_by_test_id("classement")
    expect(ranking.locator("tbody tr")).to_have_count(3)
    # Alpha: 25 × 50/60 + 10 × 850/900 + 20 × 8.5/10 = 47.27; Beta: 25 + 10 + 11 = 46.00.
    expect(ranking.locator("tbody tr").first).to_contain_text("Alpha Conseil")
    expect(ranking.locator("tbody tr").first).to_contain_text("47,27")
    expect(ranking.locator("tbody tr").nth(1)).to_contain_text("Beta Santé")
    expect(page.get_by_test_id("sensibilite")).to_be_visible()
    capture("07-classement-des-offres")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapport d'analyse (PDF)").click()
    download = download_info.value
    assert re.match(r"rapport-analyse-amoa-du-hainaut\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read().startswith(b"%PDF-")
