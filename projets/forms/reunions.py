"""Forms of the governance meetings: the meeting itself (body, date and times, place or video
link, invitees, guests, documents), its agenda, attendance, decisions (go / no go included, checked
by the plan's own JalonDecisionForm) and follow-up actions. Every refusal is a French sentence."""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from core.text import size, time_fr
from core.uploads import (
    ALLOWED_LABEL,
    ALLOWED_TYPES,
    MAX_UPLOAD_SIZE,
    clean_filename,
    detect_content_type,
)
from grappe.models import ComiteMember
from projets import perms
from projets.enums import DecisionJalon, ModeDecision, Presence, StatutAction, TypeReunion
from projets.forms.plan import JalonDecisionForm, date_input
from projets.models import Action, Etape, Jalon, Livrable, PointOrdreDuJour, Reunion

User = get_user_model()

GUEST_EXAMPLE = "Claire Martin <claire.martin@exemple.fr>"
# Escaped: form templates print help texts as HTML, where the address between < > would vanish
# (read « par exemple Claire Martin »).
GUEST_HELP = escape(
    "Une personne par ligne : son nom puis son adresse e-mail, l'adresse entre < > ou "
    f"séparée par un espace, par exemple « {GUEST_EXAMPLE} ». L'adresse reçoit l'invitation."
)
EMAIL_IN_LINE = re.compile(r"<?\s*([^\s<>,;]+@[^\s<>,;]+)\s*>?")


def time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def person_label(user):
    return user.get_full_name() or user.email


def people_of(grappe, include=(), hidden_comites=()):
    """The persons of a grappe: active users with a role on it or a seat on one of its comités
    the viewer may see (plus `include`, user ids already invited, so editing never drops them
    silently)."""
    seats = ComiteMember.objects.filter(comite__grappe=grappe).exclude(
        comite__kind__in=hidden_comites
    )
    return (
        User.objects.filter(
            Q(is_active=True) & (Q(grappe_roles__grappe=grappe) | Q(comite_seats__in=seats))
            | Q(pk__in=list(include))
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def seats_by_user(grappe, hidden_comites=()):
    """{user id: [(comité kind, comité label, role label)]} for the grappe's comités the viewer
    may see."""
    seats = {}
    members = ComiteMember.objects.filter(comite__grappe=grappe).exclude(
        comite__kind__in=hidden_comites
    )
    for seat in members.select_related("comite"):
        seats.setdefault(seat.user_id, []).append(
            (seat.comite.kind, seat.comite.get_kind_display(), seat.get_role_display())
        )
    return seats


class PeopleCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry the comités each person sits on (data-comites), so the form can
    tick a body's members when the kind of meeting changes."""

    def __init__(self, *args, comites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.comites = comites or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-comites"] = " ".join(self.comites.get(value, ()))
        return option


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []

    def has_changed(self, initial, data):
        return not self.disabled and bool(data)


def check_upload(upload):
    """(content type, safe name) of an uploaded meeting document, checked like a deliverable:
    by its content, 20 MB at most. Raises ValidationError in French."""
    if upload.size > MAX_UPLOAD_SIZE:
        raise ValidationError(
            f"« {upload.name} » est trop volumineux, {size(upload.size)} : "
            f"{size(MAX_UPLOAD_SIZE)} au plus."
        )
    try:
        content_type = detect_content_type(upload)
    except ValidationError as error:
        raise ValidationError(f"« {upload.name} » : {' '.join(error.messages)}") from error
    return content_type, clean_filename(upload.name)


def parse_guests(text):
    """[(name, email)] from "Nom <adresse>" lines; raises ValidationError naming the lines that
    cannot be read. Duplicated addresses are kept once."""
    guests, errors, seen = [], [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = EMAIL_IN_LINE.search(line)
        email = match.group(1).strip().lower() if match else ""
        name = line[: match.start()] + line[match.end() :] if match else line
        name = " ".join(name.strip(" \t,;:-–—<>\"'").split())
        try:
            validate_email(email)
        except ValidationError:
            email = ""
        if not (name and email):
            if not email:
                missing = (
                    "l'adresse e-mail n'est pas valable"
                    if "@" in line
                    else "il manque l'adresse e-mail, où l'invitation est envoyée"
                )
            else:
                missing = "il manque le nom de l'invité"
            errors.append(
                f"Ligne {number}, « {line[:60]} » : {missing}. Écrivez le nom puis l'adresse, "
                f"par exemple « {GUEST_EXAMPLE} »."
            )
            continue
        if email not in seen:
            seen.add(email)
            guests.append((name[:200], email))
    if errors:
        raise ValidationError(errors)
    return guests


class ReunionForm(forms.ModelForm):
    """The meeting: its body (the comité follows from the kind), when, where, who, documents.
    Invitees and guests are saved by `save_participants`, documents by the view."""

    date = forms.DateField(
        label="Date", widget=date_input(), error_messages={"required": "Indiquez la date."}
    )
    heure_debut = forms.TimeField(
        label="Heure de début",
        widget=time_input(),
        error_messages={"required": "Indiquez l'heure de début."},
    )
    heure_fin = forms.TimeField(
        label="Heure de fin",
        widget=time_input(),
        error_messages={"required": "Indiquez l'heure de fin."},
    )
    lien_visio = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Adresse complète (https://…) de la réunion en ligne.",
        error_messages={"invalid": "Indiquez une adresse web complète (https://…)."},
    )
    invites = forms.ModelMultipleChoiceField(
        label="Personnes de la grappe invitées",
        queryset=User.objects.none(),
        required=False,
        help_text="Les membres du comité sont proposés ; ajoutez d'autres personnes de la grappe.",
    )
    invites_exterieurs = forms.CharField(
        label="Invités extérieurs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=GUEST_HELP,
    )
    documents = MultipleFileField(
        label="Documents de séance",
        required=False,
        help_text=f"{ALLOWED_LABEL} ; {size(MAX_UPLOAD_SIZE)} au plus par fichier.",
    )
    documents_a_retirer = forms.ModelMultipleChoiceField(
        label="Documents à retirer",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Shown only when the date is past (asks_past_confirmation): recording a meeting that was
    # held is legitimate, a typo in the year is not; the user says which.
    reunion_passee = forms.BooleanField(
        label="Cette réunion a déjà eu lieu : je l'enregistre pour mémoire, sans invitations.",
        required=False,
    )

    class Meta:
        model = Reunion
        fields = ["kind", "titre", "lieu", "lien_visio"]
        labels = {"kind": "Instance"}
        help_texts = {
            "lieu": "Adresse ou salle. Indiquez un lieu, un lien de visioconférence, ou les deux.",
        }

    def __init__(self, *args, grappe, hidden_kinds=(), **kwargs):
        """`hidden_kinds`: the bodies the user may not see (projets.perms.hidden_reunion_kinds,
        the comité de sélection for an AMOA consultant): neither offered nor shown as seats."""
        super().__init__(*args, **kwargs)
        self.grappe = grappe
        self.fields["kind"].choices = [
            (value, label) for value, label in TypeReunion.choices if value not in hidden_kinds
        ]
        self.fields["kind"].error_messages["required"] = "Choisissez l'instance qui se réunit."
        self.fields["titre"].error_messages["required"] = "Donnez un titre à la réunion."
        self.order_fields(
            [
                "kind",
                "titre",
                "date",
                "heure_debut",
                "heure_fin",
                "lieu",
                "lien_visio",
                "invites",
                "invites_exterieurs",
                "documents",
                "documents_a_retirer",
                "reunion_passee",
            ]
        )
        self.asks_past_confirmation = False
        editing = self.instance.pk is not None
        invited = set()
        guests = []
        if editing:
            for participant in self.instance.participants.all():
                if participant.user_id:
                    invited.add(participant.user_id)
                else:
                    guests.append(participant)
            local_start = timezone.localtime(self.instance.starts_at)
            self.initial.update(
                date=local_start.date(),
                heure_debut=local_start.time().replace(second=0, microsecond=0),
                heure_fin=timezone.localtime(self.instance.ends_at)
                .time()
                .replace(second=0, microsecond=0),
                invites=sorted(invited),
                invites_exterieurs="\n".join(f"{g.name} <{g.email}>" for g in guests),
            )
            self.fields["documents_a_retirer"].queryset = self.instance.documents.all()
        else:
            del self.fields["documents_a_retirer"]
        self.seats = seats_by_user(grappe, hidden_kinds)
        people = list(people_of(grappe, include=invited, hidden_comites=hidden_kinds))
        self.people = people
        field = self.fields["invites"]
        field.queryset = people_of(grappe, include=invited, hidden_comites=hidden_kinds)
        field.widget = PeopleCheckboxes(
            comites={
                user_id: [kind for kind, _, _ in seats] for user_id, seats in self.seats.items()
            }
        )
        field.choices = [(user.pk, self._person_label(user)) for user in people]
        if not editing:
            kind = self.initial.get("kind") or TypeReunion.COPIL
            self.initial.setdefault("kind", kind)
            self.initial.setdefault(
                "invites",
                [user_id for user_id, seats in self.seats.items() if kind in {s[0] for s in seats}],
            )

    def _person_label(self, user):
        seats = self.seats.get(user.pk, [])
        if not seats:
            return person_label(user)
        described = " · ".join(f"{label} ({role.lower()})" for _, label, role in seats)
        return f"{person_label(user)} — {described}"

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        if not titre:
            raise ValidationError("Donnez un titre à la réunion.")
        return titre

    def clean_lieu(self):
        return " ".join(self.cleaned_data["lieu"].split())

    def clean_invites_exterieurs(self):
        self.guests = parse_guests(self.cleaned_data["invites_exterieurs"])
        return self.cleaned_data["invites_exterieurs"]

    def clean_documents(self):
        self.uploads = []
        errors = []
        for upload in self.cleaned_data["documents"]:
            try:
                content_type, name = check_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                self.uploads.append((upload, content_type, name))
        if errors:
            raise ValidationError(errors)
        return self.cleaned_data["documents"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("heure_debut"), cleaned.get("heure_fin")
        if start and end and end <= start:
            self.add_error("heure_fin", "L'heure de fin doit être postérieure à l'heure de début.")
        if (
            not cleaned.get("lieu")
            and not cleaned.get("lien_visio")
            and "lien_visio" not in self.errors
        ):
            self.add_error("lieu", "Indiquez un lieu ou un lien de visioconférence (ou les deux).")
        self._check_invitees_may_see_it(cleaned)
        day = cleaned.get("date")
        if day and start and end and end > start:
            tz = timezone.get_current_timezone()
            cleaned["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start), tz)
            cleaned["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end), tz)
            self._check_past(cleaned)
        return cleaned

    def is_past(self):
        """Whether the meeting, as saved, is over (valid form): no invitations any more."""
        return self.cleaned_data["ends_at"] <= timezone.now()

    def _check_past(self, cleaned):
        """A meeting over before it is even created — or moved into the past — is most often a
        mistyped date: it is saved only once the user confirms it was held."""
        moved = self.instance.pk is None or {"date", "heure_debut", "heure_fin"} & set(
            self.changed_data
        )
        if not moved or cleaned["ends_at"] > timezone.now():
            return
        self.asks_past_confirmation = True  # the box stays shown, ticked, if another field fails
        if cleaned.get("reunion_passee"):
            return
        start = timezone.localtime(cleaned["starts_at"])
        self.add_error(
            "date",
            f"Cette date est passée : le {start:%d/%m/%Y} à {time_fr(start)}. Corrigez-la, ou "
            "cochez la case ci-dessous si la réunion a bien eu lieu.",
        )

    def _check_invitees_may_see_it(self, cleaned):
        """A meeting is never sent to someone it is hidden from (the comité de sélection's from
        the grappe's AMOA consultant, a possible candidate): refused here rather than silently
        left out of the invitations."""
        kind, invited = cleaned.get("kind"), cleaned.get("invites")
        if not kind or not invited:
            return
        probe = Reunion(grappe=self.grappe, kind=kind)
        readers = {user.pk for user in perms.readers_among(invited, probe)}
        hidden = [user for user in invited if user.pk not in readers]
        if hidden:
            names = ", ".join(str(user) for user in hidden)
            self.add_error(
                "invites",
                f"Invitation impossible pour {names} : cette instance est confidentielle pour "
                "le consultant AMOA de la grappe, candidat possible à son appel.",
            )

    def save(self, commit=True):
        reunion = super().save(commit=False)
        reunion.grappe = self.grappe
        reunion.starts_at = self.cleaned_data["starts_at"]
        reunion.ends_at = self.cleaned_data["ends_at"]
        reunion.comite = (
            None if reunion.kind == TypeReunion.ATELIER else self.grappe.comite(reunion.kind)
        )
        if commit:
            reunion.save()
        return reunion

    def save_participants(self, reunion):
        """Make the invitees those of the form. Returns (added, removed): lists of names."""
        participants = list(reunion.participants.select_related("user"))
        wanted_users = {user.pk: user for user in self.cleaned_data["invites"]}
        user_emails = {user.email.lower() for user in wanted_users.values()}
        wanted_guests = {
            email: name for name, email in getattr(self, "guests", []) if email not in user_emails
        }
        added, removed = [], []
        for participant in participants:
            if participant.user_id:
                if participant.user_id in wanted_users:
                    wanted_users.pop(participant.user_id)
                else:
                    removed.append(str(participant))
                    participant.delete()
            else:
                email = participant.email.lower()
                if email in wanted_guests:
                    name = wanted_guests.pop(email)
                    if participant.name != name:
                        participant.name = name
                        participant.save(update_fields=["name"])
                else:
                    removed.append(str(participant))
                    participant.delete()
        for user in wanted_users.values():
            reunion.participants.create(user=user)
            added.append(person_label(user))
        for email, name in wanted_guests.items():
            reunion.participants.create(name=name, email=email)
            added.append(f"{name} <{email}>")
        return added, removed


class PointForm(forms.ModelForm):
    class Meta:
        model = PointOrdreDuJour
        fields = ["titre", "presenter", "duree_minutes", "etape", "livrable"]
        labels = {"etape": "Étape liée", "livrable": "Livrable lié"}

    def __init__(self, *args, etape_choices=(), livrable_choices=(), plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["titre"].error_messages["required"] = "Donnez un intitulé au point."
        self.fields["duree_minutes"].widget.attrs.update(min=1, max=600)
        etape, livrable = self.fields["etape"], self.fields["livrable"]
        etape.queryset = Etape.objects.filter(plan=plan) if plan else Etape.objects.none()
        livrable.queryset = Livrable.objects.filter(plan=plan) if plan else Livrable.objects.none()
        # Choices computed once for the whole formset (one query each, not one per form).
        etape.choices = [("", "—"), *etape_choices]
        livrable.choices = [("", "—"), *livrable_choices]

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        if not titre:
            raise ValidationError("Donnez un intitulé au point.")
        return titre


class BasePointFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, plan=None, **kwargs):
        etapes, livrables = [], []
        if plan is not None:
            etapes = [(e.pk, f"{e.ordre}. {e.titre}") for e in plan.etapes.order_by("ordre")]
            livrables = [
                (livrable.pk, livrable.titre)
                for livrable in plan.livrables.order_by("etape__ordre", "pk")
            ]
        kwargs["form_kwargs"] = {
            "plan": plan,
            "etape_choices": etapes,
            "livrable_choices": livrables,
        }
        super().__init__(*args, **kwargs)

    def save_points(self):
        """Save the agenda, numbered in the order of the form. Returns True when it changed."""
        changed = False
        ordre = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    form.instance.delete()
                    changed = True
                continue
            ordre += 1
            point = form.save(commit=False)
            if form.has_changed() or point.ordre != ordre or point.pk is None:
                point.ordre = ordre
                point.reunion = self.instance
                point.save()
                changed = True
        return changed


def point_formset(extra):
    return forms.inlineformset_factory(
        Reunion,
        PointOrdreDuJour,
        form=PointForm,
        formset=BasePointFormSet,
        extra=extra,
        can_delete=True,
    )


class AttendanceForm(forms.Form):
    """Présent / excusé / absent for each invitee (empty: not recorded), in the feminine for a
    woman (Participant.presence_label)."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for participant in participants:
            self.fields[f"presence_{participant.pk}"] = forms.ChoiceField(
                label=str(participant),
                choices=[
                    ("", participant.presence_label("")),
                    *((value, participant.presence_label(value)) for value in Presence.values),
                ],
                required=False,
                initial=participant.presence,
                widget=forms.RadioSelect,
            )

    def unrecorded(self):
        """The invitees left « non renseignée » once the form is saved."""
        return [p for p in self.participants if not self.cleaned_data[f"presence_{p.pk}"]]

    def rows(self):
        return [(p, self[f"presence_{p.pk}"]) for p in self.participants]

    def changes(self):
        """[(participant, new presence)] for the invitees whose presence changes."""
        return [
            (p, self.cleaned_data[f"presence_{p.pk}"])
            for p in self.participants
            if self.cleaned_data[f"presence_{p.pk}"] != p.presence
        ]


VOTES = ("votes_pour", "votes_contre", "votes_abstention")


def jalon_label(jalon):
    step = f"étape {jalon.etape.ordre} — " if jalon.etape_id else ""
    state = f"décision actuelle : {jalon.get_decision_display()}" if jalon.decision else "à décider"
    return f"{step}{jalon.titre} ({state})"


class DecisionForm(forms.Form):
    """A decision of the meeting; on a go / no go milestone, the milestone's decision is checked
    by the plan's JalonDecisionForm (same rules as the plan page) and kept in `jalon_form`."""

    texte = forms.CharField(
        label="Décision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Écrivez la décision."},
    )
    point = forms.ModelChoiceField(
        label="Point de l'ordre du jour", queryset=PointOrdreDuJour.objects.none(), required=False
    )
    jalon = forms.ModelChoiceField(
        label="Jalon go / no go concerné",
        queryset=Jalon.objects.none(),
        required=False,
        help_text="Seul le COPIL décide des go / no go ; la décision met à jour le jalon du plan.",
    )
    jalon_decision = forms.ChoiceField(
        label="Décision sur le jalon",
        choices=[("", "—"), *DecisionJalon.choices],
        required=False,
    )
    votes_pour = forms.IntegerField(label="Voix pour", min_value=0, required=False)
    votes_contre = forms.IntegerField(label="Voix contre", min_value=0, required=False)
    votes_abstention = forms.IntegerField(label="Abstentions", min_value=0, required=False)

    def __init__(self, *args, reunion, points=None, plan=None, voters=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.reunion = reunion
        self.voters = voters
        self.jalon_form = None
        self.jalon_previous = ""
        point = self.fields["point"]
        point.queryset = PointOrdreDuJour.objects.filter(reunion=reunion)
        if points is not None:
            point.choices = [("", "—"), *((p.pk, str(p)) for p in points)]
        jalon = self.fields["jalon"]
        jalon.empty_label = "—"
        jalon.label_from_instance = jalon_label
        if plan is not None:
            jalon.queryset = plan.jalons.filter(go_no_go=True).select_related("etape")

    def clean(self):
        cleaned = super().clean()
        jalon, decision = cleaned.get("jalon"), cleaned.get("jalon_decision")
        votes = {name: cleaned.get(name) for name in VOTES}
        given = any(value is not None for value in votes.values())
        if not jalon and not decision:
            if given:
                self.add_error(
                    "votes_pour", "Les voix ne s'indiquent que pour une décision sur un jalon."
                )
            return cleaned
        if self.reunion.kind != TypeReunion.COPIL:
            self.add_error("jalon", "Seul le COPIL décide des go / no go.")
            return cleaned
        if jalon and not decision:
            self.add_error(
                "jalon_decision", "Indiquez la décision sur le jalon : go, no go ou ajourné."
            )
        if decision and not jalon:
            self.add_error("jalon", "Choisissez le jalon sur lequel porte la décision.")
        if jalon and decision and "texte" in cleaned:
            self._check_jalon(jalon, decision, cleaned["texte"].strip(), votes, given)
        return cleaned

    def _check_jalon(self, jalon, decision, texte, votes, given):
        """Validate with the plan's form: decided on the meeting's day, the decision text as its
        reasons (and as the reason for changing a decision already recorded)."""
        # Read before validation: a ModelForm copies the posted values onto its instance.
        self.jalon_previous = jalon.decision_summary() if jalon.decision else ""
        data = {
            "decision": decision,
            "decided_on": timezone.localdate(self.reunion.starts_at).isoformat(),
            "mode": ModeDecision.VOTE if given else ModeDecision.CONSENSUS,
            "reasons": texte,
            "change_reason": texte,
        }
        for name, value in votes.items():
            data[name] = "" if value is None else str(value)
        form = JalonDecisionForm(data, instance=jalon, voters=self.voters)
        if form.is_valid():
            self.jalon_form = form
            return
        targets = {
            "decision": "jalon_decision",
            "reasons": "texte",
            "change_reason": "texte",
            **{name: name for name in VOTES},
        }
        for name, messages in form.errors.items():
            for message in messages:
                self.add_error(targets.get(name), message)


class ActionForm(forms.ModelForm):
    """A follow-up action: what, who (a person of the grappe), by when."""

    class Meta:
        model = Action
        fields = ["titre", "owner", "due_on"]
        widgets = {"due_on": date_input()}

    def __init__(self, *args, grappe, people=None, hidden_comites=(), **kwargs):
        """`people`: the persons offered as owners (projets.views.reunions.action_owners), a
        subset of the grappe's; all of them by default."""
        super().__init__(*args, **kwargs)
        self.fields["titre"].error_messages["required"] = "Décrivez l'action."
        owner = self.fields["owner"]
        owner.required = True
        owner.error_messages["required"] = "Choisissez le responsable de l'action."
        owner.error_messages["invalid_choice"] = (
            "Le responsable doit être une personne de la grappe."
        )
        owner.queryset = people_of(grappe, hidden_comites=hidden_comites)
        if people is not None:
            # Posted, an owner left out of `people` is refused like a stranger.
            owner.queryset = owner.queryset.filter(pk__in=[user.pk for user in people])
            owner.choices = [("", "—"), *((user.pk, person_label(user)) for user in people)]
        due_on = self.fields["due_on"]
        due_on.required = True
        due_on.error_messages["required"] = "Indiquez l'échéance de l'action."

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        if not titre:
            raise ValidationError("Décrivez l'action.")
        return titre


class ActionStatusForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut",
        choices=StatutAction.choices,
        error_messages={
            "required": "Choisissez le statut de l'action.",
            "invalid_choice": "Statut inconnu.",
        },
    )
