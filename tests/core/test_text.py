import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core import text
from users.models import Civilite, User


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 grappe"), (1, "1 grappe"), (2, "2 grappes"), (17, "17 grappes")],
)
def test_zero_and_one_take_the_singular(count, expected):
    assert text.plural(count, "grappe") == expected


def test_irregular_plural_and_agreement():
    assert text.plural(17, "ESMS actif", "ESMS actifs") == "17 ESMS actifs"
    assert text.plural(1, "ESMS actif", "ESMS actifs") == "1 ESMS actif"
    assert text.agree(2, "créée") == "créées"
    assert text.agree(0, "créée") == "créée"


def test_feminine_only_where_the_person_is_known():
    madame = User(civilite=Civilite.MADAME)
    assert text.for_person(madame, "Présent", "Présente") == "Présente"
    assert text.for_person(User(civilite=Civilite.MONSIEUR), "Présent", "Présente") == "Présent"
    assert text.for_person(User(), "Présent", "Présente") == "Présent"
    assert text.for_person(None, "Présent", "Présente") == "Présent"


@pytest.mark.parametrize(
    ("num_bytes", "expected"),
    [
        (512, "512\u00a0o"),
        (5_500, "5,5\u00a0ko"),
        (20_000_000, "20\u00a0Mo"),
        (1_250_000_000, "1,2\u00a0Go"),
    ],
)
def test_sizes(num_bytes, expected):
    assert text.size(num_bytes) == expected


def test_times_in_paris():
    assert text.time_fr(datetime.time(9, 5)) == "9\u00a0h\u00a005"
    utc = datetime.datetime(2026, 12, 4, 13, 0, tzinfo=ZoneInfo("UTC"))
    rendered = Template("{% load fr %}{{ when|heure }}").render(Context({"when": utc}))
    assert rendered == "14\u00a0h\u00a000"


def test_template_filters():
    template = Template(
        '{% load fr %}{{ n|nombre:"grappe" }} ; {{ m|nombre:"ESMS actif,ESMS actifs" }} ; '
        '{{ m|accord:"affichée" }} ; {{ user|selon_personne:"Chef de projet,Cheffe de projet" }}'
    )
    rendered = template.render(Context({"n": 0, "m": 3, "user": User(civilite=Civilite.MADAME)}))
    assert rendered == "0 grappe ; 3 ESMS actifs ; affichées ; Cheffe de projet"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("341500.00"), None, "341\u00a0500"),
        (Decimal("341500.00"), 2, "341\u00a0500,00"),
        (Decimal("85.17"), None, "85,17"),
        (Decimal("85.17"), 1, "85,2"),
        (Decimal("40.50"), None, "40,5"),
        (85.25, 1, "85,3"),  # half-up, from the float's text
        (1234, None, "1\u00a0234"),
        (0, None, "0"),
        (None, None, ""),
    ],
)
def test_numbers_are_written_the_french_way(value, places, expected):
    assert text.number(value, places) == expected


def test_percent_keeps_its_sign_with_a_no_break_space():
    assert text.percent(Decimal("50.00")) == "50\u00a0%"
    assert text.percent(Decimal("85.17"), 1) == "85,2\u00a0%"
    assert text.percent(None) == ""


def test_numbers_stay_french_whatever_the_active_language():
    """An e-mail rendered by a worker without an active language still reads « 85,2 % »."""
    template = Template("{% load fr %}{{ taux|pourcent:1 }} — {{ n|chiffre }} — {{ n|chiffre:2 }}")
    with translation.override(None):
        assert template.render(Context({"taux": Decimal("85.17"), "n": 341500})) == (
            "85,2\u00a0% — 341\u00a0500 — 341\u00a0500,00"
        )
