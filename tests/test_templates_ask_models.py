"""Templates ask the models their domain questions (`tranche.is_paid`, `jalon.is_go`,
`statut.is_open`…) rather than comparing a field to a raw enum value (`tranche.statut ==
"payee"`): the value lives in one place, its enum, and a renamed value cannot silently turn a
page's condition false. A test, so that such a comparison fails here rather than in a review."""

import re
from pathlib import Path

from django.apps import apps
from django.db.models import Choices

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

# `x.statut == "payee"`, `statut != 'close'`, or the literal first.
COMPARISON = re.compile(
    r"""(?P<left>[\w.]+)\s*(?:==|!=)\s*["'](?P<value>[^"']*)["']"""
    r"""|["'](?P<value2>[^"']*)["']\s*(?:==|!=)\s*(?P<left2>[\w.]+)"""
)


def project_choices():  # noqa: C901 (walks every app, model field and enums module)
    """{value: field names} of every enum of the project's apps: the choices of their models'
    fields and the Choices classes of their enums modules."""
    found = {}
    for config in apps.get_app_configs():
        if not (ROOT / config.label).is_dir():
            continue
        for model in config.get_models():
            for field in model._meta.fields:
                for value, _label in field.flatchoices or ():
                    if isinstance(value, str) and value:
                        found.setdefault(value, set()).add(field.name)
        enums = getattr(config.module, "enums", None)
        if enums is None:
            try:
                enums = __import__(f"{config.name}.enums", fromlist=["_"])
            except ModuleNotFoundError:
                continue
        for item in vars(enums).values():
            if (
                isinstance(item, type)
                and issubclass(item, Choices)
                and item.__module__ == enums.__name__
            ):
                for member in item:
                    if isinstance(member.value, str):
                        found.setdefault(member.value, set()).add(item.__name__)
    return found


# A bare variable is a view's choice (`mode`: which form a partial shows), except a status.
BARE_STATUSES = {"statut", "status"}


def raw_enum_comparisons(text, choices, fields):
    """(left, value) of each comparison of an enum field (`x.<a model field with choices>`, or
    a bare `statut`) to one of the project's enum values."""
    for match in COMPARISON.finditer(text):
        left = match.group("left") or match.group("left2")
        value = match.group("value") if match.group("left") else match.group("value2")
        owner, dot, name = left.rpartition(".")
        if value in choices and (name in fields if dot else name in BARE_STATUSES):
            yield left, value


def choice_field_names():
    names = set(BARE_STATUSES)
    for config in apps.get_app_configs():
        if (ROOT / config.label).is_dir():
            for model in config.get_models():
                names |= {field.name for field in model._meta.fields if field.choices}
    return names


def test_no_template_compares_an_enum_field_to_a_raw_value():
    choices, fields = project_choices(), choice_field_names()
    found = [
        f"{path.relative_to(ROOT)} : {left} == {value!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for left, value in raw_enum_comparisons(path.read_text(encoding="utf-8"), choices, fields)
    ]
    assert found == []


def test_the_check_sees_a_raw_comparison():
    choices, fields = project_choices(), choice_field_names()
    text = (
        """{% if tranche.statut == 'payee' %}{% elif "go" != jalon.decision %}"""
        """{% if statut == "ouverte" %}{% if tab == 'grille' %}{% if mode == "og" %}"""
        """{% if tranche.is_paid %}"""
    )
    assert list(raw_enum_comparisons(text, choices, fields)) == [
        ("tranche.statut", "payee"),
        ("jalon.decision", "go"),
        ("statut", "ouverte"),
    ]
