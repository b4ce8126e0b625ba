"""What every view test shares: the cast's expected answers and how to check them."""

import html
import io

from django.contrib.messages import get_messages
from pypdf import PdfReader
from rest_framework.test import APIClient

from users.models import ApiToken

# The project's own apps (the packages whose modules, forms and models tests walk).
PROJECT_APPS = [
    "core",
    "users",
    "approbations",
    "grappe",
    "amoa",
    "projets",
    "indicateurs",
    "candidatures",
    "finances",
    "accueil",
    "demo",
]

# Expected status per person of the cast (tests/conftest.py::cast) on a grappe's pages: readers
# see them, strangers learn nothing (404), anonymous people are sent to the login page.
READ = {
    "owner": 200,
    "member": 200,
    "copil": 200,
    "ars": 200,
    "ars_other": 404,
    "stranger": 404,
    "admin": 200,
    "anonymous": "login",
}
# Pages that change the grappe: readers are refused (403).
EDIT = {**READ, "member": 403, "copil": 403, "ars": 403}


def check(response, name, expected):
    """`expected` is a status code, or "login" for a redirect to the login page."""
    if expected == "login":
        assert response.status_code == 302, name
        assert response["Location"].startswith("/connexion/?next="), name
    else:
        assert response.status_code == expected, f"{name}: {response.status_code}"


def assert_cast(cast, client_for, url, expected, method="get", data=None, skip=()):
    """Every person of the cast (but `skip`) gets `expected[name]` from `url`; anonymous people
    are always sent to the login page."""
    for name, user in cast.users().items():
        if name in skip:
            continue
        response = getattr(client_for(user), method)(url, data or {})
        check(response, name, "login" if user is None else expected[name])


def messages_of(response):
    """The messages the page shows (Django's messages framework), as text."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def text(response):
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.content.decode())


def consume(response):
    """A downloaded file's bytes. Reading the stream to its end closes the response (and its
    file) inside the test client, with the database connection left alone; a second close()
    would end the test's transaction on PostgreSQL (request_finished → close_old_connections)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_text(content):
    """The text of a PDF (bytes or a response, whose Content-Type is then checked), white space
    folded: table cells and long lines wrap anywhere. pypdf, a Python dependency: no system tool
    needed (pdftotext)."""
    if not isinstance(content, bytes):
        assert content["Content-Type"] == "application/pdf", content["Content-Type"]
        content = consume(content)
    assert content.startswith(b"%PDF-"), content[:20]
    assert b"mise en page omise" not in content[:80], (
        "PDF sans mise en page : marquez le test @pytest.mark.pdf pour le lire (tests/conftest.py)"
    )
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def api_for(user):
    """An API client signed in with a new token of `user`'s; anonymous for None. The token
    counts as just used: its last use, written once a minute, stays out of query counts."""
    client = APIClient()
    if user is not None:
        token, key = ApiToken.objects.issue(user, f"Tests {ApiToken.objects.count() + 1}")
        token.touch()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
