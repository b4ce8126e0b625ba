"""Fuzz the API against its own OpenAPI schema (schemathesis): whatever the parameters and
bodies, it answers with a 2xx/4xx, never a server error.

The schema is read from the WSGI application (no server, no network). Calls carry the token of
the chef de projet of a seeded grappe; path identifiers are drawn from the schema (mostly unknown
objects, hence 404) and, half the time, replaced by the seeded grappe's own objects so that the
views' real code paths (months, indicators, rankings, usage import validation) get fuzzed too.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.amoa.factories import ConsultationFactory
from tests.grappe.factories import EsmsFactory
from users.models import ApiToken

pytestmark = pytest.mark.django_db


# Loaded when the module is collected: generating the schema touches no database. (The lazy
# schemathesis.pytest.from_fixture does not work with pytest 9: it reads Function._nodeid.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def keep_test_connection():
    """Called through WSGI, Django closes "old" database connections at each request's start and
    end; inside the test's transaction that closes the test's own connection (PostgreSQL).
    Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_context(cast, keep_test_connection):
    cache.clear()  # API throttle counters
    _, key = ApiToken.objects.issue(cast.owner, "Fuzz")
    consultation = ConsultationFactory(grappe=cast.grappe)
    EsmsFactory()  # an ESMS outside the grappe: usage rows about it must be refused, not crash
    own_ids = {
        "/api/v1/grappes/{id}/indicateurs/": cast.grappe.pk,
        "/api/v1/consultations/{id}/classement/": consultation.pk,
    }
    finess = cast.grappe.memberships.select_related("esms").first().esms.finess_et
    yield {"headers": {"Authorization": f"Token {key}"}, "ids": own_ids, "finess": finess}
    cache.clear()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_a_server_error(case, fuzz_context):
    own_id = fuzz_context["ids"].get(case.path)
    drawn = (case.path_parameters or {}).get("id")
    # Valid integers are swapped half the time; malformed ones (negative testing) are kept.
    if own_id is not None and isinstance(drawn, int) and drawn % 2 == 0:
        case.path_parameters = {**case.path_parameters, "id": own_id}
    # Usage rows: half of them about an ESMS of the grappe for a real month, so that the
    # figures (not only the FINESS lookup) go through validation and, when valid, are written.
    if case.path == "/api/v1/usages/" and isinstance(case.body, list):
        for index, row in enumerate(case.body):
            if isinstance(row, dict) and index % 2 == 0:
                row.update(finess_et=fuzz_context["finess"], mois="2026-01")
    case.call_and_validate(headers=fuzz_context["headers"], checks=[not_a_server_error])
