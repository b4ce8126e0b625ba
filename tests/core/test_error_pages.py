"""The error pages people see are in French and say what to do next (templates/4xx, 500)."""

from django.template.loader import render_to_string

from tests.helpers import text


def test_unknown_page_gives_the_french_404_page(cast, client_for):
    response = client_for(cast.owner).get("/grappes/999999/")
    assert response.status_code == 404
    page = text(response)
    assert "Page introuvable" in page
    assert "vous n'y avez pas accès avec ce compte" in page
    assert 'data-testid="utilisateur"' in page  # the site's layout, with the signed-in header


def test_refused_action_gives_the_french_403_page(cast, client_for):
    # A refusal that states no reason of its own: the page's general one.
    response = client_for(cast.member).get(
        f"/amoa/grappes/{cast.grappe.pk}/consultations/nouvelle/"
    )
    assert response.status_code == 403
    page = text(response)
    assert "Accès refusé" in page
    assert "Votre rôle ne permet pas cette action" in page


def test_403_page_gives_the_reason_the_view_stated(cast, client_for):
    response = client_for(cast.member).post(f"/grappes/{cast.grappe.pk}/comites/copil/", {})
    assert response.status_code == 403
    page = text(response)
    assert "Seuls le chef de projet de la grappe et les administrateurs nationaux" in page
    assert "Votre rôle ne permet pas" not in page


def test_expired_form_gives_the_french_csrf_page(cast, client):
    client.handler.enforce_csrf_checks = True
    client.force_login(cast.owner)
    response = client.post(f"/grappes/{cast.grappe.pk}/modifier/", {"name": "Sans jeton"})
    assert response.status_code == 403
    assert "Formulaire expiré" in text(response)


def test_500_page_renders_without_context_nor_database():
    # Django renders 500.html with no request: the page must need neither (the failure may be
    # the database itself, see tests/core/test_faults_postgres.py). No `db` fixture here:
    # pytest-django refuses any query.
    page = render_to_string("500.html")
    assert "Service momentanément indisponible" in page
    assert 'lang="fr"' in page
    assert "/static/" not in page  # no static manifest needed either


def test_robots_txt_disallows_everything(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().splitlines() == ["User-agent: *", "Disallow: /"]


def test_favicon_is_served_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/img/favicon.svg")
    page = client.get("/connexion/").content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page
