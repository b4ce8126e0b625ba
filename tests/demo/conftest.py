import pytest
from django.apps import apps

from tests.conftest import DEMO_TODAY, seeded_demo  # noqa: F401 (DEMO_TODAY: tests import it here)


@pytest.fixture(scope="package", autouse=True)
def demo_seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for every test of this package a worker runs (about 2.5 s of CPU a
    seeding, which each file paid before, most of them twice to prove the idempotency), rolled
    back after them. Each test still runs in its own savepoint on top (pytest-django's `db`), so
    what one test writes the next does not see; the idempotency is proved once, for every row of
    every table (test_seed_demo_idempotent.py)."""
    with seeded_demo(django_db_blocker):
        yield


def fingerprint():
    """Every row of every table, every field (the clock stands still under time_machine, so even
    the timestamps must not move): what a second run of seed_demo must leave as it found it."""
    return {
        model._meta.label: sorted(
            model._default_manager.order_by().values_list(
                *(field.attname for field in model._meta.concrete_fields)
            ),
            key=repr,
        )
        for model in apps.get_models()
    }
