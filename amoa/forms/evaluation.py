"""Forms of the evaluation: an evaluator's grid, conflicts, consensus, auditions, the choice."""

from django import forms
from django.core.exceptions import ValidationError

from amoa.forms.consultations import DATE, DATETIME
from amoa.models import Audition, Choix, Offre


def field_names(offre, critere):
    return f"note-{offre.pk}-{critere.pk}", f"justification-{offre.pk}-{critere.pk}"


class GrilleForm(forms.Form):
    """One evaluator's scores: per offer they may score, per qualitative criterion."""

    def __init__(self, *args, offres, criteres, notes, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes = notes  # {(offre pk, critere pk): Note} stored before this post
        self.cells = []
        for offre in offres:
            for critere in criteres:
                note_name, text_name = field_names(offre, critere)
                existing = notes.get((offre.pk, critere.pk))
                self.fields[note_name] = forms.DecimalField(
                    label=f"Note — {critere.libelle} — {offre.candidat.societe}",
                    min_value=0,
                    max_value=critere.echelle,
                    decimal_places=1,
                    required=False,
                    initial=existing.valeur if existing else None,
                    widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control"}),
                    error_messages={
                        "max_value": f"La note maximale est {critere.echelle}.",
                        "min_value": "La note ne peut pas être négative.",
                    },
                )
                self.fields[text_name] = forms.CharField(
                    label=f"Justification — {critere.libelle} — {offre.candidat.societe}",
                    required=False,
                    initial=existing.justification if existing else "",
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )
                self.cells.append((offre, critere, note_name, text_name))

    def _posted(self, offre, critere, note_name, text_name):
        """(note, justification) after this post: a field the post does not carry keeps the
        stored value, so an empty or partial post changes nothing."""
        existing = self.notes.get((offre.pk, critere.pk))
        note = existing.valeur if existing else None
        text = existing.justification if existing else ""
        if note_name in self.data:
            note = self.cleaned_data.get(note_name)
        if text_name in self.data:
            text = self.cleaned_data.get(text_name, "")
        return note, text

    def clean(self):
        cleaned = super().clean()
        for offre, critere, note_name, text_name in self.cells:
            if note_name in self.errors:
                continue
            note, text = self._posted(offre, critere, note_name, text_name)
            if note is None and text:
                self.add_error(note_name, f"Donnez une note sur {critere.echelle}.")
        return cleaned

    def values(self):
        """{(offre pk, critere pk): (note, justification)} once this post is applied."""
        return {
            (offre.pk, critere.pk): self._posted(offre, critere, note_name, text_name)
            for offre, critere, note_name, text_name in self.cells
        }

    def changes(self):
        """[(offre, critere, note or None, justification)] of the cells this post explicitly
        changes (None: the note field was sent empty, the note is cleared)."""
        changed = []
        for offre, critere, note_name, text_name in self.cells:
            existing = self.notes.get((offre.pk, critere.pk))
            note, text = self._posted(offre, critere, note_name, text_name)
            before = (existing.valeur, existing.justification) if existing else (None, "")
            if (note, text) != before:
                changed.append((offre, critere, note, text))
        return changed

    def rows(self):
        """[(offre, [(critere, note field, justification field)])] for the template."""
        grouped = {}
        for offre, critere, note_name, text_name in self.cells:
            grouped.setdefault(offre, []).append((critere, self[note_name], self[text_name]))
        return list(grouped.items())


class ReouvertureForm(forms.Form):
    """Reopen a consultation whose choice is recorded: the reason is traced."""

    motif = forms.CharField(
        label="Motif de la réouverture",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Le choix enregistré et son classement figé sont annulés ; "
        "ils restent dans l'historique de la grappe.",
        error_messages={"required": "Indiquez le motif de la réouverture."},
    )


class ReouvertureGrilleForm(forms.Form):
    """Reopen one evaluator's submitted grid (the comité de sélection's president, the admin)."""

    evaluation = forms.ModelChoiceField(
        label="Évaluation",
        queryset=None,
        error_messages={
            "required": "Choisissez l'évaluation à rouvrir.",
            "invalid_choice": "Cette évaluation n'est pas soumise : il n'y a rien à rouvrir.",
        },
    )
    motif = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de la réouverture."},
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["evaluation"]
        field.queryset = consultation.evaluations.filter(soumise_le__isnull=False).select_related(
            "evaluateur"
        )
        field.label_from_instance = lambda e: e.evaluateur.get_full_name() or e.evaluateur.email


class ConflitForm(forms.Form):
    candidat = forms.ModelChoiceField(label="Candidat", queryset=None)
    motif = forms.CharField(
        label="Nature du lien",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : ancien employeur, lien familial, mission en cours.",
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidat"].queryset = consultation.candidats.all()


class ConsensusForm(forms.Form):
    offre = forms.ModelChoiceField(label="Offre", queryset=None)
    critere = forms.ModelChoiceField(label="Critère", queryset=None)
    valeur = forms.DecimalField(label="Note de consensus", min_value=0, decimal_places=1)
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offre"].queryset = consultation.offres.select_related("candidat")
        self.fields["offre"].label_from_instance = lambda offre: offre.candidat.societe
        self.fields["critere"].queryset = consultation.criteres.filter(kind="qualitatif")

    def clean(self):
        cleaned = super().clean()
        critere, valeur = cleaned.get("critere"), cleaned.get("valeur")
        if critere and valeur is not None and valeur > critere.echelle:
            self.add_error("valeur", f"La note maximale est {critere.echelle}.")
        return cleaned


class AuditionForm(forms.ModelForm):
    offre = forms.ModelChoiceField(label="Candidat auditionné", queryset=None)

    class Meta:
        model = Audition
        fields = ["offre", "date", "questions", "synthese"]
        widgets = {
            "date": DATETIME,
            "questions": forms.Textarea(attrs={"rows": 3}),
            "synthese": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offre"].queryset = Offre.objects.filter(
            consultation=consultation
        ).select_related("candidat")
        self.fields["offre"].label_from_instance = lambda offre: offre.candidat.societe

    def clean_offre(self):
        offre = self.cleaned_data["offre"]
        existing = Audition.objects.filter(offre=offre)
        if self.instance.pk:
            existing = existing.exclude(pk=self.instance.pk)
        if existing.exists():
            raise ValidationError("Ce candidat a déjà une audition : modifiez-la.")
        return offre


class ChoixForm(forms.ModelForm):
    offre = forms.ModelChoiceField(label="Offre retenue", queryset=None)

    class Meta:
        model = Choix
        fields = ["offre", "date", "decision"]
        widgets = {"date": DATE, "decision": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, ranked_offres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offre"].queryset = Offre.objects.filter(
            pk__in=[offre.pk for offre in ranked_offres]
        ).select_related("candidat")
        self.fields["offre"].label_from_instance = lambda offre: offre.candidat.societe
        self.fields["offre"].help_text = "Seules les offres classées peuvent être retenues."
