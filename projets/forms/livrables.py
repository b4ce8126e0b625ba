"""Forms of the deliverable pages: upload a version (type checked by content), give an avis."""

from django import forms

from core.text import size
from core.uploads import ALLOWED_LABEL, ALLOWED_TYPES, MAX_UPLOAD_SIZE, check_upload, clean_filename
from projets.enums import DecisionAvis


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier",
        help_text=f"{ALLOWED_LABEL} ; {size(MAX_UPLOAD_SIZE)} au plus.",
        error_messages={"required": "Choisissez le fichier à déposer."},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
    )
    comment = forms.CharField(
        label="Commentaire de dépôt",
        required=False,
        max_length=2000,
        help_text="Ce qui change par rapport à la version précédente, par exemple.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        self.original_name = clean_filename(upload.name)
        return upload


class AvisForm(forms.Form):
    decision = forms.ChoiceField(
        label="Avis",
        choices=DecisionAvis.choices,
        error_messages={"required": "Choisissez votre avis.", "invalid_choice": "Avis inconnu."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=5000,
        help_text="Obligatoire pour un rejet : dites ce qu'il faut revoir.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        comment = (cleaned.get("comment") or "").strip()
        cleaned["comment"] = comment
        if decision == DecisionAvis.REJETTE and not comment:
            self.add_error("comment", "Motivez le rejet : le commentaire est obligatoire.")
        elif decision == DecisionAvis.COMMENTAIRE and not comment:
            self.add_error("comment", "Écrivez votre commentaire.")
        return cleaned
