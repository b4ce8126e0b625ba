"""Security settings and behaviour: login rate limiting, passwords, sessions, headers, API
throttling (issue 9)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config import settings as base_settings
from core.middleware import LAST_ACTIVITY_KEY
from tests.helpers import api_for
from users.auth import axes_username, client_ip
from users.models import User

pytestmark = pytest.mark.django_db

LOGIN_URL = "/connexion/"
PASSWORD = "motdepasse-de-test"
LOCKOUT_TEXT = "Trop de tentatives de connexion échouées"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client):
    return "_auth_user_id" in client.session


# --- Login rate limiting (django-axes) ------------------------------------------------------


def test_axes_is_the_first_backend_and_its_middleware_is_on():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_sixth_attempt_is_refused_with_the_french_lockout_page(cast, client):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            response = attempt(client, cast.owner.email, "mauvais-mot-de-passe")
            assert response.status_code == 200
            assert LOCKOUT_TEXT not in response.content.decode()
        # The fifth failure reaches the limit: the pair (e-mail, IP) is locked from there on.
        assert attempt(client, cast.owner.email, "mauvais-mot-de-passe").status_code == 429
        response = attempt(client, cast.owner.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKOUT_TEXT in page
    assert "15 minutes" in page
    assert "Mot de passe oublié" not in page and "demandez-en un nouveau" in page
    assert not is_logged_in(client)


def test_good_password_works_again_after_the_cool_off(cast, client):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            attempt(client, cast.owner.email, "mauvais-mot-de-passe")
        traveller.shift(dt.timedelta(minutes=14))
        assert attempt(client, cast.owner.email, PASSWORD).status_code == 429
        assert not is_logged_in(client)
        # A refused attempt during the lockout restarts the 15 minutes.
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        response = attempt(client, cast.owner.email, PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert is_logged_in(client)


def test_lock_is_per_email_and_ip_pair(cast, client):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, cast.owner.email.upper(), "mauvais-mot-de-passe", ip="10.0.0.1")
        # Upper-case counted as the same account.
        assert attempt(client, cast.owner.email, PASSWORD, ip="10.0.0.1").status_code == 429
        # The same person from another address, another person from the same address: not locked.
        assert attempt(client, cast.member.email, PASSWORD, ip="10.0.0.1").status_code == 302
        client.logout()
        assert attempt(client, cast.owner.email, PASSWORD, ip="10.0.0.2").status_code == 302


def test_success_resets_the_failure_count(cast, client):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            attempt(client, cast.owner.email, "mauvais-mot-de-passe")
        assert attempt(client, cast.owner.email, PASSWORD).status_code == 302
        client.logout()
        for _ in range(4):
            assert attempt(client, cast.owner.email, "mauvais").status_code == 200
        assert attempt(client, cast.owner.email, PASSWORD).status_code == 302


def test_admin_login_is_rate_limited_too(cast, client):
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": cast.admin.email, "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        "/admin/login/",
        {"username": cast.admin.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()


def test_axes_username_is_lower_cased():
    request = RequestFactory().post(LOGIN_URL, {"username": " Cheffe@Exemple.FR "})
    assert axes_username(request, None) == "cheffe@exemple.fr"
    assert axes_username(None, {"username": "A@B.FR"}) == "a@b.fr"
    assert axes_username(None, {}) is None


def test_client_ip_ignores_forwarded_for_without_a_trusted_proxy(settings):
    settings.REVERSE_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.1"


def test_client_ip_behind_one_proxy_takes_the_address_the_proxy_saw(settings):
    settings.REVERSE_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real address.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    assert client_ip(request) == "198.51.100.7"
    # Called without the proxy (no header): the direct address.
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="198.51.100.8")) == "198.51.100.8"


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Court-1!",  # under 12 characters
        "123456789012345",  # only digits
        "qwertyuiop123",  # common
        "password1234",  # common
        "cheffe.exemple",  # close to the e-mail address
    ],
)
def test_weak_passwords_are_refused(password):
    user = User(email="cheffe.exemple@exemple.fr", first_name="Cheffe", last_name="Exemple")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_long_unusual_password_is_accepted():
    user = User(email="cheffe@exemple.fr")
    assert validate_password("Tulipe-vélo-Carnaval-42", user) is None


def test_password_reset_form_enforces_the_validators(cast, client):
    """The only place a person sets a password (invitations use the reset form)."""
    uid = urlsafe_base64_encode(force_bytes(cast.owner.pk))
    token = default_token_generator.make_token(cast.owner)
    response = client.get(f"/mot-de-passe/nouveau/{uid}/{token}/", follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    cast.owner.refresh_from_db()
    assert cast.owner.check_password(PASSWORD)


# --- Sessions ---------------------------------------------------------------------------------


def test_session_ends_with_the_browser_and_after_a_working_day():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_has_no_expiry_date(cast, client):
    response = attempt(client, cast.owner.email, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


@pytest.fixture
def idle_timeout(settings):
    """On in production (config.settings), off in the other tests (config.settings_test)."""
    assert base_settings.SESSION_IDLE_TIMEOUT == 3600
    settings.SESSION_IDLE_TIMEOUT = base_settings.SESSION_IDLE_TIMEOUT


def test_idle_session_is_logged_out_after_an_hour(cast, client_for, idle_timeout):
    url = f"/grappes/{cast.grappe.pk}/"
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(cast.owner)
        assert client.get(url).status_code == 200
        traveller.shift(dt.timedelta(minutes=50))
        # Activity within the hour keeps the session alive.
        assert client.get(url).status_code == 200
        traveller.shift(dt.timedelta(minutes=50))
        assert client.get(url).status_code == 200
        traveller.shift(dt.timedelta(minutes=61))
        response = client.get(url, follow=True)
        assert response.redirect_chain[0][0].startswith("/connexion/?next=")
        assert "Votre session a expiré" in response.content.decode()
        assert not is_logged_in(client)


# --- Headers ----------------------------------------------------------------------------------


def test_security_headers_on_pages(cast, client_for):
    response = client_for(cast.owner).get(f"/grappes/{cast.grappe.pk}/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- API throttling ---------------------------------------------------------------------------


@pytest.fixture
def low_throttle_rates(monkeypatch):
    """DRF reads the rates once, at import; tests lower them on the throttle class itself."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "4/min"})
    cache.clear()
    yield
    cache.clear()


def test_throttle_rates_are_configured():
    rates = base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": "60/min", "user": "600/min"}
    assert base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]


def test_anonymous_api_calls_are_throttled(low_throttle_rates):
    api = APIClient()
    statuses = [api.get("/api/schema/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_token_api_calls_are_throttled_per_account(cast, low_throttle_rates):
    url = f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/?mois=2026-01"
    api = api_for(cast.owner)
    statuses = [api.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = api.get(url)
    assert response.status_code == 429
    assert "Retry-After" in response
    other = api_for(cast.admin)
    assert other.get(url).status_code == 200


def test_activity_is_written_at_most_once_a_minute(cast, client_for, idle_timeout):
    url = f"/grappes/{cast.grappe.pk}/"
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(cast.owner)
        # Set at login: the first page needs no session write.
        assert client.session[LAST_ACTIVITY_KEY] == int(START.timestamp())
        traveller.shift(dt.timedelta(seconds=30))
        client.get(url)
        assert client.session[LAST_ACTIVITY_KEY] == int(START.timestamp())
        traveller.shift(dt.timedelta(seconds=40))
        client.get(url)
        assert client.session[LAST_ACTIVITY_KEY] == int(START.timestamp()) + 70


def test_idle_timeout_leaves_the_api_token_alone(cast, idle_timeout):
    """Token calls have no session: nothing to expire, nothing written."""
    api = api_for(cast.owner)
    with time_machine.travel(START, tick=False) as traveller:
        assert api.get(f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/").status_code == 200
        traveller.shift(dt.timedelta(hours=3))
        assert api.get(f"/api/v1/grappes/{cast.grappe.pk}/indicateurs/").status_code == 200
    assert settings.SESSION_COOKIE_NAME not in api.cookies
