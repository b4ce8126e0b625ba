"""The DUI's mise en service (the step 15 milestone), per ESMS: recorded on the plan, traced,
and the start of the usage targets' measurement (issue 18, item 0)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from grappe.models import HistoryEntry
from indicateurs.enums import Niveau
from indicateurs.models import ValeurIndicateur
from tests.grappe.factories import RoleFactory, UserFactory
from tests.indicateurs.factories import meeting
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-05-10 10:00 +0200", tick=False):
        yield


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def url(cast):
    return reverse("projets:mise_en_service", args=[cast.grappe.pk])


def members(cast):
    return list(cast.grappe.memberships.select_related("esms").order_by("esms__raison_sociale"))


def test_the_milestone_asks_for_the_mise_en_service(cast, client_for, plan):
    page = client_for(cast.owner).get(reverse("projets:plan", args=[cast.grappe.pk]))
    text = page.content.decode()
    assert "Mise en service à enregistrer : la mesure des usages en part." in text
    assert "Enregistrer la mise en service" in text


def test_a_common_date_and_one_esms_in_a_later_wave(cast, client_for, plan):
    first, second, third = members(cast)
    response = client_for(cast.owner).post(
        url(cast),
        {"date_commune": "2026-02-01", f"esms_{third.pk}": "2026-03-16"},
    )
    assert response.status_code == 302
    dates = dict(cast.grappe.memberships.values_list("pk", "dui_in_service_on"))
    assert dates == {
        first.pk: datetime.date(2026, 2, 1),
        second.pk: datetime.date(2026, 2, 1),
        third.pk: datetime.date(2026, 3, 16),
    }
    entry = HistoryEntry.objects.get(
        grappe=cast.grappe, action="Mise en service du DUI enregistrée"
    )
    assert entry.changes[third.esms.raison_sociale] == ["", "16/03/2026"]
    page = client_for(cast.owner).get(reverse("projets:plan", args=[cast.grappe.pk]))
    assert "DUI en service dans 3 ESMS sur 3, du 01/02/2026 au 16/03/2026" in page.content.decode()


def test_a_future_date_or_one_before_the_project_is_refused(cast, client_for, plan):
    first, *_ = members(cast)
    response = client_for(cast.owner).post(
        url(cast), {"date_commune": "2026-06-01", f"esms_{first.pk}": "2025-12-01"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "la date ne peut pas être dans le futur" in text
    assert "ne peut pas précéder le début du projet (05/01/2026)" in text
    assert not cast.grappe.memberships.filter(dui_in_service_on__isnull=False).exists()


def test_recording_it_recomputes_the_months_since(
    cast, client_for, plan, django_capture_on_commit_callbacks
):
    """Figures came in from January; the grappe is assessed only once its DUI is in service."""
    for membership in members(cast):
        for month in (1, 2, 3, 4):
            meeting(membership.esms, datetime.date(2026, month, 1))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.owner).post(url(cast), {"date_commune": "2026-02-01"})
    grappe_values = ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe=cast.grappe)
    # February to April: the first measure (3 months) is April's; nothing assessed before. May,
    # the current month, is computed too, with no figures yet.
    assert set(grappe_values.values_list("mois", flat=True)) == {
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    }
    assert set(grappe_values.mois_mesures()) == {datetime.date(2026, 4, 1)}
    assert all(grappe_values.filter(mois__month=4).values_list("premiere_mesure", flat=True))


def test_changing_the_common_date_changes_every_esms(cast, client_for, plan):
    client = client_for(cast.owner)
    client.post(url(cast), {"date_commune": "2026-02-01"})
    form = client.get(url(cast)).context["form"]
    assert form["date_commune"].value() == datetime.date(2026, 2, 1)
    client.post(url(cast), {"date_commune": "2026-03-01"})
    assert set(cast.grappe.memberships.values_list("dui_in_service_on", flat=True)) == {
        datetime.date(2026, 3, 1)
    }


def test_only_the_chef_de_projet_records_it(cast, client_for, plan):
    amoa = RoleFactory(grappe=cast.grappe, kind="amoa", user=UserFactory()).user
    for user in (cast.member, cast.copil, cast.ars, amoa):
        assert client_for(user).post(url(cast), {"date_commune": "2026-02-01"}).status_code == 403
    assert not cast.grappe.memberships.filter(dui_in_service_on__isnull=False).exists()
