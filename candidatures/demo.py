"""Demo calls: the national généralisation call the demo grappe answered (closed months before
its convention was signed, 16 March 2026), and a Hauts-de-France call open today, for the ARS
agent to set up. Idempotent (keyed by AAP)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from candidatures.models import Campagne
from grappe.enums import TypeAap
from grappe.models import Aap

PARIS = ZoneInfo("Europe/Paris")


def _at(year, month, day, hour):
    return datetime.datetime(year, month, day, hour, tzinfo=PARIS)


def _campagne(aap, ouverture, cloture, enveloppe, user):
    campagne, created = Campagne.objects.get_or_create(
        aap=aap,
        defaults={
            "ouverture": ouverture,
            "cloture": cloture,
            "enveloppe": enveloppe,
            "created_by": user,
        },
    )
    if created:
        campagne.add_defaults()
    return campagne


def seed(grappe, people):
    national = grappe.aap
    if national is not None:
        _campagne(
            national,
            _at(2025, 6, 2, 9),
            _at(2025, 10, 31, 12),
            Decimal("45000000.00"),
            people.get("admin"),
        )
    regional, _ = Aap.objects.get_or_create(
        name="Généralisation ESMS numérique — Hauts-de-France 2027",
        defaults={"kind": TypeAap.GENERALISATION, "year": 2027, "region": grappe.region},
    )
    _campagne(
        regional,
        _at(2026, 11, 16, 9),
        _at(2027, 2, 26, 12),
        Decimal("3200000.00"),
        people.get("ars"),
    )
