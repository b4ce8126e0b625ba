"""The home's « À valider » section (accueil.sections.copil): what awaits a COPIL voter's avis,
by deadline, and the coming meetings of their grappes."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.sections import copil
from candidatures.models import Candidature
from grappe.enums import FonctionOg
from grappe.models import OgPerson
from grappe.navigation import user_context
from projets.enums import StatutCompteRendu, StatutVersion, TypeReunion
from projets.models import Livrable, LivrableVersion
from tests.accueil import helpers
from tests.candidatures.factories import campagne_for
from tests.grappe.factories import GrappeFactory, UserFactory, copil_member
from tests.helpers import text
from tests.projets.factories import plan_for
from tests.projets.helpers_comptes_rendus import at, draft, meeting

pytestmark = pytest.mark.django_db


def section_of(response, key="copil"):
    return helpers.section_of(response, key)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen_now():
    # Monday 15 June 2026.
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def submitted_version(livrable, planned_end=None):
    """A version of `livrable` submitted to the COPIL, its step ending on `planned_end`."""
    if planned_end is not None:
        etape = livrable.etape
        etape.planned_start = min(etape.planned_start, planned_end)
        etape.planned_end = planned_end
        etape.save(update_fields=["planned_start", "planned_end"])
    version = LivrableVersion(
        livrable=livrable,
        numero=livrable.versions.count() + 1,
        original_name="note.pdf",
        size=len(PDF),
        content_type="application/pdf",
        status=StatutVersion.SOUMISE,
        submitted_at=timezone.now(),
    )
    version.file.save(version.original_name, ContentFile(PDF), save=False)
    version.save()
    return version


def livrable(grappe, code):
    return Livrable.objects.get(plan__grappe=grappe, reference__code=code)


def test_awaiting_version_listed_with_its_deadline_and_link(cast, client_for):
    plan_for(cast.grappe)
    note = livrable(cast.grappe, "note_cadrage")
    version = submitted_version(note, planned_end=datetime.date(2026, 6, 30))
    response = client_for(cast.copil).get("/")
    assert response.status_code == 200
    rows = section_of(response).context["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert row["echeance"] == datetime.date(2026, 6, 30)
    assert not row["proche"] and not row["depassee"]
    link = (
        reverse("projets:livrable", args=[cast.grappe.pk, note.pk]) + f"#version-{version.numero}"
    )
    assert row["url"] == link
    page = response.content.decode()
    assert f'href="{link}"' in page
    assert "Avis attendu au plus tard le 30/06/2026" in text(response)
    assert 'data-testid="echeance-proche"' not in page


def test_close_and_past_deadlines_are_flagged_and_sorted_first(cast, client_for):
    plan_for(cast.grappe)
    later = submitted_version(
        livrable(cast.grappe, "note_cadrage"), planned_end=datetime.date(2026, 7, 31)
    )
    # Wednesday 17 June: two working days from Monday 15 June.
    close = submitted_version(
        livrable(cast.grappe, "bilan_etude_marche"), planned_end=datetime.date(2026, 6, 17)
    )
    past = submitted_version(
        livrable(cast.grappe, "rapport_choix"), planned_end=datetime.date(2026, 6, 12)
    )
    response = client_for(cast.copil).get("/")
    rows = section_of(response).context["rows"]
    assert [row["url"] for row in rows] == [
        reverse("projets:livrable", args=[cast.grappe.pk, v.livrable_id]) + "#version-1"
        for v in (past, close, later)
    ]
    assert [(row["depassee"], row["proche"]) for row in rows] == [
        (True, False),
        (False, True),
        (False, False),
    ]
    page = response.content.decode()
    assert page.count('data-testid="echeance-proche"') == 1
    assert page.count('data-testid="echeance-depassee"') == 1
    # Thursday 18 June is three working days away: not flagged.
    close.livrable.etape.planned_end = datetime.date(2026, 6, 18)
    close.livrable.etape.save()
    rows = section_of(client_for(cast.copil).get("/")).context["rows"]
    assert not any(row["proche"] for row in rows)


def test_minutes_are_due_eight_working_days_after_submission(cast, client_for):
    reunion = meeting(cast.grappe, day=datetime.date(2026, 6, 10))
    # Submitted Monday 15 June: due Thursday 25 June (8 working days later).
    draft(reunion, cast.owner, statut=StatutCompteRendu.SOUMIS, submitted_at=timezone.now())
    rows = section_of(client_for(cast.copil).get("/")).context["rows"]
    assert [(row["kind"], row["echeance"]) for row in rows] == [
        ("Compte rendu", datetime.date(2026, 6, 25))
    ]


def test_coming_meetings_of_the_voters_grappes(cast, client_for):
    soon = meeting(cast.grappe, day=datetime.date(2026, 6, 22), titre="COPIL de juin")
    meeting(
        cast.grappe,
        day=datetime.date(2026, 6, 25),
        titre="Atelier reprise",
        kind=TypeReunion.ATELIER,
    )
    meeting(cast.grappe, day=datetime.date(2026, 8, 1), titre="COPIL d'août")  # beyond 30 days
    meeting(cast.grappe, day=datetime.date(2026, 6, 1), titre="COPIL passé")
    meeting(GrappeFactory(), day=datetime.date(2026, 6, 23), titre="COPIL d'une autre grappe")
    response = client_for(cast.copil).get("/")
    reunions = section_of(response).context["reunions"]
    assert [r.titre for r in reunions] == ["COPIL de juin", "Atelier reprise"]
    assert f'href="{soon.get_absolute_url()}"' in response.content.decode()
    assert "Le 22/06/2026 à 14\u00a0h\u00a000" in text(response)
    assert section_of(response).context["rows"] == []
    assert "Rien à valider pour le moment." in text(response)


def test_section_absent_for_people_it_does_not_concern(cast):
    """None, without a query, for whoever neither votes on a COPIL nor directs an OG."""
    for user in (cast.owner, cast.member, cast.ars, cast.admin, cast.stranger):
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            assert copil.section(user, ties, timezone.localdate()) is None
        assert len(queries) == 0


def test_fixed_number_of_queries(cast, client_for):
    """The section costs one query per kind of document and one for the meetings, whatever
    the number of documents and grappes."""

    def count(user):
        user = type(user).objects.get(pk=user.pk)
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            section = copil.section(user, ties, timezone.localdate())
        return len(queries), section

    plan_for(cast.grappe)
    submitted_version(livrable(cast.grappe, "note_cadrage"))
    meeting(cast.grappe, day=datetime.date(2026, 6, 22))
    few, section = count(cast.copil)
    assert len(section.context["rows"]) == 1
    # Three kinds of documents (deliverables, minutes, OG engagements) and the meetings.
    assert few == 4
    for index in range(3):
        other = GrappeFactory(name=f"Grappe {index}")
        copil_member(other, cast.copil)
        plan_for(other)
        submitted_version(livrable(other, "note_cadrage"))
        submitted_version(livrable(other, "bilan_etude_marche"))
        reunion = meeting(other, day=datetime.date(2026, 6, 10))
        draft(
            reunion,
            cast.owner,
            statut=StatutCompteRendu.SOUMIS,
            submitted_at=at(datetime.date(2026, 6, 12)),
        )
        meeting(other, day=datetime.date(2026, 6, 23))
    many, section = count(cast.copil)
    assert len(section.context["rows"]) == 10 and len(section.context["reunions"]) == 4
    assert many == few


def test_og_direction_sees_the_engagement_due_by_the_calls_closing(cast, client_for):
    campagne = campagne_for(cast.grappe.region)  # closes on 30 October 2026 at noon
    direction = UserFactory(email="dg@exemple.fr")
    OgPerson.objects.create(og=cast.grappe.porteur, user=direction, fonction=FonctionOg.DIRECTION)
    Candidature.objects.create(campagne=campagne, grappe=cast.grappe)
    response = client_for(direction).get("/")
    rows = section_of(response).context["rows"]
    assert [(row["kind"], row["echeance"]) for row in rows] == [
        ("Candidature", datetime.date(2026, 10, 30))
    ]
    assert rows[0]["url"] == reverse("candidatures:candidature", args=[cast.grappe.pk])
    # An OG direction votes on no COPIL: no meetings list.
    assert "Prochaines réunions" not in text(response)
