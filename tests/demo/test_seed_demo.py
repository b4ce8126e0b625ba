import datetime

import pytest
from django.urls import reverse

from grappe import perms
from grappe.demo import GRAPPE_NAME
from grappe.enums import TypeComite
from grappe.models import ArsAgent, Grappe, JoinRequest
from projets.comptes_rendus import awaiting_rows
from projets.enums import Presence, StatutCompteRendu, StatutEtape, StatutVersion
from projets.models import Action, CompteRendu, Decision, LivrableVersion, Plan
from users.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_realistic_grappe():
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    assert grappe.memberships.filter(left_on__isnull=True).count() == 16
    assert grappe.og_memberships.filter(left_on__isnull=True).count() == 3
    copil = grappe.comites.get(kind=TypeComite.COPIL)
    assert copil.voting_members().count() == 4
    assert ArsAgent.objects.filter(region=grappe.region).exists()
    assert User.objects.get(email="admin@demo.grappe.fr").is_staff
    assert User.objects.get(email="cheffe.projet@demo.grappe.fr").check_password("demo-grappe-2026")


def test_seed_demo_shows_an_og_agreeing_to_a_join(client):
    """The Ternois's director has a grappe's request for one of her ESMS to decide; the chef de
    projet, référent of the porteur, may start a grappe; an ESMS is in one grappe at a time."""
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    (pending,) = JoinRequest.objects.pending()
    assert pending.grappe == grappe and not grappe.memberships.filter(esms=pending.esms).exists()
    director = User.objects.get(email="directrice.ternois@demo.grappe.fr")
    client.force_login(director)
    home = client.get("/").content.decode().split('data-testid="section-adhesions"')[1]
    assert str(pending.esms) in home and reverse("grappe:adhesions") in home
    assert pending.esms.finess_et in client.get(reverse("grappe:adhesions")).content.decode()
    assert perms.can_create_grappe(User.objects.get(email="cheffe.projet@demo.grappe.fr"))
    assert not perms.can_create_grappe(User.objects.get(email="consultant.amoa@demo.grappe.fr"))


def test_seed_demo_puts_a_plan_under_way():
    plan = Plan.objects.get(grappe__name=GRAPPE_NAME)
    statuses = [etape.status(datetime.date(2026, 11, 22)) for etape in plan.etapes.all()]
    # Issue 16: the auditions (step 10) are done, the choice of the solution (11) under way.
    assert statuses.count(StatutEtape.TERMINEE) == 10
    # The auditions ended three weeks late; the choice of the solution, planned to end at
    # COPIL n° 4, is late: the rapport de choix waits for the COPIL's avis.
    auditions, choix = plan.etapes.filter(ordre__in=[10, 11]).order_by("ordre")
    assert auditions.actual_end > auditions.planned_end
    assert choix.actual_start and choix.status(datetime.date(2026, 12, 4)) == StatutEtape.EN_RETARD
    assert plan.open_phases() == {1, 2, 3}
    versions = LivrableVersion.objects.filter(livrable__plan=plan)
    # The supports of COPIL n° 1–3 and the four other validated deliverables; the support of
    # COPIL n° 4 and the rapport de choix wait for the COPIL (issue 16).
    assert versions.filter(status=StatutVersion.VALIDEE).count() == 6
    assert versions.filter(status=StatutVersion.SOUMISE).count() == 2
    assert plan.risques.count() == 15
    assert plan.baselines.count() == 1


def test_seed_demo_holds_meetings_with_minutes_and_actions():
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    reunions = grappe.reunions.order_by("starts_at")
    # Issue 16: COPIL n° 3's minutes are diffused, COPIL n° 4's (dated from today) wait.
    assert reunions.count() == 5
    statuses = list(
        CompteRendu.objects.filter(reunion__grappe=grappe)
        .order_by("reunion__starts_at")
        .values_list("statut", flat=True)
    )
    assert statuses == [
        StatutCompteRendu.DIFFUSE,
        StatutCompteRendu.DIFFUSE,
        StatutCompteRendu.DIFFUSE,
        StatutCompteRendu.SOUMIS,
    ]
    # The pending minutes wait in the inbox of the voters who have not answered.
    copil2 = User.objects.get(email="directrice.ternois@demo.grappe.fr")
    assert [row["kind"] for row in awaiting_rows(copil2)] == ["Compte rendu"]
    # Go decisions are tied to the milestones; open actions carry over.
    assert Decision.objects.filter(reunion__grappe=grappe, jalon__isnull=False).count() == 2
    assert Action.objects.filter(grappe=grappe).open().count() == 2
    first = reunions.first()
    assert first.participants.filter(presence=Presence.PRESENT).count() >= 3
    assert first.comptes_rendus.get().content["decisions"][0]["jalon_decision"] == "Go"
