"""« Mot de passe oublié » is limited per e-mail address and per client address (users.forms):
beyond, the page answers the same neutral message and sends nothing."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("password_reset")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def real_rates(settings):
    """The production limits (the test settings raise them for the rest of the suite), counted
    from an empty cache."""
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
    settings.PASSWORD_RESET_RATE_PER_IP = "10/h"
    cache.clear()
    yield
    cache.clear()


def ask(client, email, ip="10.0.0.1"):
    response = client.post(URL, {"email": email}, REMOTE_ADDR=ip)
    # Always the same answer, whether the address has an account, or the limit is reached.
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    return response


def test_sixteen_requests_for_one_address_send_three_emails(client, mailoutbox, caplog):
    UserFactory(email="camille@exemple.fr")
    with time_machine.travel(START, tick=False), caplog.at_level(logging.WARNING):
        for i in range(16):
            # From as many addresses: the per-e-mail limit holds alone.
            ask(client, "Camille@exemple.fr", ip=f"10.0.1.{i}")
    assert len(mailoutbox) == 3
    assert "limite atteinte pour l'adresse Camille@exemple.fr" in caplog.text


def test_one_client_address_gets_ten_requests_an_hour(client, mailoutbox, caplog):
    for i in range(12):
        UserFactory(email=f"personne{i}@exemple.fr")
    with time_machine.travel(START, tick=False), caplog.at_level(logging.WARNING):
        for i in range(12):
            ask(client, f"personne{i}@exemple.fr")
    assert len(mailoutbox) == 10
    assert "limite atteinte pour l'IP 10.0.0.1" in caplog.text


def test_unknown_addresses_count_too(client, mailoutbox):
    """The limit does not tell which addresses have an account: requests for unknown ones
    use the client's quota like the others."""
    UserFactory(email="camille@exemple.fr")
    with time_machine.travel(START, tick=False):
        for i in range(10):
            ask(client, f"inconnu{i}@exemple.fr")
        ask(client, "camille@exemple.fr")
    assert mailoutbox == []


def test_limits_last_an_hour(client, mailoutbox):
    UserFactory(email="camille@exemple.fr")
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            ask(client, "camille@exemple.fr")
        assert len(mailoutbox) == 3
        traveller.shift(dt.timedelta(minutes=61))
        ask(client, "camille@exemple.fr")
    assert len(mailoutbox) == 4
