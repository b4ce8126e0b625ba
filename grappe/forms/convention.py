"""The convention de coopération among the grappe's coopérateurs (seed 004): its 7 sections and
its signature."""

from django import forms
from django.utils import timezone

from grappe.models import ConventionCooperation


class ConventionForm(forms.ModelForm):
    class Meta:
        model = ConventionCooperation
        fields = [*ConventionCooperation.SECTIONS, "signed_on", "signed_at_place"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 14}) for name in ConventionCooperation.SECTIONS},
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "signed_on": "Date à laquelle le dernier coopérateur a signé.",
            "signed_at_place": "Commune où la convention est signée.",
        }

    @property
    def section_fields(self):
        return [self[name] for name in ConventionCooperation.SECTIONS]

    def clean_signed_at_place(self):
        return self.cleaned_data["signed_at_place"].strip()

    def clean(self):
        cleaned = super().clean()
        signed_on, place = cleaned.get("signed_on"), cleaned.get("signed_at_place")
        if signed_on and signed_on > timezone.localdate():
            self.add_error("signed_on", "La date de signature ne peut pas être dans le futur.")
        if signed_on and not place and "signed_at_place" not in self.errors:
            self.add_error("signed_at_place", "Indiquez le lieu de signature.")
        if place and not signed_on and "signed_on" not in self.errors:
            self.add_error("signed_on", "Indiquez la date de signature.")
        if signed_on:
            missing = [
                str(self.fields[name].label)
                for name in ConventionCooperation.SECTIONS
                if name in cleaned and not cleaned[name].strip()
            ]
            if missing:
                self.add_error(
                    None,
                    "Une convention signée comporte toutes ses sections. À compléter : "
                    + ", ".join(missing)
                    + ".",
                )
        return cleaned
