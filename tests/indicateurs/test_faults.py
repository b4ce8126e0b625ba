"""Faults and load (issue 9): a Celery worker killed in the middle of a monthly computation, and
Redis down (cache and broker) while the site is used.

Run with the real services (PostgreSQL + Redis: DATABASE_URL, REDIS_URL, REQUIRE_SERVICES=1);
skipped on SQLite like the other `services` tests.
"""

import signal
import time
from datetime import date
from decimal import Decimal

import psycopg2
import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from config.celery import app as celery_app
from grappe.models import HistoryEntry
from indicateurs import services, usage_import
from indicateurs.enums import Niveau, StatutCalcul, StatutTranche
from indicateurs.models import CalculMensuel, Tranche, UsageMensuel, ValeurIndicateur
from indicateurs.tasks import compute_indicators
from tests.conftest import require_redis
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import csv_bytes, in_service, meeting, usage

pytestmark = pytest.mark.services

M1, M2, M3 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
# A port nothing listens on: connections are refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def require_services():
    require_redis()
    if connection.vendor != "postgresql":
        pytest.skip("Test de panne : PostgreSQL requis (le worker partage la base de test).")


def value_keys():
    """(niveau, indicator, month, esms, og, grappe, region) of every value, with duplicates."""
    return list(
        ValeurIndicateur.objects.values_list(
            "niveau", "indicateur_id", "mois", "esms_id", "og_id", "grappe_id", "region_id"
        )
    )


def snapshot():
    """Every value row as written (id, key, figures, computation time), in id order."""
    return list(
        ValeurIndicateur.objects.order_by("pk").values_list(
            "pk", "niveau", "indicateur_id", "esms_id", "numerateur", "valeur", "computed_at"
        )
    )


def wait_for(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{message} : délai de {timeout} s dépassé")


def backends(cursor, where, params=()):
    # pg_stat_activity is a snapshot taken once per transaction: the locking connection stays
    # in its transaction, so it asks for a fresh one each time.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        f"AND pid <> pg_backend_pid() AND {where}",
        params,
    )
    return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# A worker killed mid-computation
# ---------------------------------------------------------------------------------------------


def test_worker_killed_mid_computation_then_rerun_leaves_one_set_and_one_due_tranche(
    celery_worker_process,
):
    require_services()
    # A signed convention: the targets tranche never falls due before the signature.
    grappe = GrappeFactory(
        convention_amount=Decimal("100000"), convention_signed_on=date(2025, 12, 1)
    )
    esms = add_esms(grappe, 3)
    in_service(grappe, M1)
    for mois in (M1, M2):
        for e in esms:
            meeting(e, mois)
    # Month 3 (the first measure) first misses the active files target (50 %): a first
    # computation commits its values and leaves the targets tranche planned.
    for e in esms:
        usage(e, M3, personnes=100, mssante=80, dmp=80, actifs=50, pp=50, evt=50)
    services.compute_month(M3)
    committed = sorted(value_keys(), key=str)
    committed_rows = snapshot()
    committed_rates = dict(
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE).values_list(
            "indicateur__code", "valeur"
        )
    )
    tranche = Tranche.objects.get(grappe=grappe, numero=2)
    assert tranche.statut == StatutTranche.PREVUE
    assert committed_rates["dui_actifs"] == Decimal("50.00")

    # The data are corrected (every target met) and the worker recomputes the month. The test
    # holds the targets tranche's row lock, so the worker stops inside its transaction right
    # after deleting and rewriting every value, at the tranche's conditional UPDATE.
    for e in esms:
        meeting(e, M3)
    db = connection.settings_dict
    locker = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with locker.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM indicateurs_tranche WHERE id = %s FOR UPDATE", [tranche.pk]
            )
            compute_indicators.apply_async(args=["2026-03"], queue=celery_worker_process.queue)
            blocked = wait_for(
                lambda: backends(
                    cursor,
                    "wait_event_type = 'Lock' AND query LIKE %s",
                    ['UPDATE "indicateurs_tranche"%'],
                ),
                message="le worker n'a pas atteint la mise à jour de la tranche",
            )
            # The computation is in progress: its run says so, its values are not visible.
            assert CalculMensuel.objects.filter(statut=StatutCalcul.EN_COURS).count() == 1

            celery_worker_process.process.send_signal(signal.SIGKILL)
            celery_worker_process.process.wait(timeout=20)
        # Releasing the lock lets the orphaned backend finish its statement; it then finds its
        # client gone and rolls back.
        locker.rollback()
        with locker.cursor() as cursor:
            wait_for(
                lambda: not backends(cursor, "pid = ANY(%s)", [blocked]),
                message="la connexion du worker tué est restée ouverte",
            )
    finally:
        locker.close()

    # Nothing of the killed run was committed: the previous values are all there, once each,
    # as the first computation wrote them.
    assert snapshot() == committed_rows
    tranche.refresh_from_db()
    assert tranche.statut == StatutTranche.PREVUE
    # The killed run stays recorded as "en cours" (nobody was left to close it).
    assert CalculMensuel.objects.filter(statut=StatutCalcul.EN_COURS).count() == 1

    killed_run = CalculMensuel.objects.get(statut=StatutCalcul.EN_COURS)

    # The rerun (what `manage.py compute_indicators --mois 2026-03` does) closes the killed run.
    call_command("compute_indicators", "--mois", "2026-03")
    killed_run.refresh_from_db()
    assert killed_run.statut == StatutCalcul.ECHEC
    assert killed_run.erreur.startswith("Interrompu avant la fin")
    assert not CalculMensuel.objects.filter(statut=StatutCalcul.EN_COURS).exists()
    keys = value_keys()
    assert len(keys) == len(set(keys)) == len(committed)
    duplicates = (
        ValeurIndicateur.objects.values(
            "niveau", "indicateur", "mois", "esms", "og", "grappe", "region"
        )
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    rates = ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE)
    assert {v.indicateur.code: v.atteinte for v in rates} == {
        "mssante": True,
        "dmp": True,
        "dui_actifs": True,
        "dui_pp": True,
        "dui_evenement": True,
    }
    tranche.refresh_from_db()
    assert (tranche.statut, tranche.mois_declenchement) == (StatutTranche.DUE, M3)
    # Tranche 1 since the signature, tranche 2 once by the targets.
    assert list(
        Tranche.objects.filter(grappe=grappe, statut=StatutTranche.DUE)
        .order_by("numero")
        .values_list("numero", flat=True)
    ) == [1, 2]
    assert (
        HistoryEntry.objects.filter(grappe=grappe, action__startswith="Tranche 2 due").count() == 1
    )

    # A second rerun changes nothing: same values, the tranche stays due once.
    services.compute_month(M3)
    assert sorted(value_keys(), key=str) == sorted(keys, key=str)
    assert (
        HistoryEntry.objects.filter(grappe=grappe, action__startswith="Tranche 2 due").count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_a_live_run_is_not_taken_for_an_interrupted_one():
    if connection.vendor != "postgresql":
        pytest.skip("Verrous de ligne : PostgreSQL requis.")
    dead = CalculMensuel.objects.create(mois=M3, statut=StatutCalcul.EN_COURS)
    live = CalculMensuel.objects.create(mois=M3, statut=StatutCalcul.EN_COURS)
    db = connection.settings_dict
    # Another process's run, still working (or waiting for the month's lock): it holds its row.
    other = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM indicateurs_calculmensuel WHERE id = %s FOR UPDATE", [live.pk]
            )
        # Were the live row not skipped, updating it would wait for the other process: fail
        # fast instead of hanging.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        run = services.compute_month(M3)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        other.rollback()
        other.close()
    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.statut, live.statut, run.statut) == (
        StatutCalcul.ECHEC,
        StatutCalcul.EN_COURS,
        StatutCalcul.TERMINE,
    )
    assert dead.erreur.endswith(f"repris par le calcul n° {run.pk}.")
    assert live.erreur == ""


# ---------------------------------------------------------------------------------------------
# Redis down
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The cache and the Celery broker point at a closed port (Redis stopped)."""
    # The production cache configuration (config/settings.py when REDIS_URL is set).
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = CLOSED_REDIS
    celery_app.conf.task_always_eager = False

    def reset_pools():
        # Celery keeps its connection and producer pools: drop them so the new URL is used.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
    reset_pools()


@pytest.mark.django_db
def test_pages_are_served_while_redis_is_down(cast, client_for, redis_down):
    require_services()
    client = client_for(cast.owner)
    for url in (
        reverse("home"),
        reverse("grappe:detail", args=[cast.grappe.pk]),
        reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk]),
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    assert cast.grappe.name in response.content.decode()


@pytest.mark.django_db
def test_api_answers_while_redis_is_down(cast, client_for, redis_down):
    """DRF's throttles read and write the cache on every API request: with Redis down the
    tolerant cache makes them miss instead of failing the request."""
    require_services()
    response = client_for(cast.owner).get(
        reverse("api-grappe-indicateurs", args=[cast.grappe.pk]),
        {"mois": "2026-03"},
    )
    assert response.status_code == 200
    assert response.json()["grappe"] == cast.grappe.pk


def test_plain_redis_cache_would_fail_without_the_tolerant_backend(settings):
    """Why the tolerant backend exists: Django's RedisCache raises when Redis is down."""
    require_services()

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
        }
    }
    with pytest.raises(redis.ConnectionError):
        cache.get("clé")


@pytest.mark.django_db(transaction=True)
def test_import_applies_while_redis_is_down_and_the_command_catches_up(redis_down):
    require_services()
    grappe = GrappeFactory()
    esms = add_esms(grappe, 2)
    in_service(grappe, M1)
    for mois in (M1, M2):
        for e in esms:
            meeting(e, mois)
    rows = [[e.finess_et, "2026-03", 100, 80, 80, 95, 95, 95] for e in esms]
    rapport = usage_import.validate(usage_import.read_rows(csv_bytes(rows)))
    assert rapport.ok
    # The recomputation is queued after the commit: the broker refuses it (logged), the import
    # stays applied and the request does not fail.
    usage_import.apply(rapport)
    assert UsageMensuel.objects.filter(mois=M3).count() == 2
    assert not ValeurIndicateur.objects.filter(mois=M3).exists()

    # Redis back or not, the command recomputes the month in the web process.
    call_command("compute_indicators", "--mois", "2026-03")
    assert (
        ValeurIndicateur.objects.filter(mois=M3, niveau=Niveau.GRAPPE, grappe=grappe).count() == 5
    )
