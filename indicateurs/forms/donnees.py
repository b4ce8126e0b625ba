from django import forms
from django.utils.text import capfirst

from core.text import size
from core.uploads import ZIP_MAGIC, UploadRefused, check_xlsx_archive, format_count
from indicateurs.models import PERSONNES_ACCOMPAGNEES_AIDE, USAGE_FIELDS, UsageMensuel
from indicateurs.usage_import import MAX_ROWS

# In decimal megabytes, as core.text.size writes sizes (and French users read them): « 20 Mo ».
MAX_UPLOAD_SIZE = 20_000_000


class UsageImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des données d'usage",
        help_text=(
            "CSV (séparateur « ; » ou « , », UTF-8 ou Windows-1252) ou classeur Excel (.xlsx, "
            f"première feuille), avec l'en-tête du modèle. {size(MAX_UPLOAD_SIZE)} et "
            f"{format_count(MAX_ROWS)} lignes au plus (un mois de toutes les ESMS du pays en "
            "compte 35\xa0000)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(f"Le fichier dépasse {size(MAX_UPLOAD_SIZE)}.")
        upload.seek(0)
        workbook = upload.read(4) == ZIP_MAGIC or upload.name.lower().endswith(".xlsx")
        upload.seek(0)
        if workbook:
            # A decompression bomb shows in the ZIP directory: refused in milliseconds, before
            # it is stored or queued (the reader checks again, for the command line).
            try:
                check_xlsx_archive(upload)
            except UploadRefused as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


class SaisieForm(forms.Form):
    """One ESMS, one month, its counts (empty = missing, not zero)."""

    esms = forms.ModelChoiceField(label="ESMS", queryset=None, empty_label="Choisissez un ESMS")
    mois = forms.CharField(
        label="Mois",
        help_text="AAAA-MM, le mois écoulé ou un mois passé.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )

    def __init__(self, *args, grappe, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["esms"].queryset = (
            grappe.memberships.filter(left_on__isnull=True)
            .select_related("esms")
            .order_by("esms__raison_sociale")
        )
        self.fields["esms"].label_from_instance = lambda membership: str(membership.esms)
        for name in USAGE_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=capfirst(UsageMensuel._meta.get_field(name).verbose_name),
                required=False,
                help_text="Laissez vide si la donnée manque.",
            )
        self.fields[
            "personnes_accompagnees"
        ].help_text = f"{PERSONNES_ACCOMPAGNEES_AIDE}. Laissez vide si la donnée manque."
        self.fields["dmp_alimentes_periode"].help_text = (
            "Seulement pour le 3e mois de la première mesure : les personnes dont le DMP a été "
            "alimenté d'au moins un document sur les 3 mois, comptées une fois. Sans ce chiffre, "
            "la somme des 3 mois n'est qu'un majorant et la cible DMP reste non évaluée."
        )

    def row(self):
        data = self.cleaned_data
        return {
            "finess_et": data["esms"].esms.finess_et,
            "mois": data["mois"],
            **{name: data.get(name) for name in USAGE_FIELDS},
        }


class PaiementForm(forms.Form):
    # ISO format: a date input shows nothing of a localised value (the initial date was lost).
    paye_le = forms.DateField(
        label="Payée le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    montant_paye = forms.DecimalField(
        label="Montant payé (€)", max_digits=12, decimal_places=2, min_value=0
    )
    reference_paiement = forms.CharField(label="Référence du paiement", max_length=100)
