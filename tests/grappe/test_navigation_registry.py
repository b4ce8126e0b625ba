"""The header's entries of the apps built on grappe (Projet, Consultation AMOA, Indicateurs,
Appels à projets, Mes actions, À valider) are registered by those apps in grappe.extensions,
each with the predicate of its own perms.py: grappe.navigation imports none of them."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from grappe import extensions
from grappe.enums import RoleKind
from grappe.extensions import NavEntry
from grappe.navigation import navigation_for
from tests.grappe.factories import RoleFactory

pytestmark = pytest.mark.django_db

NAVIGATION = Path(extensions.__file__).with_name("navigation.py")


def test_each_app_registers_its_entries_with_its_own_permission():
    by_url = {entry.url_name: entry for entry in extensions.NAV_ENTRIES}
    assert set(by_url) == {
        "projets:plan",
        "amoa:consultations",
        "indicateurs:tableau_national",
        "indicateurs:tableau_ars",
        "indicateurs:tableau_grappe",
        "candidatures:campagnes",
        "projets:my_actions",
        "projets:inbox",
    }
    for url_name, entry in by_url.items():
        assert entry.visible.__module__ == f"{url_name.split(':')[0]}.perms"


def test_the_header_names_no_url_of_the_apps_above():
    names = [
        node.value
        for node in ast.walk(ast.parse(NAVIGATION.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [
        name
        for name in names
        if name.split(":")[0] in {"projets", "amoa", "indicateurs", "candidatures"}
    ]


def test_a_registered_entry_shows_in_order_to_whom_its_predicate_lets(cast, monkeypatch):
    entry = NavEntry(
        15,
        "Essai",
        "grappe:registre",
        lambda user, context: context["scope"] == "grappe" and user == cast.owner,
        section=True,
    )
    monkeypatch.setattr(extensions, "NAV_ENTRIES", [])
    extensions.register_nav_entry(NavEntry(10, "Premier", "grappe:list", lambda u, c: True))
    extensions.register_nav_entry(entry)
    extensions.register_nav_entry(entry)  # registered once
    monkeypatch.setattr("grappe.navigation.NAV_ENTRIES", extensions.NAV_ENTRIES)
    items, _ = navigation_for(cast.owner, reverse("grappe:registre"))
    assert [item.label for item in items] == ["Ma grappe", "Premier", "Essai"]
    # `section`: active under the URL's folder.
    assert items[2].prefix == reverse("grappe:registre").rstrip("/").rpartition("/")[0] + "/"
    assert items[2].active
    items, _ = navigation_for(cast.member, "/")
    assert [item.label for item in items] == ["Ma grappe", "Premier"]


def test_the_amoa_consultant_header_reads_the_roles_without_a_query(
    cast, django_assert_num_queries
):
    """The AMOA call is hidden from the grappe's AMOA consultant (grappe.perms.is_amoa_only,
    asked by amoa.perms): the header's one query on the user's ties answers it."""
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    with django_assert_num_queries(1):
        items, _ = navigation_for(consultant, "/")
    assert [item.label for item in items] == ["Ma grappe", "Projet", "Indicateurs", "Mes actions"]
    owner = type(cast.owner).objects.get(pk=cast.owner.pk)  # a fresh header context
    with django_assert_num_queries(1):
        items, _ = navigation_for(owner, "/")
    assert "Consultation AMOA" in [item.label for item in items]
