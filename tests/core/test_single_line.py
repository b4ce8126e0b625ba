"""Single-line text fields hold one line (issue 22): a line break or a control character typed
(or posted) in a name, a title, a reference is refused with a French message, in every form of
the project, and the e-mail subjects built from names already stored are put on one line."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import modelform_factory
from django.urls import reverse

from core import single_line
from core.forms import is_single_line
from core.mail import send_templated_mail
from grappe.models import Grappe
from tests.grappe.factories import UserFactory
from tests.helpers import PROJECT_APPS

INJECTED = "Grappe\r\nBcc: victime@exemple.fr"


def import_project_modules():
    """Every module of the project's apps (not their migrations), so that every form class is
    defined when the test walks them."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def project_forms():
    import_project_modules()
    found = {
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in PROJECT_APPS and hasattr(form, "base_fields")
    }
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


def single_line_fields(form_class):
    return [
        (name, field) for name, field in form_class.base_fields.items() if is_single_line(field)
    ]


def refusal(field, value):
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return refused.value.messages


def test_every_single_line_field_of_every_form_refuses_a_line_break():
    checked = []
    for form_class in project_forms():
        for name, field in single_line_fields(form_class):
            label = f"{form_class.__module__}.{form_class.__qualname__}.{name}"
            assert single_line.LINE_BREAK_MESSAGE in refusal(field, INJECTED), label
            assert single_line.CONTROL_MESSAGE in refusal(field, "Réf\x07 42"), label
            checked.append(label)
    # The walk found the forms (a broken walk would check nothing and pass).
    assert len(checked) > 50
    assert "grappe.forms.grappe.GrappeForm.name" in checked
    assert "indicateurs.forms.donnees.PaiementForm.reference_paiement" in checked


def formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # as the project's forms pass it (Django 6 default)
    return field.formfield(**kwargs)


def test_every_text_column_of_every_model_refuses_a_line_break_in_its_form():
    """The admin's and any ModelForm's fields, built from the models' CharFields."""
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        names = [
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, models.CharField)
            and not field.choices
            and field.editable
            and not field.auto_created
        ]
        if not names:
            continue
        form_class = modelform_factory(model, fields=names, formfield_callback=formfield)
        for name, field in single_line_fields(form_class):
            assert single_line.LINE_BREAK_MESSAGE in refusal(field, INJECTED), (model, name)
            checked += 1
    assert checked > 30


def test_text_areas_and_passwords_keep_their_lines():
    assert forms.CharField(widget=forms.Textarea).clean("ligne 1\r\nligne 2") == (
        "ligne 1\r\nligne 2"
    )
    assert forms.CharField(widget=forms.PasswordInput).clean("mot\tde passe") == "mot\tde passe"
    # Leading and trailing line breaks are stripped by Django before the check: not an error.
    assert forms.CharField().clean("Grappe du Nord\r\n") == "Grappe du Nord"


@pytest.mark.django_db
def test_the_grappe_form_refuses_a_name_on_two_lines(cast, client_for):
    grappe = cast.grappe
    data = {
        "name": INJECTED,
        "region": grappe.region_id,
        "porteur": grappe.porteur_id,
        "type_projet": "acquisition",
    }
    response = client_for(cast.owner).post(reverse("grappe:edit", args=[grappe.pk]), data)
    assert response.status_code == 200
    assert single_line.LINE_BREAK_MESSAGE in response.content.decode()
    assert Grappe.objects.get(pk=grappe.pk).name == grappe.name


@pytest.mark.django_db
def test_a_subject_built_from_a_stored_name_goes_on_one_line(settings, tmp_path):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    (tmp_path / "essai.txt").write_text("Bonjour.", encoding="utf-8")
    assert send_templated_mail([UserFactory()], f"[Grappe] {INJECTED} \x07 fin", "essai.txt") == 1
    assert mail.outbox[0].subject == "[Grappe] Grappe Bcc: victime@exemple.fr fin"


def test_flatten_joins_the_lines_with_one_space():
    assert single_line.flatten(" a \r\n\r\n b\u2028c\td ") == "a b c d"
