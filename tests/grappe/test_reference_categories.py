"""The ESMS categories are reference data (grappe/reference/categories.toml, core.reference): a
manual ESMS may take any of them before any FINESS import, and an import stays the fresher source."""

import pytest

from core.reference import load, read
from grappe.enums import Domaine
from grappe.models import Categorie

pytestmark = pytest.mark.django_db


def reference():
    data = read("grappe", "categories")
    return data["categories"], data["agregats"]


def test_every_reference_category_is_an_esms_category_of_a_known_agregat():
    categories, agregats = reference()
    codes = [c["code"] for c in categories]
    assert len(codes) == len(set(codes))
    for c in categories:
        categorie = Categorie(code=c["code"], libelle=c["libelle"], agregat_code=c["agregat"])
        assert categorie.is_esms, c["code"]
        assert categorie.domaine != Domaine.HORS_CHAMP, c["code"]
        assert c["agregat"] in agregats, c["code"]
    # Those of the user test (issue 21), missing from the list before.
    assert {"202", "209", "460", "186"} <= set(codes)


def test_the_loader_adds_what_is_missing_and_keeps_what_an_import_wrote():
    categories, agregats = reference()
    Categorie.objects.filter(code__in=["202", "500"]).delete()
    Categorie.objects.update_or_create(
        code="500", defaults={"libelle": "EHPAD (import)", "agregat_code": "4401"}
    )
    assert load() == {"catégories d'ESMS": 1}
    assert Categorie.objects.get(code="202").libelle == "Résidences autonomie"
    assert Categorie.objects.get(code="202").agregat_libelle == agregats["4401"]
    assert Categorie.objects.get(code="500").libelle == "EHPAD (import)"
    assert load() == {}  # twice changes nothing
    codes = [c["code"] for c in categories]
    assert Categorie.objects.filter(code__in=codes).count() == len(categories)
