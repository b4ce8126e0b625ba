"""Replaying migrations in a throw-away database of the suite's engine (SQLite, or PostgreSQL in
CI), in a subprocess with the production settings: what tests of migrations share."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

REPO_ROOT = Path(__file__).resolve().parents[1]


def empty_database():
    """(DATABASE_URL of an empty database of the suite's engine, cleanup)."""
    settings = connection.settings_dict
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    if connection.vendor == "sqlite":
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    server = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
    }

    def run(sql):
        admin = psycopg2.connect(dbname="postgres", **server)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql)
        admin.close()

    run(f'CREATE DATABASE "{name}"')
    url = (
        f"postgres://{server['user']}:{server['password']}@{server['host']}:{server['port']}/{name}"
    )
    return url, lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


def run_in_empty_database(code):
    """Run `code` (after django.setup()) in a subprocess on an empty database; the JSON it
    prints last, parsed."""
    url, cleanup = empty_database()
    try:
        done = subprocess.run(
            [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
            cwd=REPO_ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        cleanup()
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_scenario(module):
    """`module.scenario()`'s result, run on an empty database (it migrates as it needs)."""
    return run_in_empty_database(
        f"import json\nfrom {module} import scenario\nprint(json.dumps(scenario()))"
    )


def migrate_to(targets):
    """The historical apps once the database is migrated to `targets` (inside a scenario)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps
