"""Content-Security-Policy: every page carries the header and no page needs an inline script.

The demo grappe is crawled (GET links only) as its cheffe de projet and as the national admin, so
a template that gains an inline <script> or an onclick=… anywhere is caught, not only on the
pages listed here.
"""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from amoa.models import Consultation
from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe
from projets.models import Reunion
from tests.conftest import seeded_demo
from users.models import User

pytestmark = pytest.mark.django_db

# A <script> without src, except data blocks (json_script), which browsers never run.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/(?:ld\+)?json[\"'])[^>]*>", re.I
)
# Event-handler attributes (onclick=…), javascript: URLs and htmx code attributes need eval.
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\s(?:on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)
HREF = re.compile(r"""href=["']([^"'#][^"']*)["']""")
SKIP = re.compile(
    r"(\.pdf|\.xlsx|\.csv|\.ics|/deconnexion/|/admin/|/api/|/static/|\?|/telecharger)"
)

EXPECTED_POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'self'",
}

# The main pages (issue 9): (label, path pattern); the crawl starts there.
MAIN_PAGES = [
    ("fiche grappe", r"^/grappes/\d+/$"),
    ("ajout d'ESMS", r"^/grappes/\d+/esms/ajouter/$"),
    ("plan projet", r"^/projet/grappes/\d+/plan/$"),
    ("détail de réunion", r"^/projet/grappes/\d+/reunions/\d+/$"),
    ("nouvelle réunion", r"^/projet/grappes/\d+/reunions/nouvelle/$"),
    ("consultation AMOA", r"^/amoa/grappes/\d+/consultations/\d+/$"),
    ("tableau des indicateurs", r"^/indicateurs/grappes/\d+/"),
]


def assert_csp_clean(path, response):
    policy = {part.strip() for part in response["Content-Security-Policy"].split(";")}
    assert policy >= EXPECTED_POLICY, path
    script_src = next(part for part in policy if part.startswith("script-src"))
    assert "unsafe" not in script_src, path
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), f"{path}: {INLINE_SCRIPT.search(html).group(0)}"
    assert not INLINE_HANDLER.search(html), f"{path}: {INLINE_HANDLER.search(html).group(0)}"
    assert not JAVASCRIPT_URL.search(html), path


def crawl(client, starts=("/",), limit=150):
    """GET every same-site link reachable from starts (breadth first); returns the HTML pages."""
    seen, queue, pages = set(), list(starts), {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            if response.streaming:
                # Reading a download to its end makes the test client close its file (and
                # without closing the test's database connection, as response.close() would).
                b"".join(response.streaming_content)
            continue
        pages[final] = response
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(href):
                continue
            if href not in seen:
                queue.append(href)
    return pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeding for the module's two crawls (each test in its savepoint on top)."""
    with seeded_demo(django_db_blocker):
        yield


def main_page_urls():
    grappe = Grappe.objects.get(name=GRAPPE_NAME)
    reunion = Reunion.objects.filter(grappe=grappe).first()
    consultation = Consultation.objects.filter(grappe=grappe).first()
    return [
        reverse("grappe:detail", args=[grappe.pk]),
        reverse("grappe:esms_add", args=[grappe.pk]),
        reverse("projets:plan", args=[grappe.pk]),
        reverse("projets:reunion", args=[grappe.pk, reunion.pk]),
        reverse("projets:reunion_create", args=[grappe.pk]),
        reverse("amoa:consultation", args=[grappe.pk, consultation.pk]),
        reverse("indicateurs:tableau_grappe", args=[grappe.pk]),
        "/",
    ]


def test_main_pages_have_no_inline_script_and_carry_the_policy(demo, db, client):
    client.force_login(User.objects.get(email="cheffe.projet@demo.grappe.fr"))
    pages = crawl(client, main_page_urls())
    for label, pattern in MAIN_PAGES:
        assert any(re.match(pattern, path) for path in pages), f"page non atteinte : {label}"
    for path, response in pages.items():
        assert_csp_clean(path, response)


def test_national_pages_have_no_inline_script(demo, db, client):
    client.force_login(User.objects.get(email="admin@demo.grappe.fr"))
    pages = crawl(client, limit=80)
    assert any(path.startswith("/indicateurs/") for path in pages)
    assert any(path.startswith("/grappes/registre/") for path in pages)
    for path, response in pages.items():
        assert_csp_clean(path, response)


def test_login_and_lockout_pages_carry_the_policy(client):
    response = client.get("/connexion/")
    assert_csp_clean("/connexion/", response)


def test_base_template_turns_off_htmx_inline_styles_and_eval(client):
    html = client.get("/connexion/").content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false}\'>'
        in html
    )


def test_api_docs_load_their_init_script_from_a_file(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert '<script src="/api/docs/?script="></script>' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_moved_scripts_are_served_as_static_files(client):
    for name in ["js/esms-add.js", "js/reunion-form.js"]:
        assert finders.find(name), name
