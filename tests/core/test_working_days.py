import datetime

import pytest

from core.working_days import (
    add_working_days,
    holiday_name,
    is_working_day,
    subdivision_for,
    working_days_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("meeting", "national", "alsace_moselle"),
    [
        # Christmas 2025: 25/12 everywhere, 26/12 in Alsace-Moselle, 1/1.
        (D(2025, 12, 24), D(2026, 1, 7), D(2026, 1, 8)),
        # New Year seen from mid-December.
        (D(2025, 12, 19), D(2026, 1, 2), D(2026, 1, 5)),
        # Easter 2026: Good Friday 3/4 in Alsace-Moselle, Easter Monday 6/4 everywhere.
        (D(2026, 4, 2), D(2026, 4, 15), D(2026, 4, 16)),
        # May 2026: 1 May (Fri), 8 May (Fri), Ascension (Thu 14 May).
        (D(2026, 4, 30), D(2026, 5, 15), D(2026, 5, 15)),
        # Pentecost Monday 25 May 2026.
        (D(2026, 5, 20), D(2026, 6, 2), D(2026, 6, 2)),
        # An ordinary fortnight.
        (D(2026, 9, 14), D(2026, 9, 24), D(2026, 9, 24)),
    ],
)
def test_minutes_deadline_is_eight_working_days(meeting, national, alsace_moselle):
    assert add_working_days(meeting, 8) == national
    assert add_working_days(meeting, 8, subdivision_for("57")) == alsace_moselle
    assert add_working_days(meeting, 8, subdivision_for("67")) == alsace_moselle
    assert add_working_days(meeting, 8, subdivision_for("68")) == alsace_moselle


def test_weekends_and_holidays():
    assert not is_working_day(D(2026, 11, 21))  # Saturday
    assert not is_working_day(D(2026, 11, 11))  # Armistice
    assert is_working_day(D(2026, 4, 3))  # Good Friday is worked outside Alsace-Moselle
    assert not is_working_day(D(2026, 4, 3), "57")
    assert holiday_name(D(2026, 5, 14)) == "Ascension"


def test_overseas_calendar():
    # 22 May: abolition of slavery in Martinique.
    assert not is_working_day(D(2026, 5, 22), subdivision_for("972"))
    assert is_working_day(D(2026, 5, 22))
    assert subdivision_for("59") is None


def test_working_days_between():
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 15)) == 8
    assert working_days_between(D(2026, 4, 15), D(2026, 4, 2)) == -8
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 2)) == 0
