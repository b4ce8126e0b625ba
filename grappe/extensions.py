"""Extension points of the registry for the apps built on it. The dependency goes from those
apps to grappe, never back: grappe calls what they register in their AppConfig.ready()."""

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
