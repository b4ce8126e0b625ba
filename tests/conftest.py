import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import psycopg2
import pytest
import redis
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from config.celery import app as celery_app
from config.settings import s3_options
from core import pdf as core_pdf
from core.reference import load as load_reference
from grappe.enums import FonctionOg, RoleKind
from grappe.models import OgPerson
from tests.grappe.factories import (
    GrappeFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    ars_agent,
    copil_member,
)

# Keep pytest's rewritten test modules (and the project's byte-code) in __pycache__ even where
# the environment sets PYTHONDONTWRITEBYTECODE: rewriting the asserts of every test module costs
# each xdist worker about 9 s of CPU at start-up, loading the cached copies under 1 s. The
# Makefile unexports the variable for `make test`; this covers a plain `pytest` too.
sys.dont_write_bytecode = False

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by the
# browser tests' set-up are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Cast:
    """The fixed cast every view is tested against."""

    grappe: object
    owner: object  # chef de projet of the grappe
    member: object  # a référent / member of the grappe
    copil: object  # COPIL member of the grappe (no other role)
    ars: object  # ARS agent of the grappe's region
    ars_other: object  # ARS agent of another region
    stranger: object  # chef de projet of another grappe
    admin: object  # national admin
    other_grappe: object

    def users(self):
        return {
            "owner": self.owner,
            "member": self.member,
            "copil": self.copil,
            "ars": self.ars,
            "ars_other": self.ars_other,
            "stranger": self.stranger,
            "admin": self.admin,
            "anonymous": None,
        }


# A PDF without WeasyPrint's layout: what the PDF views return in tests about who gets the file
# and whether the template renders. tests.helpers.pdf_text refuses it.
LAYOUT_FREE_PDF = (
    b"%PDF-1.4\n% mise en page omise (test)\n1 0 obj << /Type /Catalog >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


class LayoutFreeHTML:
    """Stands in for WeasyPrint: the template is still rendered (an error there still fails),
    the costly layout (about half a second a document) is skipped."""

    def __init__(self, string, **kwargs):
        self.string = string

    def write_pdf(self):
        return LAYOUT_FREE_PDF


@pytest.fixture(autouse=True)
def _pdf_layout(request, monkeypatch):
    """Tests that read a PDF's pages are marked `pdf` and get WeasyPrint; the others, which check
    who gets a PDF, get a layout-free one. A forgotten mark fails (pdf_text refuses the stand-in)
    rather than passing on an empty text."""
    if request.node.get_closest_marker("pdf") is None:
        monkeypatch.setattr(core_pdf, "HTML", LayoutFreeHTML)


# The day the demo's story is told up to (its calls' timeline: candidatures.demo).
DEMO_TODAY = "2026-12-04 10:00 +0100"


@contextmanager
def seeded_demo(django_db_blocker):
    """The demo seeded as of DEMO_TODAY in a transaction rolled back on leaving, for fixtures
    wider than a test (a module's, a package's): the tests inside run in savepoints on top. Its
    stored PDFs (the accusés de réception) skip WeasyPrint's layout, like every PDF of a test
    not marked `pdf`: a fixture wider than a test runs before `_pdf_layout`."""
    with (
        time_machine.travel(DEMO_TODAY, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(core_pdf, "HTML", LayoutFreeHTML)
            call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def cast(db):
    grappe = GrappeFactory(name="Grappe des Flandres")
    add_esms(grappe, 3)
    owner = RoleFactory(
        grappe=grappe, kind=RoleKind.CHEF_PROJET, user=UserFactory(email="cheffe@exemple.fr")
    ).user
    # The chef de projet comes from the porteur OG (its référent): such people start grappes.
    OgPerson.objects.create(og=grappe.porteur, user=owner, fonction=FonctionOg.REFERENT)
    member = RoleFactory(
        grappe=grappe, kind=RoleKind.REFERENT_METIER, user=UserFactory(email="referent@exemple.fr")
    ).user
    copil = copil_member(grappe, UserFactory(email="copil@exemple.fr"))
    ars = ars_agent("32", UserFactory(email="ars@exemple.fr"))
    ars_other = ars_agent("84", UserFactory(email="ars-ara@exemple.fr"))
    other = GrappeFactory(
        name="Grappe lointaine", region_id=ars_other.ars_regions.first().region_id
    )
    stranger = RoleFactory(
        grappe=other, kind=RoleKind.CHEF_PROJET, user=UserFactory(email="autre@exemple.fr")
    ).user
    admin = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    return Cast(grappe, owner, member, copil, ars, ars_other, stranger, admin, other)


# The test databases are built from the models (`--no-migrations` in pyproject.toml: replaying the
# 80 migrations cost ten seconds per xdist worker); tests/core/test_migrations.py checks that the
# migrations give the same tables and the same rows. The reference data (core.reference: regions,
# calls, categories, plan type, indicators) is loaded by `migrate`'s post_migrate, which
# pytest-django's table creation and the flush ending a transactional test (browser journeys, real
# Celery worker) send too; the Celery beat schedules are data migrations of their own. Django's
# serialized_rollback cannot put them back for Playwright tests (their greenlet gets a fresh
# connection object without the serialized copy), so we reload them ourselves: idempotent.
BEAT_SCHEDULE_MIGRATIONS = [
    "projets.migrations.0003_beat_schedule",
    "indicateurs.migrations.0004_beat_schedule",
]


def load_reference_data():
    load_reference()
    for module in BEAT_SCHEDULE_MIGRATIONS:
        import_module(module).load(django_apps, None)


def record_migrations_as_applied():
    """The database built from the models is the one the migrations build (test_migrations
    checks it): say so in django_migrations, as `migrate --fake` would, so that a copy of it
    (tests/core/test_backup.py) is a database with nothing left to migrate."""
    with override_settings(MIGRATION_MODULES={}):  # pytest-django hides them otherwise
        applied = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(
        [recorder.Migration(app=app, name=name) for app, name in applied],
        ignore_conflicts=True,
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()  # idempotent: --reuse-db keeps it
        record_migrations_as_applied()
    yield
    # The session is over: a connection a subprocess or a server thread has not closed yet (a
    # gunicorn or Celery worker on its way out, a live server's thread) would make PostgreSQL
    # refuse to drop the test database (« being accessed by other users »), an error at the
    # end of an otherwise green run. Close them before pytest-django drops it.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return (marker is not None and bool(marker.kwargs.get("transaction"))) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Once a transactional test is torn down (its database flushed), put the reference data
    back, outside any test transaction: the next test on this worker, transactional or not,
    finds it. (Reloading in a fixture depended on the order fixtures are torn down in, and a
    non-transactional test after a flush found no region or call at all.)"""
    result = yield
    # After the worker's last test, the session's teardown has already dropped its database.
    if nextitem is not None and _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
    return result


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user (anonymous for None)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make


# ---------------------------------------------------------------------------------------------
# Real services (CI sets DATABASE_URL, REDIS_URL and REQUIRE_SERVICES=1)
# ---------------------------------------------------------------------------------------------


def pytest_configure(config):
    """With REQUIRE_SERVICES=1 a missing PostgreSQL or Redis stops the run as a failure."""
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL doit désigner une base PostgreSQL")
    else:
        try:
            psycopg2.connect(database_url, connect_timeout=5).close()
        except psycopg2.OperationalError as exc:
            problems.append(f"PostgreSQL injoignable : {exc}".strip())
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        problems.append("REDIS_URL n'est pas défini")
    else:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis injoignable : {exc}")
    if problems:
        pytest.exit("REQUIRE_SERVICES=1 : " + " ; ".join(problems), returncode=1)


def require_redis():
    """Redis-backed tests run when REDIS_URL is set; under REQUIRE_SERVICES=1 its absence fails."""
    if os.environ.get("REDIS_URL"):
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail("REDIS_URL manquant alors que REQUIRE_SERVICES=1")
    pytest.skip("REDIS_URL non défini : test d'intégration Celery/Redis non exécuté")


@dataclass
class WorkerProcess:
    process: object
    queue: str


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on Redis, sharing the test database when it is PostgreSQL."""

    require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield WorkerProcess(process, queue)
    finally:
        celery_app.conf.task_always_eager = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# ---------------------------------------------------------------------------------------------
# Scheduling on xdist workers: the long tests first, spread over the workers
# ---------------------------------------------------------------------------------------------

# The suite's longest tests (node-id prefix → seconds on one core, measured with --durations): a
# group stays together (a module's expensive fixture is built once). Started last, one of them
# kept a worker busy long after the others had finished; started first, the short tests fill in
# around them. A test missing from here only runs in its usual place.
SLOW_FIRST = {
    "tests/browser/test_accessibility.py::test_every_kind_of_user_meets_accessible_pages[chromium-anonyme-et-plan]": 18,
    "tests/browser/test_accessibility.py::test_every_kind_of_user_meets_accessible_pages[chromium-indicateurs-copil-amoa]": 16,
    "tests/browser/test_accessibility.py::test_every_kind_of_user_meets_accessible_pages[chromium-consultations]": 12,
    "tests/browser/test_accessibility.py::test_every_kind_of_user_meets_accessible_pages[chromium-ars-et-national]": 10,
    "tests/browser/test_journey_grappe.py": 16,
    "tests/browser/test_journey_candidature.py": 14,
    "tests/browser/test_journey_finances.py": 14,
    "tests/core/test_migrations.py": 13,
    "tests/core/test_csp.py": 10,
    "tests/approbations/test_migration_avis.py": 7,
    "tests/indicateurs/test_migration_paiements.py": 9,
    "tests/browser/test_journey_amoa.py": 8,
    "tests/amoa/test_views_cast.py": 12,
    "tests/amoa/test_dui_views_cast.py": 10,
    "tests/test_permission_matrix.py": 40,
    "tests/amoa/test_scoring_integrity.py": 4,
    # One worker for the whole package: its tests share one seeding (tests/demo/conftest.py).
    "tests/demo/": 10,
}


def _xdist_shares(total, workers):
    """The sizes of the first shares xdist's `worksteal` (and `load`) schedulers hand out: the
    collection cut in `workers` consecutive slices."""
    sizes = []
    for index in range(workers):
        size = total // (workers - index)
        sizes.append(size)
        total -= size
    return sizes


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On xdist workers, put the SLOW_FIRST groups at the head of the workers' first shares,
    longest first onto the least loaded share; the other tests keep their order after them.
    Every worker computes the same order (xdist checks that the collections match)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    if workers < 2 or not items:
        return
    groups = {prefix: [] for prefix in SLOW_FIRST}
    rest = []
    for item in items:
        prefix = next((p for p in SLOW_FIRST if item.nodeid.startswith(p)), None)
        (groups[prefix] if prefix else rest).append(item)
    sizes = _xdist_shares(len(items), workers)
    heads = [[] for _ in sizes]
    loads = [0] * len(sizes)
    for prefix in sorted(groups, key=lambda p: -SLOW_FIRST[p]):
        group = groups[prefix]
        if not group:
            continue
        fits = [i for i in range(len(sizes)) if len(heads[i]) + len(group) <= sizes[i]]
        share = min(fits or range(len(sizes)), key=lambda i: (loads[i], i))
        heads[share].extend(group)
        loads[share] += SLOW_FIRST[prefix]
    ordered = []
    rest_iter = iter(rest)
    for share, size in enumerate(sizes):
        ordered.extend(heads[share])
        for _ in range(size - len(heads[share])):
            item = next(rest_iter, None)
            if item is not None:
                ordered.append(item)
    ordered.extend(rest_iter)
    assert len(ordered) == len(items)
    items[:] = ordered


# ---------------------------------------------------------------------------------------------
# S3 object storage (.ci/run starts moto on loopback and sets S3_TEST_ENDPOINT_URL)
# ---------------------------------------------------------------------------------------------


def require_s3():
    """The S3 server of the storage tests (S3_TEST_ENDPOINT_URL); its absence skips them, or
    fails them under REQUIRE_SERVICES=1."""
    endpoint = os.environ.get("S3_TEST_ENDPOINT_URL", "")
    if endpoint:
        return endpoint
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail("S3_TEST_ENDPOINT_URL manquant alors que REQUIRE_SERVICES=1")
    pytest.skip("S3_TEST_ENDPOINT_URL non défini : tests du stockage S3 non exécutés")


@dataclass
class S3Bucket:
    name: str
    endpoint_url: str
    region: str
    options: dict  # S3Storage's OPTIONS (config.settings.s3_options)
    client: object  # boto3 S3 client


@pytest.fixture
def s3_bucket(settings):
    """A bucket of its own on the S3 test server, the default storage for the test (STORAGES
    changed through `settings`: Django's setting_changed signal drops the cached backends);
    emptied and deleted afterwards."""
    import boto3  # noqa: PLC0415 (heavy: only the S3 tests need it)

    endpoint = require_s3()
    region = "eu-west-3"
    name = f"grappe-test-{uuid.uuid4().hex[:12]}"
    keys = {"access_key": "test", "secret_key": "test"}
    options = s3_options(name, endpoint_url=endpoint, region=region, addressing="path", **keys)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=keys["access_key"],
        aws_secret_access_key=keys["secret_key"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    try:
        yield S3Bucket(name, endpoint, region, options, client)
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
