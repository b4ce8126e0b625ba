"""Forms of the minutes pages: the synthèse, the discussion of each agenda point, an avis."""

from django import forms

from projets.enums import AvisCompteRendu
from projets.models import CompteRendu, PointOrdreDuJour


class CompteRenduForm(forms.ModelForm):
    class Meta:
        model = CompteRendu
        fields = ["synthese"]
        labels = {"synthese": "Synthèse"}
        help_texts = {
            "synthese": "L'essentiel de la réunion en quelques lignes : ce qui a été présenté, "
            "décidé, ce qui reste à faire."
        }
        widgets = {"synthese": forms.Textarea(attrs={"rows": 6})}


class DiscussionForm(forms.ModelForm):
    """The discussion of one agenda point (the point itself is edited on the meeting page)."""

    class Meta:
        model = PointOrdreDuJour
        fields = ["discussion"]
        labels = {"discussion": "Échanges"}
        widgets = {"discussion": forms.Textarea(attrs={"rows": 4})}


DiscussionFormSet = forms.modelformset_factory(
    PointOrdreDuJour, form=DiscussionForm, extra=0, can_delete=False, edit_only=True
)


class AvisCompteRenduForm(forms.Form):
    decision = forms.ChoiceField(
        label="Avis",
        choices=AvisCompteRendu.choices,
        error_messages={"required": "Choisissez votre avis.", "invalid_choice": "Avis inconnu."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=5000,
        help_text="Obligatoire pour demander des modifications : dites ce qu'il faut revoir.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        comment = (cleaned.get("comment") or "").strip()
        cleaned["comment"] = comment
        if cleaned.get("decision") == AvisCompteRendu.MODIFICATIONS and not comment:
            self.add_error(
                "comment", "Dites ce qu'il faut modifier : le commentaire est obligatoire."
            )
        return cleaned
