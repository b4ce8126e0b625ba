"""The comité de sélection's work stays confidential to the grappe's AMOA consultant (a possible
candidate to the AMOA call, grappe.perms.is_amoa_only): not only its meetings (404) but
everything born in them — their actions carried over to later meetings, "Mes actions", the
status update, the calendar feed, documents and minutes, e-mails and reminders, the grappe's
history (projets.perms, Reunion/Action/CompteRendu.objects.visible_to). The chef de projet
still sees all of it."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.urls import reverse

from grappe.enums import RoleKind
from grappe.models import HistoryEntry
from projets import comptes_rendus as workflow
from projets import perms
from projets.enums import AvisCompteRendu, StatutAction, StatutCompteRendu, TypeReunion
from projets.models import Action, CalendarFeed, CompteRendu, Reunion, ReunionDocument
from projets.reminders_comptes_rendus import send_minutes_reminders
from projets.validation import copil_voters
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member
from tests.helpers import consume, text
from tests.projets.factories import ActionFactory, ReunionFactory
from tests.projets.helpers_comptes_rendus import draft
from tests.projets.test_views_reunions import (
    at,
    edit_data,
    form_data,
    invite,
    url,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SECRET = "Vérifier les références du cabinet Alpha"
OWNERS_SECRET = "Demander un devis complémentaire à Beta"
SHARED = "Mettre à jour le planning de déploiement"


@pytest.fixture(autouse=True)
def frozen_now():
    """Monday 15 June 2026, 10:00 in Paris."""
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


class World:
    """A comité de sélection held on 3 June with two actions (one the consultant's), a comité de
    suivi on 1 June with an action of the consultant's, and the COPIL of 10 June that carries
    them over; the consultant is invited to the selection meeting and the COPIL."""

    def __init__(self, cast):
        grappe = cast.grappe
        self.consultant = RoleFactory(
            grappe=grappe,
            kind=RoleKind.AMOA,
            user=UserFactory(email="amoa@exemple.fr", first_name="Alex", last_name="Conseil"),
        ).user
        self.selection = ReunionFactory(
            grappe=grappe,
            kind=TypeReunion.SELECTION,
            starts_at=at(3, 14),
            titre="Audition des candidats AMOA",
            created_by=cast.owner,
        )
        self.suivi = ReunionFactory(
            grappe=grappe, kind=TypeReunion.SUIVI, starts_at=at(1, 10), titre="Suivi"
        )
        self.copil = ReunionFactory(grappe=grappe, starts_at=at(10, 14), titre="COPIL n°2")
        invite(self.selection, cast.owner, self.consultant)
        invite(self.copil, cast.owner, self.consultant)
        self.secret = self.action(self.selection, SECRET, self.consultant)
        self.owners_secret = self.action(self.selection, OWNERS_SECRET, cast.owner)
        self.shared = self.action(self.suivi, SHARED, self.consultant)

    @staticmethod
    def action(reunion, titre, owner):
        return ActionFactory(
            reunion=reunion,
            titre=titre,
            owner=owner,
            due_on=datetime.date(2026, 6, 30),
        )


@pytest.fixture
def world(cast):
    return World(cast)


def action_url(action):
    return reverse("projets:action_update", args=[action.grappe_id, action.pk])


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------


def test_history_confidentiality_agrees_with_what_is_hidden(cast, world):
    """perms.is_confidential (not user-dependent) names exactly the kinds hidden from the
    consultant: a history entry is confidential if and only if its meeting is hidden."""
    confidential = {kind for kind in TypeReunion if perms.is_confidential(Reunion(kind=kind))}
    assert set(perms.hidden_reunion_kinds(world.consultant, cast.grappe)) == confidential
    assert perms.hidden_reunion_kinds(cast.owner, cast.grappe) == []


def test_the_rule_for_lists_across_grappes_agrees_with_hidden_reunion_kinds(cast, world):
    """perms.hidden_reunions — one SQL condition, for the lists that span the user's grappes and
    the header's count — hides exactly what hidden_reunion_kinds hides on each grappe."""
    other = GrappeFactory(name="Grappe du Hainaut")
    RoleFactory(grappe=other, kind=RoleKind.CHEF_PROJET, user=world.consultant)
    ReunionFactory(grappe=other, kind=TypeReunion.SELECTION, titre="Sélection du Hainaut")
    both = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    RoleFactory(grappe=cast.grappe, kind=RoleKind.REFERENT_METIER, user=both)
    reunions = list(Reunion.objects.select_related("grappe"))
    for user in (world.consultant, both, cast.owner, cast.copil, cast.admin):
        expected = {r.pk for r in reunions if r.kind in perms.hidden_reunion_kinds(user, r.grappe)}
        shown = set(Reunion.objects.visible_to(user).values_list("pk", flat=True))
        assert {r.pk for r in reunions} - shown == expected, user
    assert perms.hidden_reunions(cast.admin) is None
    # The consultant sees the selection meeting of the grappe they lead, not the other one.
    visible = set(Reunion.objects.visible_to(world.consultant).values_list("titre", flat=True))
    assert "Sélection du Hainaut" in visible and world.selection.titre not in visible


def test_single_object_checks(cast, world):
    assert not perms.can_view_action(world.consultant, world.secret)
    assert not perms.can_update_action(world.consultant, world.secret)
    assert perms.can_update_action(world.consultant, world.shared)
    assert perms.can_update_action(cast.owner, world.secret)
    assert perms.can_view_reunion(cast.member, world.selection)
    assert not perms.can_update_action(cast.member, world.secret)  # not theirs, not an editor


# ---------------------------------------------------------------------------------------------
# Actions: carried over, status, Mes actions, owners
# ---------------------------------------------------------------------------------------------


def test_carried_over_actions_leave_out_the_selection_meetings_for_the_consultant(
    cast, client_for, world
):
    response = client_for(world.consultant).get(url("reunion", world.copil))
    assert [row["action"] for row in response.context["carried"]] == [world.shared]
    page = text(response)
    assert SECRET not in page and OWNERS_SECRET not in page
    assert "Audition des candidats" not in page
    carried = client_for(cast.owner).get(url("reunion", world.copil)).context["carried"]
    assert {row["action"] for row in carried} == {world.secret, world.owners_secret, world.shared}


def test_the_consultant_cannot_change_a_selection_actions_status(cast, client_for, world):
    client = client_for(world.consultant)
    done = {"statut": StatutAction.FAITE}
    assert client.post(action_url(world.secret), done).status_code == 404
    assert client.post(action_url(world.owners_secret), done).status_code == 404
    world.secret.refresh_from_db()
    assert world.secret.statut == StatutAction.A_FAIRE
    assert not HistoryEntry.objects.filter(action="Mise à jour d'une action").exists()
    # Their action of the comité de suivi, as before.
    assert client.post(action_url(world.shared), done).status_code == 302
    # The chef de projet closes the comité de sélection's.
    assert client_for(cast.owner).post(action_url(world.secret), done).status_code == 302
    world.secret.refresh_from_db()
    assert world.secret.statut == StatutAction.FAITE


def test_mes_actions_leaves_out_the_selection_meetings_actions(cast, client_for, world):
    # On another grappe the consultant is chef de projet: its comité de sélection is theirs.
    other = GrappeFactory(name="Grappe du Hainaut")
    RoleFactory(grappe=other, kind=RoleKind.CHEF_PROJET, user=world.consultant)
    elsewhere = ReunionFactory(
        grappe=other, kind=TypeReunion.SELECTION, titre="Sélection du Hainaut"
    )
    theirs = World.action(elsewhere, "Noter les offres du Hainaut", world.consultant)
    address = reverse("projets:my_actions")
    response = client_for(world.consultant).get(address)
    assert [row["action"] for row in response.context["open_rows"]] == [world.shared, theirs]
    assert SECRET not in text(response)
    # Closed ones too.
    Action.objects.filter(pk=world.secret.pk).update(statut=StatutAction.FAITE, closed_at=at(12, 9))
    assert client_for(world.consultant).get(address).context["closed_rows"] == []
    mine = client_for(cast.owner).get(address).context["open_rows"]
    assert [row["action"] for row in mine] == [world.owners_secret]


def owner_choices(client, reunion):
    form = client.get(url("reunion", reunion)).context["action_form"]
    return dict(form.fields["owner"].choices)


def test_a_selection_meetings_action_is_not_given_to_the_consultant(cast, client_for, world):
    client = client_for(cast.owner)
    owners = owner_choices(client, world.selection)
    assert world.consultant.pk not in owners and cast.owner.pk in owners
    response = client.post(
        url("action_add", world.selection),
        {"titre": "Relire les offres", "owner": world.consultant.pk, "due_on": "2026-07-15"},
    )
    assert "owner" in response.context["action_form"].errors
    # Of any other meeting, as before.
    assert world.consultant.pk in owner_choices(client, world.copil)


# ---------------------------------------------------------------------------------------------
# Calendar, documents, minutes
# ---------------------------------------------------------------------------------------------


def feed_of(client, user):
    feed = CalendarFeed.objects.create(user=user)
    return client.get(reverse("projets:calendar_feed", args=[feed.token])).content.decode()


def test_the_calendar_feed_leaves_out_the_selection_meetings(cast, client, world):
    consultant = feed_of(client, world.consultant)
    assert "COPIL n°2" in consultant
    assert "Audition des candidats" not in consultant
    assert "Audition des candidats" in feed_of(client, cast.owner)


def test_documents_and_minutes_of_a_selection_meeting_are_404(cast, client_for, world):
    document = ReunionDocument(
        reunion=world.selection,
        original_name="grille.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    document.file.save("grille.pdf", ContentFile(PDF), save=False)
    document.save()
    cr = draft(world.selection, cast.owner, statut=StatutCompteRendu.DIFFUSE)
    addresses = [
        url("reunion_document", world.selection, document.pk),
        url("compte_rendu", world.selection, cr.pk),
        url("compte_rendu_pdf", world.selection, cr.pk),
        url("reunion_ics", world.selection),
    ]
    client = client_for(world.consultant)
    for address in addresses:
        assert client.get(address).status_code == 404, address
    response = client_for(cast.owner).get(addresses[0])
    assert response.status_code == 200 and consume(response) == PDF


# ---------------------------------------------------------------------------------------------
# E-mails and reminders
# ---------------------------------------------------------------------------------------------


def test_invitations_to_a_selection_meeting_leave_out_the_consultant(
    cast, client_for, world, mailoutbox
):
    future = ReunionFactory(
        grappe=cast.grappe,
        kind=TypeReunion.SELECTION,
        starts_at=at(22, 14),
        titre="Choix de l'AMOA",
    )
    invite(future, cast.copil, world.consultant)
    response = client_for(cast.owner).post(url("reunion_invite", future), follow=True)
    assert [message.to for message in mailoutbox] == [[cast.copil.email]]
    notes = [str(message) for message in response.context["messages"]]
    assert any("Non invité : Alex Conseil" in note for note in notes)


def diffuse(reunion, chef):
    cr = workflow.create_draft(reunion, chef)
    workflow.save_draft(cr, chef, "Synthèse.", {})
    workflow.submit(cr, chef)
    for voter in copil_voters(reunion.grappe):
        workflow.record_avis(cr, voter, AvisCompteRendu.APPROUVE)
    return CompteRendu.objects.get(pk=cr.pk)


def test_selection_minutes_are_not_mailed_to_the_consultant(
    cast, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert diffuse(world.selection, cast.owner).statut == StatutCompteRendu.DIFFUSE
    diffused = {m.to[0] for m in mailoutbox if m.subject.startswith("Compte rendu validé")}
    assert cast.owner.email in diffused and cast.member.email in diffused
    assert world.consultant.email not in diffused
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        diffuse(world.copil, cast.owner)
    assert world.consultant.email in {m.to[0] for m in mailoutbox}


def test_a_consultant_on_the_copil_is_not_asked_for_the_selection_minutes(
    cast, client_for, world, mailoutbox, frozen_now, django_capture_on_commit_callbacks
):
    copil_member(cast.grappe, world.consultant)
    cr = workflow.create_draft(world.selection, cast.owner)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(cr, cast.owner)
    asked = {m.to[0] for m in mailoutbox}
    assert cast.copil.email in asked and world.consultant.email not in asked
    assert client_for(world.consultant).get(reverse("projets:inbox")).context["rows"] == []
    assert len(client_for(cast.copil).get(reverse("projets:inbox")).context["rows"]) == 1
    mailoutbox.clear()
    frozen_now.move_to("2026-06-25 07:00 +0200")
    send_minutes_reminders(datetime.date(2026, 6, 25))
    reminded = {m.to[0] for m in mailoutbox}
    assert cast.copil.email in reminded and world.consultant.email not in reminded


# ---------------------------------------------------------------------------------------------
# The grappe's history
# ---------------------------------------------------------------------------------------------


def test_history_entries_about_selection_meetings_are_confidential(cast, client_for, world):
    owner = client_for(cast.owner)

    def post(address, data=None):
        assert owner.post(address, data or {}).status_code == 302, address

    create = reverse("projets:reunion_create", args=[cast.grappe.pk])
    post(create, form_data(cast, kind=TypeReunion.SELECTION, titre="Comité de sélection n°2"))
    post(url("decision_add", world.selection), {"texte": "Le cabinet Alpha est auditionné."})
    added = {"titre": "Appeler le cabinet Beta", "owner": cast.owner.pk, "due_on": "2026-07-01"}
    post(url("action_add", world.selection), added)
    post(action_url(world.secret), {"statut": "en_cours"})
    post(url("compte_rendu_create", world.selection))
    # The control: the COPIL's action stays in everybody's history.
    post(url("action_add", world.copil), {**added, "titre": "Relancer"})
    entries = {(e.action, e.target): e.confidentiel for e in HistoryEntry.objects.all()}
    assert entries == {
        ("Création d'une réunion", "Comité de sélection n°2 (29/06/2026)"): True,
        ("Décision prise en réunion", "Audition des candidats AMOA (03/06/2026)"): True,
        ("Action décidée en réunion", "Appeler le cabinet Beta"): True,
        ("Mise à jour d'une action", SECRET): True,
        (
            "Rédaction du compte rendu commencée",
            "Compte rendu — Audition des candidats AMOA (03/06/2026) (v1)",
        ): True,
        ("Action décidée en réunion", "Relancer"): False,
    }
    history = reverse("grappe:history", args=[cast.grappe.pk])
    page = text(client_for(world.consultant).get(history))
    assert "Relancer" in page
    for secret in ("sélection", "Audition", "Alpha", "Beta", SECRET):
        assert secret not in page, secret
    assert "Appeler le cabinet Beta" in text(client_for(cast.owner).get(history))


def test_a_meeting_leaving_the_comite_de_selection_keeps_the_change_confidential(
    cast, client_for, world
):
    response = client_for(cast.owner).post(
        url("reunion_edit", world.selection), edit_data(world.selection, kind=TypeReunion.COPIL)
    )
    assert response.status_code == 302
    entry = HistoryEntry.objects.get(action="Modification d'une réunion")
    assert entry.changes["Instance"] == ["Comité de sélection", "Comité de pilotage (COPIL)"]
    assert entry.confidentiel


def test_migration_marks_the_earlier_entries_about_selection_meetings(cast, world):
    module = importlib.import_module(
        "projets.migrations.0006_history_reunion_selection_confidentiel"
    )
    grappe, owner = cast.grappe, cast.owner

    def entry(action, target, changes=None):
        return HistoryEntry.record(grappe, owner, action, target, changes)

    label = "Audition des candidats AMOA (03/06/2026)"
    former = "Audition (02/06/2026)"  # its title and date before a change
    marked = [
        entry("Création d'une réunion", former, {"Instance": module.SELECTION_LABEL}),
        entry("Présences d'une réunion", former),
        entry(
            "Modification d'une réunion",
            label,
            {
                "Titre": ["Audition", "Audition des candidats AMOA"],
                "Date": ["2026-06-02", "2026-06-03"],
            },
        ),
        entry("Envoi des invitations", label),
        entry("Décision prise en réunion", label, {"Décision": "Alpha retenu."}),
        entry("Action décidée en réunion", SECRET, {"Réunion": label}),
        entry("Mise à jour d'une action", OWNERS_SECRET, {"Statut": ["À faire", "Faite"]}),
        entry("Compte rendu diffusé", f"Compte rendu — {label} (v2)"),
        entry(
            "Création d'une réunion", "Supprimée (01/05/2026)", {"Instance": module.SELECTION_LABEL}
        ),
    ]
    kept = [
        entry(
            "Création d'une réunion",
            "COPIL n°2 (10/06/2026)",
            {"Instance": "Comité de pilotage (COPIL)"},
        ),
        entry("Mise à jour d'une action", SHARED),
        entry("Compte rendu diffusé", "Compte rendu — COPIL n°2 (10/06/2026) (v1)"),
        entry("Modification de la grappe", label),
    ]
    module.mark(django_apps, None)
    for row in marked:
        row.refresh_from_db()
        assert row.confidentiel, row.action
    for row in kept:
        row.refresh_from_db()
        assert not row.confidentiel, row.action
    assert TypeReunion.SELECTION.label == module.SELECTION_LABEL
    assert TypeReunion.SELECTION == module.SELECTION


def test_the_consultant_cannot_be_invited_to_a_selection_meeting(cast, client_for, world):
    """Refused in the form, with the reason, rather than silently left out of the invitations."""
    create = reverse("projets:reunion_create", args=[cast.grappe.pk])
    invited = [cast.copil.pk, world.consultant.pk]
    data = form_data(cast, kind=TypeReunion.SELECTION, titre="Choix de l'AMOA", invites=invited)
    count = Reunion.objects.count()
    response = client_for(cast.owner).post(create, data)
    assert response.status_code == 200
    error = response.context["form"].errors["invites"][0]
    assert "Invitation impossible pour Alex Conseil" in error
    assert Reunion.objects.count() == count
    response = client_for(cast.owner).post(create, form_data(cast, invites=invited))
    assert response.status_code == 302  # a COPIL meeting: the consultant is welcome
