"""Forms of a grappe's plan: creating it, adding and editing a step, recording a COPIL decision
on a go / no go milestone. Every refusal is a French sentence that names what blocks."""

from django import forms
from django.utils import timezone

from projets.enums import DecisionJalon, ModeDecision
from projets.models import Etape, Jalon

DATE_WIDGET = {"type": "date"}


def date_input():
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


def blocking_jalon(jalons, phase):
    """The go / no go milestone that still holds `phase` (the first one, in plan order, of an
    earlier phase without a "go"), or None. `jalons`: the plan's milestones with their step."""
    holding = [
        jalon
        for jalon in jalons
        if jalon.go_no_go
        and jalon.etape_id
        and jalon.etape.phase < phase
        and jalon.decision != DecisionJalon.GO
    ]
    holding.sort(key=lambda jalon: (jalon.etape.ordre, jalon.pk))
    return holding[0] if holding else None


def phase_gate_message(phase, jalon):
    if jalon is None:
        return f"La phase {phase} attend le go du COPIL."
    return f"La phase {phase} attend le go du COPIL sur le jalon « {jalon.titre} »."


def _label(etape):
    return f"{etape.ordre}. {etape.titre}"


class PlanCreateForm(forms.Form):
    start_on = forms.DateField(
        label="Début du projet",
        widget=date_input(),
        help_text=(
            "Les 18 étapes du plan type sont planifiées l'une après l'autre à partir de cette "
            "date, avec leur durée indicative ; vous ajusterez ensuite chaque étape."
        ),
        error_messages={"required": "Indiquez la date de début du projet."},
    )


class _DatesMixin:
    """Planned and actual dates: an end never before its start."""

    def _check_order(self, cleaned, start, end, message):
        if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
            self.add_error(end, message)


class EtapeForm(_DatesMixin, forms.ModelForm):
    """Edit one step of the grappe's plan. The reference plan is never touched: renaming here
    renames the grappe's copy only."""

    class Meta:
        model = Etape
        fields = [
            "titre",
            "owner_role",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "progress",
            "depends_on",
            "skipped",
            "skip_reason",
        ]
        labels = {"skipped": "Étape sans objet pour la grappe"}
        help_texts = {
            "titre": "Renommer l'étape ne modifie pas le plan type.",
            "progress": "De 0 à 100 %. La saisie d'une fin réelle porte l'avancement à 100 %.",
            "depends_on": (
                "Fin → début : l'étape ne peut commencer qu'une fois ces étapes terminées."
            ),
            "skip_reason": "Obligatoire pour une étape sans objet.",
        }
        widgets = {
            "planned_start": date_input(),
            "planned_end": date_input(),
            "actual_start": date_input(),
            "actual_end": date_input(),
            "depends_on": forms.CheckboxSelectMultiple,
            "skip_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = self.instance.plan
        field = self.fields["depends_on"]
        field.queryset = (
            Etape.objects.filter(plan=self.plan).exclude(pk=self.instance.pk).order_by("ordre")
        )
        field.label_from_instance = _label
        self.fields["progress"].min_value = 0
        self.fields["progress"].max_value = 100
        self.fields["progress"].widget.attrs.update(min=0, max=100)

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        if not titre:
            raise forms.ValidationError("Donnez un titre à l'étape.")
        return titre

    def clean_depends_on(self):
        depends_on = self.cleaned_data["depends_on"]
        culprit = self._cycle_through(depends_on)
        if culprit is not None:
            raise forms.ValidationError(
                f"Dépendance circulaire : l'étape « {_label(culprit)} » dépend déjà, directement "
                "ou par d'autres étapes, de celle-ci."
            )
        return depends_on

    def _cycle_through(self, depends_on):
        """The chosen predecessor from which this step is reachable again, or None."""
        through = Etape.depends_on.through
        predecessors = {}
        for successor, predecessor in through.objects.filter(
            from_etape__plan=self.plan
        ).values_list("from_etape_id", "to_etape_id"):
            predecessors.setdefault(successor, set()).add(predecessor)
        me = self.instance.pk
        predecessors[me] = {etape.pk for etape in depends_on}
        for start in depends_on:
            seen, stack = set(), [start.pk]
            while stack:
                current = stack.pop()
                if current == me:
                    return start
                if current in seen:
                    continue
                seen.add(current)
                stack.extend(predecessors.get(current, ()))
        return None

    def clean(self):
        cleaned = super().clean()
        self._check_order(
            cleaned,
            "planned_start",
            "planned_end",
            "La fin prévue ne peut pas précéder le début prévu.",
        )
        self._check_order(
            cleaned,
            "actual_start",
            "actual_end",
            "La fin réelle ne peut pas précéder le début réel.",
        )
        actual_start, actual_end = cleaned.get("actual_start"), cleaned.get("actual_end")
        if actual_end and not actual_start and "actual_start" not in self.errors:
            self.add_error("actual_start", "Indiquez le début réel de l'étape avant sa fin réelle.")
        if actual_end:
            cleaned["progress"] = 100
        elif cleaned.get("progress") == 100:
            self.add_error(
                "progress",
                "Un avancement de 100 % signifie que l'étape est terminée : indiquez sa fin réelle.",
            )
        if cleaned.get("skipped"):
            if not (cleaned.get("skip_reason") or "").strip():
                self.add_error("skip_reason", "Indiquez pourquoi cette étape est sans objet.")
        else:
            cleaned["skip_reason"] = ""
        starting = actual_start and (
            "actual_start" in self.changed_data or "depends_on" in self.changed_data
        )
        if starting and "depends_on" in cleaned:
            self._check_predecessors(actual_start, cleaned["depends_on"])
        if actual_start and "actual_start" in self.changed_data:
            self._check_phase_gate()
        return cleaned

    def _check_predecessors(self, actual_start, depends_on):
        for predecessor in depends_on:
            if predecessor.skipped:
                continue
            if predecessor.actual_end is None:
                self.add_error(
                    "actual_start",
                    f"L'étape « {_label(predecessor)} » n'est pas terminée (pas de fin réelle) : "
                    "cette étape ne peut pas commencer avant (dépendance fin → début).",
                )
            elif predecessor.actual_end > actual_start:
                self.add_error(
                    "actual_start",
                    f"L'étape « {_label(predecessor)} » s'est terminée le "
                    f"{predecessor.actual_end:%d/%m/%Y} : cette étape ne peut pas commencer avant "
                    "(dépendance fin → début).",
                )

    def _check_phase_gate(self):
        phase = self.instance.phase
        if phase in self.plan.open_phases():
            return
        jalons = self.plan.jalons.filter(go_no_go=True).select_related("etape")
        self.add_error("actual_start", phase_gate_message(phase, blocking_jalon(jalons, phase)))


class EtapeAddForm(_DatesMixin, forms.ModelForm):
    """A step the reference plan does not have, inserted at a position within its phase."""

    phase = forms.TypedChoiceField(label="Phase", coerce=int)
    position = forms.IntegerField(
        label="Position (numéro de l'étape)",
        required=False,
        min_value=1,
        help_text=(
            "Les étapes suivantes sont renumérotées. Laissez vide pour placer l'étape à la fin "
            "de sa phase."
        ),
    )

    class Meta:
        model = Etape
        fields = ["titre", "phase", "planned_start", "planned_end", "owner_role"]
        widgets = {"planned_start": date_input(), "planned_end": date_input()}

    def __init__(self, *args, plan, phase_titles, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["phase"].choices = [
            (numero, f"Phase {numero} — {titre}") for numero, titre in sorted(phase_titles.items())
        ]
        self.order_fields(["titre", "phase", "position"])

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        if not titre:
            raise forms.ValidationError("Donnez un titre à l'étape.")
        return titre

    def position_range(self, phase):
        """(first, last) positions a new step of `phase` may take, steps being kept by phase."""
        rows = list(self.plan.etapes.values_list("ordre", "phase"))
        mine = [ordre for ordre, etape_phase in rows if etape_phase == phase]
        if mine:
            return min(mine), max(mine) + 1
        before = [ordre for ordre, etape_phase in rows if etape_phase < phase]
        position = max(before) + 1 if before else 1
        return position, position

    def clean(self):
        cleaned = super().clean()
        self._check_order(
            cleaned,
            "planned_start",
            "planned_end",
            "La fin prévue ne peut pas précéder le début prévu.",
        )
        phase = cleaned.get("phase")
        if phase:
            first, last = self.position_range(phase)
            position = cleaned.get("position")
            if position is None:
                cleaned["position"] = last
            elif not first <= position <= last:
                self.add_error(
                    "position",
                    f"Une étape de la phase {phase} prend une position entre {first} et {last}.",
                )
        return cleaned


class JalonDecisionForm(forms.ModelForm):
    """What the COPIL decided on a go / no go milestone. Changing a decision already recorded
    needs a reason; the previous decision stays in the grappe's history."""

    change_reason = forms.CharField(
        label="Motif de la modification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour modifier une décision déjà enregistrée.",
    )

    class Meta:
        model = Jalon
        fields = [
            "decision",
            "decided_on",
            "mode",
            "votes_pour",
            "votes_contre",
            "votes_abstention",
            "reasons",
        ]
        widgets = {
            "decision": forms.RadioSelect,
            "mode": forms.RadioSelect,
            "decided_on": date_input(),
            "reasons": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "reasons": "Obligatoires pour un no go ou un ajournement.",
            "votes_pour": "Avec un vote : le total ne dépasse pas le nombre de membres votants.",
        }

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = voters
        self.already_decided = bool(self.instance.decision)
        self.fields["decision"].required = True
        self.fields["decision"].choices = DecisionJalon.choices
        self.fields["decision"].error_messages["required"] = "Indiquez la décision du COPIL."
        self.fields["mode"].required = True
        self.fields["mode"].choices = ModeDecision.choices
        self.fields["mode"].error_messages["required"] = (
            "Indiquez si la décision a été prise par consensus ou par un vote."
        )
        self.fields["decided_on"].required = True
        self.fields["decided_on"].error_messages["required"] = "Indiquez la date de la décision."
        if not self.already_decided:
            del self.fields["change_reason"]
            self.initial["decided_on"] = self.initial.get("decided_on") or timezone.localdate()

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise forms.ValidationError("La date de la décision ne peut pas être dans le futur.")
        return decided_on

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if (
            decision in (DecisionJalon.NO_GO, DecisionJalon.AJOURNE)
            and not (cleaned.get("reasons") or "").strip()
        ):
            label = "d'un no go" if decision == DecisionJalon.NO_GO else "d'un ajournement"
            self.add_error("reasons", f"Indiquez les motifs {label}.")
        if cleaned.get("mode") == ModeDecision.VOTE:
            self._check_votes(cleaned)
        elif cleaned.get("mode") == ModeDecision.CONSENSUS:
            for name in ("votes_pour", "votes_contre", "votes_abstention"):
                cleaned[name] = None
        reason = (cleaned.get("change_reason") or "").strip()
        if self.already_decided and self.changes_decision() and not reason:
            self.add_error(
                "change_reason",
                "Indiquez le motif de la modification de la décision déjà enregistrée.",
            )
        return cleaned

    def changes_decision(self):
        """Whether the posted decision differs from the one recorded."""
        return bool(set(self.changed_data) - {"change_reason"})

    def _check_votes(self, cleaned):
        names = {
            "votes_pour": "Indiquez le nombre de voix pour.",
            "votes_contre": "Indiquez le nombre de voix contre.",
            "votes_abstention": "Indiquez le nombre d'abstentions (0 s'il n'y en a pas).",
        }
        missing = False
        for name, message in names.items():
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, message)
                missing = True
        if missing or any(name in self.errors for name in names):
            return
        total = sum(cleaned[name] for name in names)
        if total == 0:
            self.add_error("votes_pour", "Un vote compte au moins une voix.")
        elif total > self.voters:
            self.add_error(
                "votes_pour",
                f"Le total des voix ({total}) dépasse le nombre de membres votants du COPIL "
                f"({self.voters}).",
            )


class MiseEnServiceForm(forms.Form):
    """The DUI's mise en service, for the whole grappe and, where it differs (deployment in
    waves), per ESMS. The usage targets are measured from it (seed 000 §2.3): a date is recorded
    once the DUI is in service, never ahead, and not before the project started."""

    date_commune = forms.DateField(
        label="Date de mise en service (toute la grappe)",
        required=False,
        widget=forms.DateInput(
            attrs={**DATE_WIDGET, "class": "form-control", "aria-describedby": "aide-date-commune"},
            format="%Y-%m-%d",
        ),
        help_text=(
            "S'applique aux ESMS sans date propre ci-dessous. Laissez vide et remplissez la "
            "date de chaque ESMS si le déploiement se fait par vagues."
        ),
    )

    def __init__(self, *args, memberships, plan, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        self.plan = plan
        self.today = today or timezone.localdate()
        # One date for every ESMS shows as the grappe's date, so that changing it changes all.
        recorded = {m.dui_in_service_on for m in self.memberships}
        common = next(iter(recorded)) if len(recorded) == 1 else None
        self.fields["date_commune"].initial = common
        for membership in self.memberships:
            self.fields[self.field_name(membership)] = forms.DateField(
                label=f"{membership.esms.raison_sociale} ({membership.esms.finess_et})",
                required=False,
                widget=forms.DateInput(
                    attrs={**DATE_WIDGET, "class": "form-control form-control-sm"},
                    format="%Y-%m-%d",
                ),
                initial=None if common else membership.dui_in_service_on,
            )

    @staticmethod
    def field_name(membership):
        return f"esms_{membership.pk}"

    def rows(self):
        """(membership, bound field) per ESMS, for the table of the page."""
        return [(m, self[self.field_name(m)]) for m in self.memberships]

    def _check(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return
        if value > self.today:
            self.add_error(
                name,
                "La mise en service s'enregistre une fois faite : la date ne peut pas être "
                "dans le futur.",
            )
        elif value < self.plan.start_on:
            self.add_error(
                name,
                "La mise en service ne peut pas précéder le début du projet "
                f"({self.plan.start_on:%d/%m/%Y}).",
            )

    def clean(self):
        cleaned = super().clean()
        for name in ["date_commune", *(self.field_name(m) for m in self.memberships)]:
            self._check(name)
        return cleaned

    def dates(self):
        """{membership: date or None} once valid: each ESMS's own date, else the common one."""
        common = self.cleaned_data.get("date_commune")
        return {m: self.cleaned_data.get(self.field_name(m)) or common for m in self.memberships}
