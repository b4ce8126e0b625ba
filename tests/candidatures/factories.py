import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from candidatures.models import Campagne
from grappe.enums import TypeAap
from grappe.models import Aap

PARIS = ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def campagne_for(region, **kwargs):
    """A campaign on a new regional AAP, with the default criteria and pieces."""
    aap = Aap.objects.create(
        name=f"AAP ESMS numérique {region.name}",
        kind=TypeAap.GENERALISATION,
        year=2026,
        region=region,
    )
    values = {
        "ouverture": paris(2026, 3, 2, 9),
        "cloture": paris(2026, 10, 30, 12),
        "enveloppe": Decimal("2500000.00"),
        **kwargs,
    }
    campagne = Campagne.objects.create(aap=aap, **values)
    campagne.add_defaults()
    return campagne
