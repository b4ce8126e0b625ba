"""The projets progress report shows the grappe's latest indicators (provided by this app
through projets.extensions: projets does not import indicateurs)."""

import html

import pytest
import time_machine
from django.urls import reverse

from tests.indicateurs.factories_tableaux import grappe_values, indicateurs, month
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-05 10:00 +0100", tick=False):
        yield


def test_report_shows_the_latest_computed_month(cast, client_for):
    plan_for(cast.grappe, user=cast.owner)
    indicateurs()
    grappe_values(
        cast.grappe,
        [month(2026, 9), month(2026, 10)],
        {
            "mssante": [60, 72.5],
            "dmp": [50, None],
            "dui_actifs": 91,
            "dui_pp": 80,
            "dui_evenement": 95,
        },
    )
    address = reverse("projets:rapport", args=[cast.grappe.pk])
    response = client_for(cast.ars).get(address)
    page = html.unescape(response.content.decode())
    section = page.split('data-testid="indicateurs-usage"')[1].split("</table>")[0]
    assert "Taux d'utilisation de la MSSanté" in section
    assert "72,5 %" in section and "60,0 %" not in section
    assert "non calculable" in section  # DMP in October
    assert "octobre 2026" in section


def test_no_section_without_data(cast, client_for):
    plan_for(cast.grappe, user=cast.owner)
    response = client_for(cast.owner).get(reverse("projets:rapport", args=[cast.grappe.pk]))
    assert response.context["indicateurs_usage"] == []
    assert 'data-testid="indicateurs-usage"' not in response.content.decode()
