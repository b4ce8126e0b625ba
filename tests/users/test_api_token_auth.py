"""users.auth.ApiTokenAuthentication: the hashed tokens behind `Authorization: Token …`, their
last use, and the move of DRF authtoken's clear keys (users migration 0004)."""

import datetime as dt
import hashlib
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from tests.grappe.factories import UserFactory
from users.models import ApiToken

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def get(cast, key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-01")


def test_unknown_key_and_inactive_owner_are_refused(cast):
    _, key = ApiToken.objects.issue(cast.owner, "DUI")
    assert get(cast, key).status_code == 200
    assert get(cast, key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401
    # The hash itself is no key.
    assert get(cast, ApiToken.objects.get().key_hash).status_code == 401
    cast.owner.is_active = False
    cast.owner.save()
    assert get(cast, key).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(cast):
    token, key = ApiToken.objects.issue(cast.owner, "DUI")
    with time_machine.travel(START, tick=False) as traveller:
        get(cast, key)
        token.refresh_from_db()
        assert token.last_used == START
        traveller.shift(dt.timedelta(seconds=59))
        get(cast, key)
        token.refresh_from_db()
        assert token.last_used == START
        traveller.shift(dt.timedelta(seconds=1))
        get(cast, key)
        token.refresh_from_db()
        assert token.last_used == START + dt.timedelta(minutes=1)


def test_touch_writes_nothing_within_the_minute(cast, django_assert_num_queries):
    token, _ = ApiToken.objects.issue(cast.owner, "DUI")
    with time_machine.travel(START, tick=False):
        with django_assert_num_queries(1):
            token.touch()
        with django_assert_num_queries(0):
            token.touch()


LEGACY_KEY = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def legacy_table():
    """DRF authtoken's table as existing databases have it (the app is no longer installed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created datetime NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")


def run_migration():
    migration = importlib.import_module("users.migrations.0004_hash_existing_api_tokens")
    # Not entered: the migration only quotes names with it (SQLite refuses to enter it inside
    # the test's transaction).
    migration.hash_existing_tokens(apps, connection.schema_editor())


def test_migration_keeps_existing_tokens_working_and_erases_the_clear_keys(cast, legacy_table):
    created = dt.datetime(2025, 11, 3, 8, 30, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [LEGACY_KEY, created, cast.owner.pk],
        )
    run_migration()
    token = ApiToken.objects.get(user=cast.owner)
    assert token.key_hash == hashlib.sha256(LEGACY_KEY.encode()).hexdigest()
    assert (token.prefix, token.created, token.name) == ("01234567", created, "Jeton d'API")
    assert get(cast, LEGACY_KEY).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0


def test_migration_on_a_database_without_the_legacy_table():
    UserFactory()
    run_migration()
    assert not ApiToken.objects.exists()
