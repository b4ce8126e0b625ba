"""core.months: one way to count months everywhere."""

import datetime

import pytest

from core.months import (
    add_months,
    elapsed_month,
    month_range,
    months_between,
    parse_month,
    parse_month_or_error,
    previous_month,
)

D = datetime.date


def test_arithmetic_across_years():
    assert add_months(D(2026, 11, 17), 3) == D(2027, 2, 1)
    assert previous_month(D(2026, 1, 1)) == D(2025, 12, 1)
    assert months_between(D(2025, 11, 1), D(2026, 2, 1)) == 3
    assert elapsed_month(D(2026, 1, 15)) == D(2025, 12, 1)
    assert month_range(D(2026, 2, 1), 3) == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]


def test_parsing_text_dates_and_refusals():
    assert parse_month("2026-3") == D(2026, 3, 1)
    assert parse_month(" 2026-03 ") == D(2026, 3, 1)
    assert parse_month(datetime.datetime(2026, 3, 17, 9, 0)) == D(2026, 3, 1)
    assert parse_month(D(2026, 3, 17)) == D(2026, 3, 1)
    for bad in ("2026-13", "2026-00", "03/2026", "", None, "2026-03-01"):
        assert parse_month(bad) is None, bad
    with pytest.raises(ValueError, match="Mois « 2026-13 » invalide : attendu AAAA-MM."):
        parse_month_or_error("2026-13")
