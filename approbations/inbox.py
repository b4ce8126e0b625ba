"""The "À valider" inbox: every document that waits for a person's answer, whatever its app.

Apps register a kind in their AppConfig.ready() (this layer imports none of them). A kind has
`awaiting(user)`, the queryset of its documents waiting for `user`'s answer — the one definition
the inbox, its header count and the reminders read —, and `rows(user, today)`, those documents
as the inbox's rows: {kind, grappe, titre, contexte, detail, fichier, submitted_on, days,
echeance, url} — `echeance`: the date the answer is due, or None; `grappe` with its porteur's
département loaded (the home counts the working days to the deadline in its calendar).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

_KINDS = {}


@dataclass(frozen=True)
class Kind:
    name: str
    awaiting: Callable
    rows: Callable


def register(kind):
    """Add (or replace, by name: ready() may run twice in tests) a kind of document."""
    _KINDS[kind.name] = kind
    return kind


def kinds():
    return list(_KINDS.values())


def rows(user, today=None):
    """All kinds' rows for `user`, oldest submission first, undated rows last."""
    today = today or timezone.localdate()
    merged = [row for kind in kinds() for row in kind.rows(user, today)]
    merged.sort(key=lambda row: (row["submitted_on"] is None, row["submitted_on"] or date.min))
    return merged


def awaiting_count(user):
    """How many documents wait for `user`'s answer, in one query: the header shows it on every
    page of a voter."""
    querysets = [kind.awaiting(user).order_by().values("pk") for kind in kinds()]
    if not querysets:
        return 0
    first, *others = querysets
    return first.union(*others, all=True).count() if others else first.count()
