"""The apps depend on each other in one direction (docs/architecture.md): an app imports only
the apps below it; the lower apps show the higher ones' data through extension points. A test,
so that an import against the flow fails here rather than in a review. Migrations are left out:
they are history (a migration imports what existed when it was written)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bottom to top; an app may import the apps of a lower rank, never one of its own rank or above.
LAYERS = [
    ["core"],
    ["users"],
    ["approbations"],
    ["grappe"],
    ["amoa"],
    ["projets"],
    ["indicateurs"],
    ["candidatures"],
    ["finances"],
    ["accueil"],
    ["demo"],
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


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
    for app, rank in RANK.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, module in imported_modules(path):
                other = module.split(".")[0]
                if other in RANK and other != app and RANK[other] >= rank:
                    found.append(f"{path.relative_to(ROOT)}:{line} importe {module}")
    return found


def test_no_app_imports_against_the_flow():
    assert violations() == []


def test_every_app_has_its_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(RANK), f"couche à déclarer : {sorted(apps - set(RANK))}"


def test_the_check_sees_an_import_against_the_flow(tmp_path):
    module = tmp_path / "exemple.py"
    module.write_text("from finances.services import synthese\nimport core.money\n")
    assert [name for _, name in imported_modules(module)] == ["finances.services", "core.money"]
