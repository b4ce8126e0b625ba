"""Migration indicateurs 0012: a grappe measured before the mise en service was recorded keeps
its start (the first month its ESMS sent figures); one without figures gets none."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps

from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import usage

pytestmark = pytest.mark.django_db

backfill = import_module(
    "indicateurs.migrations.0012_mise_en_service_des_grappes_existantes"
).backfill


def test_existing_grappes_keep_their_measurement_start():
    measured = GrappeFactory()
    first, second = add_esms(measured, 2)
    usage(second, "2026-02", personnes=10)
    usage(first, "2026-03", personnes=10)
    silent = GrappeFactory()
    add_esms(silent, 1)
    recorded = GrappeFactory()
    (kept,) = add_esms(recorded, 1)
    recorded.memberships.update(dui_in_service_on=datetime.date(2026, 5, 12))
    usage(kept, "2026-01", personnes=10)

    backfill(apps, None)

    assert set(measured.memberships.values_list("dui_in_service_on", flat=True)) == {
        datetime.date(2026, 2, 1)
    }
    assert silent.memberships.get().dui_in_service_on is None
    assert recorded.memberships.get().dui_in_service_on == datetime.date(2026, 5, 12)
