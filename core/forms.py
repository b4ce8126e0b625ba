"""Form pieces shared by the apps."""

from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet

from core.text import number


class HundredPercentFormSet(BaseInlineFormSet):
    """Inline rows whose `share_field` are percentages totalling 100 (a call's tranches, a
    campaign's criteria weights). `what` names the rows in the error (« Les tranches
    totalisent 110 % … »); `required` is the error when every row is removed, or "" when no row
    at all is allowed."""

    share_field = "pourcentage"
    what = "Les lignes"
    pronoun = "elles"  # agrees with `what`
    required = ""

    def kept(self):
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = self.kept()
        if not kept:
            if self.required:
                raise forms.ValidationError(self.required)
            return
        total = sum((Decimal(data[self.share_field]) for data in kept), Decimal(0))
        if total != 100:
            raise forms.ValidationError(
                f"{self.what} totalisent {number(total)} % : {self.pronoun} doivent totaliser "
                "100 %."
            )
