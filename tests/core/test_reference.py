"""Reference data as data (core.reference): the TOML files of the apps, one idempotent loader
that never writes over a row the national admin or an import changed, and no Python module or
migration holding or importing the reference literals."""

import ast
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from core.reference import load, loaders, read
from grappe.models import Aap, Departement, Region
from indicateurs.models import Indicateur
from projets.models import EtapeReference, JalonReference
from tests.helpers import PROJECT_APPS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_loading_again_creates_nothing_and_says_so():
    assert load() == {}
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert out.getvalue().strip() == "Données de référence : rien à créer, la base est à jour."


@pytest.mark.django_db
def test_what_is_missing_is_created_what_exists_is_kept():
    Aap.objects.filter(kind="generalisation").update(montant_usages=Decimal(8000))
    EtapeReference.objects.filter(numero=1).update(titre="Titre corrigé dans l'admin")
    Departement.objects.filter(region__code="94").delete()
    Region.objects.filter(code="94").delete()
    JalonReference.objects.filter(etape__numero=3).delete()
    Indicateur.objects.filter(code="dmp").delete()

    out = io.StringIO()
    call_command("load_reference", stdout=out)

    assert out.getvalue().strip() == (
        "Données de référence : créées — régions : 1, départements : 2, jalons types : 1, "
        "indicateurs d'usage : 1."
    )
    corse = Region.objects.get(code="94")
    assert (corse.ars_name, corse.reduced_threshold) == ("ARS de Corse", True)
    assert set(corse.departements.values_list("code", flat=True)) == {"2A", "2B"}
    assert JalonReference.objects.get(etape__numero=3).go_no_go
    dmp = Indicateur.objects.get(code="dmp")
    assert dmp.numerateur_periode == "dmp_alimentes_periode"
    assert dmp.cumul_premiere_mesure and dmp.cible == 70
    assert set(dmp.categories_exclues.values_list("agregat_code", flat=True)) == {"4601"}
    assert "AHI" in dmp.exclusion_source
    # The national admin's corrections stay.
    assert Aap.objects.get(kind="generalisation").montant_usages == Decimal(8000)
    assert EtapeReference.objects.get(numero=1).titre == "Titre corrigé dans l'admin"


@pytest.mark.django_db
def test_a_key_left_out_of_the_file_is_empty_whatever_the_fields_default():
    """TOML has no null: the amorçage calls have no national threshold and no Ségur amount,
    though the model's defaults are 50 ESMS and 14 500 €."""
    t1 = Aap.objects.get(kind="amorcage_t1")
    assert (t1.national_threshold, t1.montant_acquisition_segur, t1.max_esms) == (None, None, 30)
    assert list(t1.tranches.values_list("numero", "pourcentage", "evenement")) == [
        (1, Decimal(50), "signature"),
        (2, Decimal(50), "cibles"),
    ]


def test_the_apps_loaders_run_in_the_layer_order():
    modules = [loader.__module__ for loader in loaders()]
    assert modules == ["grappe.reference", "projets.reference", "indicateurs.reference"]


def test_every_data_file_is_valid_toml_and_shipped_with_the_package():
    files = sorted(ROOT.glob("*/reference/*.toml"))
    assert len(files) >= 9
    for path in files:
        assert read(path.parent.parent.name, path.stem), path
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*" = ["reference/*.toml"]' in pyproject


def test_the_python_modules_of_reference_literals_are_gone():
    for old in ["projets/reference_plan.py", "amoa/grille_reference.py", "grappe/reference.py"]:
        assert not (ROOT / old).exists(), old


def _literal_chars(path):
    """Characters of the module's string literals, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sum(
        len(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )


def test_no_python_module_holds_a_table_of_reference_text():
    """Messages and labels, yes; pages of French prose (a plan, a model convention), no: they
    belong in `<app>/reference/*.toml`. The largest module today holds under 7 000 characters of
    literals; the plan type alone held 150 000."""
    heavy = [
        f"{path.relative_to(ROOT)} : {chars}"
        for app in PROJECT_APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and (chars := _literal_chars(path)) > 12_000
    ]
    assert heavy == []


# Module imports a migration may hold: what Django's autodetector writes for a field's callable
# (upload_to, default, validators), and the data files' reader.
ALLOWED_IN_MIGRATIONS = {"core.reference", "grappe.finess"}
# Rewrites of rows only databases older than the migration hold, by today's rule on purpose
# (their docstrings say why): nothing to do on a fresh database.
TODAYS_RULE = {
    "indicateurs/migrations/0008_declenchement_arrondi_une_fois.py": {"indicateurs.taux"},
    "indicateurs/migrations/0015_syntheses_existantes.py": {"indicateurs.services"},
}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_migration_imports_an_app_module():
    found = []
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app / "migrations").glob("0*.py")):
            where = str(path.relative_to(ROOT))
            for module in _imports(path):
                if module.split(".")[0] not in PROJECT_APPS or module.endswith(".models"):
                    continue
                if module in ALLOWED_IN_MIGRATIONS | TODAYS_RULE.get(where, set()):
                    continue
                found.append(f"{where} importe {module}")
    assert found == []
