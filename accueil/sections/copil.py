"""A COPIL voter (or an OG direction): « À valider » — every document awaiting their avis, the
soonest deadline first, the close ones flagged — and the coming meetings of the grappes where
they vote."""

import datetime

from django.utils import timezone

from accueil.sections import Section
from approbations import inbox
from core.working_days import working_days_between
from projets.comptes_rendus import subdivision
from projets.models import Reunion

# A deadline within this many working days (or past) is flagged « échéance proche ».
PROCHE_JOURS_OUVRES = 2
# The meetings shown: those starting within this many days.
REUNIONS_JOURS = 30


def _with_deadline(row, today):
    """The inbox row with how its deadline stands, in the working days of the grappe's porteur
    (its département is loaded with the row: no query)."""
    echeance = row.get("echeance")
    jours = (
        working_days_between(today, echeance, subdivision(row["grappe"]))
        if echeance is not None
        else None
    )
    return {
        **row,
        "depassee": echeance is not None and echeance < today,
        "proche": jours is not None and echeance >= today and jours <= PROCHE_JOURS_OUVRES,
    }


def section(user, ties, today):
    # Only COPIL voters and OG directions are ever awaited (approbations.inbox's kinds): nobody
    # else costs a query.
    if not ties["copil_voter"] and not ties["og_direction"]:
        return None
    # The inbox page's rows (one query per registered kind), soonest deadline first.
    rows = [_with_deadline(row, today) for row in inbox.rows(user, today)]
    rows.sort(key=lambda row: (row["echeance"] is None, row["echeance"] or datetime.date.max))
    voted = {grappe_id for source, grappe_id, *_, votes in ties["rows"] if votes}
    reunions = []
    if voted:
        now = timezone.now()
        reunions = list(
            Reunion.objects.filter(
                grappe_id__in=voted,
                starts_at__gte=now,
                starts_at__lt=now + datetime.timedelta(days=REUNIONS_JOURS),
            )
            .visible_to(user)  # never a meeting hidden from them (comité de sélection)
            .select_related("grappe")
            .order_by("starts_at", "pk")
        )
    if not rows and not ties["copil_voter"]:
        return None
    return Section(
        "copil",
        "À valider",
        {
            "rows": rows,
            "proches": sum(1 for row in rows if row["proche"] or row["depassee"]),
            "reunions": reunions,
            "reunions_jours": REUNIONS_JOURS,
            "copil_voter": ties["copil_voter"],
        },
    )
