"""Keyboard-only journey (RGAA 7.3, 10.7, 12.7): a COPIL member signs in, reaches the "À valider"
inbox and approves a submitted compte rendu with the keyboard alone — no mouse, no click(),
no fill()."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approbations.models import Avis
from grappe.enums import RoleKind
from projets.comptes_rendus import snapshot
from projets.enums import AvisCompteRendu, Presence, StatutCompteRendu
from projets.models import CompteRendu
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.projets.helpers_comptes_rendus import draft, meeting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TITRE = "COPIL n° 4 — paramétrage du DUI"
SYNTHESE = "Le COPIL valide le calendrier de paramétrage."


def submitted_minutes():
    grappe = GrappeFactory(name="Grappe du Ternois")
    chef = UserFactory(email="cheffe@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=chef, kind=RoleKind.CHEF_PROJET)
    member = copil_member(
        grappe, UserFactory(email="copil@exemple.fr", first_name="Paul", last_name="Roux")
    )
    reunion = meeting(
        grappe,
        day=timezone.localdate() - datetime.timedelta(days=3),
        titre=TITRE,
        participants=[(chef, Presence.PRESENT), (member, Presence.PRESENT)],
        points=("Calendrier de paramétrage",),
    )
    content = snapshot(reunion, SYNTHESE)
    content["tour"] = 1
    return draft(
        reunion,
        chef,
        synthese=SYNTHESE,
        statut=StatutCompteRendu.SOUMIS,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
        content=content,
    )


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, limit=40):
    """Press Tab until `locator` has the focus; returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return presses
    raise AssertionError(f"{locator} never got the focus after {limit} Tab presses")


def assert_visible_focus(page):
    """The focused element shows a focus indicator (an outline or a focus shadow)."""
    ring = page.evaluate(
        """() => {
          const element = document.activeElement;
          const style = getComputedStyle(element);
          return {
            tag: element.tagName,
            outline: style.outlineStyle,
            width: parseFloat(style.outlineWidth) || 0,
            shadow: style.boxShadow,
            focusVisible: element.matches(":focus-visible"),
          };
        }"""
    )
    assert ring["focusVisible"], ring
    assert (ring["outline"] != "none" and ring["width"] >= 1) or ring["shadow"] != "none", ring


def skip_to_content(page, key="Tab"):
    """The first Tab stop of every page is the "Aller au contenu" link; Enter moves the focus
    to the main content."""
    page.keyboard.press(key)
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def test_copil_member_approves_the_minutes_with_the_keyboard_only(page, live_server):
    cr = submitted_minutes()
    reunion = cr.reunion

    # Sign in: the e-mail field has the focus (autofocus); Shift+Tab goes back through the
    # brand link to the skip link, which leads to the form; then e-mail, password, the button.
    page.goto(f"{live_server.url}/connexion/")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Grappe — accueil")).to_be_focused()
    assert_visible_focus(page)
    skip_to_content(page, key="Shift+Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.type("copil@exemple.fr")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type("motdepasse-de-test")
    page.keyboard.press("Tab")
    login_button = page.get_by_role("button", name="Se connecter")
    expect(login_button).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("utilisateur")).to_contain_text("Paul Roux")

    # The main navigation leads to the "À valider" inbox, its count read out in words.
    inbox_link = page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="À valider 1 document en attente de votre avis"
    )
    tab_to(page, inbox_link)
    assert " ".join(page.evaluate("document.activeElement.textContent").split()) == (
        "À valider 1 document en attente de votre avis"
    )
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("À valider")

    # In the inbox: the scrollable table is a focusable, named region, then the document link.
    skip_to_content(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("region", name="Documents en attente de votre avis")).to_be_focused()
    assert_visible_focus(page)
    document_link = page.get_by_test_id("a-valider").get_by_role(
        "link", name=f"Compte rendu — {TITRE}"
    )
    page.keyboard.press("Tab")
    expect(document_link).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{live_server.url}/projet/grappes/{reunion.grappe_id}/reunions/{reunion.pk}"
        f"/compte-rendu/{cr.pk}/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Compte rendu — {TITRE}")
    expect(page.get_by_test_id("statut-cr")).to_have_text("Soumis à validation")

    # The avis: a comment, then "Approuver" (Shift+Tab back from the other decision).
    skip_to_content(page)
    comment = page.get_by_label("Commentaire", exact=True)
    tab_to(page, comment)
    assert_visible_focus(page)
    page.keyboard.type("Conforme aux échanges, merci.")
    approve = page.get_by_role("button", name="Approuver")
    request_changes = page.get_by_role("button", name="Demander des modifications")
    page.keyboard.press("Tab")
    expect(approve).to_be_focused()
    page.keyboard.press("Tab")
    expect(request_changes).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.press("Shift+Tab")
    expect(approve).to_be_focused()
    assert page.evaluate("document.activeElement.textContent").strip() == "Approuver"
    assert_visible_focus(page)
    page.keyboard.press("Space")

    # Recorded: the only voting member approved, so the minutes are validated and diffused.
    expect(page.get_by_role("alert").first).to_contain_text(
        "Votre approbation de la version 1 est enregistrée."
    )
    expect(page.get_by_test_id("statut-cr")).to_have_text("Diffusé")
    expect(page.get_by_test_id("avis")).to_contain_text("Conforme aux échanges, merci.")
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
    avis = Avis.objects.for_document(cr).get()
    assert (avis.user.email, avis.decision, avis.comment) == (
        "copil@exemple.fr",
        AvisCompteRendu.APPROUVE,
        "Conforme aux échanges, merci.",
    )
    assert CompteRendu.objects.filter(reunion=reunion).count() == 1
