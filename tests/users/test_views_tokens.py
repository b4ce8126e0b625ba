import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

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
