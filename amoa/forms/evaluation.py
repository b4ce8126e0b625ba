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

    def clean(self):
        cleaned = super().clean()
        for _offre, critere, note_name, text_name in self.cells:
            if cleaned.get(note_name) is None and cleaned.get(text_name):
                self.add_error(note_name, f"Donnez une note sur {critere.echelle}.")
        return cleaned

    def rows(self):
        """[(offre, [(critere, note field, justification field)])] for the template."""
        grouped = {}
        for offre, critere, note_name, text_name in self.cells:
            grouped.setdefault(offre, []).append((critere, self[note_name], self[text_name]))
        return list(grouped.items())


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
