"""Two web servers behind one proxy (issue 17): two gunicorn processes on loopback share
PostgreSQL, Redis and the S3 bucket, and nothing else — each has its own empty MEDIA_ROOT. A
person signs in through one and stays signed in on the other; a deliverable uploaded through one
is downloaded through the other.

Needs the test database on PostgreSQL (the processes read it), Redis and the S3 test server
(.ci/run starts moto): skipped without them, failed under REQUIRE_SERVICES=1."""

import contextlib
import os
import re
import secrets
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from bench.loopback import gunicorn
from grappe.enums import RoleKind
from projets.models import Livrable
from tests.conftest import require_redis
from tests.core.postgres import database_url
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory
from tests.projets.factories import plan_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "deux-serveurs-une-session"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def two_servers(s3_bucket):
    """The base URLs of two gunicorn processes (production code, config.settings) on the test
    database, Redis and the test bucket; started side by side, stopped at the end."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Deux serveurs web : base PostgreSQL requise alors que REQUIRE_SERVICES=1")
        pytest.skip("Deux serveurs web : la base de test doit être PostgreSQL (DATABASE_URL)")
    require_redis()
    options = s3_bucket.options
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # plain HTTP on loopback: no HTTPS redirect, no secure-only cookies
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared by both, as in production
        "DATABASE_URL": database_url(connection.settings_dict),
        "S3_BUCKET": s3_bucket.name,
        "S3_ENDPOINT_URL": s3_bucket.endpoint_url,
        "S3_ACCESS_KEY_ID": options["access_key"],
        "S3_SECRET_ACCESS_KEY": options["secret_key"],
        "S3_REGION": s3_bucket.region,
        "S3_ADDRESSING_STYLE": "path",
        "LOG_LEVEL": "WARNING",
    }
    with contextlib.ExitStack() as stack:
        media_roots = [Path(stack.enter_context(tempfile.TemporaryDirectory())) for _ in "ab"]

        def start(media_root):
            return stack.enter_context(gunicorn({**env, "MEDIA_ROOT": str(media_root)}))

        with ThreadPoolExecutor(2) as pool:
            urls = list(pool.map(start, media_roots))
        yield urls, media_roots


def csrf_token(session, url):
    response = session.get(url, allow_redirects=False, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF_INPUT.search(response.text).group(1)


def same_cookies(session):
    """A new client holding the cookies of `session`: what the browser sends to either server."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def test_two_web_processes_share_sessions_and_files(two_servers, s3_bucket):
    (server_a, server_b), media_roots = two_servers
    grappe = GrappeFactory()
    user = UserFactory(email="cheffe.deux@exemple.fr")
    # A hash the servers' own hashers read (the tests' MD5 hasher is not among them).
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    RoleFactory(grappe=grappe, kind=RoleKind.CHEF_PROJET, user=user)
    note = Livrable.objects.get(plan=plan_for(grappe, user=user), reference__code="note_cadrage")

    for server in (server_a, server_b):  # database and broker (Redis) answer on both
        response = requests.get(f"{server}/sante/", timeout=30)
        assert (response.status_code, response.json()["statut"]) == (200, "ok")

    # Signed in through A …
    browser = requests.Session()
    login = f"{server_a}{reverse('login')}"
    response = browser.post(
        login,
        {
            "username": user.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token(browser, login),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    # … still signed in on B (the session lives in the shared database).
    response = same_cookies(browser).get(f"{server_b}/", allow_redirects=False, timeout=30)
    assert response.status_code == 200
    assert user.email in response.text or user.get_full_name() in response.text
    stranger = requests.get(f"{server_b}/", allow_redirects=False, timeout=30)
    assert stranger.status_code == 302  # and without the cookies, the login page

    # A deliverable uploaded through A …
    content = PDF + f"% {secrets.token_hex(8)}\n".encode()
    page = f"{server_a}{reverse('projets:livrable', args=[grappe.pk, note.pk])}"
    response = browser.post(
        page,
        {"comment": "Par le serveur A", "csrfmiddlewaretoken": csrf_token(browser, page)},
        files={"file": ("note.pdf", content, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    version = note.versions.get()
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=version.file.name)
    assert stored["Body"].read() == content
    # … downloaded through B, which has never seen it on its disk.
    download = reverse("projets:version_download", args=[grappe.pk, note.pk, version.pk])
    response = same_cookies(browser).get(f"{server_b}{download}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="note.pdf"'
    assert response.content == content
    assert not any(any(root.iterdir()) for root in media_roots)  # no file on either disk
    assert (
        requests.get(f"{server_b}{download}", allow_redirects=False, timeout=30).status_code == 302
    )
