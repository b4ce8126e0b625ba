"""The apps depend on each other in one direction (docs/architecture.md): an app imports only
the apps below it; the lower apps show the higher ones' data through extension points. A test,
so that an import against the flow fails here rather than in a review. Migrations are left out:
they are history (a migration imports what existed when it was written)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What each app builds on directly; it may import those apps and, through them, every app they
# build on — never an app above it, nor one beside it: amoa and projets both build on grappe and
# neither imports the other (amoa shows its éditeur choice on the plan's milestone through
# projets.extensions, registered in its AppConfig).
BUILDS_ON = {
    "core": [],
    "users": ["core"],
    "approbations": ["users"],
    "grappe": ["approbations"],
    "amoa": ["grappe"],
    "projets": ["grappe"],
    "indicateurs": ["projets"],
    "candidatures": ["indicateurs"],
    "finances": ["candidatures", "amoa"],
    "accueil": ["finances"],
    "demo": ["accueil"],
}


def below(app):
    """The apps `app` may import: those it builds on, directly or not."""
    found = set()
    for other in BUILDS_ON[app]:
        found |= {other} | below(other)
    return found


def may_import(app, path, module):
    """An app imports the apps below it; its AppConfig (apps.py) may also register in the
    extension points (`<app>.extensions`) of an app beside it, one that does not build on it."""
    other = module.split(".")[0]
    if other not in BUILDS_ON or other == app or other in below(app):
        return True
    return path.name == "apps.py" and module == f"{other}.extensions" and app not in below(other)


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def violations():
    found = []
    for app in BUILDS_ON:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, module in imported_modules(path):
                if not may_import(app, path, module):
                    found.append(f"{path.relative_to(ROOT)}:{line} importe {module}")
    return found


def test_no_app_imports_against_the_flow():
    assert violations() == []


def test_every_app_has_its_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(BUILDS_ON), f"couche à déclarer : {sorted(apps - set(BUILDS_ON))}"


def test_the_check_sees_an_import_against_the_flow(tmp_path):
    module = tmp_path / "exemple.py"
    module.write_text("from finances.services import synthese\nimport core.money\n")
    assert [name for _, name in imported_modules(module)] == ["finances.services", "core.money"]


def test_apps_beside_each_other_do_not_import_each_other():
    """amoa and projets both build on grappe: neither imports the other's code; amoa's
    AppConfig registers in projets' extension points only."""
    assert "amoa" not in below("projets") and "projets" not in below("amoa")
    assert not may_import("projets", ROOT / "projets/views/plan.py", "amoa.models")
    assert not may_import("amoa", ROOT / "amoa/views/consultations.py", "projets.extensions")
    assert may_import("amoa", ROOT / "amoa/apps.py", "projets.extensions")
    assert not may_import("amoa", ROOT / "amoa/apps.py", "projets.models")
    # An app never registers in the extension points of an app built on it.
    assert not may_import("grappe", ROOT / "grappe/apps.py", "projets.extensions")
    assert may_import("finances", ROOT / "finances/services.py", "amoa.models")
