import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from candidatures.models import Campagne
from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-04 10:00 +0100", tick=False)
def test_seed_demo_opens_the_calls_coherent_in_time():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    answered = Campagne.objects.get(aap=grappe.aap)
    # The call the grappe answered closed before its convention was signed.
    assert timezone.localdate(answered.cloture) < grappe.convention_signed_on
    assert answered.statut() == "close"
    regional = Campagne.objects.exclude(pk=answered.pk).get()
    assert regional.aap.region == grappe.region
    assert regional.statut() == "ouverte"
    assert regional.poids_total() == 100
    assert regional.cloture > timezone.now() + datetime.timedelta(days=30)
