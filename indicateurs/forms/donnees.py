from django import forms

from indicateurs.models import USAGE_FIELDS, UsageMensuel

MAX_UPLOAD_SIZE = 20 * 1024 * 1024


class UsageImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des données d'usage",
        help_text=(
            "CSV (séparateur « ; » ou « , », UTF-8 ou Windows-1252) ou classeur Excel (.xlsx, "
            "première feuille), avec l'en-tête du modèle. 20 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError("Le fichier dépasse 20 Mo.")
        return upload


class SaisieForm(forms.Form):
    """One ESMS, one month, the six counts (empty = missing, not zero)."""

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
                label=UsageMensuel._meta.get_field(name).verbose_name.capitalize(),
                required=False,
                help_text="Laissez vide si la donnée manque.",
            )

    def row(self):
        data = self.cleaned_data
        return {
            "finess_et": data["esms"].esms.finess_et,
            "mois": data["mois"],
            **{name: data.get(name) for name in USAGE_FIELDS},
        }


class PaiementForm(forms.Form):
    paye_le = forms.DateField(label="Payée le", widget=forms.DateInput(attrs={"type": "date"}))
    montant_paye = forms.DecimalField(
        label="Montant payé (€)", max_digits=12, decimal_places=2, min_value=0
    )
    reference_paiement = forms.CharField(label="Référence du paiement", max_length=100)
