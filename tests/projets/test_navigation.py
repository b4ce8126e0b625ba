"""The header's « À valider » entry counts the documents awaiting the COPIL voter's avis: the
rows of the "À valider" inbox (LivrableVersion and CompteRendu .objects.awaiting), in one query,
registered by projets in grappe's extension point (grappe never imports projets)."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approbations import inbox as approbations_inbox
from grappe import extensions
from grappe.enums import RoleKind
from grappe.navigation import navigation_for
from projets import comptes_rendus as minutes
from projets.enums import StatutVersion, TypeReunion
from projets.models import CompteRendu, Livrable, LivrableVersion
from projets.validation import awaiting_count, record_avis
from tests.grappe.factories import RoleFactory, copil_member
from tests.projets.factories import LivrableVersionFactory, plan_for
from tests.projets.helpers_comptes_rendus import meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def waiting(cast):
    """Two documents await the COPIL member's avis: a version of the note de cadrage and the
    minutes of the COPIL of 9 June; a third, deposited by the member, does not."""
    plan = plan_for(cast.grappe, user=cast.owner)
    note = Livrable.objects.get(plan=plan, reference__code="note_cadrage")
    version = submitted(note, cast.owner)
    submitted(Livrable.objects.get(plan=plan, reference__code="bilan_etude_marche"), cast.copil)
    reunion = meeting(cast.grappe, day=datetime.date(2026, 6, 9))
    cr = minutes.submit(minutes.create_draft(reunion, cast.owner), cast.owner)
    return version, cr


def submitted(livrable, user):
    return LivrableVersionFactory(
        livrable=livrable,
        status=StatutVersion.SOUMISE,
        uploaded_by=user,
        submitted_at=datetime.datetime(2026, 6, 12, 9, tzinfo=datetime.UTC),
    )


def inbox_item(user):
    items, _ = navigation_for(user, "/")
    return next(item for item in items if item.label == "À valider")


def badge(response):
    match = re.search(r'data-testid="compteur-nav">(.*?)</span></span>', response.content.decode())
    return match and re.sub(r"<[^>]+>", "", match.group(1))


def test_the_header_counts_what_awaits_the_voter(cast, client_for, waiting):
    version, cr = waiting
    client = client_for(cast.copil)
    response = client.get(reverse("projets:inbox"))
    assert len(response.context["rows"]) == 2
    assert badge(response) == "2 documents en attente de votre avis"
    item = next(item for item in response.context["nav_items"] if item.label == "À valider")
    assert (item.count, item.count_label) == (2, "documents en attente de votre avis")

    record_avis(version, cast.copil, "approuve")
    response = client.get(cast.grappe.get_absolute_url())
    assert badge(response) == "1 document en attente de votre avis"

    minutes.record_avis(cr, cast.copil, minutes.APPROUVE)
    response = client.get(reverse("projets:inbox"))
    assert response.context["rows"] == []
    assert badge(response) is None  # nothing waits: no number at all
    assert inbox_item(cast.copil).count == 0


def test_the_count_is_the_inbox_in_one_query(cast, client_for, waiting, django_assert_num_queries):
    """Same definition as the inbox, confidential minutes included: an AMOA consultant who also
    votes on the COPIL is neither shown nor counted the comité de sélection's minutes."""
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    copil_member(cast.grappe, consultant)
    selection = meeting(cast.grappe, kind=TypeReunion.SELECTION, titre="Audition des candidats")
    minutes.submit(minutes.create_draft(selection, cast.owner), cast.owner)
    for user in (cast.copil, consultant, cast.owner):
        rows = client_for(user).get(reverse("projets:inbox")).context["rows"]
        with django_assert_num_queries(1):
            assert awaiting_count(user) == len(rows)
    assert awaiting_count(cast.copil) == 3
    assert awaiting_count(consultant) == 3  # its own COPIL's work, not the selection minutes


def test_only_copil_voters_pay_for_the_count(cast, client_for, waiting, monkeypatch):
    """At most one query a page, and only for those the entry is shown to."""
    calls = []
    function, singular, plural = extensions.nav_counter("projets:inbox")

    def spy(user):
        calls.append(user)
        return function(user)

    monkeypatch.setitem(extensions.NAV_COUNTERS, "projets:inbox", (spy, singular, plural))
    for user in (cast.owner, cast.member, cast.ars, cast.admin):
        client_for(user).get(cast.grappe.get_absolute_url())
    assert calls == []
    client_for(cast.copil).get(cast.grappe.get_absolute_url())
    assert calls == [cast.copil]


def test_the_count_costs_one_query_a_page(cast, client_for, waiting, monkeypatch):
    client = client_for(cast.copil)
    address = cast.grappe.get_absolute_url()
    client.get(address)  # warm the caches (session, permissions) out of the comparison

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    with_count = queries()
    _, singular, plural = extensions.nav_counter("projets:inbox")
    monkeypatch.setitem(
        extensions.NAV_COUNTERS, "projets:inbox", (lambda user: 0, singular, plural)
    )
    assert with_count - queries() == 1


def test_the_inbox_and_the_reminders_share_one_definition_of_awaiting():
    """projets registers its two kinds of document in approbations.inbox (AppConfig.ready());
    the reminders read the same querysets (LivrableVersion and CompteRendu .objects.awaiting)."""
    kinds = {kind.name: kind for kind in approbations_inbox.kinds()}
    assert kinds["livrable"].awaiting == LivrableVersion.objects.awaiting
    assert kinds["compte_rendu"].awaiting == CompteRendu.objects.awaiting
    assert extensions.nav_counter("projets:inbox")[0] is approbations_inbox.awaiting_count
