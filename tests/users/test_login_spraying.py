"""Password spraying: few passwords tried on many accounts from one address. django-axes locks
an (e-mail, address) pair after 5 failures; users.auth.AxesHandler also locks the address after
20 failures over any accounts (LOGIN_IP_FAILURE_LIMIT)."""

import datetime as dt

import pytest
import time_machine

from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/connexion/"
PASSWORD = "motdepasse-de-test"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def accounts():
    return [UserFactory(email=f"agent{i}@exemple.fr") for i in range(10)]


def spray(client, accounts, rounds=4, ip="10.0.0.1"):
    """`rounds` wrong passwords on every account: under the per-account limit (5)."""
    statuses = []
    for round_ in range(rounds):
        for user in accounts:
            statuses.append(
                attempt(client, user.email, f"Printemps2026-{round_}", ip=ip).status_code
            )
    return statuses


def test_forty_failures_over_ten_accounts_lock_the_address(client, accounts):
    with time_machine.travel(START, tick=False):
        statuses = spray(client, accounts)
        # The 20th failure reaches the limit: every later attempt is refused.
        assert statuses[:19] == [200] * 19
        assert set(statuses[19:]) == {429}
        response = attempt(client, accounts[0].email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion échouées" in page
    assert "depuis votre adresse réseau" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_other_addresses_are_not_locked(client, accounts):
    with time_machine.travel(START, tick=False):
        spray(client, accounts)
        assert attempt(client, accounts[0].email, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_address_is_free_again_after_the_cool_off(client, accounts):
    with time_machine.travel(START, tick=False) as traveller:
        spray(client, accounts, rounds=2)
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        assert attempt(client, accounts[0].email, PASSWORD).status_code == 302


def test_a_few_typos_in_an_office_lock_nobody(client, accounts):
    """Below the address's limit, each person keeps their own count of 5."""
    with time_machine.travel(START, tick=False):
        assert set(spray(client, accounts[:4], rounds=4)) == {200}  # 16 failures
        assert attempt(client, accounts[5].email, PASSWORD).status_code == 302
