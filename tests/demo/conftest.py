import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

# The day the demo's story is told up to (its calls' timeline: candidatures.demo).
DEMO_TODAY = "2026-12-04 10:00 +0100"


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo seeded once for a module's tests (about 2 s a seeding), as of DEMO_TODAY, rolled
    back after them. Each test still runs in its own savepoint on top (pytest-django's `db`), so
    what one test writes the next does not see. Tests that prove the idempotency seed again."""
    with (
        time_machine.travel(DEMO_TODAY, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)
