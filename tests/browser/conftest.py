import os
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import navigate_by

CHROMIUM = "/usr/bin/chromium"
REPO_ROOT = Path(__file__).resolve().parents[2]
# Screenshots of the journeys, kept by CI as artefacts: <dir>/<module>/<test>/<NN-nom>.png.
DEFAULT_SCREENSHOT_DIR = REPO_ROOT / "artefacts" / "captures"
CAPTURE_NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
FAILURE_NAME = "echec"
_REPORTS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser (closed network, no `playwright install`)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A French user's browser (Accept-Language, navigator.language). Debian's headless
    Chromium still draws date inputs as mm/dd/yyyy: fill them in ISO format."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def login(page, live_server):
    """login(email, password) through the real login form."""

    def do(email, password="motdepasse-de-test"):
        page.goto(f"{live_server.url}/connexion/")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        navigate_by(page, page.get_by_role("button", name="Se connecter"))

    return do


# ---------------------------------------------------------------------------------------------
# Screenshots: `capture("03-cr-approuve")` at the key steps of a journey, `echec.png` on failure
# ---------------------------------------------------------------------------------------------


def screenshot_root():
    """$SCREENSHOT_DIR if set, else artefacts/captures at the repository root (not the CWD)."""
    configured = os.environ.get("SCREENSHOT_DIR")
    return Path(configured).resolve() if configured else DEFAULT_SCREENSHOT_DIR


def _test_dir_name(node):
    """The test's name, without the `[chromium]` of pytest-playwright's parametrisation (other
    parameters, or another browser, stay in the name so two runs never share a folder)."""
    callspec = getattr(node, "callspec", None)
    suffix = callspec.id if callspec is not None else ""
    if suffix == "chromium":
        suffix = ""
    name = f"{node.originalname}-{suffix}" if suffix else node.originalname
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


def screenshot_dir(node):
    return screenshot_root() / node.path.stem / _test_dir_name(node)


def _shoot(page, path):
    path.parent.mkdir(parents=True, exist_ok=True)  # lazily: only when there is a picture
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, for the failure screenshot taken at teardown."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request):
    """A browser test that fails leaves `echec.png`, the page as it was when it failed.

    The stale pictures of an earlier run of the test are removed first, so the folder only ever
    holds this run's."""
    folder = screenshot_dir(request.node)
    if folder.is_dir():
        for stale in folder.glob("*.png"):
            stale.unlink()
    if "page" not in request.fixturenames:
        yield
        return
    # Set up before this fixture, `page` is torn down after it: still open at our teardown.
    page = request.getfixturevalue("page")
    yield
    call_report = request.node.stash.get(_REPORTS, {}).get("call")
    if call_report is None or not call_report.failed or page.is_closed():
        return
    try:
        path = _shoot(page, folder / f"{FAILURE_NAME}.png")
    except PlaywrightError as error:  # a crashed page: the failure itself says enough
        print(f"Capture d'écran de l'échec impossible : {error}", file=sys.stderr)
    else:
        print(f"Capture d'écran de l'échec : {path}", file=sys.stderr)


@pytest.fixture
def capture(page, request):
    """capture("03-cr-approuve"): a full-page PNG of the current page, saved as
    <SCREENSHOT_DIR or artefacts/captures>/<module>/<test>/03-cr-approuve.png. Names are
    numbered in the journey's order and written in lower-case ASCII words joined by hyphens."""
    folder = screenshot_dir(request.node)
    taken = set()

    def shoot(name):
        if not CAPTURE_NAME.match(name):
            raise ValueError(
                f"Nom de capture « {name} » : attendu « NN-mots-en-minuscules », ex. « 03-cr-approuve »."
            )
        if name in taken:
            raise ValueError(f"La capture « {name} » est déjà prise dans ce test.")
        taken.add(name)
        return _shoot(page, folder / f"{name}.png")

    return shoot
