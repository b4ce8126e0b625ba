import datetime

import pytest
from django.core.management import call_command

from grappe.demo import GRAPPE_NAME
from grappe.enums import TypeComite
from grappe.models import ArsAgent, Esms, Grappe, HistoryEntry, OgMembership
from projets.enums import StatutEtape, StatutVersion
from projets.models import LivrableVersion, Plan
from users.models import User

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        User.objects.count(),
        Esms.objects.count(),
        Grappe.objects.count(),
        OgMembership.objects.count(),
        HistoryEntry.objects.count(),
    )


def test_seed_demo_builds_a_realistic_grappe_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first

    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    assert grappe.memberships.filter(left_on__isnull=True).count() == 16
    assert grappe.og_memberships.filter(left_on__isnull=True).count() == 3
    copil = grappe.comites.get(kind=TypeComite.COPIL)
    assert copil.voting_members().count() == 4
    assert ArsAgent.objects.filter(region=grappe.region).exists()
    assert User.objects.get(email="admin@demo.grappe.fr").is_staff
    assert User.objects.get(email="cheffe.projet@demo.grappe.fr").check_password("demo-grappe-2026")


def test_seed_demo_puts_a_plan_under_way():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    plan = Plan.objects.get(grappe__name=GRAPPE_NAME)
    statuses = [etape.status(datetime.date(2026, 11, 22)) for etape in plan.etapes.all()]
    assert statuses.count(StatutEtape.TERMINEE) == 9
    assert StatutEtape.EN_RETARD in statuses
    assert plan.open_phases() == {1, 2, 3}
    versions = LivrableVersion.objects.filter(livrable__plan=plan)
    assert versions.filter(status=StatutVersion.VALIDEE).count() == 5
    assert versions.filter(status=StatutVersion.SOUMISE).count() == 1
    assert plan.risques.count() == 15
    assert plan.baselines.count() == 1
