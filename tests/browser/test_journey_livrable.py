import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from core.pdf import render_pdf
from grappe.enums import RoleKind
from projets.enums import StatutVersion
from projets.models import Livrable
from tests.browser.helpers import logout
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.factories import plan_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def note_de_cadrage_pdf(grappe):
    return render_pdf(
        "projets/pdf/demo_livrable.html",
        {"html": "<h1>Note de cadrage</h1><p>Calendrier et jalons principaux du projet.</p>"},
        grappe=grappe,
        title="Note de cadrage",
    )


def test_porteur_uploads_a_note_de_cadrage_two_copil_members_validate_it(
    page, live_server, login, capture
):
    grappe = GrappeFactory(name="Grappe de l'Avesnois")
    porteur = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=porteur, kind=RoleKind.CHEF_PROJET)
    copil_member(
        grappe, UserFactory(email="copil1@exemple.fr", first_name="Paul", last_name="Roux")
    )
    copil_member(
        grappe, UserFactory(email="copil2@exemple.fr", first_name="Inès", last_name="Blanc")
    )
    plan = plan_for(grappe, user=porteur)
    livrable = Livrable.objects.get(plan=plan, reference__code="note_cadrage")
    content = note_de_cadrage_pdf(grappe)
    assert content.startswith(b"%PDF-")

    # The porteur opens the note de cadrage of step 3, uploads it and submits it to the COPIL.
    login("porteur@exemple.fr")
    page.goto(f"{live_server.url}/projet/grappes/{grappe.pk}/livrables/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Livrables")
    page.get_by_role("link", name=re.compile(r"^Note de cadrage consolidée")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Note de cadrage consolidée")
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Attendu")
    capture("01-livrable-attendu")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "Note de cadrage.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_label("Commentaire de dépôt").fill("Version présentée au COPIL du 3 mars.")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_role("alert").first).to_contain_text("La version 1 est déposée")
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Déposée")
    page.get_by_role("button", name="Soumettre au COPIL").click()
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Soumise à validation")
    expect(page.get_by_test_id("approbations")).to_have_text("0 approbation sur les 2 requises")
    capture("02-version-soumise-au-copil")
    # Both voting members got an e-mail with a direct link to the deliverable.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "copil1@exemple.fr",
        "copil2@exemple.fr",
    ]
    link = re.search(rf"{re.escape(settings.SITE_URL)}(\S+)", mail.outbox[0].body).group(1)
    assert link == f"/projet/grappes/{grappe.pk}/livrables/{livrable.pk}/"
    logout(page)

    # First member: from the "À valider" inbox.
    login("copil1@exemple.fr")
    page.goto(f"{live_server.url}/projet/a-valider/")
    inbox = page.get_by_test_id("a-valider")
    expect(inbox.locator("tbody tr")).to_have_count(1)
    expect(inbox).to_contain_text("Grappe de l'Avesnois")
    capture("03-a-valider-premier-membre")
    inbox.get_by_role("link", name=re.compile(r"^Note de cadrage consolidée")).click()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Votre approbation de la version 1 est enregistrée."
    )
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Soumise à validation")
    expect(page.get_by_test_id("approbations")).to_have_text("1 approbation sur les 2 requises")
    capture("04-premiere-approbation")
    page.goto(f"{live_server.url}/projet/a-valider/")
    expect(page.get_by_test_id("rien-a-valider")).to_have_text("Rien à valider pour le moment.")
    logout(page)

    # Second member: through the link of the e-mail; reads the file, approves.
    login("copil2@exemple.fr")
    page.goto(f"{live_server.url}{link}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Note_de_cadrage.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Note_de_cadrage.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == content
    page.get_by_label("Commentaire", exact=True).fill("Calendrier réaliste, bravo.")
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Validée — verrouillée")
    expect(page.get_by_test_id("avis")).to_contain_text("Calendrier réaliste, bravo.")
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)
    capture("05-livrable-valide-par-le-copil")
    logout(page)

    # The porteur sees it validated, locked, and was told by e-mail.
    login("porteur@exemple.fr")
    page.goto(f"{live_server.url}/projet/grappes/{grappe.pk}/livrables/?statut=validee")
    row = page.get_by_test_id(f"livrable-{livrable.pk}")
    expect(row).to_contain_text("Validée — verrouillée")
    row.get_by_role("link", name=re.compile(r"^Note de cadrage consolidée")).click()
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Validée — verrouillée")
    expect(page.get_by_test_id("depot-impossible")).to_contain_text("verrouillée")
    capture("06-livrable-verrouille-vu-du-porteur")
    assert livrable.versions.get().status == StatutVersion.VALIDEE
    assert mail.outbox[-1].to == ["porteur@exemple.fr"]
    assert "a validé la version 1" in mail.outbox[-1].body
