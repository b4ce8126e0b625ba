import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grappe.models import HistoryEntry
from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("users:jeton_api")


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_create_show_replace_and_revoke(cast, client_for):
    client = client_for(cast.owner)
    assert 'data-testid="sans-jeton"' in client.get(URL).content.decode()
    client.post(URL, {"action": "creer"})
    token = Token.objects.get(user=cast.owner)
    assert token.key in client.get(URL).content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    grappe_url = f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-01"
    assert api.get(grappe_url).status_code == 200
    client.post(URL, {"action": "creer"})
    new = Token.objects.get(user=cast.owner)
    assert new.key != token.key
    assert api.get(grappe_url).status_code == 401
    client.post(URL, {"action": "revoquer"})
    assert not Token.objects.filter(user=cast.owner).exists()


def test_each_user_sees_only_their_own_token(cast, client_for):
    other = Token.objects.create(user=cast.stranger)
    page = client_for(cast.owner).get(URL).content.decode()
    assert other.key not in page


def test_drf_create_token_command():
    user = UserFactory(email="script@exemple.fr")
    call_command("drf_create_token", user.email, verbosity=0)
    assert Token.objects.filter(user=user).exists()


def test_token_life_is_in_the_audit_trail(cast, client_for):
    client = client_for(cast.owner)
    client.post(URL, {"action": "creer"})
    client.post(URL, {"action": "creer"})
    client.post(URL, {"action": "revoquer"})
    entries = HistoryEntry.objects.filter(user=cast.owner, grappe=None).order_by("pk")
    assert [e.action for e in entries] == [
        "Jeton d'API créé",
        "Jeton d'API remplacé",
        "Jeton d'API révoqué",
    ]
    # The key itself is never written to the trail.
    assert all("Token" not in str(e.changes) and len(e.target) < 40 for e in entries)


def test_revoking_without_a_token_changes_nothing(cast, client_for):
    response = client_for(cast.owner).post(URL, {"action": "revoquer"}, follow=True)
    assert "Action inconnue." in response.content.decode()
    assert not HistoryEntry.objects.filter(user=cast.owner).exists()


def test_token_page_rejects_other_methods(cast, client_for):
    assert client_for(cast.owner).delete(URL).status_code == 405
