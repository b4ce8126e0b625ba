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
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils.html import escape

from tests.core.postgres import database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# As behind the TLS reverse proxy of docs/exploitation.md (DEBUG off redirects plain HTTP).
HEADERS = {"X-Forwarded-Proto": "https"}


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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    """gunicorn on the test database with production settings, one worker so that every request
    goes through the same persistent connection."""
    port = free_port()
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
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, "gunicorn s'est arrêté au démarrage"
            assert time.monotonic() < deadline, "gunicorn n'écoute pas après 30 s"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, cookie=""):
    request = urllib.request.Request(url, headers={**HEADERS, "Cookie": cookie})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_requests_recover_after_a_postgresql_restart(cast, cluster, server):
    client = Client()
    client.force_login(cast.owner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
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
