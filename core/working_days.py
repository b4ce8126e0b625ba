"""French working days ("jours ouvrés": Monday to Friday, public holidays excluded).

Minutes are due 8 working days after a meeting (seed 000 §1.4). Public holidays come from the
`holidays` package; local law adds Good Friday and 26 December in Moselle, Bas-Rhin and Haut-Rhin,
and the overseas départements have their own days (abolition of slavery…), so the calendar
depends on where the grappe's porteur is.
"""

import datetime
from functools import lru_cache

import holidays

# Minutes are transmitted at most this many working days after their meeting (seed 000 §1.4,
# « 8 jours ouvrés maximum »): the one definition the meetings, the reminders, the COPIL's
# deadlines and the AMOA's cahier des charges read.
DELAI_COMPTES_RENDUS = 8

# INSEE département code → subdivision of holidays.France
SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


def subdivision_for(departement):
    """The holidays subdivision for a grappe.models.Departement (or an INSEE code), or None."""
    code = getattr(departement, "insee_code", departement)
    return SUBDIVISIONS.get(code or "")


@lru_cache(maxsize=64)
def _holidays(year, subdiv):
    return holidays.France(years=year, subdiv=subdiv, language="fr")


def holiday_name(day, subdiv=None):
    return _holidays(day.year, subdiv).get(day)


def is_working_day(day, subdiv=None):
    return day.weekday() < 5 and day not in _holidays(day.year, subdiv)


def add_working_days(start, days, subdiv=None):
    """The date `days` working days after `start` (start itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, subdiv):
            remaining -= 1
    return day


def working_days_between(start, end, subdiv=None):
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, subdiv)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, subdiv):
            count += 1
    return count
