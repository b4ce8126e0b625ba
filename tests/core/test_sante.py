"""/sante/: the health endpoint polled by monitoring."""

import os

import pytest
from django.db import OperationalError

from core import health
from tests.conftest import require_redis

pytestmark = pytest.mark.django_db


def test_healthy_without_login(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/sante/")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok"
    assert body["verifications"]["base_de_donnees"]["statut"] == "ok"
    assert body["verifications"]["broker"]["statut"] == "non configuré"
    assert body["verifications"]["stockage"]["statut"] == "non configuré"  # the local disk
    assert "no-cache" in response["Cache-Control"]


def test_unreachable_broker_gives_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/sante/")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "erreur"
    assert body["verifications"]["broker"] == {
        "statut": "erreur",
        "erreur": "ConnectionError",
        "duree_ms": body["verifications"]["broker"]["duree_ms"],
    }
    assert body["verifications"]["base_de_donnees"]["statut"] == "ok"


def test_database_failure_gives_503(client, monkeypatch, settings):
    settings.REDIS_URL = ""

    def broken():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["verifications"]["base_de_donnees"]["statut"] == "erreur"


@pytest.mark.services
def test_real_redis_answers(client, settings):
    require_redis()
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json()["verifications"]["broker"]["statut"] == "ok"


@pytest.mark.services
def test_the_bucket_of_the_uploaded_files_answers(client, settings, s3_bucket):
    settings.REDIS_URL = ""
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json()["verifications"]["stockage"]["statut"] == "ok"


@pytest.mark.services
def test_a_missing_bucket_gives_503(client, settings, s3_bucket):
    settings.REDIS_URL = ""
    options = {**s3_bucket.options, "bucket_name": f"{s3_bucket.name}-absent"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["verifications"]["stockage"]["statut"] == "erreur"
