"""Issue 16, « a demo that tells a true story »: the demo's region holds grappes at every stage of
the programme (demo/stages.py), each consistent with its stage, and every demo login finds work
waiting. The invariants are functions of the demo's today, so that
test_seed_demo_stages_later.py checks them again a year on."""

import datetime

import pytest
from django.utils import timezone

from approbations import inbox
from core.months import month_start
from core.working_days import working_days_between
from demo.stages import LABELS, STAGES, stage_of
from grappe.demo import GRAPPE_NAME, PEOPLE
from grappe.enums import TypeComite
from grappe.models import ArsAgent, Grappe
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Tranche, UsageMensuel, ValeurIndicateur
from projets.comptes_rendus import subdivision
from projets.enums import DecisionJalon
from projets.models import CompteRendu, LivrableVersion
from tests.demo.conftest import DEMO_TODAY
from users.models import User

pytestmark = pytest.mark.django_db

TODAY = datetime.date.fromisoformat(DEMO_TODAY[:10])


def hdf_grappes():
    return Grappe.objects.filter(region__code="32").order_by("pk")


def check_stages():
    """At least 8 grappes of Hauts-de-France at distinct stages, each stage told by its data."""
    grappes = list(hdf_grappes())
    derived = {grappe.name: stage_of(grappe) for grappe in grappes}
    assert {name: derived.get(name) for name in STAGES} == STAGES
    assert len(set(derived.values()) & set(LABELS)) >= 8


def check_usage_follows_the_mise_en_service():
    """Usage data only from the DUI's mise en service on, and only once the DUI is chosen (step
    11 done, the COPIL's go on its milestone)."""
    for grappe in hdf_grappes():
        memberships = list(grappe.memberships.filter(left_on__isnull=True))
        esms_ids = [m.esms_id for m in memberships]
        usages = UsageMensuel.objects.filter(esms_id__in=esms_ids)
        values = ValeurIndicateur.objects.filter(grappe=grappe)
        plan = getattr(grappe, "plan", None)
        step11 = plan.etapes.get(ordre=11) if plan else None
        chosen = (
            step11 is not None
            and step11.actual_end is not None
            and plan.jalons.filter(etape=step11, decision=DecisionJalon.GO).exists()
        )
        if not chosen or not any(m.dui_in_service_on for m in memberships):
            assert not usages.exists(), grappe.name
            assert not values.exists(), grappe.name
            continue
        for membership in memberships:
            assert membership.dui_in_service_on is not None, grappe.name
            assert membership.dui_in_service_on >= step11.actual_end, grappe.name
            start = month_start(membership.dui_in_service_on)
            assert not usages.filter(esms_id=membership.esms_id, mois__lt=start).exists()
            assert not ValeurIndicateur.objects.filter(
                esms_id=membership.esms_id, mois__lt=start
            ).exists(), grappe.name
            assert not usages.filter(esms_id=membership.esms_id, mois__gte=today_month()).exists()


def today_month():
    return timezone.localdate().replace(day=1)


def check_tranches():
    """Tranche 2 due or paid only for a month whose targets were all met, after the mise en
    service; paid after it fell due, never in the future; tranche 1 only with a signature."""
    today = timezone.localdate()
    for tranche in Tranche.objects.select_related("grappe"):
        grappe = tranche.grappe
        if tranche.statut != StatutTranche.PREVUE:
            assert grappe.convention_signed_on and grappe.convention_signed_on <= today
        if tranche.numero != 2 or tranche.statut == StatutTranche.PREVUE:
            continue
        assert tranche.statut in (StatutTranche.DUE, StatutTranche.PAYEE), grappe.name
        mois = tranche.mois_declenchement
        assert mois is not None, grappe.name
        rows = ValeurIndicateur.objects.filter(grappe=grappe, niveau=Niveau.GRAPPE, mois=mois)
        assert rows.count() == 5 and all(row.atteinte for row in rows), grappe.name
        in_service = grappe.memberships.filter(dui_in_service_on__isnull=False)
        assert in_service.exists()
        assert all(month_start(m.dui_in_service_on) <= mois for m in in_service)
        assert timezone.localdate(tranche.due_le) <= today
        if tranche.statut == StatutTranche.PAYEE:
            assert mois < tranche.paye_le <= today


def check_past_only():
    """Minutes only for meetings held; deliverables only for steps started (when deposited)."""
    now = timezone.now()
    assert not CompteRendu.objects.filter(reunion__starts_at__gt=now).exists()
    assert not CompteRendu.objects.filter(submitted_at__gt=now).exists()
    for version in LivrableVersion.objects.select_related("livrable__etape"):
        etape = version.livrable.etape
        assert version.uploaded_at <= now
        if etape is not None:
            assert etape.actual_start is not None, version
            assert etape.actual_start <= timezone.localdate(version.uploaded_at), version


def check_work_waiting():
    """Each COPIL voter of the main grappe has a deliverable and minutes awaiting their avis, one
    of them due within 2 working days; the ARS agent of the region has a tranche to pay."""
    today = timezone.localdate()
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    copil = grappe.comites.get(kind=TypeComite.COPIL)
    voters = list(copil.voting_members())
    assert len(voters) == 4
    subdiv = subdivision(grappe)
    for member in voters:
        user = getattr(member, "user", member)
        assert LivrableVersion.objects.awaiting(user).exists(), user
        assert CompteRendu.objects.awaiting(user).exists(), user
        close = [
            row
            for row in inbox.rows(user, today)
            if row["echeance"] and 0 <= working_days_between(today, row["echeance"], subdiv) <= 2
        ]
        assert close, user
    ars = User.objects.get(email=PEOPLE["ars"][0])
    regions = ArsAgent.objects.filter(user=ars).values("region")
    assert regions.filter(region=grappe.region_id).exists()
    assert Tranche.objects.filter(grappe__region__in=regions, statut=StatutTranche.DUE).exists()
    # The targets tranche, not only a signature one.
    assert Tranche.objects.filter(
        grappe__region__in=regions, statut=StatutTranche.DUE, numero=2
    ).exists()


def check_all():
    check_stages()
    check_usage_follows_the_mise_en_service()
    check_tranches()
    check_past_only()
    check_work_waiting()


def test_the_region_holds_grappes_at_every_stage():
    assert timezone.localdate() == TODAY
    check_stages()


def test_usage_data_follows_the_mise_en_service():
    check_usage_follows_the_mise_en_service()


def test_tranche_2_follows_the_targets():
    check_tranches()
    # The story's two tranches 2: due for the grappe that just met its targets, paid for the
    # one that met them earlier.
    statuts = dict(
        Tranche.objects.filter(numero=2, grappe__region__code="32").values_list(
            "grappe__name", "statut"
        )
    )
    by_stage = {stage: statuts.get(name) for name, stage in STAGES.items()}
    assert by_stage["cibles_atteintes"] == StatutTranche.DUE
    assert by_stage["tranche_payee"] == StatutTranche.PAYEE
    assert by_stage["choix_dui"] == StatutTranche.PREVUE


def test_minutes_and_deliverables_only_for_the_past():
    check_past_only()


def test_every_login_finds_work_waiting():
    check_work_waiting()
