"""The tokens of DRF's authtoken (one per person, stored in clear) move to users.ApiToken, hashed:
every existing key keeps working. Then the clear keys are erased from `authtoken_token`, whose
app has left INSTALLED_APPS: Django no longer manages that table, it stays, empty.

The table is read by SQL, if it exists: the authtoken app is no longer installed, so its models
and migrations cannot be named here (a fresh database never had the table)."""

import datetime as dt
import hashlib

from django.db import migrations
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"
LEGACY_NAME = "Jeton d'API"


def aware(value):
    """A date read by raw SQL: SQLite gives the text of a naive UTC time, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def hash_existing_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("users", "ApiToken")
    table = schema_editor.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {table}")
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=LEGACY_NAME,
            prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            created=aware(created),
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("users", "0003_api_token")]

    # Backwards: the keys cannot be brought back in clear; the hashed tokens go with 0003's table.
    operations = [migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop)]
