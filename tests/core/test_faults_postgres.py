"""A PostgreSQL restart while the site runs (issue 9).

gunicorn keeps its database connections between requests (CONN_MAX_AGE); a restart of the server
breaks them all. Django's CONN_HEALTH_CHECKS makes the first request after the restart open a new
connection instead of failing on the dead one. While the server is down, `/sante/` says 503 (what
monitoring polls) and pages give the French error page; once it is back, the very first request
is served.

The cluster is stopped and started with Debian's pg_ctlcluster, which needs root: CI runs as root
on a machine whose PostgreSQL is its own. Elsewhere the test is skipped with its reason, and
REQUIRE_SERVICES=1 turns that skip into a failure.
"""

import json
import os
import shutil
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils.html import escape

from bench.loopback import get, gunicorn, session_cookie
from tests.core.postgres import database_url

# serial: stopping the cluster would break the tests the other xdist workers run meanwhile.
pytestmark = [pytest.mark.services, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def unavailable(reason):
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} alors que REQUIRE_SERVICES=1")
    pytest.skip(reason)


@pytest.fixture
def cluster():
    """(version, name) of the local cluster serving the test database, started again at the end
    whatever happens."""
    if connection.vendor != "postgresql":
        unavailable("Redémarrage de PostgreSQL : base PostgreSQL requise")
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        unavailable("Redémarrage de PostgreSQL : pg_ctlcluster et les droits root requis")
    port = str(connection.settings_dict["PORT"] or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    found = [line.split()[:2] for line in listing.splitlines() if line.split()[2] == port]
    if not found:
        unavailable(f"Redémarrage de PostgreSQL : aucun cluster local sur le port {port}")
    version, name = found[0]
    yield version, name
    pg_ctl(version, name, "start")


def pg_ctl(version, name, action):
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "--", "-m", "fast"]
        if action in ("stop", "restart")
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        capture_output=True,
        text=True,
        timeout=60,
        check=action != "start",  # starting a running cluster fails harmlessly
    )
    if action in ("start", "restart"):
        host, port = (
            connection.settings_dict["HOST"] or "127.0.0.1",
            connection.settings_dict["PORT"],
        )
        deadline = time.monotonic() + 60
        while subprocess.run(["pg_isready", "-q", "-h", host, "-p", str(port or 5432)]).returncode:
            assert time.monotonic() < deadline, "PostgreSQL n'a pas redémarré en 60 s"
            time.sleep(0.2)


@pytest.fixture
def server():
    """gunicorn on the test database with production settings, one worker so that every request
    goes through the same kept connection."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DB_CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions signed here must be valid there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_IDLE_TIMEOUT": "0",
    }
    env.pop("REDIS_URL", None)  # only the database is under test
    with gunicorn(env, workers=1) as base:
        yield base


def test_requests_recover_after_a_postgresql_restart(cast, cluster, server):
    cookie = session_cookie(cast.owner)
    page = f"{server}/grappes/{cast.grappe.pk}/"

    status, html = get(page, cookie)
    assert status == 200
    assert escape(cast.grappe.name) in html
    assert get(f"{server}/sante/")[0] == 200

    connection.close()  # the test's own connection would break too
    # A restart between two requests: the worker's kept connection is dead, the next request
    # must notice it and reconnect rather than fail.
    pg_ctl(*cluster, "restart")
    status, html = get(page, cookie)
    assert status == 200
    assert escape(cast.grappe.name) in html

    # An outage: monitoring sees it, people get the French error page, nothing hangs.
    pg_ctl(*cluster, "stop")
    try:
        status, body = get(f"{server}/sante/")
        assert status == 503
        assert json.loads(body)["verifications"]["base_de_donnees"]["statut"] == "erreur"
        status, html = get(page, cookie)
        assert status == 500
        assert "Service momentanément indisponible" in html
    finally:
        pg_ctl(*cluster, "start")

    # Back: the very first request is served.
    status, html = get(page, cookie)
    assert status == 200
    assert escape(cast.grappe.name) in html
    status, body = get(f"{server}/sante/")
    assert status == 200
    assert json.loads(body)["statut"] == "ok"
