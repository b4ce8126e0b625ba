import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from grappe.enums import RoleKind
from projets.enums import Presence, StatutCompteRendu
from projets.models import CompteRendu
from tests.browser.helpers import logout
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.helpers_comptes_rendus import meeting, suivi_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_chef_de_projet_writes_the_minutes_the_copil_approves_them_they_are_diffused(
    page, live_server, login, capture
):
    grappe = GrappeFactory(name="Grappe de l'Avesnois")
    chef = UserFactory(email="cheffe@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=chef, kind=RoleKind.CHEF_PROJET)
    president = copil_member(
        grappe, UserFactory(email="copil@exemple.fr", first_name="Paul", last_name="Roux")
    )
    suivi_member(
        grappe, UserFactory(email="suivi@exemple.fr", first_name="Inès", last_name="Blanc")
    )
    reunion = meeting(
        grappe,
        day=timezone.localdate() - datetime.timedelta(days=2),
        titre="COPIL n° 3 — choix de l'éditeur",
        participants=[(chef, Presence.PRESENT), (president, Presence.PRESENT)],
        points=("Rapport d'analyse des offres",),
    )
    base = f"{live_server.url}/projet/grappes/{grappe.pk}/reunions/{reunion.pk}/compte-rendu/"

    # The chef de projet opens the meeting's minutes, writes them and submits them.
    login("cheffe@exemple.fr")
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compte rendu — COPIL n° 3 — choix de l'éditeur"
    )
    expect(page.get_by_test_id("echeance")).to_contain_text("À transmettre au plus tard le")
    capture("01-compte-rendu-a-rediger")
    page.get_by_role("button", name="Rédiger le compte rendu").click()
    expect(page.get_by_role("alert").first).to_contain_text("Le compte rendu est créé")
    expect(page.get_by_test_id("statut-cr")).to_have_text("Brouillon")
    expect(page.get_by_test_id("presences")).to_contain_text("Paul Roux")
    page.get_by_label("Synthèse", exact=True).fill(
        "Le COPIL retient l'éditeur classé premier à l'unanimité."
    )
    page.get_by_label("Échanges — 1. Rapport d'analyse des offres").fill(
        "L'AMOA présente la grille d'analyse ; deux offres sont jugées régulières."
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Le brouillon du compte rendu est enregistré."
    )
    expect(page.get_by_test_id("synthese")).to_have_text(
        "Le COPIL retient l'éditeur classé premier à l'unanimité."
    )
    expect(page.get_by_text("deux offres sont jugées régulières")).to_be_visible()
    capture("02-brouillon-enregistre")
    page.get_by_role("button", name="Soumettre au COPIL").click()
    expect(page.get_by_test_id("statut-cr")).to_have_text("Soumis à validation")
    expect(page.get_by_test_id("approbations")).to_have_text("0 approbation sur 1 requise")
    capture("03-soumis-au-copil")
    # The voting member got an e-mail with a direct link to the minutes.
    assert [message.to for message in mail.outbox] == [["copil@exemple.fr"]]
    cr = CompteRendu.objects.get(reunion=reunion)
    link = re.search(rf"{re.escape(settings.SITE_URL)}(\S+)", mail.outbox[0].body).group(1)
    assert link == f"/projet/grappes/{grappe.pk}/reunions/{reunion.pk}/compte-rendu/{cr.pk}/"
    logout(page)

    # The COPIL member finds the minutes in the "À valider" inbox.
    login("copil@exemple.fr")
    page.goto(f"{live_server.url}/projet/a-valider/")
    inbox = page.get_by_test_id("a-valider")
    expect(inbox.locator("tbody tr")).to_have_count(1)
    capture("04-a-valider-membre-du-copil")
    inbox.get_by_role("link", name=f"Compte rendu — {reunion.titre}").click()
    expect(page).to_have_url(f"{live_server.url}{link}")
    expect(page.get_by_test_id("statut-cr")).to_have_text("Soumis à validation")
    page.get_by_label("Commentaire", exact=True).fill("Fidèle aux échanges, merci.")
    mail.outbox.clear()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Votre approbation de la version 1 est enregistrée."
    )
    expect(page.get_by_test_id("statut-cr")).to_have_text("Diffusé")
    expect(page.get_by_test_id("validation")).to_contain_text("Validé par le COPIL")
    expect(page.get_by_test_id("avis")).to_contain_text("Fidèle aux échanges, merci.")
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)
    capture("05-compte-rendu-diffuse")

    # Diffused: the grappe's people, the COPIL and the comité de suivi, the PDF attached.
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cheffe@exemple.fr",
        "copil@exemple.fr",
        "suivi@exemple.fr",
    ]
    for message in mail.outbox:
        ((filename, content, mimetype),) = message.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF-")
        assert filename.startswith("compte-rendu-copil-n-3-choix-de-lediteur-")

    # …and it is in the grappe's library.
    page.get_by_role("link", name="Bibliothèque des comptes rendus").click()
    library = page.get_by_test_id("bibliotheque")
    expect(library).to_contain_text("COPIL n° 3 — choix de l'éditeur")
    expect(library.get_by_role("link", name=re.compile(r"^PDF"))).to_have_count(1)
    capture("06-bibliotheque-des-comptes-rendus")
