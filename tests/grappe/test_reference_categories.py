"""The ESMS categories are reference data (grappe.reference, migration grappe 0008): a manual
ESMS may take any of them before any FINESS import, and an import stays the fresher source."""

from importlib import import_module

import pytest
from django.apps import apps

from grappe.enums import Domaine
from grappe.models import Categorie
from grappe.reference import ESMS_AGREGATS, ESMS_CATEGORIES

pytestmark = pytest.mark.django_db

load = import_module("grappe.migrations.0008_esms_categories").load


def test_every_reference_category_is_an_esms_category_of_a_known_agregat():
    codes = [code for code, _, _ in ESMS_CATEGORIES]
    assert len(codes) == len(set(codes))
    for code, libelle, agregat in ESMS_CATEGORIES:
        categorie = Categorie(code=code, libelle=libelle, agregat_code=agregat)
        assert categorie.is_esms, code
        assert categorie.domaine != Domaine.HORS_CHAMP, code
        assert agregat in ESMS_AGREGATS, code
    # Those of the user test (issue 21), missing from the list before.
    assert {"202", "209", "460", "186"} <= set(codes)


def test_the_migration_adds_what_is_missing_and_keeps_what_an_import_wrote():
    Categorie.objects.filter(code__in=["202", "500"]).delete()
    Categorie.objects.update_or_create(
        code="500", defaults={"libelle": "EHPAD (import)", "agregat_code": "4401"}
    )
    load(apps, None)
    assert Categorie.objects.get(code="202").libelle == "Résidences autonomie"
    assert Categorie.objects.get(code="202").agregat_libelle == ESMS_AGREGATS["4401"]
    assert Categorie.objects.get(code="500").libelle == "EHPAD (import)"
    load(apps, None)  # twice changes nothing
    assert Categorie.objects.filter(code__in=[c for c, _, _ in ESMS_CATEGORIES]).count() == len(
        ESMS_CATEGORIES
    )
