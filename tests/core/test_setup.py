"""The README's two commands are the whole set-up: CI (.ci/run) starts the services and calls
`make test`, nothing more. A system package that only CI installs would make a fresh machine's
`make test` fail where CI passes."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What .ci/run may install itself: the services it starts and the load test's client.
SERVICES = re.compile(r"^(postgresql(-.*)?|redis(-server|-tools)?|wrk)$")


def ci_packages():
    """The Debian packages named on .ci/run's install lines."""
    packages = set()
    for line in (ROOT / ".ci" / "run").read_text().splitlines():
        code = line.split("#", 1)[0]
        match = re.search(r"(?:apt_install|apt-get install)\s+(.*)", code)
        if match and not code.lstrip().startswith("apt_install()"):
            words = re.split(r"[;&|]", match.group(1))[0].replace('"$@"', "").split()
            packages.update(word for word in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", word))
    return packages


def make_test_packages():
    """SYSTEM_PACKAGES of the Makefile, which `make test` (system-deps) installs or names."""
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^SYSTEM_PACKAGES\s*:=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "Makefile : SYSTEM_PACKAGES introuvable"
    assert re.search(r"^test:.*\bsystem-deps\b", makefile, re.MULTILINE), (
        "make test doit dépendre de system-deps"
    )
    return set(match.group(1).split())


def test_ci_installs_nothing_that_make_test_does_not():
    only_ci = {p for p in ci_packages() if not SERVICES.match(p)} - make_test_packages()
    assert not only_ci, f"installés par .ci/run mais pas par make test : {sorted(only_ci)}"


def test_the_parsers_see_what_they_check():
    # Guards the test above against reading nothing: CI installs wrk for the load test, and
    # make test installs what WeasyPrint and the browser journeys need.
    assert "wrk" in ci_packages()
    assert {"chromium", "libpango-1.0-0", "libharfbuzz-subset0"} <= make_test_packages()


def test_no_test_needs_a_system_tool_make_test_does_not_install():
    """pdftotext (poppler-utils) read PDFs in a test once, and only CI installed it: tests read
    PDFs with pypdf (tests.helpers.pdf_text)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "test_setup.py"
        and re.search(r"[\"'](pdftotext|pdftoppm)[\"']", path.read_text())
    ]
    assert not offenders


def test_every_app_is_packaged():
    """`pip install .` (docs/exploitation.md) installs every app of the project, not only the
    first ones: a package missing from [tool.setuptools.packages.find] is missing in production."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = {
        pattern.rstrip("*")
        for pattern in config["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"config"}
    assert apps <= included, f"paquets manquants : {sorted(apps - included)}"
