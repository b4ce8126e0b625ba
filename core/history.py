"""A form's changes, readable in the audit trail (grappe.HistoryEntry): one way for every form.

{field label: [old, new]} with the values as people read them — a choice by its label, a
related object by its name (not its primary key), a list joined, a date « 10/03/2026 », a yes/no
as « oui » / « non » — and, where the document holds the text, long texts summarised."""

import datetime

from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone

from core.text import time_fr


def display(field, value):
    """`value` of form field `field` as the history shows it ("" for nothing)."""
    choices = None if hasattr(field, "queryset") else getattr(field, "choices", None)
    labels = {str(key): label for key, label in choices} if choices else {}
    if value is None or value == "" or value == []:
        # A blank choice may have a meaning of its own (« Comme la grappe »).
        return str(labels.get("", "")) if value in (None, "") else ""
    if isinstance(field, forms.BooleanField) or isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list | tuple | set | QuerySet):
        return ", ".join(display(field, item) for item in value)
    if hasattr(field, "queryset"):
        if isinstance(value, Model):
            return str(value)
        return str(field.queryset.model._default_manager.filter(pk=value).first() or "")
    if labels:
        return str(labels.get(str(value), value))
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{local:%d/%m/%Y} à {time_fr(local)}"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return time_fr(value)
    return str(value)


def _texte(old, new):
    if not str(old or "").strip():
        return "texte rédigé"
    if not str(new or "").strip():
        return "texte effacé"
    return "texte modifié"


def form_changes(form, before=None, *, resume_textes=False):
    """The changes of a bound, valid form: {label: [old, new]}; with `resume_textes`, a long
    text (a Textarea) as « texte rédigé », « texte modifié » or « texte effacé » — for documents
    that hold the text themselves (the convention, a comité's charter).

    `before`: {field name: value} read from the instance before the form was validated
    (validation writes into it; see `snapshot`): compared with it rather than with the form's
    initial data, so that a text proposed in an empty field and saved as is counts as a change.
    Without it, the fields Django finds changed."""
    if before is None:
        before = {name: form.initial.get(name) for name in form.changed_data}
    changes = {}
    for name, old in before.items():
        field = form.fields[name]
        new = form.cleaned_data.get(name)
        shown = display(field, old), display(field, new)
        if shown[0] == shown[1]:
            continue
        if resume_textes and isinstance(field.widget, forms.Textarea):
            changes[str(field.label)] = _texte(old, new)
        else:
            changes[str(field.label)] = list(shown)
    return changes


def snapshot(instance, names):
    """The instance's values before a ModelForm is validated (validation writes into it)."""
    return {name: getattr(instance, name) for name in names}
