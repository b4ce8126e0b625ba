"""seed_demo run again on its own demo adds nothing and changes no status, in any table: `make
run` seeds at every start."""

import pytest
from django.core.management import call_command

from tests.demo.conftest import fingerprint

pytestmark = pytest.mark.django_db


def test_a_second_run_changes_nothing():
    first = fingerprint()
    assert (
        first["grappe.Grappe"] and first["candidatures.Candidature"] and first["finances.Facture"]
    )
    call_command("seed_demo", verbosity=0)
    assert fingerprint() == first
