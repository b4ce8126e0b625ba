"""Forms of the consultation, its criteria, its offers."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from amoa.enums import Mission, ObjetConsultation, StatutConsultation, TypeCritere, TypePiece
from amoa.models import (
    COUVERTURE_INDISPENSABLES_CODE,
    Candidat,
    Choix,
    Consultant,
    Consultation,
    Critere,
    EtapeOffre,
    Offre,
)
from core import scoring
from core.uploads import ALLOWED_LABEL, ALLOWED_TYPES, check_upload, clean_filename

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConsultationForm(forms.ModelForm):
    missions = forms.MultipleChoiceField(
        label="Missions",
        choices=Mission.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Pour une consultation AMOA.",
    )

    class Meta:
        model = Consultation
        fields = [
            "titre",
            "objet",
            "tco_annees",
            "missions",
            "budget",
            "statut",
            "publiee_le",
            "questions_avant",
            "offres_avant",
            "auditions_du",
            "auditions_au",
            "contact_nom",
            "contact_email",
            "contact_telephone",
        ]
        widgets = {
            "publiee_le": DATE,
            "questions_avant": DATE,
            "offres_avant": DATETIME,
            "auditions_du": DATE,
            "auditions_au": DATE,
        }
        help_texts = {
            "budget": "Références de l'AAP : 15 000 € HT pour la mission « marché », "
            "100 000 € HT pour la mission « projet ».",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Omitted, they keep their model defaults (an AMOA consultation, 3 years).
        self.fields["objet"].required = False
        self.fields["tco_annees"].required = False
        if self.instance.pk:
            # The criteria were proposed for the objet: it is not changed afterwards.
            self.fields["objet"].disabled = True
        self._statut_follows_the_choice()

    def _statut_follows_the_choice(self):
        """« Attribuée » is set by recording the choice (which freezes the ranking) and left
        by reopening the consultation, never by hand."""
        field = self.fields["statut"]
        if self.instance.pk and Choix.objects.filter(consultation=self.instance).exists():
            field.disabled = True
            field.help_text = "Le choix est enregistré : rouvrez la consultation pour le changer."
        else:
            field.choices = [c for c in field.choices if c[0] != StatutConsultation.ATTRIBUEE]

    def clean(self):
        cleaned = super().clean()
        objet = cleaned.get("objet") or self.instance.objet or ObjetConsultation.AMOA
        if objet == ObjetConsultation.AMOA and not cleaned.get("missions"):
            self.add_error("missions", "Choisissez au moins une mission.")
        if objet == ObjetConsultation.EDITEUR:
            cleaned["missions"] = []
        start, end = cleaned.get("auditions_du"), cleaned.get("auditions_au")
        if start and end and end < start:
            self.add_error("auditions_au", "La fin des auditions précède leur début.")
        published, deadline = cleaned.get("publiee_le"), cleaned.get("offres_avant")
        if published and deadline and deadline.date() < published:
            self.add_error("offres_avant", "La date limite des offres précède la publication.")
        return cleaned


class CritereForm(forms.ModelForm):
    class Meta:
        model = Critere
        fields = ["ordre", "libelle", "code", "kind", "poids", "echelle", "descripteurs"]
        widgets = {"descripteurs": forms.Textarea(attrs={"rows": 2})}


class BaseCritereFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        codes = [data["code"] for data in kept]
        if len(codes) != len(set(codes)):
            raise ValidationError("Deux critères ont le même code.")
        criteria = [
            scoring.Criterion(
                code=data["code"],
                label=data["libelle"],
                weight=Decimal(data.get("poids") or 0),
                kind=data["kind"],
            )
            for data in kept
        ]
        error = scoring.weights_error(criteria)
        if error:
            raise ValidationError(error)


CritereFormSet = forms.modelformset_factory(
    Critere, form=CritereForm, formset=BaseCritereFormSet, extra=1, can_delete=True
)


class OffreForm(forms.ModelForm):
    """The offer with its candidate's details, on one form."""

    societe = forms.CharField(label="Société candidate", max_length=200)
    contact_nom = forms.CharField(label="Contact (nom)", max_length=200, required=False)
    email = forms.EmailField(label="E-mail du contact", required=False)
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)

    class Meta:
        model = Offre
        fields = ["received_at", "prix_total_ht", "prix_jour_ht", "commentaire"]
        widgets = {
            "received_at": DATETIME,
            "commentaire": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"received_at": "Date et heure de réception du dossier (courriel)."}

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.order_fields(["societe", "contact_nom", "email", "telephone"])
        if self.instance.pk:
            candidat = self.instance.candidat
            for name in ("societe", "contact_nom", "email", "telephone"):
                self.initial.setdefault(name, getattr(candidat, name))

    def clean_societe(self):
        societe = self.cleaned_data["societe"].strip()
        others = Candidat.objects.filter(consultation=self.consultation, societe__iexact=societe)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.candidat_id)
        if others.exists():
            raise ValidationError("Une offre de cette société est déjà enregistrée.")
        return societe

    def save(self, commit=True):
        offre = super().save(commit=False)
        candidat = offre.candidat if offre.candidat_id else Candidat(consultation=self.consultation)
        for name in ("societe", "contact_nom", "email", "telephone"):
            setattr(candidat, name, self.cleaned_data[name])
        candidat.save()
        offre.candidat = candidat
        offre.consultation = self.consultation
        offre.save()
        return offre


EtapeFormSet = forms.inlineformset_factory(
    Offre,
    EtapeOffre,
    fields=["etape", "nb_jours", "prerequis", "ressources_internes"],
    widgets={
        "prerequis": forms.Textarea(attrs={"rows": 1}),
        "ressources_internes": forms.Textarea(attrs={"rows": 1}),
    },
    extra=2,
    can_delete=True,
)

ConsultantFormSet = forms.inlineformset_factory(
    Candidat, Consultant, fields=["nom", "email", "fonction"], extra=1, can_delete=True
)


class PieceForm(forms.Form):
    type = forms.ChoiceField(label="Type de pièce", choices=TypePiece.choices)
    file = forms.FileField(
        label="Fichier",
        help_text=f"{ALLOWED_LABEL} ; 20 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
        error_messages={"required": "Choisissez le fichier à déposer."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        self.original_name = clean_filename(upload.name)
        return upload


class IndispensableForm(forms.Form):
    critere = forms.ModelChoiceField(label="Critère indispensable", queryset=Critere.objects.none())
    satisfait = forms.TypedChoiceField(
        label="Résultat",
        choices=[("1", "Satisfait"), ("0", "Non satisfait (offre éliminée)")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        # The coverage of the indispensable requirements is computed from the cadre de
        # réponse: the committee does not type it.
        self.fields["critere"].queryset = consultation.criteres.filter(
            kind=TypeCritere.INDISPENSABLE
        ).exclude(code=COUVERTURE_INDISPENSABLES_CODE)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("satisfait") is False and not cleaned.get("motif"):
            self.add_error("motif", "Motivez l'élimination.")
        return cleaned
