"""The call for projects end to end in a browser (issue 14): the porteur builds its dossier and
files it once both OGs' directions committed them, two ARS instructors score it, the committee
retains it, the ARS prepares and signs the convention, then records the payment of tranche 1."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidatures.models import Campagne, Candidature, Instructeur
from grappe.enums import FonctionOg, RoleKind, TypeAap
from grappe.models import Aap, OgPerson
from indicateurs.models import Tranche
from tests.browser.helpers import logout, navigate_by
from tests.grappe.factories import (
    GrappeFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    ars_agent,
    region,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def the_call():
    """A Hauts-de-France call open since yesterday; a grappe of 16 ESMS run by 2 OGs, each with
    its direction; two ARS agents of the region designated instructors."""
    now = timezone.now()
    aap = Aap.objects.create(
        name="Généralisation — Hauts-de-France 2027",
        kind=TypeAap.GENERALISATION,
        year=2027,
        region=region("32"),
    )
    campagne = Campagne.objects.create(
        aap=aap,
        ouverture=now - datetime.timedelta(days=1),
        cloture=now + datetime.timedelta(days=30),
        enveloppe=Decimal("2000000.00"),
    )
    campagne.add_defaults()
    grappe = GrappeFactory(name="Grappe de l'Avesnois", aap=aap, achat_sad=True)
    partner = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION LA SAUVEGARDE")
    add_esms(grappe, 10)
    add_esms(grappe, 6, og=partner)
    porteur = UserFactory(email="cheffe@avesnois.fr", first_name="Claire", last_name="Dumont")
    RoleFactory(grappe=grappe, user=porteur, kind=RoleKind.CHEF_PROJET)
    for og, email in [(grappe.porteur, "dg@porteur.fr"), (partner, "dg@sauvegarde.fr")]:
        OgPerson.objects.create(og=og, user=UserFactory(email=email), fonction=FonctionOg.DIRECTION)
    for email in ("instructrice@ars-hdf.fr", "instructeur@ars-hdf.fr"):
        Instructeur.objects.create(
            campagne=campagne, user=ars_agent("32", UserFactory(email=email))
        )
    return campagne, grappe


def score(page, base, campagne, dossier, note):
    page.goto(f"{base}/appels/{campagne.pk}/dossiers/{dossier.pk}/")
    for fieldset in page.get_by_test_id("grille").locator("fieldset").all():
        fieldset.get_by_label("Note (0 à 10)").fill(str(note))
        fieldset.get_by_label("Justification").fill("Conforme aux attendus de l'appel.")
    navigate_by(page, page.get_by_role("button", name="Soumettre ma grille"))


def test_a_dossier_from_building_to_the_first_payment(page, live_server, login, capture):
    campagne, grappe = the_call()
    dossier_url = f"{live_server.url}/appels/grappes/{grappe.pk}/candidature/"

    # The porteur builds the dossier: sections, required pieces.
    login("cheffe@avesnois.fr")
    page.goto(dossier_url)
    navigate_by(page, page.get_by_role("button", name="Commencer le dossier"))
    navigate_by(page, page.get_by_role("link", name="Rédiger les sections"))
    for label, text in [
        ("Projet commun", "Un DUI commun aux 16 établissements de l'Avesnois."),
        ("Gouvernance", "Un COPIL trimestriel présidé par le porteur."),
        ("Coopérations antérieures", "Un GCSMS depuis 2018."),
        ("Calendrier", "Mise en service du DUI en 2028."),
    ]:
        page.get_by_label(label).fill(text)
    navigate_by(page, page.get_by_role("button", name="Enregistrer"))
    form = page.get_by_test_id("joindre")
    for piece in campagne.pieces.filter(obligatoire=True):
        form.get_by_label("Pièce").select_option(label=piece.libelle)
        form.get_by_label("Fichier").set_input_files(
            {"name": f"piece-{piece.pk}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        navigate_by(page, form.get_by_role("button", name="Joindre la pièce"))
    points = page.get_by_test_id("points")
    expect(points.locator("[data-point=pieces]")).to_have_attribute("data-ok", "oui")
    expect(points.locator("[data-point=engagements]")).to_have_attribute("data-ok", "non")
    expect(page.get_by_test_id("depot-bloque")).to_be_visible()
    capture("01-dossier-en-attente-des-engagements")
    logout(page)

    # Each OG's direction commits its OG, from its « À valider » inbox.
    for email in ("dg@porteur.fr", "dg@sauvegarde.fr"):
        login(email)
        nav = page.get_by_role("navigation", name="Navigation principale")
        navigate_by(page, nav.get_by_role("link", name="À valider"))
        navigate_by(page, page.get_by_role("link", name="Engagement sur la candidature").first)
        navigate_by(page, page.get_by_role("button", name="Engager mon organisme", exact=True))
        expect(page.get_by_role("alert").first).to_contain_text(
            "Votre organisme s'engage sur le dossier."
        )
        logout(page)

    # The porteur files it.
    login("cheffe@avesnois.fr")
    page.goto(dossier_url)
    expect(page.get_by_test_id("points").locator("[data-point=engagements]")).to_have_attribute(
        "data-ok", "oui"
    )
    navigate_by(page, page.get_by_role("button", name="Déposer le dossier"))
    expect(page.get_by_test_id("statut-dossier")).to_contain_text("déposée")
    expect(page.get_by_test_id("depots")).to_contain_text("Télécharger (PDF)")
    capture("02-dossier-depose")
    logout(page)
    dossier = Candidature.objects.get(grappe=grappe)

    # Two instructors score it, blind until each submitted.
    login("instructeur@ars-hdf.fr")
    score(page, live_server.url, campagne, dossier, 8)
    logout(page)
    login("instructrice@ars-hdf.fr")
    score(page, live_server.url, campagne, dossier, 6)
    capture("03-notes-des-instructeurs")

    # The committee retains it; the ARS prepares and signs the convention, then pays tranche 1.
    navigate_by(page, page.get_by_role("link", name="Décision"))
    page.get_by_label("Retenue", exact=True).check()
    page.get_by_label("Motif").fill("Projet structuré, territoire peu équipé.")
    navigate_by(page, page.get_by_role("button", name="Enregistrer la décision"))
    navigate_by(page, page.get_by_role("link", name="Grappe de l'Avesnois"))
    navigate_by(page, page.get_by_role("link", name="Convention de financement"))
    navigate_by(page, page.get_by_test_id("preparer").get_by_role("button", name="Enregistrer"))
    page.get_by_label("Date de signature").fill(timezone.localdate().isoformat())
    navigate_by(page, page.get_by_role("button", name="Enregistrer la signature"))
    expect(page.get_by_test_id("convention")).to_contain_text("Signée le")
    capture("04-convention-signee")
    navigate_by(page, page.get_by_role("link", name="Tranches et paiements de la grappe"))
    navigate_by(page, page.get_by_test_id("payer-1"))
    page.get_by_label("Référence du paiement").fill("ARS-HDF-2027-0001")
    navigate_by(page, page.get_by_role("button", name="Enregistrer le paiement"))
    expect(page.locator("body")).to_contain_text("réf. ARS-HDF-2027-0001")
    capture("05-tranche-1-payee")
    tranche = Tranche.objects.get(grappe=grappe, numero=1)
    assert tranche.statut == "payee" and tranche.montant_paye == tranche.montant
    grappe.refresh_from_db()
    assert grappe.convention_amount == dossier.montant_demande
