"""Governance meetings: list, create / edit, invitations (.ics by e-mail), calendar download and
feed, attendance and quorum, decisions (go / no go on the plan's milestones), actions carried
over from meeting to meeting, "Mes actions"; the permission cast on every view."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.uploads import MAX_UPLOAD_SIZE
from grappe.enums import RegleValidation, RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, HistoryEntry
from projets.enums import (
    DecisionJalon,
    ModeDecision,
    Presence,
    StatutAction,
    StatutCompteRendu,
    TypeReunion,
)
from projets.models import (
    Action,
    CalendarFeed,
    Decision,
    Participant,
    PointOrdreDuJour,
    Reunion,
    ReunionDocument,
)
from tests.grappe.factories import RoleFactory, UserFactory, copil_member
from tests.helpers import EDIT, READ, check, consume, text
from tests.projets.factories import (
    ActionFactory,
    CompteRenduFactory,
    ReunionFactory,
    copil_voters,
    plan_for,
)
from tests.projets.test_ics import parse, props, unescape, value_of
from users.models import Civilite

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

POST = {**EDIT, "owner": 302, "admin": 302}
SIGNED_IN = dict.fromkeys(READ, 200) | {"anonymous": "login"}


@pytest.fixture(autouse=True)
def frozen_now():
    """Monday 15 June 2026, 10:00 in Paris."""
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def at(day, hour, minute=0, month=6):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def invite(reunion, *users, guests=()):
    for user in users:
        Participant.objects.create(reunion=reunion, user=user)
    for name, email in guests:
        Participant.objects.create(reunion=reunion, name=name, email=email)


@pytest.fixture
def past(cast):
    """A COPIL held on Wednesday 10 June, 14:00–16:00."""
    reunion = ReunionFactory(grappe=cast.grappe, starts_at=at(10, 14), created_by=cast.owner)
    invite(reunion, cast.copil, cast.member, guests=[("Jean Dupont", "jean.dupont@conseil.fr")])
    return reunion


@pytest.fixture
def future(cast):
    """A COPIL on Monday 22 June, 14:00–16:00, with an agenda."""
    reunion = ReunionFactory(
        grappe=cast.grappe,
        starts_at=at(22, 14),
        titre="COPIL n°3 — choix de l'éditeur",
        lien_visio="https://visio.exemple.fr/copil-3",
        created_by=cast.owner,
    )
    invite(reunion, cast.copil, cast.member, guests=[("Jean Dupont", "jean.dupont@conseil.fr")])
    PointOrdreDuJour.objects.create(
        reunion=reunion, ordre=1, titre="Analyse des offres", presenter="AMOA", duree_minutes=45
    )
    return reunion


@pytest.fixture
def document(past):
    document = ReunionDocument(
        reunion=past,
        original_name="support-copil.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    document.file.save("support-copil.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


@pytest.fixture
def voter(cast):
    """A voting COPIL member with no other role (owner of actions in the cast tests)."""
    return copil_member(cast.grappe, UserFactory(email="votante@exemple.fr"))


@pytest.fixture
def action(cast, past, voter):
    return ActionFactory(
        reunion=past,
        titre="Relancer l'éditeur sur le chiffrage",
        owner=voter,
        due_on=datetime.date(2026, 6, 30),
    )


def url(name, reunion, *args):
    return reverse(f"projets:{name}", args=[reunion.grappe_id, reunion.pk, *args])


def flat(response):
    """The page's text with tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def form_data(cast, **changes):
    data = {
        "kind": TypeReunion.COPIL,
        "titre": "COPIL n°4",
        "date": "2026-06-29",
        "heure_debut": "14:00",
        "heure_fin": "16:30",
        "lieu": "Salle du conseil, Lille",
        "lien_visio": "",
        "invites": [cast.copil.pk, cast.member.pk],
        "invites_exterieurs": "",
        "points-TOTAL_FORMS": "3",
        "points-INITIAL_FORMS": "0",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def edit_data(reunion, **changes):
    """The edit form as the page shows it, with `changes`."""
    local = timezone.localtime(reunion.starts_at)
    points = list(reunion.points.all())
    data = {
        "kind": reunion.kind,
        "titre": reunion.titre,
        "date": local.date().isoformat(),
        "heure_debut": f"{local:%H:%M}",
        "heure_fin": f"{timezone.localtime(reunion.ends_at):%H:%M}",
        "lieu": reunion.lieu,
        "lien_visio": reunion.lien_visio,
        "invites": [p.user_id for p in reunion.participants.all() if p.user_id],
        "invites_exterieurs": "\n".join(
            f"{p.name} <{p.email}>" for p in reunion.participants.all() if not p.user_id
        ),
        "points-TOTAL_FORMS": str(len(points) + 2),
        "points-INITIAL_FORMS": str(len(points)),
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
    }
    for index, point in enumerate(points):
        data.update(
            {
                f"points-{index}-id": str(point.pk),
                f"points-{index}-reunion": str(reunion.pk),
                f"points-{index}-titre": point.titre,
                f"points-{index}-presenter": point.presenter,
                f"points-{index}-duree_minutes": str(point.duree_minutes or ""),
            }
        )
    data.update(changes)
    return data


def post_cast(cast, client_for, address, data, expected):
    for name, user in cast.users().items():
        response = client_for(user).post(address, data)
        check(response, name, expected[name])


# ---------------------------------------------------------------------------------------------
# Permission cast on every view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reunions", "reunion", "reunion_ics", "reunion_document"])
def test_read_pages_cast(cast, client_for, past, document, name):
    if name == "reunions":
        address = reverse("projets:reunions", args=[cast.grappe.pk])
    elif name == "reunion_document":
        address = url(name, past, document.pk)
    else:
        address = url(name, past)
    for user_name, user in cast.users().items():
        response = client_for(user).get(address)
        check(response, user_name, READ[user_name])
        if response.status_code == 200 and response.streaming:
            consume(response)


@pytest.mark.parametrize("name", ["reunion_create", "reunion_edit"])
def test_edit_pages_cast(cast, client_for, past, name):
    if name == "reunion_create":
        address = reverse("projets:reunion_create", args=[cast.grappe.pk])
    else:
        address = url(name, past)
    for user_name, user in cast.users().items():
        check(client_for(user).get(address), user_name, EDIT[user_name])


def test_create_post_cast(cast, client_for):
    post_cast(
        cast,
        client_for,
        reverse("projets:reunion_create", args=[cast.grappe.pk]),
        form_data(cast),
        POST,
    )
    assert Reunion.objects.filter(grappe=cast.grappe).count() == 2  # the owner and the admin


def test_edit_post_cast(cast, client_for, past):
    post_cast(cast, client_for, url("reunion_edit", past), edit_data(past, titre="COPIL"), POST)


def test_invite_cast(cast, client_for, future, mailoutbox):
    post_cast(cast, client_for, url("reunion_invite", future), {}, POST)


def test_attendance_cast(cast, client_for, past):
    participant = past.participants.get(user=cast.copil)
    data = {f"presence_{participant.pk}": Presence.PRESENT}
    post_cast(cast, client_for, url("reunion_attendance", past), data, POST)


def test_decision_cast(cast, client_for, past):
    post_cast(cast, client_for, url("decision_add", past), {"texte": "Budget adopté."}, POST)
    assert Decision.objects.filter(reunion=past).count() == 2


def test_action_add_cast(cast, client_for, past):
    data = {"titre": "Préparer le support", "owner": cast.member.pk, "due_on": "2026-06-30"}
    post_cast(cast, client_for, url("action_add", past), data, POST)
    assert Action.objects.filter(reunion=past).count() == 2


def test_action_update_cast(cast, client_for, action):
    address = reverse("projets:action_update", args=[cast.grappe.pk, action.pk])
    post_cast(cast, client_for, address, {"statut": StatutAction.EN_COURS}, POST)


def test_my_actions_and_feed_reset_cast(cast, client_for):
    for name, user in cast.users().items():
        check(client_for(user).get(reverse("projets:my_actions")), name, SIGNED_IN[name])
        expected = "login" if user is None else 302
        check(client_for(user).post(reverse("projets:calendar_feed_reset")), name, expected)


def test_document_download(cast, client_for, past, document):
    response = client_for(cast.member).get(url("reunion_document", past, document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert consume(response) == PDF
    # Not through another meeting, nor to a stranger.
    other = ReunionFactory(grappe=cast.grappe, starts_at=at(1, 9))
    assert (
        client_for(cast.owner).get(url("reunion_document", other, document.pk)).status_code == 404
    )
    assert (
        client_for(cast.stranger).get(url("reunion_document", past, document.pk)).status_code == 404
    )


def test_meeting_of_another_grappe_is_not_found(cast, client_for):
    foreign = ReunionFactory(grappe=cast.other_grappe)
    address = reverse("projets:reunion", args=[cast.grappe.pk, foreign.pk])
    assert client_for(cast.owner).get(address).status_code == 404


def test_post_only_views_refuse_get(cast, client_for, past):
    client = client_for(cast.owner)
    for name in ("reunion_invite", "reunion_attendance", "decision_add", "action_add"):
        assert client.get(url(name, past)).status_code == 405, name


# ---------------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------------


def test_list_shows_upcoming_first_then_past_with_minutes_status(cast, client_for, past, future):
    older = ReunionFactory(
        grappe=cast.grappe, kind=TypeReunion.SUIVI, starts_at=at(2, 9), titre="Comité de suivi n°1"
    )
    compte_rendu = CompteRenduFactory(
        reunion=older, statut=StatutCompteRendu.VALIDE, redige_par=cast.owner
    )
    response = client_for(cast.owner).get(reverse("projets:reunions", args=[cast.grappe.pk]))
    assert [row["reunion"] for row in response.context["upcoming"]] == [future]
    assert [row["reunion"] for row in response.context["past"]] == [past, older]
    page = flat(response)
    assert page.index("COPIL n°3") < page.index("COPIL n°2") < page.index("Comité de suivi n°1")
    # No minutes yet: "à rédiger" with the deadline (8 working days after 10 June → 22 June).
    assert "À rédiger avant le 22/06/2026" in page
    assert reverse("projets:compte_rendu_create", args=[cast.grappe.pk, past.pk]) in text(response)
    # Minutes: their status, linked to the minutes page.
    assert "Validé" in page
    assert reverse(
        "projets:compte_rendu", args=[cast.grappe.pk, older.pk, compte_rendu.pk]
    ) in text(response)


def test_list_late_minutes_are_flagged(cast, client_for, frozen_now):
    ReunionFactory(grappe=cast.grappe, starts_at=at(1, 9))
    response = client_for(cast.member).get(reverse("projets:reunions", args=[cast.grappe.pk]))
    assert "avant le 11/06/2026 — en retard" in flat(response)
    # Only editors get the link to write the minutes.
    assert "compte-rendu/" not in text(response)


def test_list_a_late_first_draft_stays_flagged_until_transmitted(cast, client_for, frozen_now):
    reunion = ReunionFactory(grappe=cast.grappe, starts_at=at(1, 9))
    cr = CompteRenduFactory(reunion=reunion, redige_par=cast.owner)
    address = reverse("projets:reunions", args=[cast.grappe.pk])
    assert "Brouillon avant le 11/06/2026 — en retard" in flat(client_for(cast.owner).get(address))
    cr.statut = StatutCompteRendu.MODIFICATIONS
    cr.first_submitted_at = at(10, 9)  # transmitted in time, then sent back
    cr.save()
    page = flat(client_for(cast.owner).get(address))
    assert "Modifications demandées" in page and "en retard" not in page


def test_list_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    for day in range(1, 29):
        reunion = ReunionFactory(
            grappe=cast.grappe, starts_at=at(day, 9), titre=f"Réunion du {day}"
        )
        invite(reunion, cast.copil, cast.member)
        if day % 3 == 0:
            CompteRenduFactory(reunion=reunion, redige_par=cast.owner)
    client = client_for(cast.owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projets:reunions", args=[cast.grappe.pk]))
    assert len(response.context["upcoming"]) + len(response.context["past"]) == 28


# ---------------------------------------------------------------------------------------------
# Create and edit
# ---------------------------------------------------------------------------------------------


def test_create_form_prefills_the_comite_members(cast, client_for, voter):
    suivi = Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SUIVI)
    suivi.members.create(user=cast.member, role=RoleComite.MEMBRE)
    client = client_for(cast.owner)
    address = reverse("projets:reunion_create", args=[cast.grappe.pk])
    form = client.get(address + "?instance=copil").context["form"]
    assert sorted(form.initial["invites"]) == sorted([cast.copil.pk, voter.pk])
    assert form.initial["kind"] == TypeReunion.COPIL
    form = client.get(address + "?instance=suivi").context["form"]
    assert form.initial["invites"] == [cast.member.pk]
    # The other persons of the grappe may be added; ARS agents and strangers are not offered.
    offered = {value for value, _ in form.fields["invites"].choices}
    assert offered == {cast.owner.pk, cast.member.pk, cast.copil.pk, voter.pk}


def test_create_a_meeting_with_guests_agenda_and_documents(cast, client_for):
    plan = plan_for(cast.grappe, user=cast.owner)
    etape = plan.etapes.get(ordre=3)
    livrable = plan.livrables.filter(etape=etape).first()
    data = form_data(
        cast,
        invites_exterieurs="Jean Dupont <jean.dupont@conseil.fr>\n\nMarie Curie, marie@labo.fr",
        **{
            "points-0-titre": "Note de cadrage",
            "points-0-presenter": "AMOA",
            "points-0-duree_minutes": "30",
            "points-0-etape": str(etape.pk),
            "points-0-livrable": str(livrable.pk),
            "points-1-titre": "Questions diverses",
        },
    )
    data["documents"] = [
        SimpleUploadedFile("support.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("annexe.pdf", PDF, content_type="application/pdf"),
    ]
    response = client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]), data
    )
    reunion = Reunion.objects.get(titre="COPIL n°4")
    assert response.status_code == 302
    assert response["Location"] == url("reunion", reunion)
    assert reunion.comite == cast.grappe.comite(TypeComite.COPIL)
    assert reunion.created_by == cast.owner
    assert timezone.localtime(reunion.starts_at) == at(29, 14)
    assert timezone.localtime(reunion.ends_at) == at(29, 16, 30)
    assert reunion.sequence == 0 and reunion.invitation_sent_at is None
    assert {p.user for p in reunion.participants.filter(user__isnull=False)} == {
        cast.copil,
        cast.member,
    }
    assert sorted(reunion.participants.filter(user__isnull=True).values_list("name", "email")) == [
        ("Jean Dupont", "jean.dupont@conseil.fr"),
        ("Marie Curie", "marie@labo.fr"),
    ]
    points = list(reunion.points.all())
    assert [(p.ordre, p.titre) for p in points] == [
        (1, "Note de cadrage"),
        (2, "Questions diverses"),
    ]
    assert (points[0].etape, points[0].livrable, points[0].duree_minutes) == (etape, livrable, 30)
    documents = list(reunion.documents.all())
    assert sorted(d.original_name for d in documents) == ["annexe.pdf", "support.pdf"]
    assert all(
        d.content_type == "application/pdf" and d.uploaded_by == cast.owner for d in documents
    )
    entry = HistoryEntry.objects.get(action="Création d'une réunion")
    assert entry.changes["Invités"] == "4" and entry.changes["Documents"] == "2"


def test_a_workshop_has_no_comite(cast, client_for):
    client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]),
        form_data(cast, kind=TypeReunion.ATELIER, titre="Atelier processus"),
    )
    assert Reunion.objects.get(titre="Atelier processus").comite is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"heure_debut": "16:00", "heure_fin": "15:00"},
            "heure_fin",
            "L'heure de fin doit être postérieure à l'heure de début.",
        ),
        (
            {"heure_fin": "14:00"},
            "heure_fin",
            "L'heure de fin doit être postérieure à l'heure de début.",
        ),
        (
            {"lieu": " ", "lien_visio": ""},
            "lieu",
            "Indiquez un lieu ou un lien de visioconférence (ou les deux).",
        ),
        ({"titre": " "}, "titre", "Donnez un titre à la réunion."),
        (
            {"invites_exterieurs": "Jean Dupont"},
            "invites_exterieurs",
            "Ligne 1, « Jean Dupont » : il manque l'adresse e-mail, où l'invitation est "
            "envoyée. Écrivez le nom puis l'adresse, par exemple « Claire Martin "
            "<claire.martin@exemple.fr> ».",
        ),
    ],
)
def test_create_refusals_are_in_french(cast, client_for, changes, field, message):
    response = client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]), form_data(cast, **changes)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Reunion.objects.exists()


def test_a_past_date_is_saved_only_once_confirmed(cast, client_for):
    """Issue 21: a meeting dated in the past was accepted without a word. A meeting held may
    be recorded on purpose, a mistyped year may not: the form asks to confirm."""
    client = client_for(cast.owner)
    create = reverse("projets:reunion_create", args=[cast.grappe.pk])
    page = client.get(create)
    assert "reunion_passee" not in page.content.decode()  # no box for a meeting to come
    response = client.post(create, form_data(cast, date="2026-06-08"))
    assert response.status_code == 200
    assert not Reunion.objects.exists()
    assert response.context["form"].errors["date"] == [
        "Cette date est passée : le 08/06/2026 à 14\u00a0h\u00a000. Corrigez-la, ou cochez la case "
        "ci-dessous si la réunion a bien eu lieu."
    ]
    html = text(response)
    assert 'data-testid="confirmer-passee"' in html
    assert "Cette réunion a déjà eu lieu : je l'enregistre pour mémoire, sans invitations." in html

    response = client.post(
        create, form_data(cast, date="2026-06-08", reunion_passee="on"), follow=True
    )
    reunion = Reunion.objects.get()
    assert reunion.starts_at == at(8, 14)
    assert messages_of(response) == [
        "La réunion « COPIL n°4 » est enregistrée comme passée, le 08/06/2026 : aucune "
        "invitation n'est envoyée. Saisissez ses présences, ses décisions et ses actions depuis "
        "sa page, puis son compte rendu."
    ]


def test_a_meeting_under_way_needs_no_confirmation(cast, client_for):
    """Recorded at 10:30 for 10:00–12:00 today: it is not over, nothing to confirm."""
    client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]),
        form_data(cast, date="2026-06-15", heure_debut="10:00", heure_fin="12:00"),
    )
    assert Reunion.objects.count() == 1


def test_editing_a_past_meeting_asks_only_when_its_date_moves_into_the_past(
    cast, client_for, past, future
):
    client = client_for(cast.owner)
    # A title corrected after the meeting: no question.
    response = client.post(url("reunion_edit", past), edit_data(past, titre="COPIL n°2 bis"))
    assert response.status_code == 302
    # A meeting to come moved into the past: the question, then the confirmation.
    response = client.post(url("reunion_edit", future), edit_data(future, date="2026-06-12"))
    assert response.status_code == 200
    assert "Cette date est passée" in response.context["form"].errors["date"][0]
    response = client.post(
        url("reunion_edit", future),
        edit_data(future, date="2026-06-12", reunion_passee="on"),
        follow=True,
    )
    future.refresh_from_db()
    assert timezone.localdate(future.starts_at) == datetime.date(2026, 6, 12)
    assert messages_of(response) == [
        "La réunion est modifiée et enregistrée comme passée, le 12/06/2026 : ses invitations "
        "ne sont plus envoyées."
    ]


def test_the_guest_field_says_it_needs_the_address(cast, client_for):
    """The help text was printed as HTML: « <claire.martin@exemple.fr> » vanished and the
    example read « Claire Martin »."""
    response = client_for(cast.owner).get(reverse("projets:reunion_create", args=[cast.grappe.pk]))
    html = response.content.decode()
    assert "par exemple « Claire Martin &lt;claire.martin@exemple.fr&gt; »" in html
    assert "son nom puis son adresse e-mail" in html


@pytest.mark.parametrize(
    "line, message",
    [
        ("Jean Dupont", "il manque l'adresse e-mail, où l'invitation est envoyée"),
        ("Jean Dupont <jean.dupont@>", "l'adresse e-mail n'est pas valable"),
        ("<jean.dupont@conseil.fr>", "il manque le nom de l'invité"),
    ],
)
def test_guest_lines_say_what_is_missing(cast, client_for, line, message):
    response = client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]),
        form_data(cast, invites_exterieurs=line),
    )
    (error,) = response.context["form"].errors["invites_exterieurs"]
    assert error.startswith(f"Ligne 1, « {line} » : {message}. Écrivez le nom puis l'adresse")


def test_visio_only_meeting_is_accepted(cast, client_for):
    client_for(cast.owner).post(
        reverse("projets:reunion_create", args=[cast.grappe.pk]),
        form_data(cast, lieu="", lien_visio="https://visio.exemple.fr/copil"),
    )
    assert Reunion.objects.get().lien_visio == "https://visio.exemple.fr/copil"


def test_documents_are_checked_by_content_and_size(cast, client_for, settings):
    address = reverse("projets:reunion_create", args=[cast.grappe.pk])
    client = client_for(cast.owner)
    fake = SimpleUploadedFile(
        "support.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(address, {**form_data(cast), "documents": [fake]})
    [error] = response.context["form"].errors["documents"]
    assert error.startswith("« support.pdf » : Le contenu du fichier ne correspond pas")
    script = SimpleUploadedFile("ordre.exe", b"MZ", content_type="application/pdf")
    response = client.post(address, {**form_data(cast), "documents": [script]})
    assert "Type de fichier non accepté (.exe)" in response.context["form"].errors["documents"][0]
    big = SimpleUploadedFile(
        "gros.pdf", PDF + b"0" * MAX_UPLOAD_SIZE, content_type="application/pdf"
    )
    response = client.post(address, {**form_data(cast), "documents": [big]})
    assert "est trop volumineux" in response.context["form"].errors["documents"][0]
    assert not Reunion.objects.exists()


def test_edit_updates_invitees_agenda_and_documents(cast, client_for, future, document):
    document.reunion = future
    document.save()
    data = edit_data(
        future,
        lieu="Mairie de Lille",
        invites=[cast.copil.pk, cast.owner.pk],
        invites_exterieurs="Jean Dupont <jean.dupont@conseil.fr>\nAnne Lee <anne@lee.fr>",
        documents_a_retirer=[document.pk],
        **{"points-0-DELETE": "on", "points-1-titre": "Calendrier de déploiement"},
    )
    response = client_for(cast.owner).post(url("reunion_edit", future), data)
    assert response.status_code == 302
    future.refresh_from_db()
    assert future.lieu == "Mairie de Lille"
    users = {p.user for p in future.participants.filter(user__isnull=False)}
    assert users == {cast.copil, cast.owner}
    guests = set(future.participants.filter(user__isnull=True).values_list("email", flat=True))
    assert guests == {"jean.dupont@conseil.fr", "anne@lee.fr"}
    assert list(future.points.values_list("ordre", "titre")) == [(1, "Calendrier de déploiement")]
    assert not future.documents.exists()
    entry = HistoryEntry.objects.get(action="Modification d'une réunion")
    assert entry.changes["Lieu"] == ["Salle du conseil, Lille", "Mairie de Lille"]
    assert entry.changes["Invités retirés"] == str(cast.member)
    assert entry.changes["Documents retirés"] == "support-copil.pdf"
    assert entry.changes["Ordre du jour"] == "modifié"


def test_sequence_increments_on_edit_once_invitations_are_sent(cast, client_for, future):
    client = client_for(cast.owner)
    response = client.post(
        url("reunion_edit", future), edit_data(future, lieu="Mairie"), follow=True
    )
    assert messages_of(response) == ["La réunion est modifiée."]
    future.refresh_from_db()
    assert future.sequence == 0  # nobody has the event yet
    future.invitation_sent_at = timezone.now()
    future.save()
    response = client.post(url("reunion_edit", future), edit_data(future, heure_debut="14:30"))
    future.refresh_from_db()
    assert future.sequence == 1
    [message] = messages_of(client.get(response["Location"]))
    assert "renvoyez-les pour mettre à jour l'agenda des invités" in message
    client.post(url("reunion_edit", future), edit_data(future))  # nothing changed
    future.refresh_from_db()
    assert future.sequence == 1
    client.post(url("reunion_edit", future), edit_data(future, titre="COPIL n°3 (reporté)"))
    future.refresh_from_db()
    assert future.sequence == 2
    [event] = parse(client.get(url("reunion_ics", future)).content.decode())["VEVENT"]
    assert value_of(event, "SEQUENCE") == "2"
    assert value_of(event, "DTSTART") == "20260622T123000Z"


# ---------------------------------------------------------------------------------------------
# Invitations, download and calendar feed
# ---------------------------------------------------------------------------------------------


def _calendar_of(message):
    [part] = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    return part.get_payload(decode=True).decode("utf-8")


def test_invitations_are_mailed_to_every_invitee_with_the_ics(cast, client_for, future, mailoutbox):
    response = client_for(cast.owner).post(url("reunion_invite", future))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == [
        "copil@exemple.fr",
        "jean.dupont@conseil.fr",
        "referent@exemple.fr",
    ]
    for message in mailoutbox:
        assert len(message.to) == 1
        assert message.subject == "Invitation : COPIL n°3 — choix de l'éditeur — 22/06/2026"
        assert "lundi 22 juin 2026, de 14\u00a0h\u00a000 à 16\u00a0h\u00a000" in message.body
        assert "Visioconférence : https://visio.exemple.fr/copil-3" in message.body
        assert "1. Analyse des offres — présenté par AMOA (45 min)" in message.body
        parsed = parse(_calendar_of(message))
        assert value_of(parsed["VCALENDAR"], "METHOD") == "REQUEST"
        [event] = parsed["VEVENT"]
        assert value_of(event, "UID") == f"{future.uid}@grappe"
        assert value_of(event, "SEQUENCE") == "0"
        assert len(props(event, "ATTENDEE")) == 3
    guest_mail = next(m for m in mailoutbox if m.to == ["jean.dupont@conseil.fr"])
    assert guest_mail.body.startswith("Bonjour Jean Dupont,")
    assert url("reunion", future) not in guest_mail.body  # guests can't log in
    member_mail = next(m for m in mailoutbox if m.to == ["referent@exemple.fr"])
    assert f"/projet/grappes/{cast.grappe.pk}/reunions/{future.pk}/" in member_mail.body
    future.refresh_from_db()
    assert future.invitation_sent_at == timezone.now()
    assert HistoryEntry.objects.filter(action="Envoi des invitations").count() == 1


def test_resending_after_a_change_sends_the_update(cast, client_for, future, mailoutbox):
    client = client_for(cast.owner)
    client.post(url("reunion_invite", future))
    client.post(url("reunion_edit", future), edit_data(future, lieu="Mairie de Lille"))
    mailoutbox.clear()
    client.post(url("reunion_invite", future))
    assert len(mailoutbox) == 3
    message = mailoutbox[0]
    assert message.subject.startswith("Mise à jour : COPIL n°3")
    assert "a été modifiée" in message.body
    [event] = parse(_calendar_of(message))["VEVENT"]
    assert value_of(event, "SEQUENCE") == "1"
    assert unescape(value_of(event, "LOCATION")).startswith("Mairie de Lille")
    assert HistoryEntry.objects.filter(action="Envoi de la mise à jour des invitations").exists()


def test_no_invitation_for_a_past_meeting_or_without_invitees(cast, client_for, past, mailoutbox):
    client = client_for(cast.owner)
    response = client.post(url("reunion_invite", past), follow=True)
    assert messages_of(response) == [
        "La réunion est passée : les invitations ne sont plus envoyées."
    ]
    empty = ReunionFactory(grappe=cast.grappe, starts_at=at(25, 9))
    response = client.post(url("reunion_invite", empty), follow=True)
    assert "aucun invité" in messages_of(response)[0]
    assert mailoutbox == []


def test_ics_download(cast, client_for, future):
    response = client_for(cast.ars).get(url("reunion_ics", future))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="reunion-2026-06-22-{future.pk}.ics"'
    )
    parsed = parse(response.content.decode("utf-8"))
    assert value_of(parsed["VCALENDAR"], "METHOD") == "PUBLISH"
    [event] = parsed["VEVENT"]
    assert value_of(event, "DTSTART") == "20260622T120000Z"
    assert unescape(value_of(event, "SUMMARY")) == "COPIL n°3 — choix de l'éditeur"


def test_calendar_feed_by_token_and_reset(cast, client_for, past, future):
    old = ReunionFactory(
        grappe=cast.grappe, starts_at=at(5, 9, month=11).replace(year=2025), titre="Ancien"
    )
    invite(old, cast.member)
    not_invited = ReunionFactory(grappe=cast.grappe, starts_at=at(24, 9), titre="Sans elle")
    invite(not_invited, cast.copil)
    client = client_for(cast.member)
    page = client.get(reverse("projets:my_actions"))
    feed = CalendarFeed.objects.get(user=cast.member)
    address = reverse("projets:calendar_feed", args=[feed.token])
    assert page.context["feed_url"] == f"http://127.0.0.1:8000{address}"
    client.logout()  # calendar apps are not signed in
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = parse(response.content.decode("utf-8"))
    assert value_of(parsed["VCALENDAR"], "METHOD") == "PUBLISH"
    uids = [value_of(event, "UID") for event in parsed["VEVENT"]]
    assert uids == [f"{past.uid}@grappe", f"{future.uid}@grappe"]  # not older than 6 months
    assert client.get(reverse("projets:calendar_feed", args=["inconnu"])).status_code == 404
    client.force_login(cast.member)
    response = client.post(reverse("projets:calendar_feed_reset"), follow=True)
    assert "l'ancienne ne fonctionne plus" in messages_of(response)[0]
    feed.refresh_from_db()
    client.logout()
    assert client.get(address).status_code == 404
    assert client.get(reverse("projets:calendar_feed", args=[feed.token])).status_code == 200


def test_calendar_feed_of_an_inactive_person_is_gone(cast, client):
    feed = CalendarFeed.objects.create(user=cast.member)
    cast.member.is_active = False
    cast.member.save()
    assert client.get(reverse("projets:calendar_feed", args=[feed.token])).status_code == 404


# ---------------------------------------------------------------------------------------------
# The meeting page: attendance and quorum
# ---------------------------------------------------------------------------------------------


def test_attendance_is_refused_before_the_meeting(cast, client_for, future):
    participant = future.participants.get(user=cast.copil)
    data = {f"presence_{participant.pk}": Presence.PRESENT}
    with time_machine.travel(at(22, 13, 59), tick=False):
        client = client_for(cast.owner)  # sessions last 8 hours: sign in at the travelled time
        response = client.post(url("reunion_attendance", future), data, follow=True)
        assert messages_of(response) == [
            "La réunion n'a pas encore commencé, le 22/06/2026 à 14\u00a0h\u00a000 : présences, "
            "décisions et actions s'enregistrent pendant ou après la séance."
        ]
        participant.refresh_from_db()
        assert participant.presence == ""
    with time_machine.travel(at(22, 14, 5), tick=False):
        response = client_for(cast.owner).post(url("reunion_attendance", future), data)
        assert response.status_code == 302
        participant.refresh_from_db()
        assert participant.presence == Presence.PRESENT
    entry = HistoryEntry.objects.get(action="Présences d'une réunion")
    assert entry.changes == {str(cast.copil): "Présent"}


def test_saving_the_attendance_untouched_says_nothing_is_recorded(cast, client_for, past):
    """Every invitee starts « non renseignée »: a save without a change recorded nothing and
    must not read as a success."""
    client = client_for(cast.owner)
    response = client.post(url("reunion_attendance", past), {}, follow=True)
    (message,) = messages_of(response)
    names = ", ".join(str(p) for p in past.participants.all())
    assert message == (
        "Aucune présence n'est enregistrée : cochez Présent, Excusé ou Absent pour chaque "
        f"invité, puis enregistrez. Présence non renseignée pour 3 invités : {names}."
    )
    assert response.context["messages"]._loaded_messages[0].level_tag == "warning"
    assert not HistoryEntry.objects.filter(action="Présences d'une réunion").exists()
    # Some recorded: a success, and who is left.
    participant = past.participants.get(user=cast.copil)
    response = client.post(
        url("reunion_attendance", past),
        {f"presence_{participant.pk}": Presence.PRESENT},
        follow=True,
    )
    assert messages_of(response)[0].startswith("Les présences sont enregistrées.")
    assert messages_of(response)[1].startswith("Présence non renseignée pour 2 invités : ")
    # All recorded, then saved again untouched: nothing to say but that.
    data = {f"presence_{p.pk}": Presence.PRESENT for p in past.participants.all()}
    client.post(url("reunion_attendance", past), data, follow=True)
    response = client.post(url("reunion_attendance", past), data, follow=True)
    assert messages_of(response) == ["Aucune modification des présences."]


def test_attendance_is_said_in_the_feminine_for_a_woman(cast, client_for, past):
    cast.copil.civilite = Civilite.MADAME
    cast.copil.save()
    participant = past.participants.get(user=cast.copil)
    page = client_for(cast.owner).get(url("reunion", past))
    labels = [
        label
        for _, label in page.context["attendance_form"].fields[f"presence_{participant.pk}"].choices
    ]
    assert labels == ["Non renseignée", "Présente", "Excusée", "Absente"]
    guest = past.participants.get(user__isnull=True)
    assert [
        label for _, label in page.context["attendance_form"].fields[f"presence_{guest.pk}"].choices
    ] == ["Non renseignée", "Présent", "Excusé", "Absent"]
    client_for(cast.owner).post(
        url("reunion_attendance", past), {f"presence_{participant.pk}": Presence.EXCUSE}
    )
    assert HistoryEntry.objects.get(action="Présences d'une réunion").changes == {
        str(cast.copil): "Excusée"
    }
    page = flat(client_for(cast.ars).get(url("reunion", past)))
    assert "Excusée" in page


def test_quorum_is_shown_and_flagged_when_not_reached(cast, client_for, past):
    others = copil_voters(cast.grappe, 2)
    copil_member(cast.grappe, UserFactory(), role=RoleComite.INVITE)  # no vote
    invite(past, *others)
    client = client_for(cast.copil)
    page = flat(client.get(url("reunion", past)))
    assert "Quorum : 0 présent votant sur 3 (règle : tous les membres votants, 3 requis)" in page
    assert "présences pas encore saisies" in page
    data = {
        f"presence_{p.pk}": Presence.PRESENT
        if p.user in (cast.copil, others[0])
        else Presence.ABSENT
        for p in past.participants.all()
    }
    response = client_for(cast.owner).post(url("reunion_attendance", past), data, follow=True)
    assert "Quorum non atteint : 2 présents votants pour 3 requis." in messages_of(response)[0]
    response = client.get(url("reunion", past))
    page = flat(response)
    assert "Quorum : 2 présents votants sur 3 (règle : tous les membres votants, 3 requis)" in page
    assert "quorum non atteint" in page
    assert response.context["quorum"].not_reached
    Comite.objects.filter(grappe=cast.grappe, kind=TypeComite.COPIL).update(
        regle_validation=RegleValidation.QUORUM, quorum=2
    )
    page = flat(client.get(url("reunion", past)))
    assert "Quorum : 2 présents votants sur 3 (règle : quorum d'approbations, 2 requis)" in page
    assert "quorum non atteint" not in page and "quorum atteint" in page


def test_workshop_has_no_quorum(cast, client_for):
    atelier = ReunionFactory(grappe=cast.grappe, kind=TypeReunion.ATELIER, titre="Atelier")
    response = client_for(cast.owner).get(url("reunion", atelier))
    assert response.context["quorum"] is None
    assert "Quorum" not in flat(response)


# ---------------------------------------------------------------------------------------------
# Decisions: go / no go on the plan's milestones
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def gate(plan, ordre=3):
    """The go / no go milestone at the end of step 3 (phase 1)."""
    return plan.jalons.get(etape__ordre=ordre, go_no_go=True)


def test_go_in_a_copil_meeting_updates_the_milestone_and_opens_the_next_phase(
    cast, client_for, past, plan
):
    jalon = gate(plan)
    assert plan.open_phases() == {1}
    response = client_for(cast.owner).post(
        url("decision_add", past),
        {
            "texte": "Go pour la phase 2 : note de cadrage validée.",
            "jalon": jalon.pk,
            "jalon_decision": DecisionJalon.GO,
        },
        follow=True,
    )
    jalon.refresh_from_db()
    assert jalon.decision == DecisionJalon.GO
    assert jalon.decided_on == datetime.date(2026, 6, 10)
    assert jalon.reasons == "Go pour la phase 2 : note de cadrage validée."
    assert jalon.mode == ModeDecision.CONSENSUS
    assert jalon.recorded_by == cast.owner and jalon.recorded_at == timezone.now()
    assert plan.open_phases() == {1, 2}
    decision = Decision.objects.get(reunion=past)
    assert (decision.jalon, decision.jalon_decision) == (jalon, DecisionJalon.GO)
    [message] = messages_of(response)
    assert "La phase 2 est ouverte : ses étapes peuvent commencer." in message
    entry = HistoryEntry.objects.get(action="Décision du COPIL sur un jalon")
    assert entry.changes["Décision"] == (
        "Go le 10/06/2026 par consensus — motifs : Go pour la phase 2 : note de cadrage validée."
    )
    assert HistoryEntry.objects.filter(action="Décision prise en réunion").exists()
    assert "Go pour la phase 2" in flat(response)


def test_go_no_go_is_refused_outside_the_copil(cast, client_for, plan):
    suivi = ReunionFactory(grappe=cast.grappe, kind=TypeReunion.SUIVI, titre="Comité de suivi n°2")
    jalon = gate(plan)
    response = client_for(cast.owner).post(
        url("decision_add", suivi),
        {"texte": "Go.", "jalon": jalon.pk, "jalon_decision": DecisionJalon.GO},
    )
    assert response.status_code == 200
    assert response.context["decision_form"].errors["jalon"] == [
        "Seul le COPIL décide des go / no go."
    ]
    jalon.refresh_from_db()
    assert jalon.decision == ""
    assert not Decision.objects.exists()
    assert plan.open_phases() == {1}


def test_decision_votes_follow_the_plan_rules(cast, client_for, past, plan):
    copil_voters(cast.grappe, 2)  # 3 voting members with cast.copil
    client = client_for(cast.owner)
    data = {
        "texte": "No go : offres insuffisantes.",
        "jalon": gate(plan).pk,
        "jalon_decision": DecisionJalon.NO_GO,
        "votes_pour": "3",
        "votes_contre": "1",
        "votes_abstention": "0",
    }
    response = client.post(url("decision_add", past), data)
    assert response.context["decision_form"].errors["votes_pour"] == [
        "Le total des voix (4) dépasse le nombre de membres votants du COPIL (3)."
    ]
    response = client.post(
        url("decision_add", past), {**data, "votes_pour": "0", "votes_contre": "2"}
    )
    assert response.status_code == 302
    jalon = gate(plan)
    assert (jalon.decision, jalon.mode, jalon.votes_contre) == (
        DecisionJalon.NO_GO,
        ModeDecision.VOTE,
        2,
    )
    assert plan.open_phases() == {1}


def test_changing_a_recorded_decision_keeps_the_previous_one(cast, client_for, past, plan):
    client = client_for(cast.owner)
    address = url("decision_add", past)
    client.post(
        address,
        {
            "texte": "Ajourné : budget incomplet.",
            "jalon": gate(plan).pk,
            "jalon_decision": "ajourne",
        },
    )
    later = ReunionFactory(grappe=cast.grappe, starts_at=at(12, 9), titre="COPIL extraordinaire")
    client.post(
        url("decision_add", later),
        {"texte": "Budget complété : go.", "jalon": gate(plan).pk, "jalon_decision": "go"},
    )
    assert gate(plan).decision == DecisionJalon.GO
    assert plan.open_phases() == {1, 2}
    entry = HistoryEntry.objects.get(action="Modification d'une décision du COPIL sur un jalon")
    assert entry.changes["Décision précédente"] == (
        "Ajourné le 10/06/2026 par consensus — motifs : Ajourné : budget incomplet."
    )
    assert entry.changes["Motif de la modification"] == "Budget complété : go."


def test_plain_decision_and_refusals(cast, client_for, past, future):
    client = client_for(cast.owner)
    point = PointOrdreDuJour.objects.create(reunion=past, ordre=1, titre="Budget")
    response = client.post(
        url("decision_add", past), {"texte": "Budget adopté.", "point": point.pk}
    )
    assert response.status_code == 302
    assert Decision.objects.get().point == point
    response = client.post(url("decision_add", past), {"texte": " "})
    assert response.context["decision_form"].errors["texte"] == ["Écrivez la décision."]
    response = client.post(url("decision_add", future), {"texte": "Trop tôt."}, follow=True)
    assert "n'a pas encore commencé" in messages_of(response)[0]
    assert Decision.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Actions: created in a meeting, carried over until closed, "Mes actions"
# ---------------------------------------------------------------------------------------------


def test_action_add_assigns_a_person_of_the_grappe(cast, client_for, past):
    client = client_for(cast.owner)
    data = {
        "titre": "Rédiger le cahier des charges",
        "owner": cast.member.pk,
        "due_on": "2026-07-10",
    }
    response = client.post(url("action_add", past), data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.grappe, action.reunion, action.owner) == (cast.grappe, past, cast.member)
    assert action.statut == StatutAction.A_FAIRE
    assert HistoryEntry.objects.filter(action="Action décidée en réunion").exists()
    response = client.post(url("action_add", past), {**data, "owner": cast.stranger.pk})
    assert response.context["action_form"].errors["owner"] == [
        "Le responsable doit être une personne de la grappe."
    ]
    response = client.post(url("action_add", past), {**data, "due_on": ""})
    assert response.context["action_form"].errors["due_on"] == ["Indiquez l'échéance de l'action."]
    assert Action.objects.count() == 1
    page = flat(client_for(cast.member).get(reverse("projets:my_actions")))
    assert "Rédiger le cahier des charges" in page


def test_open_actions_carry_over_until_closed(cast, client_for, past, voter):
    first = ReunionFactory(grappe=cast.grappe, starts_at=at(1, 9), titre="COPIL n°1")
    action = ActionFactory(
        reunion=first,
        titre="Relancer l'éditeur",
        owner=voter,
        due_on=datetime.date(2026, 6, 12),
    )
    closed_before = ActionFactory(
        reunion=first,
        titre="Réserver la salle",
        owner=voter,
        statut=StatutAction.FAITE,
        closed_at=timezone.now(),
    )
    later = ReunionFactory(grappe=cast.grappe, starts_at=at(29, 9), titre="COPIL n°3")
    client = client_for(cast.member)
    for reunion in (past, later):
        response = client.get(url("reunion", reunion))
        assert [row["action"] for row in response.context["carried"]] == [action]
        assert "Relancer l'éditeur" in flat(response)
        assert closed_before.titre not in flat(response)
    # Not on the page of the meeting that decided it (it is listed there with its own actions).
    response = client.get(url("reunion", first))
    assert response.context["carried"] == []
    assert [row["action"] for row in response.context["actions"]] == [action, closed_before]
    # Its owner closes it: it no longer carries over.
    response = client_for(voter).post(
        reverse("projets:action_update", args=[cast.grappe.pk, action.pk]),
        {"statut": StatutAction.FAITE, "next": reverse("projets:my_actions")},
    )
    assert response["Location"] == reverse("projets:my_actions")
    action.refresh_from_db()
    assert action.statut == StatutAction.FAITE and action.closed_at == timezone.now()
    assert client.get(url("reunion", later)).context["carried"] == []
    # Reopened by an editor: closed_at is cleared and it carries over again.
    client_for(cast.owner).post(
        reverse("projets:action_update", args=[cast.grappe.pk, action.pk]),
        {"statut": StatutAction.EN_COURS},
    )
    action.refresh_from_db()
    assert action.closed_at is None
    assert [row["action"] for row in client.get(url("reunion", later)).context["carried"]] == [
        action
    ]
    entry = HistoryEntry.objects.filter(action="Mise à jour d'une action").first()
    assert entry.changes == {"Statut": ["Faite", "En cours"]}


def test_action_update_is_for_its_owner_or_an_editor(cast, client_for, action):
    address = reverse("projets:action_update", args=[cast.grappe.pk, action.pk])
    assert client_for(cast.member).post(address, {"statut": "faite"}).status_code == 403
    response = client_for(action.owner).post(address, {"statut": "inconnu"}, follow=True)
    assert messages_of(response) == ["Statut inconnu."]
    response = client_for(action.owner).post(
        address, {"statut": "en_cours", "next": "https://ailleurs.exemple.com/"}
    )
    assert response["Location"] == url("reunion", action.reunion) + "#actions"
    action.refresh_from_db()
    assert action.statut == StatutAction.EN_COURS


def test_my_actions_lists_overdue_first_then_recently_closed(cast, client_for, past, frozen_now):
    member = cast.member

    def make(titre, due_on, **kwargs):
        return ActionFactory(reunion=past, titre=titre, owner=member, due_on=due_on, **kwargs)

    later = make("Plus tard", datetime.date(2026, 7, 1))
    overdue_old = make("En retard depuis longtemps", datetime.date(2026, 6, 1))
    overdue = make("En retard", datetime.date(2026, 6, 12), statut=StatutAction.EN_COURS)
    today = make("Pour aujourd'hui", datetime.date(2026, 6, 15))
    recent = make(
        "Close récemment",
        datetime.date(2026, 6, 5),
        statut=StatutAction.FAITE,
        closed_at=timezone.now() - datetime.timedelta(days=5),
    )
    make(
        "Close il y a longtemps",
        datetime.date(2026, 4, 5),
        statut=StatutAction.ABANDONNEE,
        closed_at=timezone.now() - datetime.timedelta(days=40),
    )
    ActionFactory(
        reunion=past,
        titre="Pas à moi",
        owner=cast.owner,
        due_on=datetime.date(2026, 6, 1),
    )
    response = client_for(member).get(reverse("projets:my_actions"))
    rows = response.context["open_rows"]
    assert [row["action"] for row in rows] == [overdue_old, overdue, today, later]
    assert [row["overdue"] for row in rows] == [True, True, False, False]
    assert [row["action"] for row in response.context["closed_rows"]] == [recent]
    page = flat(response)
    assert "2 actions en retard" in page
    assert page.count("en retard") >= 2
    assert "Pas à moi" not in page and "Close il y a longtemps" not in page
    assert page.index("En retard depuis longtemps") < page.index("Plus tard")


def test_my_actions_only_on_visible_grappes(cast, client_for):
    foreign = ReunionFactory(grappe=cast.other_grappe)
    ActionFactory(
        reunion=foreign,
        titre="Ailleurs",
        owner=cast.member,
        due_on=datetime.date(2026, 6, 20),
    )
    response = client_for(cast.member).get(reverse("projets:my_actions"))
    assert response.context["open_rows"] == []


# ---------------------------------------------------------------------------------------------
# The meeting page
# ---------------------------------------------------------------------------------------------


def test_detail_shows_everything_about_the_meeting(cast, client_for, past, document, plan):
    etape = plan.etapes.get(ordre=3)
    PointOrdreDuJour.objects.create(
        reunion=past, ordre=1, titre="Note de cadrage", presenter="AMOA", etape=etape
    )
    past.participants.filter(user=cast.copil).update(presence=Presence.EXCUSE)
    Decision.objects.create(reunion=past, texte="Budget adopté.")
    response = client_for(cast.ars).get(url("reunion", past))
    page = flat(response)
    for expected in (
        "COPIL n°2",
        "mercredi 10 juin 2026, de 14 h 00 à 16 h 00",
        "Salle du conseil, Lille",
        "Jean Dupont (invité extérieur, jean.dupont@conseil.fr)",
        "Excusé",
        "Note de cadrage (présenté par AMOA)",
        f"Étape : 3. {etape.titre}",
        "support-copil.pdf",
        "Budget adopté.",
        "Actions en cours reportées",
    ):
        assert expected in page, expected
    # Readers get no forms.
    assert "decision_form" not in response.context
    assert "Enregistrer les présences" not in page


def test_detail_query_count_is_bounded(cast, client_for, past, plan, django_assert_max_num_queries):
    voters = copil_voters(cast.grappe, 6)
    invite(past, *voters)
    for index in range(8):
        PointOrdreDuJour.objects.create(
            reunion=past,
            ordre=index + 1,
            titre=f"Point {index}",
            etape=plan.etapes.first(),
            livrable=plan.livrables.first(),
        )
        Decision.objects.create(reunion=past, texte=f"Décision {index}", jalon=gate(plan))
        ActionFactory(
            reunion=past,
            titre=f"Action {index}",
            owner=voters[index % 6],
            due_on=datetime.date(2026, 6, 20),
        )
        earlier = ReunionFactory(
            grappe=cast.grappe, starts_at=at(1, 8 + index), titre=f"Avant {index}"
        )
        ActionFactory(
            reunion=earlier,
            titre=f"Reportée {index}",
            owner=voters[0],
            due_on=datetime.date(2026, 6, 1),
        )
    RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA)
    for user in (cast.owner, cast.copil):
        client = client_for(user)
        with django_assert_max_num_queries(25):
            response = client.get(url("reunion", past))
        assert len(response.context["carried"]) == 8


def test_selection_meetings_are_hidden_from_the_grappes_amoa_consultants(cast, client_for):
    selection = ReunionFactory(
        grappe=cast.grappe, kind=TypeReunion.SELECTION, titre="Choix de l'AMOA"
    )
    copil = ReunionFactory(grappe=cast.grappe, titre="COPIL n°4")
    CompteRenduFactory(reunion=selection, statut=StatutCompteRendu.DIFFUSE, redige_par=cast.owner)
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    client = client_for(consultant)
    listed = client.get(reverse("projets:reunions", args=[cast.grappe.pk])).context
    assert [row["reunion"] for row in listed["upcoming"] + listed["past"]] == [copil]
    assert client.get(url("reunion", selection)).status_code == 404
    assert client.get(url("reunion", copil)).status_code == 200
    library = client.get(reverse("projets:bibliotheque", args=[cast.grappe.pk]))
    assert library.context["rows"] == []
    # The chef de projet sees both.
    assert client_for(cast.owner).get(url("reunion", selection)).status_code == 200


def test_meeting_form_does_not_show_the_comite_de_selection_to_amoa_consultants(cast, client_for):
    juror = UserFactory(first_name="Yvonne", last_name="Jurée")
    ComiteMember.objects.create(
        comite=Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SELECTION),
        user=juror,
        role=RoleComite.MEMBRE,
    )
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    client = client_for(consultant)
    create = reverse("projets:reunion_create", args=[cast.grappe.pk])
    # Neither the kind, nor the jurors' seats, nor a juror sitting nowhere else.
    page = text(client.get(create + "?instance=selection"))
    assert "Comité de sélection" not in page
    assert "Jurée" not in page
    form = client.get(create).context["form"]
    assert TypeReunion.SELECTION not in dict(form.fields["kind"].choices)
    assert juror not in form.fields["invites"].queryset
    response = client.post(create, form_data(cast, kind=TypeReunion.SELECTION))
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Reunion.objects.filter(kind=TypeReunion.SELECTION).exists()
    # The chef de projet organises the committee's meetings with its members pre-ticked.
    owner_form = client_for(cast.owner).get(create + "?instance=selection").context["form"]
    assert owner_form.initial["kind"] == TypeReunion.SELECTION
    assert owner_form.initial["invites"] == [juror.pk]


def test_action_owners_leave_out_the_comite_de_selection_for_amoa_consultants(
    cast, client_for, past
):
    juror = UserFactory(first_name="Yvonne", last_name="Jurée")
    ComiteMember.objects.create(
        comite=Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SELECTION),
        user=juror,
        role=RoleComite.MEMBRE,
    )
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    form = client_for(consultant).get(url("reunion", past)).context["action_form"]
    assert juror.pk not in dict(form.fields["owner"].choices)
    # Posted anyway, the juror is refused as an owner.
    response = client_for(consultant).post(
        url("action_add", past),
        {"titre": "Relancer l'éditeur", "owner": juror.pk, "due_on": "2026-07-15"},
    )
    assert "owner" in response.context["action_form"].errors
    form = client_for(cast.owner).get(url("reunion", past)).context["action_form"]
    assert juror.pk in dict(form.fields["owner"].choices)
