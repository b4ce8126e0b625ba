"""Forms of a call: its dates to the minute (Europe/Paris) and envelope, its priority criteria
(weights totalling 100) and required pieces. Every refusal is a French sentence."""

from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from candidatures.models import (
    SECTIONS,
    Campagne,
    Candidature,
    CriterePriorite,
    DecisionSelection,
    PieceRequise,
)
from core.forms import HundredPercentFormSet
from core.text import size
from core.uploads import ALLOWED_LABEL, ALLOWED_TYPES, MAX_UPLOAD_SIZE, check_upload, clean_filename
from grappe.models import Aap, ArsAgent

MINUTE_INPUT = {"type": "datetime-local", "step": "60"}


def minute_input():
    return forms.DateTimeInput(attrs=MINUTE_INPUT, format="%Y-%m-%dT%H:%M")


class CampagneForm(forms.ModelForm):
    class Meta:
        model = Campagne
        fields = ["aap", "ouverture", "cloture", "enveloppe"]
        widgets = {"ouverture": minute_input(), "cloture": minute_input()}
        help_texts = {
            "ouverture": "Date et heure de Paris.",
            "cloture": (
                "Date et heure de Paris : un dossier est accepté jusqu'à cette minute, exclue."
            ),
        }
        error_messages = {
            "ouverture": {"required": "Indiquez l'ouverture des candidatures."},
            "cloture": {"required": "Indiquez la clôture des candidatures."},
            "enveloppe": {"required": "Indiquez l'enveloppe disponible."},
            "aap": {"required": "Choisissez l'appel à projets."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["aap"]  # a campaign stays on its AAP
            # A date that has passed stays: an opening moved back into the future would reopen
            # the criteria to edits under the instructors' notes, a closing moved after it has
            # passed would let a late dossier in.
            now = timezone.now()
            for name, passed in (
                ("ouverture", "L'appel est ouvert : son ouverture ne change plus."),
                ("cloture", "L'appel est clos : sa clôture ne change plus."),
            ):
                if getattr(self.instance, name) <= now:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = passed
        else:
            aaps = Aap.objects.filter(campagne__isnull=True).select_related("region")
            if not user.is_staff:
                regions = ArsAgent.objects.filter(user=user).values("region_id")
                aaps = aaps.filter(region_id__in=regions)
            self.fields["aap"].queryset = aaps.order_by("-year", "name")
            self.fields["aap"].empty_label = "Choisissez un appel à projets"
            self.fields["aap"].help_text = (
                "Les appels de votre région sans campagne ouverte."
                if not user.is_staff
                else "Les appels sans campagne ouverte."
            )

    def clean(self):
        cleaned = super().clean()
        ouverture, cloture = cleaned.get("ouverture"), cleaned.get("cloture")
        if ouverture and cloture and cloture <= ouverture:
            self.add_error("cloture", "La clôture doit suivre l'ouverture des candidatures.")
        return cleaned


class CriteresFormSet(HundredPercentFormSet):
    share_field = "poids"
    what = "Les poids des critères"
    pronoun = "ils"
    required = "Gardez au moins un critère de priorité."


CritereFormSet = inlineformset_factory(
    Campagne,
    CriterePriorite,
    formset=CriteresFormSet,
    fields=["libelle", "description", "poids"],
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
    extra=1,
    can_delete=True,
)

PieceFormSet = inlineformset_factory(
    Campagne, PieceRequise, fields=["libelle", "obligatoire"], extra=1, can_delete=True
)


class SectionsForm(forms.ModelForm):
    class Meta:
        model = Candidature
        fields = [name for name, _, _ in SECTIONS]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name, _, _ in SECTIONS}
        help_texts = {name: aide for name, _, aide in SECTIONS}


class PieceJointeForm(forms.Form):
    """One of the call's pieces, checked like a deliverable (core.uploads)."""

    piece = forms.ModelChoiceField(
        label="Pièce",
        queryset=PieceRequise.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Cette pièce n'est pas demandée par l'appel."},
    )
    file = forms.FileField(
        label="Fichier",
        help_text=f"{ALLOWED_LABEL} ; {size(MAX_UPLOAD_SIZE)} au plus. Un nouveau fichier "
        "remplace le précédent ; les versions déposées gardent le leur.",
        error_messages={"required": "Choisissez le fichier à joindre."},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
    )

    def __init__(self, *args, campagne, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piece"].queryset = campagne.pieces.all()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        self.original_name = clean_filename(upload.name)
        return upload


class DerogationForm(forms.Form):
    motif = forms.CharField(
        label="Motif de la dérogation",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi ces ESMS déjà financés peuvent l'être à nouveau ; tracé dans "
        "l'historique de la grappe.",
        error_messages={"required": "Motivez la dérogation."},
    )


# =============================================================================================
# Instruction (ARS)


class InstructeursForm(forms.Form):
    instructeurs = forms.ModelMultipleChoiceField(
        label="Instructeurs",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Les agents de l'ARS de la région de l'appel et l'administration nationale (seule à "
            "pouvoir instruire un appel national)."
        ),
    )

    def __init__(self, *args, eligibles, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["instructeurs"]
        field.queryset = eligibles.order_by("last_name", "first_name", "email")
        field.label_from_instance = lambda user: (
            f"{user.get_full_name() or user.email}"
            + (" (administration nationale)" if user.is_staff else "")
        )


NOTE_ATTRS = {
    "min": "0",
    "max": "10",
    "step": "0.5",
    "class": "form-control",
    "inputmode": "decimal",
}


class GrilleForm(forms.Form):
    """One note (0–10) and its justification per criterion, and a general appreciation. A post
    writes only the criteria it carries (an absent field changes nothing)."""

    commentaire = forms.CharField(
        label="Appréciation générale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteres, grille=None, notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteres = criteres
        notes = notes or {}
        if grille is not None:
            self.fields["commentaire"].initial = grille.commentaire
        for critere in criteres:
            note = notes.get(critere.pk)
            self.fields[f"note_{critere.pk}"] = forms.DecimalField(
                # The criterion is the fieldset's legend (grille.html).
                label="Note (0 à 10)",
                required=False,
                min_value=0,
                max_value=10,
                decimal_places=1,
                initial=note.valeur if note else None,
                widget=forms.NumberInput(attrs=NOTE_ATTRS),
                error_messages={
                    "min_value": "La note va de 0 à 10.",
                    "max_value": "La note va de 0 à 10.",
                    "invalid": "Saisissez une note de 0 à 10.",
                    "max_decimal_places": "Une décimale au plus.",
                },
            )
            self.fields[f"commentaire_{critere.pk}"] = forms.CharField(
                label="Justification",
                required=False,
                initial=note.commentaire if note else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [
            (critere, self[f"note_{critere.pk}"], self[f"commentaire_{critere.pk}"])
            for critere in self.criteres
        ]

    def values(self):
        """{critere: (note or None, justification)} for the criteria the post carries."""
        values = {}
        for critere in self.criteres:
            if (
                f"note_{critere.pk}" not in self.data
                and f"commentaire_{critere.pk}" not in self.data
            ):
                continue
            values[critere] = (
                self.cleaned_data.get(f"note_{critere.pk}"),
                self.cleaned_data.get(f"commentaire_{critere.pk}", ""),
            )
        return values


class ConflitInstructionForm(forms.Form):
    motif = forms.CharField(
        label="Nature du lien",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : ancien employeur, lien familial, mandat dans un des organismes.",
        error_messages={"required": "Décrivez la nature du lien avec ce dossier."},
    )


class ConsensusInstructionForm(forms.Form):
    critere = forms.ModelChoiceField(label="Critère", queryset=None)
    valeur = forms.DecimalField(
        label="Note de consensus (0 à 10)",
        min_value=0,
        max_value=10,
        decimal_places=1,
        error_messages={
            "min_value": "La note va de 0 à 10.",
            "max_value": "La note va de 0 à 10.",
            "required": "Indiquez la note de consensus.",
        },
    )
    motif = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire quand la note diffère de la moyenne des instructeurs.",
    )

    def __init__(self, *args, campagne, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["critere"].queryset = campagne.criteres.all()
        self.fields["critere"].error_messages["required"] = "Choisissez le critère."


class DemandePiecesForm(forms.Form):
    message = forms.CharField(
        label="Pièces ou informations demandées",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Dites au porteur ce qui manque."},
    )
    echeance = forms.DateField(
        label="Réponse attendue au plus tard le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de réponse attendue."},
    )

    def clean_echeance(self):
        echeance = self.cleaned_data["echeance"]
        if echeance < timezone.localdate():
            raise forms.ValidationError("La date de réponse ne peut pas être passée.")
        return echeance


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision du comité de sélection",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la décision."},
    )
    motif = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Motivez la décision : le motif figure dans la lettre."},
    )
    date = forms.DateField(
        label="Date de la décision",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de la décision."},
    )

    def __init__(self, *args, candidature, possibles=None, **kwargs):
        """`possibles`: the decisions the dossier may receive (instruction.decisions_possibles),
        all by default."""
        super().__init__(*args, **kwargs)
        self.candidature = candidature
        choices = DecisionSelection._meta.get_field("decision").choices
        if possibles is not None:
            choices = [(value, label) for value, label in choices if value in possibles]
        self.fields["decision"].choices = choices
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date de la décision ne peut pas être future.")
        first = (
            self.candidature.depots.order_by("deposee_le")
            .values_list("deposee_le", flat=True)
            .first()
        )
        if first is not None and date < timezone.localdate(first):
            raise forms.ValidationError(
                "La date de la décision ne peut pas précéder le premier dépôt du dossier "
                f"(le {timezone.localdate(first):%d/%m/%Y})."
            )
        return date


# Convention de financement


class ConventionForm(forms.Form):
    montant_accorde = forms.DecimalField(
        label="Montant accordé (€)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Indiquez le montant accordé.",
            "min_value": "Le montant accordé doit être positif.",
            "max_decimal_places": "Au centime près : deux décimales au plus.",
        },
    )
    motif_ecart = forms.CharField(
        label="Motif de l'écart avec la demande",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire quand le montant accordé est inférieur au montant demandé.",
    )


class SignatureForm(forms.Form):
    signee_le = forms.DateField(
        label="Date de signature",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de signature.",
            "invalid": "Date de signature invalide.",
        },
    )
