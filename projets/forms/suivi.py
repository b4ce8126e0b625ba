"""Forms of the follow-up pages: planning baselines and the risk register."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from projets.charts import IMPACT_LABELS, PROBABILITE_LABELS
from projets.enums import StatutRisque
from projets.forms.reunions import people_of
from projets.models import Risque

PROBABILITE_CHOICES = [("", "—")] + [
    (value, f"{value} — {label}") for value, label in PROBABILITE_LABELS.items()
]
IMPACT_CHOICES = [("", "—")] + [
    (value, f"{value} — {label}") for value, label in IMPACT_LABELS.items()
]


class BaselineForm(forms.Form):
    name = forms.CharField(
        label="Nom de la référence",
        max_length=200,
        help_text="Par exemple l'instance qui l'a approuvée : « Validation de la note de cadrage ».",
        widget=forms.TextInput(attrs={"placeholder": "Validation de la note de cadrage"}),
        error_messages={"required": "Donnez un nom à la référence du planning."},
    )

    def __init__(self, *args, plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Donnez un nom à la référence du planning.")
        if self.plan.baselines.filter(name__iexact=name).exists():
            raise forms.ValidationError("Une référence du planning porte déjà ce nom.")
        return name


class RisqueForm(forms.ModelForm):
    probabilite = forms.TypedChoiceField(
        label="Probabilité",
        choices=PROBABILITE_CHOICES,
        coerce=int,
        help_text="De 1 (rare) à 4 (quasi certain).",
        error_messages={"required": "Indiquez la probabilité, de 1 à 4."},
    )
    impact = forms.TypedChoiceField(
        label="Impact",
        choices=IMPACT_CHOICES,
        coerce=int,
        help_text="De 1 (faible) à 4 (majeur).",
        error_messages={"required": "Indiquez l'impact, de 1 à 4."},
    )

    class Meta:
        model = Risque
        fields = [
            "titre",
            "description",
            "categorie",
            "probabilite",
            "impact",
            "owner",
            "mitigation",
            "statut",
            "review_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 4}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "titre": {"required": "Nommez le risque."},
            "categorie": {"required": "Choisissez une catégorie."},
        }

    def __init__(self, *args, plan, today, hidden_comites=(), **kwargs):
        """`hidden_comites`: comités whose members the user may not see
        (grappe.perms.hidden_comite_kinds)."""
        self.plan = plan
        self.today = today
        super().__init__(*args, **kwargs)
        people = people_of(plan.grappe, hidden_comites=hidden_comites)
        if self.instance.owner_id:
            # Keep the current owner selectable even if they have left the grappe since.
            people = (
                get_user_model()
                .objects.filter(Q(pk__in=people.values("pk")) | Q(pk=self.instance.owner_id))
                .order_by("last_name", "first_name", "email")
            )
        self.fields["owner"].queryset = people
        self.fields["owner"].empty_label = "— Non désigné —"
        self.fields["owner"].help_text = "Parmi les personnes de la grappe (rôles et comités)."
        self.fields["titre"].label = "Risque"
        self.fields["statut"].required = True

    def clean_titre(self):
        titre = " ".join(self.cleaned_data["titre"].split())
        same = self.plan.risques.filter(titre__iexact=titre)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError("Un risque porte déjà ce titre dans le registre.")
        return titre

    def clean(self):
        cleaned = super().clean()
        review_on = cleaned.get("review_on")
        statut = cleaned.get("statut")
        if (
            review_on
            and "review_on" in self.changed_data
            and review_on < self.today
            and statut != StatutRisque.CLOS
        ):
            self.add_error(
                "review_on", "La prochaine revue ne peut pas être fixée à une date passée."
            )
        return cleaned
