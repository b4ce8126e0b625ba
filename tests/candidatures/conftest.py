"""Fixtures of the instruction tests (test_instruction*.py): a call closed on 30 October 2026 at
noon, instructed in November; the cast's grappe's filed dossier; two more ARS agents of the region.
`frozen_now` is not autouse here: the modules that want November ask for it (pytestmark), the
others keep their own clock."""

from decimal import Decimal

import pytest
import time_machine

from tests.candidatures.factories import campagne_for, filed, paris
from tests.grappe.factories import UserFactory, ars_agent


@pytest.fixture
def frozen_now():
    # The call closed on 30 October 2026 at noon: the ARS instructs in November.
    with time_machine.travel(paris(2026, 11, 16, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def campagne(cast):
    campagne = campagne_for(cast.grappe.region, enveloppe=Decimal("250000.00"))
    cast.grappe.aap = campagne.aap
    cast.grappe.save(update_fields=["aap"])
    return campagne


@pytest.fixture
def agents(cast):
    """Two more ARS agents of the region: three instructors with the cast's."""
    return [
        ars_agent("32", UserFactory(email="instructrice@ars.fr", last_name="Bernard")),
        ars_agent("32", UserFactory(email="instructeur@ars.fr", last_name="Durand")),
    ]


@pytest.fixture
def dossier(cast, campagne):
    """The cast's grappe's filed dossier: its chef de projet is the cast's owner."""
    return filed(campagne, cast.grappe, montant="150000.00")
