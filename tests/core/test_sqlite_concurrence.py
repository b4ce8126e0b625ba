"""SQLite under simultaneous clicks (issue 22): `make run` keeps its data in an SQLite file, and
four COPIL members voting at once answered « database is locked » (a 500). With the project's
SQLite options (config.settings.SQLITE_OPTIONS: WAL, a 20 s busy timeout, transactions taking
the write lock when they begin) they wait for each other and all succeed.

The test database is in memory (pytest-django), so this one opens a temporary file database
with the same options and runs, in four threads at once, what a vote or a draft does: a
transaction that reads, then writes."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction

ALIAS = "sqlite_fichier"
VOTERS = 4


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """The alias of a temporary SQLite file database, outside the test database (no test
    transaction around it: the threads' transactions are the test)."""
    connections.settings[ALIAS] = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "grappe.sqlite3"),
        "OPTIONS": settings.SQLITE_OPTIONS,
        "CONN_MAX_AGE": 0,
    }
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE avis (id INTEGER PRIMARY KEY, votant INTEGER UNIQUE)")
        connections[ALIAS].close()
        yield ALIAS
    del connections.settings[ALIAS]


def vote(alias, votant, start, errors):
    """What approbations.engine.record does: read the round's answers, then write one."""
    start.wait()
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM avis")
            # The others read too before anyone writes (a request's work between the two).
            time.sleep(0.05)
            cursor.execute("INSERT INTO avis (votant) VALUES (%s)", [votant])
    except Exception as exc:  # what each voter got, reported by the assertion
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connections[alias].close()


def test_four_simultaneous_votes_on_a_file_database_all_succeed(file_database):
    start = threading.Barrier(VOTERS)
    errors = []
    threads = [
        threading.Thread(target=vote, args=(file_database, votant, start, errors))
        for votant in range(VOTERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connections[file_database].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM avis")
        assert cursor.fetchone() == (VOTERS,)
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
    connections[file_database].close()


def test_the_sqlite_database_of_make_run_gets_these_options():
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        assert default["OPTIONS"] == settings.SQLITE_OPTIONS
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 20
