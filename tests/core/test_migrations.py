"""The test databases are built from the models (`--no-migrations`, for speed) and then get the
reference data of the data migrations (tests/conftest.py). This test replays the real migrations
on an empty database of the suite's engine (SQLite, or PostgreSQL in CI) and checks that they give
what the suite tests against: the same tables, columns and constraints, the same reference rows,
and no model change left without its migration."""

import pytest
from django.apps import apps
from django.db import connection

from tests.migrations import run_in_empty_database

OUR_APPS = {
    "users",
    "core",
    "approbations",
    "grappe",
    "projets",
    "amoa",
    "indicateurs",
    "candidatures",
    "finances",
    "django_celery_beat",
}
# celery-beat's "schedule last changed" marker: written by a signal of the real PeriodicTask model,
# which the data migrations' historical models do not send. Beat reads it only to reload.
ROWS_NOT_COMPARED = {"django_celery_beat_periodictasks"}

MIGRATE_AND_DESCRIBE = """
import io, json
from django.core.management import call_command
pending = False
try:
    call_command("makemigrations", check=True, dry_run=True, stdout=io.StringIO())
except SystemExit:
    pending = True
call_command("migrate", verbosity=0, interactive=False)
from tests.core.test_migrations import describe
print(json.dumps({"pending": pending, "database": describe()}))
"""


def _constraint_key(info):
    kind = (
        "pk"
        if info["primary_key"]
        else "fk"
        if info["foreign_key"]
        else "check"
        if info["check"]
        else "unique"
        if info["unique"]
        else "index"
    )
    # Auto-generated names follow a column's history (a renamed field keeps its old index name on
    # PostgreSQL): compare what the constraint does, not what it is called.
    # An expression in an index (Lower("name")) is introspected as a column None.
    columns = (column or "(expression)" for column in info["columns"] or [])
    return f"{kind}:{','.join(columns)}"


def describe():
    """{table: {columns, constraints, rows}} of our apps' tables in the current database."""
    described = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in OUR_APPS or not model._meta.managed:
                continue
            table = model._meta.db_table
            columns = connection.introspection.get_table_description(cursor, table)
            constraints = connection.introspection.get_constraints(cursor, table)
            described[table] = {
                "columns": sorted(column.name for column in columns),
                "constraints": sorted(_constraint_key(info) for info in constraints.values()),
                "rows": None if table in ROWS_NOT_COMPARED else model._base_manager.count(),
            }
    return described


@pytest.mark.django_db
def test_the_migrations_build_the_database_the_suite_tests_against():
    migrated = run_in_empty_database(MIGRATE_AND_DESCRIBE)
    assert not migrated["pending"], "Modèles modifiés sans migration : lancez makemigrations"
    built = describe()
    differences = [
        f"{table} : {key} — migrations {migrated['database'].get(table, {}).get(key)}, "
        f"suite {built[table][key]}"
        for table in sorted(built)
        for key in ("columns", "constraints", "rows")
        if migrated["database"].get(table, {}).get(key) != built[table][key]
    ]
    assert not differences, "\n".join(differences)
