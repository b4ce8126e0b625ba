import pytest
from playwright.sync_api import expect

from grappe.enums import RoleKind
from tests.browser.helpers import navigate_by
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_porteur_logs_in_and_lands_on_their_home(page, live_server, login, capture):
    grappe = GrappeFactory(name="Grappe du Hainaut")
    add_esms(grappe, 2)
    user = UserFactory(email="porteur@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=user, kind=RoleKind.CHEF_PROJET)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    capture("01-page-de-connexion")

    login("porteur@exemple.fr")

    # The home says what to do now: the project she leads.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_test_id("section-porteur")).to_contain_text("Grappe du Hainaut")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_text("Camille Martin")).to_be_visible()
    expect(nav.get_by_text("Chef de projet interne — Grappe du Hainaut")).to_be_visible()
    capture("02-tableau-de-bord")
    navigate_by(page, nav.get_by_role("link", name="Ma grappe"))
    expect(page).to_have_url(f"{live_server.url}/grappes/{grappe.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grappe du Hainaut")


def test_wrong_password_shows_french_error(page, live_server, login, capture):
    UserFactory(email="porteur@exemple.fr")
    login("porteur@exemple.fr", "mauvais-mot-de-passe")
    expect(
        page.get_by_role("alert").or_(page.locator(".alert-danger, .alert-block"))
    ).to_contain_text("Saisissez")
    capture("01-mot-de-passe-refuse")
