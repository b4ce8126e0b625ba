"""Forms of a call: its dates to the minute (Europe/Paris) and envelope, its priority criteria
(weights totalling 100) and required pieces. Every refusal is a French sentence."""

from django import forms
from django.forms import inlineformset_factory

from candidatures.models import SECTIONS, Campagne, Candidature, CriterePriorite, PieceRequise
from core.forms import HundredPercentFormSet
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
