"""Governance meetings of a grappe (COPIL, comité de suivi opérationnel, comité de sélection,
thematic workshops): the list, creating and editing a meeting (invitees, guests, agenda,
documents), invitations by e-mail with an iCalendar attachment, attendance and quorum, decisions
(a COPIL's go / no go updates the plan's milestone exactly as the plan page does), follow-up
actions that carry over from meeting to meeting until closed, "Mes actions" and the personal
calendar feed.

Permissions: whoever sees the grappe reads its meetings (404 otherwise, files included); its
editors (projets.perms.can_edit_plan) change them (403 otherwise); an action's owner may change
its status. The calendar feed is reached by its secret token only (calendar apps can't log in).
A meeting hidden from the user (the comité de sélection's, for the grappe's AMOA consultant) is
a 404 with everything born in it: its actions are left out of every list (carried over, Mes
actions), the calendar feed, and the invitations; what the history says about them is
confidential (projets.perms, Reunion/Action.objects.visible_to).
The minutes (comptes rendus) have their own views (projets/views/comptes_rendus.py)."""

import datetime
from dataclasses import dataclass
from email.mime.text import MIMEText

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.history import form_changes
from core.mail import absolute_url, send_templated_mail
from core.text import agree, plural, time_fr
from core.uploads import delete_on_commit, file_response
from grappe import perms as grappe_perms
from grappe.enums import TypeComite
from grappe.models import Grappe
from grappe.shortcuts import get_grappe_for
from projets import ics, perms
from projets.enums import (
    COMPTE_RENDU_BADGES,
    DecisionJalon,
    Presence,
    StatutAction,
    StatutCompteRendu,
    TypeReunion,
)
from projets.forms.reunions import (
    ActionForm,
    ActionStatusForm,
    AttendanceForm,
    DecisionForm,
    ReunionForm,
    people_of,
    person_label,
    point_formset,
)
from projets.models import (
    Action,
    CalendarFeed,
    CompteRendu,
    Decision,
    Plan,
    Reunion,
    ReunionDocument,
    new_calendar_token,
)
from projets.services import record_jalon_decision, record_meeting_history

FEED_HISTORY = datetime.timedelta(days=183)  # the calendar feed: 6 months back, and the future
CLOSED_SHOWN = datetime.timedelta(days=30)  # "Mes actions": actions closed in the last 30 days
CLOSED = (StatutAction.FAITE, StatutAction.ABANDONNEE)
DUE_ORDER = F("due_on").asc(nulls_last=True)

ACTION_BADGES = {
    StatutAction.A_FAIRE: "text-bg-secondary",
    StatutAction.EN_COURS: "text-bg-primary",
    StatutAction.FAITE: "text-bg-success",
    StatutAction.ABANDONNEE: "text-bg-light border",
}
PRESENCE_BADGES = {
    Presence.PRESENT: "text-bg-success",
    Presence.EXCUSE: "text-bg-warning",
    Presence.ABSENT: "text-bg-danger",
}
DECISION_BADGES = {
    DecisionJalon.GO: "text-bg-success",
    DecisionJalon.NO_GO: "text-bg-danger",
    DecisionJalon.AJOURNE: "text-bg-warning",
}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _editor(request, grappe):
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet, l'AMOA et l'administrateur organisent les réunions."
        )


def reunion_for(user, grappe, reunion_id):
    """The meeting if it belongs to the grappe and the user may see it; 404 otherwise."""
    reunion = get_object_or_404(
        Reunion.objects.visible_to(user, grappe).select_related("comite", "created_by"),
        pk=reunion_id,
        grappe=grappe,
    )
    reunion.grappe = grappe  # already loaded (with its porteur): no query for the deadline
    return reunion


def _reunion_url(reunion, anchor=""):
    url = reverse("projets:reunion", args=[reunion.grappe_id, reunion.pk])
    return f"{url}#{anchor}" if anchor else url


def _started(reunion):
    return reunion.starts_at <= timezone.now()


def _not_started_message(reunion):
    start = timezone.localtime(reunion.starts_at)
    return (
        f"La réunion n'a pas encore commencé, le {start:%d/%m/%Y} à {time_fr(start)} : "
        "présences, décisions et actions s'enregistrent pendant ou après la séance."
    )


def _plan(grappe):
    return Plan.objects.filter(grappe=grappe).first()


def action_owners(request, grappe, reunion):
    """Who may be given an action of the meeting: the grappe's people the user may see, less
    those the meeting is hidden from (they could never see nor close the action). Only a
    confidential meeting hides from anyone: the others skip the check, one query per person."""
    people = list(
        people_of(grappe, hidden_comites=grappe_perms.hidden_comite_kinds(request.user, grappe))
    )
    return perms.readers_among(people, reunion) if perms.is_confidential(reunion) else people


def action_row(action, user, can_edit, today):
    return {
        "action": action,
        "badge": ACTION_BADGES[action.statut],
        "open": action.statut not in CLOSED,
        "overdue": action.statut not in CLOSED
        and action.due_on is not None
        and action.due_on < today,
        "can_update": can_edit or (user.is_authenticated and action.owner_id == user.pk),
    }


def minutes_status(reunion, latest, today, can_edit):
    """How the meeting's minutes stand, for the list and the meeting page: "à rédiger" or the
    latest version's status (`latest`: its pk, statut, numero, first_submitted_at, or None),
    with the 8-working-day deadline while the first version has not reached the COPIL."""
    grappe_id = reunion.grappe_id
    deadline = reunion.minutes_deadline()
    if latest is None:
        return {
            "label": "À rédiger",
            "exists": False,
            "deadline": deadline,
            "late": today > deadline,
            "badge": "text-bg-light border",
            "url": reverse("projets:compte_rendu_create", args=[grappe_id, reunion.pk])
            if can_edit and reunion.starts_at <= timezone.now()
            else "",
        }
    chased = latest["numero"] == 1 and latest["first_submitted_at"] is None
    return {
        "label": StatutCompteRendu(latest["statut"]).label,
        "exists": True,
        "deadline": deadline if chased else None,
        "late": chased and today > deadline,
        "badge": COMPTE_RENDU_BADGES[latest["statut"]],
        "url": reverse("projets:compte_rendu", args=[grappe_id, reunion.pk, latest["pk"]]),
    }


LATEST_FIELDS = ("pk", "statut", "numero", "first_submitted_at")


@dataclass
class Quorum:
    present: int
    voters: int
    required: int
    rule: str
    recorded: bool
    voting: frozenset = frozenset()

    @property
    def reached(self):
        return self.present >= self.required

    @property
    def not_reached(self):
        return self.recorded and not self.reached


def quorum_for(reunion, participants):
    """The quorum of a comité's meeting: voting members present (from the attendance) against
    the comité's rule (approvals_required); None for a workshop."""
    comite = reunion.comite
    if comite is None:
        return None
    voting = set(comite.voting_members().values_list("user_id", flat=True))
    required = comite.approvals_required()
    present = sum(
        1
        for participant in participants
        if participant.user_id in voting and participant.presence == Presence.PRESENT
    )
    return Quorum(
        present=present,
        voters=len(voting),
        required=required,
        rule=f"{comite.get_regle_validation_display().lower()}, {required} requis",
        recorded=any(participant.presence for participant in participants),
        voting=frozenset(voting),
    )


@dataclass
class Guest:
    """An outside invitee, shaped like a user for core.mail.send_templated_mail."""

    name: str
    email: str
    is_active: bool = True
    is_guest: bool = True

    def get_full_name(self):
        return self.name

    def __str__(self):
        return self.name


def ics_attachment(content, method):
    """The .ics part of an e-mail: text/calendar with its iTIP method (RFC 6047), which mail
    clients need to show it as an invitation."""
    part = MIMEText(content, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


def _save_documents(reunion, uploads, user):
    names = []
    for upload, content_type, name in uploads:
        document = ReunionDocument(
            reunion=reunion,
            original_name=name,
            size=upload.size,
            content_type=content_type,
            uploaded_by=user,
        )
        document.file.save(name, upload, save=False)
        document.save()
        names.append(name)
    return names


def _remove_documents(documents):
    names = [document.original_name for document in documents]
    delete_on_commit(*(document.file for document in documents))
    for document in documents:
        document.delete()
    return names


# ---------------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------------


@require_safe
def reunion_list(request, pk):
    grappe = get_grappe_for(request.user, pk)
    can_edit = perms.can_edit_plan(request.user, grappe)
    latest = CompteRendu.objects.filter(reunion=OuterRef("pk")).order_by("-numero")
    reunions = list(
        grappe.reunions.visible_to(request.user, grappe)
        .select_related("comite")
        .annotate(
            **{f"cr_{name}": Subquery(latest.values(name)[:1]) for name in LATEST_FIELDS},
            invites_count=Count("participants"),
        )
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    today = timezone.localdate()
    upcoming, past = [], []
    for reunion in reunions:
        reunion.grappe = grappe
        row = {
            "reunion": reunion,
            "minutes": minutes_status(
                reunion,
                {name: getattr(reunion, f"cr_{name}") for name in LATEST_FIELDS}
                if reunion.cr_pk
                else None,
                today,
                can_edit,
            ),
        }
        (upcoming if reunion.ends_at >= now else past).append(row)
    past.reverse()
    return render(
        request,
        "projets/reunion_list.html",
        {
            "grappe": grappe,
            "upcoming": upcoming,
            "past": past,
            "can_edit": can_edit,
            "kinds": TypeReunion.choices,
        },
    )


# ---------------------------------------------------------------------------------------------
# Create and edit
# ---------------------------------------------------------------------------------------------


def _form_page(request, grappe, form, formset, reunion=None):
    return render(
        request,
        "projets/reunion_form.html",
        {"grappe": grappe, "form": form, "formset": formset, "reunion": reunion},
    )


@require_http_methods(["GET", "POST"])
def reunion_create(request, pk):
    grappe = get_grappe_for(request.user, pk)
    _editor(request, grappe)
    hidden = perms.hidden_reunion_kinds(request.user, grappe)
    kind = request.GET.get("instance", "")
    initial = {"kind": kind} if kind in TypeReunion.values and kind not in hidden else {}
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ReunionForm(data, files, grappe=grappe, initial=initial, hidden_kinds=hidden)
    formset = point_formset(extra=3)(
        data, instance=form.instance, plan=_plan(grappe), prefix="points"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            reunion = form.save(commit=False)
            reunion.created_by = request.user
            reunion.save()
            added, _ = form.save_participants(reunion)
            formset.instance = reunion
            formset.save_points()
            documents = _save_documents(reunion, form.uploads, request.user)
            start = timezone.localtime(reunion.starts_at)
            record_meeting_history(
                reunion,
                request.user,
                "Création d'une réunion",
                reunion,
                {
                    "Instance": reunion.get_kind_display(),
                    "Date": f"{start:%d/%m/%Y} à {time_fr(start)}",
                    "Invités": str(len(added)),
                    "Documents": str(len(documents)),
                },
            )
        if form.is_past():
            messages.success(
                request,
                f"La réunion « {reunion.titre} » est enregistrée comme passée, le "
                f"{start:%d/%m/%Y} : aucune invitation n'est envoyée. Saisissez ses présences, "
                "ses décisions et ses actions depuis sa page, puis son compte rendu.",
            )
        else:
            messages.success(
                request,
                f"La réunion « {reunion.titre} » est créée. Envoyez les invitations depuis sa "
                "page : chaque invité reçoit un e-mail avec le rendez-vous pour son agenda.",
            )
        return redirect(_reunion_url(reunion))
    return _form_page(request, grappe, form, formset)


@require_http_methods(["GET", "POST"])
def reunion_edit(request, pk, reunion_id):
    grappe = get_grappe_for(request.user, pk)
    _editor(request, grappe)
    reunion = reunion_for(request.user, grappe, reunion_id)
    # A meeting that leaves the comité de sélection keeps the change out of the consultant's
    # history: the entry would tell what the meeting was.
    was_confidential = perms.is_confidential(reunion)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ReunionForm(
        data,
        files,
        instance=reunion,
        grappe=grappe,
        hidden_kinds=perms.hidden_reunion_kinds(request.user, grappe),
    )
    formset = point_formset(extra=2)(data, instance=reunion, plan=_plan(grappe), prefix="points")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changes = form_changes(form)
        for name in ("invites", "invites_exterieurs", "documents", "documents_a_retirer"):
            changes.pop(str(form.fields[name].label), None)
        with transaction.atomic():
            reunion = form.save()
            added, removed = form.save_participants(reunion)
            if formset.save_points():
                changes["Ordre du jour"] = "modifié"
            if added:
                changes["Invités ajoutés"] = ", ".join(added)
            if removed:
                changes["Invités retirés"] = ", ".join(removed)
            documents = _save_documents(reunion, form.uploads, request.user)
            if documents:
                changes["Documents ajoutés"] = ", ".join(documents)
            withdrawn = list(form.cleaned_data.get("documents_a_retirer") or [])
            if withdrawn:
                changes["Documents retirés"] = ", ".join(_remove_documents(withdrawn))
            if changes and reunion.invitation_sent_at:
                # Calendar apps replace an event when its SEQUENCE grows (RFC 5545 §3.8.7.4).
                reunion.sequence += 1
                reunion.save(update_fields=["sequence"])
            if changes:
                record_meeting_history(
                    reunion,
                    request.user,
                    "Modification d'une réunion",
                    reunion,
                    changes,
                    confidential=was_confidential,
                )
        _edit_message(request, form, reunion, changes)
        return redirect(_reunion_url(reunion))
    return _form_page(request, grappe, form, formset, reunion)


def _edit_message(request, form, reunion, changes):
    """What the organiser is told once the meeting is saved: above all, whether the invitations
    still go out (a meeting moved into the past) or must be sent again."""
    if not changes:
        messages.info(request, "Aucune modification.")
    elif form.is_past() and {"date", "heure_debut", "heure_fin"} & set(form.changed_data):
        start = timezone.localtime(reunion.starts_at)
        messages.success(
            request,
            f"La réunion est modifiée et enregistrée comme passée, le {start:%d/%m/%Y} : "
            "ses invitations ne sont plus envoyées.",
        )
    elif reunion.invitation_sent_at:
        messages.success(
            request,
            "La réunion est modifiée. Les invitations ont déjà été envoyées : renvoyez-les "
            "pour mettre à jour l'agenda des invités.",
        )
    else:
        messages.success(request, "La réunion est modifiée.")


# ---------------------------------------------------------------------------------------------
# The meeting page
# ---------------------------------------------------------------------------------------------


def detail_context(request, grappe, reunion, **forms):
    """Everything the meeting page shows, in a fixed number of queries. `forms`: bound forms
    to show with their errors (decision_form, action_form, attendance_form)."""
    user = request.user
    can_edit = perms.can_edit_plan(user, grappe)
    today = timezone.localdate()
    started = _started(reunion)
    participants = list(reunion.participants.select_related("user"))
    points = list(reunion.points.select_related("etape", "livrable"))
    quorum = quorum_for(reunion, participants)
    voting = quorum.voting if quorum else frozenset()
    decisions = [
        {"decision": decision, "badge": DECISION_BADGES.get(decision.jalon_decision, "")}
        for decision in reunion.decisions.select_related("point", "jalon")
    ]
    actions = [
        action_row(action, user, can_edit, today)
        for action in reunion.actions.select_related("owner").order_by(DUE_ORDER, "pk")
    ]
    carried = [
        action_row(action, user, can_edit, today)
        for action in Action.objects.open()
        .visible_to(user, grappe)
        .filter(grappe=grappe, reunion__starts_at__lt=reunion.starts_at)
        .exclude(reunion=reunion)
        .select_related("owner", "reunion")
        .order_by(DUE_ORDER, "pk")
    ]
    latest = reunion.comptes_rendus.order_by("-numero").values(*LATEST_FIELDS).first()
    minutes = minutes_status(reunion, latest, today, can_edit)
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "can_edit": can_edit,
        "started": started,
        "ended": reunion.ends_at <= timezone.now(),
        "participants": [
            {
                "participant": participant,
                "voting": participant.user_id in voting,
                "badge": PRESENCE_BADGES.get(participant.presence, "text-bg-light border"),
            }
            for participant in participants
        ],
        "points": points,
        "documents": list(reunion.documents.select_related("uploaded_by")),
        "decisions": decisions,
        "actions": actions,
        "carried": carried,
        "quorum": quorum,
        "minutes": minutes,
        "statut_choices": StatutAction.choices,
        "here": _reunion_url(reunion),
    }
    if can_edit and started:
        plan = _plan(grappe)
        voters = 0
        if reunion.kind == TypeReunion.COPIL and reunion.comite is not None:
            voters = quorum.voters
        people = action_owners(request, grappe, reunion)
        context.update(
            decision_form=forms.get("decision_form")
            or DecisionForm(reunion=reunion, points=points, plan=plan, voters=voters),
            action_form=forms.get("action_form") or ActionForm(grappe=grappe, people=people),
            attendance_form=forms.get("attendance_form")
            or AttendanceForm(participants=participants),
            copil=reunion.kind == TypeReunion.COPIL,
        )
        attendance = context["attendance_form"]
        for row in context["participants"]:
            row["field"] = attendance[f"presence_{row['participant'].pk}"]
    return context


@require_safe
def reunion_detail(request, pk, reunion_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    return render(request, "projets/reunion_detail.html", detail_context(request, grappe, reunion))


def _detail_with_errors(request, grappe, reunion, **forms):
    messages.error(request, "Le formulaire comporte des erreurs : elles sont signalées ci-dessous.")
    return render(
        request,
        "projets/reunion_detail.html",
        detail_context(request, grappe, reunion, **forms),
    )


# ---------------------------------------------------------------------------------------------
# Invitations and calendars
# ---------------------------------------------------------------------------------------------


@require_POST
def reunion_invite(request, pk, reunion_id):
    grappe = get_grappe_for(request.user, pk)
    _editor(request, grappe)
    reunion = reunion_for(request.user, grappe, reunion_id)
    if reunion.ends_at <= timezone.now():
        messages.error(request, "La réunion est passée : les invitations ne sont plus envoyées.")
        return redirect(_reunion_url(reunion))
    participants = list(reunion.participants.select_related("user"))
    invited = [participant.user for participant in participants if participant.user_id]
    readers = perms.readers_among(invited, reunion)
    left_out = [user for user in invited if user not in readers]
    recipients = readers + [
        Guest(participant.name, participant.email)
        for participant in participants
        if not participant.user_id
    ]
    if not recipients:
        messages.error(
            request,
            "La réunion n'a aucun invité : ajoutez des invités avant d'envoyer les invitations.",
        )
        if left_out:
            messages.warning(request, _left_out_message(left_out))
        return redirect(_reunion_url(reunion))
    update = reunion.invitation_sent_at is not None
    points = list(reunion.points.all())
    content = ics.calendar(
        [ics.vevent(reunion, ics.REQUEST, timezone.now(), points, participants)], ics.REQUEST
    )
    start = timezone.localtime(reunion.starts_at)
    subject = f"{'Mise à jour' if update else 'Invitation'} : {reunion.titre} — {start:%d/%m/%Y}"
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "update": update,
        "points": points,
        "documents_count": reunion.documents.count(),
        "link": absolute_url(_reunion_url(reunion)),
    }
    sent = send_templated_mail(
        recipients,
        subject[:150],
        "emails/reunion_invitation.txt",
        context,
        attachments=[(ics_attachment(content, ics.REQUEST), None, None)],
    )
    reunion.invitation_sent_at = timezone.now()
    reunion.save(update_fields=["invitation_sent_at"])
    record_meeting_history(
        reunion,
        request.user,
        "Envoi de la mise à jour des invitations" if update else "Envoi des invitations",
        reunion,
        {"Destinataires": str(sent), "Révision": str(reunion.sequence)},
    )
    label = plural(sent, "mise à jour", "mises à jour") if update else plural(sent, "invitation")
    messages.success(
        request,
        f"{label} {agree(sent, 'envoyée')} par e-mail, avec le rendez-vous pour l'agenda, "
        "au format .ics.",
    )
    if left_out:
        messages.warning(request, _left_out_message(left_out))
    return redirect(_reunion_url(reunion))


def _left_out_message(users):
    names = ", ".join(person_label(user) for user in users)
    return (
        f"{agree(len(users), 'Non invité', 'Non invités')} : {names}. Les réunions du comité de "
        "sélection sont cachées aux consultants AMOA de la grappe, qui peuvent être candidats."
    )


def _calendar_response(content, filename=None):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def reunion_ics(request, pk, reunion_id):
    """The meeting for one's calendar (METHOD:PUBLISH: an import, not an invitation)."""
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    start = timezone.localtime(reunion.starts_at)
    return _calendar_response(
        ics.publication([reunion]), filename=f"reunion-{start:%Y-%m-%d}-{reunion.pk}.ics"
    )


@login_not_required
@require_safe
def calendar_feed(request, token):
    """A person's meetings for their calendar app, by the secret token of their address."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    user = feed.user
    reunions = (
        Reunion.objects.filter(
            participants__user=user,
            starts_at__gte=timezone.now() - FEED_HISTORY,
            grappe__in=Grappe.objects.for_user(user),
        )
        .visible_to(user)
        .select_related("grappe", "created_by")
        .prefetch_related("points")
        .order_by("starts_at", "pk")
        .distinct()
    )
    name = f"Réunions Grappe — {person_label(user)}"
    response = _calendar_response(ics.publication(reunions, name=name))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def calendar_feed_reset(request):
    feed, created = CalendarFeed.objects.get_or_create(user=request.user)
    if not created:
        feed.token = new_calendar_token()
        feed.save(update_fields=["token"])
    messages.success(
        request,
        "Votre agenda a une nouvelle adresse : l'ancienne ne fonctionne plus. Abonnez de nouveau "
        "votre application d'agenda avec l'adresse ci-dessous.",
    )
    return redirect("projets:my_actions")


# ---------------------------------------------------------------------------------------------
# Attendance, decisions, actions
# ---------------------------------------------------------------------------------------------


def _editable_started(request, pk, reunion_id):
    """(grappe, reunion, refusal redirect or None) for the during/after-the-meeting posts."""
    grappe = get_grappe_for(request.user, pk)
    _editor(request, grappe)
    reunion = reunion_for(request.user, grappe, reunion_id)
    if not _started(reunion):
        messages.error(request, _not_started_message(reunion))
        return grappe, reunion, redirect(_reunion_url(reunion))
    return grappe, reunion, None


@require_POST
def reunion_attendance(request, pk, reunion_id):
    grappe, reunion, refusal = _editable_started(request, pk, reunion_id)
    if refusal:
        return refusal
    participants = list(reunion.participants.select_related("user"))
    form = AttendanceForm(request.POST, participants=participants)
    if not form.is_valid():
        return _detail_with_errors(request, grappe, reunion, attendance_form=form)
    changes = form.changes()
    unrecorded = form.unrecorded()
    if not changes:
        if unrecorded:
            # Every invitee starts « non renseignée »: saving the form untouched records nothing,
            # which must not read as a success.
            messages.warning(
                request,
                "Aucune présence n'est enregistrée : cochez Présent, Excusé ou Absent pour chaque "
                f"invité, puis enregistrez. {_unrecorded_message(unrecorded)}",
            )
        else:
            messages.info(request, "Aucune modification des présences.")
        return redirect(_reunion_url(reunion, "presences"))
    with transaction.atomic():
        for participant, presence in changes:
            participant.presence = presence
            participant.save(update_fields=["presence"])
        record_meeting_history(
            reunion,
            request.user,
            "Présences d'une réunion",
            reunion,
            {str(p): p.presence_label(presence) for p, presence in changes},
        )
    message = "Les présences sont enregistrées."
    quorum = quorum_for(reunion, participants)
    if quorum is not None and quorum.not_reached:
        message += (
            f" Quorum non atteint : {plural(quorum.present, 'présent votant', 'présents votants')}"
            f" pour {quorum.required} requis."
        )
    messages.success(request, message)
    if unrecorded:
        messages.warning(request, _unrecorded_message(unrecorded))
    return redirect(_reunion_url(reunion, "presences"))


def _unrecorded_message(participants):
    names = ", ".join(str(participant) for participant in participants)
    return f"Présence non renseignée pour {plural(len(participants), 'invité')} : {names}."


@require_POST
def decision_add(request, pk, reunion_id):
    grappe, reunion, refusal = _editable_started(request, pk, reunion_id)
    if refusal:
        return refusal
    if request.POST.get("jalon") and not perms.can_record_decision(request.user, grappe):
        raise PermissionDenied  # a go/no-go is the COPIL's decision, recorded by its secretary
    comite = grappe.comite(TypeComite.COPIL)
    voters = comite.voting_members().count() if comite else 0
    form = DecisionForm(request.POST, reunion=reunion, plan=_plan(grappe), voters=voters)
    if not form.is_valid():
        return _detail_with_errors(request, grappe, reunion, decision_form=form)
    jalon = form.cleaned_data.get("jalon")
    with transaction.atomic():
        decision = Decision.objects.create(
            reunion=reunion,
            point=form.cleaned_data.get("point"),
            texte=form.cleaned_data["texte"].strip(),
            jalon=jalon,
            jalon_decision=form.cleaned_data.get("jalon_decision") or "",
        )
        changed, opened, closed = False, [], []
        if form.jalon_form is not None:
            changed, opened, closed = record_jalon_decision(
                form.jalon_form, form.jalon_previous, request.user, reunion
            )
        changes = {"Décision": decision.texte}
        if jalon is not None:
            changes["Jalon"] = f"{jalon.titre} : {decision.get_jalon_decision_display()}"
        record_meeting_history(reunion, request.user, "Décision prise en réunion", reunion, changes)
    message = "La décision est enregistrée."
    if jalon is not None and changed:
        message += f" Le jalon « {jalon.titre} » est mis à jour : {jalon.get_decision_display()}."
    message += "".join(
        f" La phase {numero} est ouverte : ses étapes peuvent commencer." for numero in opened
    )
    message += "".join(f" La phase {numero} attend de nouveau le go du COPIL." for numero in closed)
    messages.success(request, message)
    return redirect(_reunion_url(reunion, "decisions"))


@require_POST
def action_add(request, pk, reunion_id):
    grappe, reunion, refusal = _editable_started(request, pk, reunion_id)
    if refusal:
        return refusal
    form = ActionForm(
        request.POST,
        grappe=grappe,
        people=action_owners(request, grappe, reunion),
        hidden_comites=grappe_perms.hidden_comite_kinds(request.user, grappe),
        instance=Action(grappe=grappe, reunion=reunion),
    )
    if not form.is_valid():
        return _detail_with_errors(request, grappe, reunion, action_form=form)
    with transaction.atomic():
        action = form.save(commit=False)
        action.grappe = reunion.grappe
        action.reunion = reunion
        action.save()
        record_meeting_history(
            reunion,
            request.user,
            "Action décidée en réunion",
            action,
            {
                "Responsable": person_label(action.owner),
                "Échéance": f"{action.due_on:%d/%m/%Y}",
                "Réunion": str(reunion),
            },
        )
    messages.success(
        request,
        f"L'action est enregistrée ; elle apparaît dans « Mes actions » de "
        f"{person_label(action.owner)} et sera reportée aux réunions suivantes jusqu'à sa clôture.",
    )
    return redirect(_reunion_url(reunion, "actions"))


def _next_url(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def action_update(request, pk, action_id):
    grappe = get_grappe_for(request.user, pk)
    # An action of a meeting hidden from the user is a 404, like the meeting itself.
    action = get_object_or_404(
        Action.objects.visible_to(request.user, grappe).select_related("reunion", "owner"),
        pk=action_id,
        grappe=grappe,
    )
    action.grappe = action.reunion.grappe = grappe
    if not perms.can_update_action(request.user, action):
        raise PermissionDenied(
            "Seuls le responsable de l'action, le chef de projet, l'AMOA et l'administrateur "
            "changent son statut."
        )
    destination = _next_url(request, _reunion_url(action.reunion, "actions"))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["statut"]))
        return redirect(destination)
    statut = form.cleaned_data["statut"]
    if statut == action.statut:
        messages.info(request, "Aucune modification.")
        return redirect(destination)
    before = action.get_statut_display()
    action.statut = statut
    if statut in CLOSED:
        action.closed_at = action.closed_at or timezone.now()
    else:
        action.closed_at = None
    with transaction.atomic():
        action.save(update_fields=["statut", "closed_at"])
        record_meeting_history(
            action.reunion,
            request.user,
            "Mise à jour d'une action",
            action,
            {"Statut": [before, action.get_statut_display()]},
        )
    messages.success(
        request, f"L'action « {action.titre} » est « {action.get_statut_display().lower()} »."
    )
    return redirect(destination)


@require_safe
def my_actions(request):
    """The signed-in person's actions on their grappes: open ones (overdue first), then those
    closed in the last 30 days; and the address of their calendar feed."""
    user = request.user
    today = timezone.localdate()
    mine = (
        Action.objects.filter(owner=user, grappe__in=Grappe.objects.for_user(user))
        .visible_to(user)
        .select_related("grappe", "reunion")
    )
    open_rows = [action_row(action, user, False, today) for action in mine.open()]
    open_rows.sort(
        key=lambda row: (
            not row["overdue"],
            row["action"].due_on or datetime.date.max,
            row["action"].pk,
        )
    )
    closed_rows = [
        action_row(action, user, False, today)
        for action in mine.filter(
            statut__in=CLOSED, closed_at__gte=timezone.now() - CLOSED_SHOWN
        ).order_by("-closed_at", "-pk")
    ]
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed_url = absolute_url(reverse("projets:calendar_feed", args=[feed.token]))
    return render(
        request,
        "projets/my_actions.html",
        {
            "open_rows": open_rows,
            "closed_rows": closed_rows,
            "overdue_count": sum(1 for row in open_rows if row["overdue"]),
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "statut_choices": StatutAction.choices,
            "here": reverse("projets:my_actions"),
        },
    )


@require_safe
def reunion_document_download(request, pk, reunion_id, document_id):
    """A meeting's document, only to those who see the grappe and the meeting; 404 to everyone
    else (and for a document of another meeting). MEDIA_ROOT has no public URL."""
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_plan(request.user, grappe):
        raise Http404
    reunion = reunion_for(request.user, grappe, reunion_id)  # a hidden meeting's too: 404
    document = get_object_or_404(ReunionDocument, pk=document_id, reunion=reunion)
    return file_response(document.file, document.original_name, document.content_type)
