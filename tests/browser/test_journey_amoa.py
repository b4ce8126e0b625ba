"""Journey: the chef de projet records three offers, two evaluators of the comité de sélection
score them — a grid is submitted only complete (every offer × every qualitative criterion, noted
and justified), then locked —, the ranking shows and the rapport d'analyse downloads."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from amoa.enums import PIECES_REQUISES
from amoa.models import Offre, PieceOffre
from grappe.enums import RoleKind
from tests.amoa.factories import PDF, ConsultationFactory, evaluator
from tests.browser.helpers import logout
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFRES = [
    ("Alpha Conseil", "60000", "900"),
    ("Beta Santé", "50000", "850"),
    ("Gamma Partenaires", "55000", "1000"),
]
# The default qualitative criteria as the grid labels them: (libellé, scale).
CRITERES = [
    ("Méthodologie", 10),
    ("Expérience et références", 10),
    ("Respect du cadre et du planning", 5),
    ("Audition", 10),
    ("Appui à la montée en compétence", 5),
]
# What each of the two evaluators types, per offer, in the order of CRITERES.
SCORES = {
    "Alpha Conseil": [("9", "8"), ("7.5", "8"), ("4", "5"), ("8", "9"), ("4", "4")],
    "Beta Santé": [("5", "6"), ("6", "5"), ("3", "3"), ("6", "6"), ("3", "4")],
    "Gamma Partenaires": [("7", "7"), ("7", "6.5"), ("4", "4"), ("7", "7"), ("3", "3")],
}
# The totals on 100 from those scores (price notes as displayed, rounded to 2 decimals):
# Alpha: 25 × 8,33/10 + 10 × 9,44/10 + 20 × 8,5/10 + 15 × 7,75/10 + 10 × 4,5/5 + 15 × 8,5/10
#        + 5 × 4/5 = 20,825 + 9,44 + 17 + 11,625 + 9 + 12,75 + 4 = 84,64;
# Gamma: 25 × 9,09/10 + 10 × 8,5/10 + 20 × 7/10 + 15 × 6,75/10 + 10 × 4/5 + 15 × 7/10
#        + 5 × 3/5 = 22,725 + 8,5 + 14 + 10,125 + 8 + 10,5 + 3 = 76,85;
# Beta (cheapest on both prices, weakest on quality): 25 + 10 + 11 + 8,25 + 6 + 9 + 3,5 = 72,75.
CLASSEMENT = [("Alpha Conseil", "84,64"), ("Gamma Partenaires", "76,85"), ("Beta Santé", "72,75")]


def justification(position, libelle):
    return f"Avis de l'évaluateur {position + 1} — {libelle}"


def fill_grid(page, offres, position, criteres=CRITERES):
    """Type the evaluator's note and justification of `criteres` for every offer."""
    for societe, values in SCORES.items():
        grid = page.get_by_test_id(f"grille-{offres[societe].pk}")
        # The grid asks for exactly the criteria of the table: none left unscored.
        expect(grid.locator("input[type=number]")).to_have_count(len(CRITERES))
        for (libelle, echelle), notes in zip(CRITERES, values, strict=True):
            if (libelle, echelle) not in criteres:
                continue
            grid.get_by_label(f"{libelle} (sur {echelle})", exact=True).fill(notes[position])
            grid.get_by_label(f"Justification — {libelle}", exact=True).fill(
                justification(position, libelle)
            )


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

    # Two evaluators score every offer on every qualitative criterion, justify, and submit.
    offres = {o.candidat.societe: o for o in Offre.objects.select_related("candidat")}
    for position, email in enumerate(["eval1@exemple.fr", "eval2@exemple.fr"]):
        login(email)
        page.goto(f"{base}evaluation/")
        expect(page.get_by_test_id("evaluation-en-cours")).to_be_visible()
        if position == 0:
            # A first sitting: the methodology only, kept as a draft…
            fill_grid(page, offres, position, criteres=CRITERES[:1])
            page.get_by_role("button", name="Enregistrer le brouillon").click()
            expect(page.get_by_role("alert").first).to_have_text(
                "Vos notes sont enregistrées (brouillon, non soumis)."
            )
            # …which cannot be submitted: every missing note and justification is listed.
            page.get_by_role("button", name="Soumettre mon évaluation").click()
            errors = page.get_by_test_id("erreurs-grille")
            expect(errors).to_contain_text("Votre évaluation n'est pas soumise")
            expect(errors.get_by_role("listitem")).to_have_count(3 * (len(CRITERES) - 1))
            expect(errors).to_contain_text(
                "Gamma Partenaires — Appui à la montée en compétence : note et justification"
            )
            expect(errors).not_to_contain_text("Méthodologie")
            expect(page.get_by_test_id("evaluation-en-cours")).to_be_visible()
        fill_grid(page, offres, position)
        if position == 0:
            capture("04-grille-du-premier-evaluateur")
        page.get_by_role("button", name="Soumettre mon évaluation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Consolidation des notes")
        expect(page.get_by_test_id(f"consolidation-{offres['Alpha Conseil'].pk}")).to_contain_text(
            justification(0, "Méthodologie")
        )
        capture(f"{5 + position:02d}-consolidation-evaluateur-{position + 1}")
        if position == 0:
            # The submitted grid is locked.
            page.goto(f"{base}evaluation/")
            expect(page.get_by_test_id("evaluation-soumise")).to_be_visible()
            expect(page.get_by_role("button", name="Soumettre mon évaluation")).to_have_count(0)
            expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
            grid = page.get_by_test_id(f"grille-{offres['Alpha Conseil'].pk}")
            expect(grid.get_by_label("Méthodologie (sur 10)", exact=True)).to_be_disabled()
            expect(grid.get_by_label("Méthodologie (sur 10)", exact=True)).to_have_value("9.0")
        logout(page)

    # The chef de projet sees the ranking and downloads the report.
    login("porteur@exemple.fr")
    page.goto(f"{base}classement/")
    ranking = page.get_by_test_id("classement")
    expect(ranking.locator("tbody tr")).to_have_count(3)
    # Computed from the scores typed above (CLASSEMENT): quality outweighs Beta's lower prices.
    for rank, (societe, total) in enumerate(CLASSEMENT, start=1):
        row = ranking.get_by_test_id(f"rang-{offres[societe].pk}")
        expect(ranking.locator("tbody tr").nth(rank - 1)).to_have_attribute(
            "data-testid", f"rang-{offres[societe].pk}"
        )
        expect(row.locator("td").first).to_have_text(str(rank))
        expect(row.locator("td").nth(1)).to_have_text(societe)
        expect(row.locator("td").last).to_have_text(total)
    expect(page.get_by_test_id("sensibilite")).to_be_visible()
    capture("07-classement-des-offres")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapport d'analyse (PDF)").click()
    download = download_info.value
    assert re.match(r"rapport-analyse-amoa-du-hainaut\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read().startswith(b"%PDF-")
