"""The audit trail (grappe.HistoryEntry) in the Django admin: readable and filterable by the
national admin, never added, changed or deleted there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from grappe.models import HistoryEntry
from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:grappe_historyentry_changelist")


def results(response):
    """The change list's table only (the filters sidebar lists every action)."""
    page = response.content.decode()
    start = page.index('<table id="result_list"')
    return page[start : page.index("</table>", start)]


@pytest.fixture
def entries(cast):
    first = HistoryEntry.record(
        cast.grappe, cast.owner, "Attribution du rôle « Référent »", cast.member, {"Rôle": "x"}
    )
    second = HistoryEntry.record(
        cast.other_grappe, cast.stranger, "Paiement de la tranche 1 enregistré", "Tranche 1"
    )
    national = HistoryEntry.record(None, cast.admin, "Application d'un import FINESS", "f.csv")
    return first, second, national


def test_admin_lists_and_filters_entries(cast, entries, client_for):
    client = client_for(cast.admin)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for entry in entries:
        assert escape(entry.action) in page
    filtered = results(client.get(LIST_URL, {"grappe__id__exact": cast.grappe.pk}))
    assert "Attribution du rôle" in filtered and "Paiement de la tranche" not in filtered
    by_user = results(client.get(LIST_URL, {"user__id__exact": cast.stranger.pk}))
    assert "Paiement de la tranche" in by_user and "Attribution du rôle" not in by_user
    by_action = results(client.get(LIST_URL, {"action": "Application d'un import FINESS"}))
    assert "import FINESS" in by_action and "Paiement" not in by_action


def test_list_query_count_does_not_grow_with_rows(cast, entries, client_for):
    client = client_for(cast.admin)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL).status_code == 200
        return len(queries)

    few = count_queries()
    for index in range(30):
        HistoryEntry.record(cast.grappe, UserFactory(), f"Action {index}", "objet")
    assert count_queries() == few <= 16


def test_entry_is_shown_read_only(cast, entries, client_for):
    entry = entries[0]
    url = reverse("admin:grappe_historyentry_change", args=[entry.pk])
    response = client_for(cast.admin).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="action"' not in page and "Rôle" in page
    assert 'name="_save"' not in page


def test_nothing_can_be_added_changed_or_deleted(cast, entries, client_for):
    entry = entries[0]
    client = client_for(cast.admin)
    assert client.get(reverse("admin:grappe_historyentry_add")).status_code == 403
    response = client.post(
        reverse("admin:grappe_historyentry_change", args=[entry.pk]),
        {"action": "Réécrit", "target": "x", "changes": "{}"},
    )
    assert response.status_code == 403
    delete_url = reverse("admin:grappe_historyentry_delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.action == "Attribution du rôle « Référent »"
    assert HistoryEntry.objects.count() == 3


@pytest.mark.parametrize("who", ["owner", "ars", "anonymous"])
def test_only_staff_reach_the_admin(cast, entries, client_for, who):
    response = client_for(cast.users()[who]).get(LIST_URL)
    assert response.status_code == 302
    login = "/connexion/" if who == "anonymous" else "/admin/login/"
    assert response["Location"].startswith(login)
