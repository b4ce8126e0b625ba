"""Backup and restore (issue 9): the procedure of docs/exploitation.md, run for real on the demo.

pg_dump (custom format) of the test database after `seed_demo`, pg_restore into a fresh
database, then a separate Django process pointed at the restored database renders the demo
grappe's page. PostgreSQL only (the `services` run); the client binaries must be the server's
major version (pg_dump refuses a newer server).
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.html import escape

from grappe.demo import GRAPPE_NAME as DEMO_GRAPPE
from grappe.models import Esms, Grappe
from indicateurs.models import UsageMensuel, ValeurIndicateur
from tests.core.postgres import database_url, pg_args, pg_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PORTEUR = "cheffe.projet@demo.grappe.fr"

# Run in a fresh interpreter against the restored database: log in as the demo's project lead
# and render the grappe page with Django's test client.
RENDER = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from grappe.models import Grappe
    from users.models import User

    setup_test_environment()
    grappe = Grappe.objects.get(name={name!r})
    client = Client()
    client.force_login(User.objects.get(email={email!r}))
    response = client.get(f"/grappes/{{grappe.pk}}/")
    print(response.status_code)
    print(response.content.decode())
    """
)


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture
def restored_name():
    if connection.vendor != "postgresql":
        pytest.skip("Sauvegarde / restauration : PostgreSQL requis.")
    for binary in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if shutil.which(binary) is None:
            pytest.fail(f"{binary} introuvable : installez postgresql-client.")
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restaure"
    drop = ["dropdb", "--if-exists", *pg_args(settings_dict), name]
    run(drop, env=pg_env(settings_dict), check=True)
    yield name
    run(drop, env=pg_env(settings_dict), check=True)


def test_pg_dump_and_restore_give_a_working_site(restored_name, tmp_path):
    settings_dict = connection.settings_dict
    env = pg_env(settings_dict)
    args = pg_args(settings_dict)

    # The client tools must match the server's major version (pg_dump refuses a newer server).
    client_version = run(["pg_dump", "--version"], check=True).stdout.split()[-1]
    assert client_version.split(".")[0] == str(connection.pg_version // 10000)

    call_command("seed_demo", verbosity=0)
    counts = {
        model.__name__: model.objects.count()
        for model in (Grappe, Esms, UsageMensuel, ValeurIndicateur)
    }
    assert counts["ValeurIndicateur"] > 0

    dump = tmp_path / "grappe.dump"
    run(
        ["pg_dump", "--format=custom", f"--file={dump}", *args, settings_dict["NAME"]],
        env=env,
        check=True,
    )
    assert dump.stat().st_size > 0
    run(["createdb", *args, restored_name], env=env, check=True)
    restore = run(
        ["pg_restore", "--no-owner", f"--dbname={restored_name}", *args, str(dump)], env=env
    )
    assert restore.returncode == 0, restore.stderr

    process_env = {
        **env,
        "DATABASE_URL": database_url(settings_dict, restored_name),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    process_env.pop("REDIS_URL", None)
    # The restored schema is complete: nothing left to migrate.
    migrate = run([sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=process_env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    # Same rows in the restored database.
    restored_counts = run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from grappe.models import Esms, Grappe\n"
            "from indicateurs.models import UsageMensuel, ValeurIndicateur\n"
            "for m in (Grappe, Esms, UsageMensuel, ValeurIndicateur):\n"
            "    print(m.__name__, m.objects.count())",
        ],
        cwd=ROOT,
        env=process_env,
        check=True,
    ).stdout
    assert {
        name: int(n) for name, n in (line.split() for line in restored_counts.splitlines())
    } == counts

    page = run(
        [sys.executable, "-c", RENDER.format(name=DEMO_GRAPPE, email=PORTEUR)],
        cwd=ROOT,
        env=process_env,
    )
    assert page.returncode == 0, page.stderr
    status, _, html = page.stdout.partition("\n")
    assert status == "200"
    assert escape(DEMO_GRAPPE) in html
