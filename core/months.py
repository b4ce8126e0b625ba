"""Months as the programme counts them: a month is the date of its first day (date(2026, 5, 1)),
written « AAAA-MM » in files, URLs and the API. One module for every app (usage data, the
dashboards, the plan's Gantt chart)."""

import datetime
import re

from django.utils import timezone

MONTH_TEXT = re.compile(r"(\d{4})-(\d{1,2})")


def month_start(value):
    return value.replace(day=1)


def add_months(value, months):
    """The first day of the month `months` after (before, if negative) `value`'s."""
    index = value.year * 12 + value.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_month(value):
    return add_months(value, -1)


def next_month(value):
    return add_months(value, 1)


def months_between(start, end):
    return (end.year - start.year) * 12 + end.month - start.month


def elapsed_month(today=None):
    """The month just ended: the one whose figures the ESMS send now."""
    return previous_month(today or timezone.localdate())


def month_range(last, count):
    """The `count` months ending with `last`'s month, oldest first."""
    return [add_months(last, -offset) for offset in range(count - 1, -1, -1)]


def parse_month(value):
    """The month of « AAAA-MM » (a cell read from a spreadsheet may also be a date or a
    datetime); None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = MONTH_TEXT.fullmatch(str(value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def parse_month_or_error(value):
    """parse_month, or a ValueError saying in French what is expected (command line, API)."""
    month = parse_month(value)
    if month is None:
        raise ValueError(f"Mois « {value} » invalide : attendu AAAA-MM.")
    return month
