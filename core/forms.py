"""Form pieces shared by the apps."""

from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet

from core import single_line
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


def is_single_line(field):
    """A text field typed on one line: a CharField (names, titles, references, e-mails, URLs…)
    shown as anything but a text area; passwords are left as typed (never shown, never sent)."""
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, (forms.Textarea, forms.PasswordInput)
    )


def install_single_line_check():
    """Every single-line text field of every form refuses line breaks and control characters
    (core.single_line.validate), the project's forms, the admin's and the libraries' alike.

    Called once from CoreConfig.ready(). Why one hook on forms.CharField.validate rather than a
    field subclass or a base form: Django has no registry of form fields, and a subclass or a
    mixin must be remembered in each of the ~80 forms (a ModelForm builds its fields from the
    model, a form may swap a widget in __init__); the check needs the field's final widget, which
    only the field knows when it validates, so it runs there, after Django's own checks."""
    if getattr(forms.CharField.validate, "single_line", False):
        return
    validate = forms.CharField.validate

    def validate_single_line(field, value):
        validate(field, value)
        if is_single_line(field):
            single_line.validate(value)

    validate_single_line.single_line = True
    forms.CharField.validate = validate_single_line
