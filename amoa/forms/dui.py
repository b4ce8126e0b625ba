"""Forms of the DUI choice: the grid, the technical preferences, the market study, the import
of a cadre de réponse."""

from django import forms
from django.core.exceptions import ValidationError

from amoa.cadre import MAX_ROWS
from amoa.enums import Profession
from amoa.models import (
    DomaineFonctionnel,
    Exigence,
    GrilleFonctionnelle,
    PreferenceTechnique,
    SolutionEtudiee,
)
from core.text import size
from core.uploads import clean_filename, format_count

XLSX_TYPES = [".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
MAX_IMPORT_SIZE = 5_000_000  # « 5 Mo » (decimal, as core.text.size writes it)


class ExigenceForm(forms.ModelForm):
    professions = forms.MultipleChoiceField(
        label="Professions concernées",
        choices=Profession.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Exigence
        fields = ["domaine", "code", "libelle", "priorite", "professions", "ordre"]
        widgets = {"libelle": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"code": "Référence reprise dans le cadre de réponse (ex. DOS-05)."}

    def __init__(self, *args, grille, **kwargs):
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.fields["domaine"].queryset = grille.domaines.all()

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        others = Exigence.objects.filter(grille=self.grille, code__iexact=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("Cette référence est déjà utilisée dans la grille.")
        return code


class DomaineForm(forms.ModelForm):
    class Meta:
        model = DomaineFonctionnel
        fields = ["parent", "code", "libelle", "ordre"]

    def __init__(self, *args, grille, **kwargs):
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.fields["parent"].queryset = grille.domaines.all()

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if DomaineFonctionnel.objects.filter(grille=self.grille, code__iexact=code).exists():
            raise ValidationError("Ce code de domaine est déjà utilisé.")
        return code


class HebergementForm(forms.ModelForm):
    class Meta:
        model = GrilleFonctionnelle
        fields = ["hebergement", "hebergement_commentaire"]
        widgets = {
            "hebergement": forms.RadioSelect,
            "hebergement_commentaire": forms.Textarea(attrs={"rows": 2}),
        }


PreferenceFormSet = forms.inlineformset_factory(
    GrilleFonctionnelle,
    PreferenceTechnique,
    fields=["theme", "preference", "ordre"],
    widgets={"preference": forms.Textarea(attrs={"rows": 1})},
    extra=1,
    can_delete=True,
)


class SolutionForm(forms.ModelForm):
    class Meta:
        model = SolutionEtudiee
        fields = [
            "editeur",
            "solution",
            "reference_sad",
            "domaines_couverts",
            "domaines_non_couverts",
            "forces",
            "faiblesses",
            "elimine",
            "motif_elimination",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "domaines_couverts",
                "domaines_non_couverts",
                "forces",
                "faiblesses",
                "motif_elimination",
            )
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Cadre de réponse complété (XLSX)",
        help_text=(
            "Le cadre de réponse exporté pour cette consultation, complété par l'éditeur. 5 Mo et "
            f"{format_count(MAX_ROWS)} lignes par feuille au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(XLSX_TYPES)}),
        error_messages={"required": "Choisissez le fichier XLSX complété par l'éditeur."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("Déposez le cadre de réponse au format XLSX.")
        if upload.size > MAX_IMPORT_SIZE:
            raise ValidationError(f"Le fichier dépasse {size(MAX_IMPORT_SIZE)}.")
        self.original_name = clean_filename(upload.name)
        return upload
