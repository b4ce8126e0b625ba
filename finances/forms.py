from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone

from core.forms import HundredPercentFormSet
from core.money import euros
from core.text import size
from core.uploads import (
    JPEG,
    MAX_UPLOAD_SIZE,
    PDF,
    PNG,
    ZIP_MAGIC,
    UploadRefused,
    check_upload,
    check_xlsx_archive,
    clean_filename,
)
from finances.enums import Poste
from finances.models import CleRepartition, Engagement, Facture, PartCle, Reversement
from grappe.models import OrganismeGestionnaire
from indicateurs.models import Tranche

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DOCUMENT_HELP = f"PDF, Word, Excel, OpenDocument, PNG ou JPEG ; {size(MAX_UPLOAD_SIZE)} au plus."
# An invoice is a PDF, or the scan of a paper one.
FACTURE_TYPES = {PDF, PNG, JPEG}
FACTURE_HELP = f"PDF (ou PNG / JPEG d'une facture numérisée) ; {size(MAX_UPLOAD_SIZE)} au plus."


class UploadMixin:
    """Checks an uploaded file like every upload of the project (core.uploads): size, type by
    content; keeps its safe name and content type."""

    def checked(self, name, allowed=None, refusal=""):
        upload = self.cleaned_data.get(name)
        if not upload or not hasattr(upload, "content_type"):
            return upload  # nothing new (an existing file, or none)
        content_type = check_upload(upload)
        if allowed is not None and content_type not in allowed:
            raise ValidationError(refusal)
        self.upload_type = content_type
        self.upload_name = clean_filename(upload.name)
        return upload


class EngagementForm(UploadMixin, forms.ModelForm):
    document = forms.FileField(
        label="Document (contrat, bon de commande)",
        required=False,
        help_text=DOCUMENT_HELP,
    )
    choix = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Engagement
        fields = ["og", "poste", "fournisseur", "objet", "date", "montant_ht", "taux_tva"]
        widgets = {"date": DATE}
        error_messages = {
            "og": {"invalid_choice": "Choisissez un organisme gestionnaire de la grappe."},
            "fournisseur": {"required": "Indiquez le fournisseur."},
            "objet": {"required": "Indiquez l'objet du contrat ou de la commande."},
            "date": {"required": "Indiquez la date d'engagement."},
            "montant_ht": {"required": "Indiquez le montant HT."},
        }

    def __init__(self, *args, grappe, choix_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grappe = grappe
        self.choix_ids = set(choix_ids)
        ogs = OrganismeGestionnaire.objects.filter(
            grappe_memberships__grappe=grappe, grappe_memberships__left_on__isnull=True
        )
        if self.instance.pk:
            ogs = ogs | OrganismeGestionnaire.objects.filter(pk=self.instance.og_id)
        self.fields["og"].queryset = ogs.distinct().order_by("raison_sociale")
        self.fields["og"].label_from_instance = lambda og: og.raison_sociale or og.finess_ej
        self.fields["taux_tva"].help_text = "En %, par exemple 20 ou 5,5."

    def clean_document(self):
        return self.checked("document")

    def clean_choix(self):
        choix = self.cleaned_data.get("choix")
        if choix and choix not in self.choix_ids:
            return None  # a choice already engaged, or another grappe's: not linked
        return choix


class FinancementsPropresForm(forms.Form):
    """The OGs' own money per poste: one amount per (OG, poste), blank for none. The OGs are the
    active coopérateurs and any other that still holds an amount (it left the grappe: its
    amount can be corrected or cleared, not lost unseen)."""

    def __init__(self, *args, ogs, montants, **kwargs):
        super().__init__(*args, **kwargs)
        self.ogs = ogs
        for og in ogs:
            for poste in Poste:
                self.fields[self.key(og, poste)] = forms.DecimalField(
                    label=poste.label,
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                    initial=montants.get((og.pk, poste.value)),
                    error_messages={
                        "invalid": "Saisissez un montant en euros, par exemple 12500 ou 12500.50.",
                        "min_value": "Un financement propre ne peut pas être négatif.",
                        "max_decimal_places": "Un montant s'arrête au centime.",
                        "max_digits": "Montant trop grand.",
                    },
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
                )

    @staticmethod
    def key(og, poste):
        return f"og{og.pk}_{poste.value}"

    def groupes(self):
        """(og, [bound fields of its postes]), for the template."""
        return [(og, [self[self.key(og, poste)] for poste in Poste]) for og in self.ogs]

    def montants(self):
        """{(og, poste): amount or None} as typed."""
        return {
            (og, poste): self.cleaned_data.get(self.key(og, poste))
            for og in self.ogs
            for poste in Poste
        }


class FactureForm(UploadMixin, forms.ModelForm):
    fichier = forms.FileField(
        label="Facture",
        help_text=FACTURE_HELP,
        error_messages={"required": "Joignez la facture."},
    )

    class Meta:
        model = Facture
        fields = [
            "numero",
            "date",
            "montant_ht",
            "taux_tva",
            "echeance",
            "payee_le",
            "eligibilite_forcee",
            "motif_forcage",
        ]
        widgets = {
            "date": DATE,
            "echeance": DATE,
            "payee_le": DATE,
            "motif_forcage": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"motif_forcage": "Motif de l'éligibilité malgré la date"}
        help_texts = {
            "eligibilite_forcee": "Une facture datée avant l'ouverture de l'appel n'est pas "
            "éligible, sauf exception motivée.",
        }
        error_messages = {
            "numero": {"required": "Indiquez le numéro de la facture."},
            "date": {"required": "Indiquez la date de la facture."},
            "montant_ht": {"required": "Indiquez le montant HT."},
        }

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        if self.instance.pk:
            self.fields["fichier"].required = False
            self.fields["fichier"].help_text = f"{FACTURE_HELP} Vide : le fichier reste."

    def clean_fichier(self):
        return self.checked(
            "fichier",
            FACTURE_TYPES,
            "Une facture se joint en PDF, ou en image PNG ou JPEG si elle a été numérisée.",
        )

    def clean_numero(self):
        numero = self.cleaned_data["numero"].strip()
        others = Facture.objects.filter(engagement=self.engagement, numero=numero)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                f"La facture n° {numero} est déjà enregistrée sur cet engagement."
            )
        return numero

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("eligibilite_forcee") and not (cleaned.get("motif_forcage") or "").strip():
            self.add_error(
                "motif_forcage", "Dites pourquoi la facture est éligible malgré sa date."
            )
        if not cleaned.get("eligibilite_forcee"):
            cleaned["motif_forcage"] = ""
        date, payee_le = cleaned.get("date"), cleaned.get("payee_le")
        if date and payee_le and payee_le < date:
            self.add_error("payee_le", "Le paiement ne peut précéder la facture.")
        return cleaned

    def _post_clean(self):
        # The model's engagement is set by the view; validate_unique/constraints need it.
        self.instance.engagement = self.engagement
        super()._post_clean()


# --- Sharing the subsidy ----------------------------------------------------------------------


class CleForm(forms.ModelForm):
    class Meta:
        model = CleRepartition
        fields = ["mode"]
        widgets = {"mode": forms.RadioSelect}
        labels = {"mode": "Clé de répartition de la convention de coopération"}
        help_texts = {
            "mode": "Au prorata des ESMS : chaque OG coopérateur reçoit en proportion de ses "
            "ESMS actifs dans la grappe. Parts saisies : un pourcentage par OG, 100 % au total."
        }


class PartsFormSet(HundredPercentFormSet):
    what = "Les parts des organismes gestionnaires"
    required = "Saisissez la part d'au moins un organisme gestionnaire."

    def __init__(self, *args, ogs, **kwargs):
        self.ogs = list(ogs)
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["og"].queryset = OrganismeGestionnaire.objects.filter(
            pk__in=[og.pk for og in self.ogs]
        )
        form.fields["og"].widget = forms.HiddenInput()
        form.fields["og"].error_messages["invalid_choice"] = (
            "Cet organisme gestionnaire n'est plus coopérateur de la grappe."
        )
        form.fields["pourcentage"].required = False
        og_id = form.initial.get("og") or (form.instance.og_id if form.instance.pk else None)
        form.og_label = next(
            (og.raison_sociale or og.finess_ej for og in self.ogs if og.pk == og_id), ""
        )
        form.fields["pourcentage"].widget.attrs["aria-label"] = f"Part de {form.og_label} (%)"
        return form

    def kept(self):
        return [
            data
            for data in super().kept()
            if data.get("pourcentage") is not None and data.get("og") is not None
        ]


def parts_formset(cle, ogs, data=None):
    """One row per active coopérateur OG: its saved percentage, or an empty row to fill."""
    ogs = list(ogs)
    saved = set(cle.parts.values_list("og_id", flat=True)) if cle.pk else set()
    missing = [og for og in ogs if og.pk not in saved]
    factory = inlineformset_factory(
        CleRepartition,
        PartCle,
        formset=PartsFormSet,
        fields=["og", "pourcentage"],
        extra=len(missing),
        can_delete=False,
    )
    queryset = (
        cle.parts.filter(og__in=ogs).order_by("og__raison_sociale", "og__finess_ej")
        if cle.pk
        else PartCle.objects.none()
    )
    return factory(
        data,
        instance=cle,
        queryset=queryset,
        prefix="parts",
        ogs=ogs,
        initial=[{"og": og.pk} for og in missing],
    )


class ReversementForm(forms.ModelForm):
    class Meta:
        model = Reversement
        fields = ["tranche", "og", "montant", "date", "reference"]
        widgets = {"date": DATE}
        error_messages = {
            "tranche": {
                "required": "Choisissez la tranche reversée.",
                "invalid_choice": "Choisissez une tranche payée de la grappe.",
            },
            "og": {
                "required": "Choisissez l'organisme gestionnaire bénéficiaire.",
                "invalid_choice": "Choisissez un organisme gestionnaire coopérateur autre que "
                "le porteur.",
            },
            "montant": {"required": "Indiquez le montant reversé."},
            "date": {"required": "Indiquez la date du virement."},
        }

    def __init__(self, *args, grappe, partage, **kwargs):
        super().__init__(*args, **kwargs)
        self.grappe = grappe
        self.partage = partage
        self.fields["tranche"].queryset = Tranche.objects.filter(
            pk__in=[ligne.tranche.pk for ligne in partage.tranches]
        ).order_by("numero")
        self.fields["tranche"].label_from_instance = lambda t: (
            f"Tranche {t.numero} — payée le {t.paye_le:%d/%m/%Y}"
            if t.paye_le
            else f"Tranche {t.numero}"
        )
        self.fields["og"].queryset = OrganismeGestionnaire.objects.filter(
            pk__in=[total.og.pk for total in partage.ogs if not total.porteur]
        ).order_by("raison_sociale", "finess_ej")
        self.fields["og"].label_from_instance = lambda og: og.raison_sociale or og.finess_ej

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError("La date du virement ne peut pas être dans le futur.")
        return date

    def clean(self):
        cleaned = super().clean()
        tranche, og, montant = (cleaned.get(key) for key in ("tranche", "og", "montant"))
        if tranche and og and montant is not None:
            reste = self.partage.reste(tranche.pk, og.pk)
            nom = og.raison_sociale or og.finess_ej
            if montant > reste:
                self.add_error(
                    "montant",
                    f"Le reversement dépasse ce qui reste dû à {nom} sur la tranche "
                    f"{tranche.numero} : {euros(reste)}.",
                )
        date = cleaned.get("date")
        if tranche and date and tranche.paye_le and date < tranche.paye_le:
            self.add_error(
                "date",
                f"Le virement ne peut précéder le paiement de la tranche "
                f"({tranche.paye_le:%d/%m/%Y}).",
            )
        return cleaned


# --- Importing invoices -----------------------------------------------------------------------


class ImportFacturesForm(forms.Form):
    fichier = forms.FileField(
        label="Classeur des factures (.xlsx)",
        help_text=(
            "Classeur Excel (.xlsx, première feuille) avec l'en-tête du modèle : engagement, "
            "numero, date, montant_ht, taux_tva, echeance, payee_le. "
            f"{size(MAX_UPLOAD_SIZE)} au plus."
        ),
        error_messages={"required": "Joignez le classeur des factures."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise ValidationError(f"Le fichier dépasse {size(MAX_UPLOAD_SIZE)}.")
        upload.seek(0)
        head = upload.read(len(ZIP_MAGIC))
        upload.seek(0)
        if head != ZIP_MAGIC or not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("Envoyez un classeur Excel (.xlsx) : ce fichier n'en est pas un.")
        try:
            check_xlsx_archive(upload)
        except UploadRefused as exc:
            raise ValidationError(str(exc)) from None
        return upload
