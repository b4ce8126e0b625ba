"""Daily reminders of the project plan, by e-mail.

- the owners of a step (the grappe's people whose role is the step's `owner_role`) when it starts
  or ends within PROJETS_RAPPEL_JOURS_AVANT days (default 7), and while it is late (once a week);
- the voting COPIL members when deliverable versions have waited for their avis for at least
  PROJETS_RAPPEL_VALIDATION_JOURS days (default 3).

Idempotent: every (kind, event, person) is recorded as a Rappel, unique in the database, so a
second run the same day (or a concurrent one) sends nothing new. One e-mail per person and per
kind, listing the items. The Celery beat task and the management command only call
send_daily_reminders(), which adds the minutes' reminders (projets.reminders_comptes_rendus).
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url
from core.text import agree, plural
from grappe.models import ComiteMember, Role
from projets import extensions
from projets.enums import StatutVersion
from projets.models import Etape, LivrableVersion, Rappel
from projets.reminders_comptes_rendus import send_minutes_reminders

logger = logging.getLogger(__name__)

DEBUT = "etape_debut"
FIN = "etape_fin"
RETARD = "etape_retard"
VALIDATION = "validation"
KINDS = [DEBUT, FIN, RETARD, VALIDATION]

# The subject counts what the e-mail lists (RappelQuerySet.send_new passes its items).
SUBJECTS = {
    DEBUT: lambda items: (
        f"Rappel : {plural(len(items), 'étape')} du plan projet "
        f"{agree(len(items), 'commence', 'commencent')} bientôt"
    ),
    FIN: lambda items: (
        f"Rappel : {plural(len(items), 'étape')} du plan projet "
        f"{agree(len(items), 'se termine', 'se terminent')} bientôt"
    ),
    RETARD: lambda items: f"Rappel : {plural(len(items), 'étape')} du plan projet en retard",
    VALIDATION: lambda items: f"Rappel : {plural(len(items), 'document')} en attente de votre avis",
}
TEMPLATES = {kind: f"emails/rappel_{kind}.txt" for kind in KINDS}

JOURS_AVANT = 7
VALIDATION_JOURS = 3


def _setting(name, default):
    return getattr(settings, name, default)


def _etape_item(etape, event):
    grappe = etape.plan.grappe
    return {
        "key": f"etape:{etape.pk}:{event}",
        "grappe": grappe,
        "etape": etape,
        "days": None,
        "link": absolute_url(reverse("projets:etape", args=[grappe.pk, etape.pk])),
    }


def _owners_by_grappe_role(etapes):
    """{(grappe id, role kind): [users]}: the active people with an e-mail holding that role."""
    grappe_ids = {etape.plan.grappe_id for etape in etapes}
    owners = defaultdict(dict)
    roles = Role.objects.filter(
        grappe_id__in=grappe_ids, user__is_active=True, user__email__gt=""
    ).select_related("user")
    for role in roles:
        owners[(role.grappe_id, role.kind)][role.user_id] = role.user
    return {key: list(users.values()) for key, users in owners.items()}


def _etape_events(today, jours_avant):
    """{kind: [(etape, event key suffix)]} for steps starting, ending soon, or late."""
    horizon = today + datetime.timedelta(days=jours_avant)
    base = (
        Etape.objects.filter(skipped=False).select_related("plan__grappe").order_by("plan", "ordre")
    )
    iso_year, iso_week, _ = today.isocalendar()
    return {
        DEBUT: [
            (etape, f"debut:{etape.planned_start.isoformat()}")
            for etape in base.filter(
                actual_start__isnull=True, planned_start__gte=today, planned_start__lte=horizon
            )
        ],
        FIN: [
            (etape, f"fin:{etape.planned_end.isoformat()}")
            for etape in base.filter(
                actual_end__isnull=True, planned_end__gte=today, planned_end__lte=horizon
            )
        ],
        # Late steps come back every ISO week while they stay late.
        RETARD: [(etape, f"retard:{iso_year}-S{iso_week:02d}") for etape in base.late(today)],
    }


def _late_reason(etape, today):
    if etape.planned_end and etape.planned_end < today and not etape.actual_end:
        return f"fin prévue le {etape.planned_end:%d/%m/%Y}, pas encore terminée"
    return f"début prévu le {etape.planned_start:%d/%m/%Y}, pas encore commencée"


def _collect_etapes(today, jours_avant, pending):
    """Fill `pending` {(kind, user id): (user, [items])} with the steps' reminders."""
    events = _etape_events(today, jours_avant)
    all_etapes = [etape for rows in events.values() for etape, _ in rows]
    owners = _owners_by_grappe_role(all_etapes)
    for kind, rows in events.items():
        for etape, event in rows:
            item = _etape_item(etape, event)
            if kind == RETARD:
                item["reason"] = _late_reason(etape, today)
            elif kind == DEBUT:
                item["days"] = (etape.planned_start - today).days
            else:
                item["days"] = (etape.planned_end - today).days
            for user in owners.get((etape.plan.grappe_id, etape.owner_role), []):
                pending.setdefault((kind, user.pk), (user, []))[1].append(item)


def _collect_validations(today, validation_jours, pending):
    """Voting COPIL members with versions waiting for their avis since `validation_jours` days."""
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=validation_jours - 1), datetime.time.min
        )
    )
    voter_ids = (
        ComiteMember.objects.copil_voters()
        .filter(
            comite__grappe__plan__livrables__versions__status=StatutVersion.SOUMISE,
            user__is_active=True,
            user__email__gt="",
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=voter_ids).order_by("pk")
    for user in users:
        versions = (
            LivrableVersion.objects.awaiting(user)
            .filter(submitted_at__lt=cutoff)
            .select_related("livrable__plan__grappe", "livrable__etape")
            .order_by("submitted_at", "pk")
        )
        for version in versions:
            livrable = version.livrable
            submitted_on = timezone.localdate(version.submitted_at)
            pending.setdefault((VALIDATION, user.pk), (user, []))[1].append(
                {
                    "key": f"version:{version.pk}",
                    "grappe": livrable.plan.grappe,
                    "livrable": livrable,
                    "version": version,
                    "days": (today - submitted_on).days,
                    "submitted_on": submitted_on,
                    "link": absolute_url(livrable.get_absolute_url()),
                }
            )


def _context(kind, user, items):
    return {
        "items": items,
        "plan_links": _plan_links(items),
        "inbox_link": absolute_url(reverse("projets:inbox")),
    }


def _plan_links(items):
    """One link per grappe concerned: its plan page."""
    links = {}
    for item in items:
        grappe = item["grappe"]
        links.setdefault(
            grappe.pk, (grappe, absolute_url(reverse("projets:plan", args=[grappe.pk])))
        )
    return list(links.values())


def send_reminders(today=None, jours_avant=None, validation_jours=None):
    """Send today's reminders that were not sent yet. Returns the number of e-mails sent per
    kind, in all, and the e-mails that failed ({"etape_debut": 1, …, "total": 4, "echecs": 0}).
    `today` and the delays default to the local date and the settings."""
    today = today or timezone.localdate()
    jours_avant = (
        jours_avant
        if jours_avant is not None
        else _setting("PROJETS_RAPPEL_JOURS_AVANT", JOURS_AVANT)
    )
    validation_jours = (
        validation_jours
        if validation_jours is not None
        else _setting("PROJETS_RAPPEL_VALIDATION_JOURS", VALIDATION_JOURS)
    )
    pending = {}
    _collect_etapes(today, jours_avant, pending)
    _collect_validations(today, max(validation_jours, 0), pending)
    return Rappel.objects.send_new(pending, KINDS, today, SUBJECTS, TEMPLATES, _context)


def send_daily_reminders(today=None):
    """The plan's and the minutes' reminders of the day, and those later apps registered
    (projets.extensions), counted together (their kinds differ):
    {"etape_debut": 1, …, "cr_validation": 0, "total": 1, "echecs": 0}."""
    results = [send_reminders(today=today), send_minutes_reminders(today=today)]
    results += [function(today) for function in extensions.daily_reminders]
    merged = {}
    for result in results:
        merged.update(result)
    merged["total"] = sum(result["total"] for result in results)
    merged["echecs"] = sum(result["echecs"] for result in results)
    return merged
