"""Extension points of the registry for the apps built on it. The dependency goes from those
apps to grappe, never back: grappe calls what they register in their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

# Functions (user, grappe, queryset of HistoryEntry) -> queryset, applied in order by the
# grappe's history page: each may only narrow what the user sees.
HISTORY_FILTERS = []


def register_history_filter(function):
    if function not in HISTORY_FILTERS:
        HISTORY_FILTERS.append(function)
    return function


def filter_history(user, grappe, entries):
    for function in HISTORY_FILTERS:
        entries = function(user, grappe, entries)
    return entries


# Entries of the header the apps built on grappe add (Projet, Consultation AMOA, Indicateurs,
# Appels à projets, Mes actions, À valider…), each with the predicate of its app's perms.py.
# grappe.navigation shows them after its own entries, by `order`, to whom `visible(user,
# context)` holds: `context` is the request's ties (grappe.navigation.header_context: "scope" —
# "national", "region", "grappe" or "grappes" — and "grappe", the one grappe the header works on),
# read without a query. An entry with `for_grappe` links to that grappe's page; it is active
# under `prefix` (a path), or under its URL's folder with `section`, or on its URL.
@dataclass(frozen=True)
class NavEntry:
    order: int
    label: str
    url_name: str
    visible: Callable
    for_grappe: bool = False
    section: bool = False
    prefix: str = ""


NAV_ENTRIES = []


def register_nav_entry(entry):
    if entry not in NAV_ENTRIES:
        NAV_ENTRIES.append(entry)
        NAV_ENTRIES.sort(key=lambda registered: registered.order)
    return entry


# Counts shown beside a header entry, by the entry's URL name: function (user) -> int, and the
# words a screen reader hears after the number, singular and plural (« 3 documents en attente de
# votre avis »). grappe.navigation calls the function only when it shows the entry.
NAV_COUNTERS = {}


def register_nav_counter(url_name, function, singular, plural):
    NAV_COUNTERS[url_name] = (function, singular, plural)
    return function


def nav_counter(url_name):
    """(function, singular, plural) registered for the entry, or None."""
    return NAV_COUNTERS.get(url_name)


# Functions (grappe) -> a French reason, or "": why the grappe's call (its AAP and region) may no
# longer change — a dossier filed on that call, say. The grappe's form disables both fields.
CALL_LOCKS = []


def register_call_lock(function):
    if function not in CALL_LOCKS:
        CALL_LOCKS.append(function)
    return function


def call_locked(grappe):
    """The first reason a registered app gives, or ""."""
    for function in CALL_LOCKS:
        reason = function(grappe)
        if reason:
            return reason
    return ""
