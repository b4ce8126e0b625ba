"""The « Jetons d'API » page: several named tokens per person, each key shown once at its
creation, stored hashed, listed, revocable, and never kept by a cache."""

import hashlib
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from grappe.models import HistoryEntry
from tests.grappe.factories import UserFactory
from tests.helpers import text
from users.models import ApiToken

pytestmark = pytest.mark.django_db

URL = reverse("users:jeton_api")


def revoke_url(token):
    return reverse("users:revoquer_jeton", args=[token.pk])


def create(client, name):
    """Create a token through the page: (response, the key it shows)."""
    response = client.post(URL, {"name": name})
    assert response.status_code == 200
    match = re.search(r'data-testid="jeton">([^<]+)<', response.content.decode())
    return response, match.group(1) if match else None


def api_with(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_key_is_shown_once_and_stored_hashed(cast, client_for):
    client = client_for(cast.owner)
    assert 'data-testid="sans-jeton"' in client.get(URL).content.decode()
    response, key = create(client, "DUI")
    assert len(key) == 40
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=cast.owner)
    # Only the SHA-256 is stored: no column holds the key.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiToken.objects.values_list()))
    # The next visit lists the token by its name and prefix, never the key.
    page = client.get(URL)
    assert "no-store" in page["Cache-Control"]
    assert key not in page.content.decode()
    assert f"{key[:8]}…" in text(page) and "DUI" in text(page)


def test_several_tokens_each_revocable(cast, client_for):
    client = client_for(cast.owner)
    _, dui = create(client, "DUI")
    _, script = create(client, "Script mensuel")
    url = f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-01"
    assert api_with(dui).get(url).status_code == 200
    assert api_with(script).get(url).status_code == 200
    token = ApiToken.objects.get(user=cast.owner, name="DUI")
    response = client.post(revoke_url(token), follow=True)
    assert "Jeton « DUI » révoqué" in text(response)
    assert api_with(dui).get(url).status_code == 401
    assert api_with(script).get(url).status_code == 200


def test_names_are_required_and_unique_per_person(cast, client_for):
    client = client_for(cast.owner)
    create(client, "DUI")
    response, key = create(client, "dui")
    assert key is None
    assert "Vous avez déjà un jeton de ce nom." in text(response)
    response, key = create(client, "   ")
    assert key is None and ApiToken.objects.filter(user=cast.owner).count() == 1
    # Another person may use the same name.
    assert create(client_for(cast.member), "DUI")[1]


def test_each_user_sees_and_revokes_only_their_own_tokens(cast, client_for):
    other, key = ApiToken.objects.issue(cast.stranger, "Secret de l'autre")
    client = client_for(cast.owner)
    page = text(client.get(URL))
    assert "Secret de l'autre" not in page and other.prefix not in page
    assert client.post(revoke_url(other)).status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


def test_revoking_answers_post_only(cast, client_for):
    token, _ = ApiToken.objects.issue(cast.owner, "DUI")
    assert client_for(cast.owner).get(revoke_url(token)).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_life_is_in_the_audit_trail(cast, client_for):
    client = client_for(cast.owner)
    _, key = create(client, "DUI")
    client.post(revoke_url(ApiToken.objects.get(user=cast.owner)))
    entries = HistoryEntry.objects.filter(user=cast.owner, grappe=None).order_by("pk")
    assert [e.action for e in entries] == ["Jeton d'API créé : DUI", "Jeton d'API révoqué : DUI"]
    # The key itself is never written to the trail.
    assert all(key not in f"{e.action}{e.target}{e.changes}" for e in entries)


def test_token_page_rejects_other_methods(cast, client_for):
    assert client_for(cast.owner).delete(URL).status_code == 405


def test_command_creates_a_named_token_and_prints_it_once(capsys):
    user = UserFactory(email="script@exemple.fr")
    call_command("creer_jeton_api", "Script@exemple.fr", "--nom", "Envoi")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.for_key(key).user == user
    with pytest.raises(CommandError, match="déjà un jeton"):
        call_command("creer_jeton_api", user.email, "--nom", "envoi")
    with pytest.raises(CommandError, match="Aucun compte actif"):
        call_command("creer_jeton_api", "inconnu@exemple.fr")
