from decimal import Decimal

from django import forms
from django.utils.text import capfirst

from core.money import euros
from core.text import size
from core.uploads import ZIP_MAGIC, UploadRefused, check_xlsx_archive, format_count
from indicateurs import paiements
from indicateurs.models import PERSONNES_ACCOMPAGNEES_AIDE, USAGE_FIELDS, UsageMensuel
from indicateurs.usage_import import MAX_COUNT, MAX_ROWS

# In decimal megabytes, as core.text.size writes sizes (and French users read them): « 20 Mo ».
MAX_UPLOAD_SIZE = 20_000_000


class UsageImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des données d'usage",
        help_text=(
            "CSV (séparateur « ; » ou « , », UTF-8 ou Windows-1252) ou classeur Excel (.xlsx, "
            "première feuille), avec l'en-tête du modèle ; le mois écoulé ou un mois passé, des "
            f"nombres entiers de 0 à {format_count(MAX_COUNT)}. {size(MAX_UPLOAD_SIZE)} et "
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


class ConfirmationForm(forms.Form):
    """The box of an import's page that confirms its values « à confirmer »."""

    confirme = forms.BooleanField(
        label="Je confirme les valeurs « à confirmer » signalées dans le rapport",
        required=False,
    )

    def confirmed(self):
        return self.is_valid() and self.cleaned_data["confirme"]


class SaisieForm(forms.Form):
    """One ESMS, one month, its counts (empty = missing, not zero)."""

    CONFIRM_HINT = "Si la valeur est juste, cochez « Je confirme ces valeurs » et enregistrez."

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
                # The import's bound (usage_import.parse_count), said before the form is sent.
                max_value=MAX_COUNT,
            )
        self.fields[
            "personnes_accompagnees"
        ].help_text = f"{PERSONNES_ACCOMPAGNEES_AIDE}. Laissez vide si la donnée manque."
        self.fields["dmp_alimentes_periode"].help_text = (
            "Seulement pour le 3e mois de la première mesure : les personnes dont le DMP a été "
            "alimenté d'au moins un document sur les 3 mois, comptées une fois. Sans ce chiffre, "
            "la somme des 3 mois n'est qu'un majorant et la cible DMP reste non évaluée."
        )
        self.fields["confirme"] = forms.BooleanField(
            label="Je confirme ces valeurs",
            required=False,
            help_text=(
                "À cocher seulement si l'enregistrement signale des valeurs « à confirmer » "
                "(inhabituellement élevées) et qu'elles sont justes."
            ),
        )

    def row(self):
        data = self.cleaned_data
        return {
            "finess_et": data["esms"].esms.finess_et,
            "mois": data["mois"],
            **{name: data.get(name) for name in USAGE_FIELDS},
        }


class PaiementForm(forms.Form):
    """One payment of a tranche by the ARS (indicateurs.paiements): never more than what remains
    to pay, and one of another amount (a partial payment, a deduction) says why."""

    # ISO format: a date input shows nothing of a localised value (the initial date was lost).
    paye_le = forms.DateField(
        label="Payée le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    montant_paye = forms.DecimalField(
        label="Montant payé (€)", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reference_paiement = forms.CharField(label="Référence du paiement", max_length=100)
    motif_ecart_paiement = forms.CharField(
        label="Motif de l'écart",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire si le montant payé diffère du montant attendu.",
    )

    def __init__(self, *args, tranche, **kwargs):
        super().__init__(*args, **kwargs)
        self.tranche = tranche
        reste = tranche.reste_a_payer
        montant = self.fields["montant_paye"]
        montant.widget.attrs["max"] = f"{reste}"
        montant.help_text = (
            f"Reste à payer : {euros(reste)}, au plus."
            if tranche.montant_paye
            else f"Montant de la tranche : {euros(reste)}, au plus."
        )

    def clean(self):
        data = super().clean()
        montant = data.get("montant_paye")
        if montant is None:
            return data
        if refus := paiements.depassement(self.tranche, montant):
            self.add_error("montant_paye", refus)
        elif (requis := paiements.motif_requis(self.tranche, montant)) and not data.get(
            "motif_ecart_paiement"
        ):
            self.add_error("motif_ecart_paiement", requis)
        return data
