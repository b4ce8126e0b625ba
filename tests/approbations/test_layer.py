"""approbations is a bottom layer: the apps with documents to approve (projets, candidatures)
build on it, so it imports none of them — only Python, Django, core and users."""

import ast
from pathlib import Path

import approbations

ALLOWED = {"django", "core", "users", "approbations"}


def imported_packages(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_approbations_imports_no_app_above_it():
    root = Path(approbations.__file__).parent
    # The project's own packages (grappe, projets, candidatures…): those beside approbations.
    project = {path.parent.name for path in root.parent.glob("*/__init__.py")}
    assert {"grappe", "projets", "candidatures"} <= project
    found = {
        (str(path.relative_to(root)), package)
        for path in root.rglob("*.py")
        for package in imported_packages(path)
        if package in project - ALLOWED
    }
    assert not found
