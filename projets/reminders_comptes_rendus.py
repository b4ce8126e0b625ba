"""Daily reminders about meeting minutes, by e-mail.

- to the writer of the minutes (the version's `redige_par`, else the grappe's chefs de projet —
  also when nobody has started them yet) PROJETS_RAPPEL_CR_JOURS_AVANT working days (default 2)
  before the deadline of 8 working days after the meeting, while they are not submitted;
- to the same people once the deadline has passed and they are still not submitted;
- to each voting COPIL member who has not answered submitted minutes after
  PROJETS_RAPPEL_CR_VALIDATION_JOURS working days (default 3).

Nobody is reminded of the minutes of a meeting hidden from them (projets.perms: the comité de
sélection's, for the grappe's AMOA consultant).

Working days follow the grappe porteur's calendar (Alsace-Moselle, overseas). The deadline
concerns the first version: a corrective version (numero > 1) gets no deadline reminder.

Idempotent, exactly like projets.reminders: every (kind, event key, person) is recorded as a
Rappel, unique in the database, so a second run the same day — or a concurrent one — sends
nothing new. The event key names the version (`compte_rendu:<id>:…`), or the meeting while no
version exists (`reunion:<id>:…`); a reminder sent for the meeting counts as sent for its first
version. One e-mail per person and per kind, listing the items.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url
from core.text import plural
from core.working_days import working_days_between
from grappe.models import ComiteMember
from projets import perms
from projets.comptes_rendus import SOUMIS, cr_url, person, subdivision
from projets.models import CompteRendu, Rappel, Reunion
from projets.validation import chefs_de_projet

logger = logging.getLogger(__name__)

ECHEANCE = "cr_echeance"
RETARD = "cr_retard"
VALIDATION = "cr_validation"
KINDS = [ECHEANCE, RETARD, VALIDATION]

# The subject counts what the e-mail lists (RappelQuerySet.send_new passes its items).
SUBJECTS = {
    ECHEANCE: lambda items: f"Rappel : {_comptes_rendus(items)} à transmettre bientôt",
    RETARD: lambda items: f"Rappel : {_comptes_rendus(items)} en retard",
    VALIDATION: lambda items: f"Rappel : {_comptes_rendus(items)} en attente de votre avis",
}


def _comptes_rendus(items):
    return plural(len(items), "compte rendu", "comptes rendus")


TEMPLATES = {
    ECHEANCE: "emails/compte_rendu_rappel_echeance.txt",
    RETARD: "emails/compte_rendu_rappel_retard.txt",
    VALIDATION: "emails/compte_rendu_rappel_validation.txt",
}

JOURS_AVANT = 2
VALIDATION_JOURS = 3


def _setting(name, default):
    return getattr(settings, name, default)


def _reachable(users):
    return [user for user in users if user.is_active and user.email]


def _writer_events(today, jours_avant, pending):
    """Fill `pending` {(kind, user id): (user, [items])} with the deadline reminders."""
    # Which meetings owe their minutes is the model's rule (Reunion.minutes_owed), the home's too.
    reunions = (
        Reunion.objects.owing_minutes_candidates(today)
        .select_related("grappe__porteur__departement")
        .order_by("starts_at", "pk")
    )
    chefs = {}
    for reunion in reunions:
        owed, cr = reunion.minutes_owed()
        if not owed:
            continue  # transmitted once (even if sent back since), or corrective: nothing to chase
        grappe = reunion.grappe
        deadline = reunion.minutes_deadline()
        if today > deadline:
            kind = RETARD
            days = working_days_between(deadline, today, subdivision(grappe))
        else:
            days = working_days_between(today, deadline, subdivision(grappe))
            if days > jours_avant:
                continue
            kind = ECHEANCE
        event = f"{'retard' if kind == RETARD else 'echeance'}:{deadline.isoformat()}"
        meeting_key = f"reunion:{reunion.pk}:{event}"
        if cr is not None:
            key, aliases = f"compte_rendu:{cr.pk}:{event}", [meeting_key]
            recipients = [cr.redige_par] if cr.redige_par_id and cr.redige_par.is_active else None
            link = absolute_url(
                reverse("projets:compte_rendu_edit", args=[grappe.pk, reunion.pk, cr.pk])
            )
        else:
            key, aliases, recipients = meeting_key, [], None
            link = absolute_url(
                reverse("projets:compte_rendu_create", args=[grappe.pk, reunion.pk])
            )
        if recipients is None:
            if grappe.pk not in chefs:
                chefs[grappe.pk] = chefs_de_projet(grappe)
            recipients = chefs[grappe.pk]
        item = {
            "key": key,
            "aliases": aliases,
            "grappe": grappe,
            "reunion": reunion,
            "compte_rendu": cr,
            "deadline": deadline,
            "days": days,
            "link": link,
        }
        # Nobody is chased about minutes they may not open (a hidden meeting's).
        for user in perms.readers_among(_reachable(recipients), reunion):
            pending.setdefault((kind, user.pk), (user, []))[1].append(item)


def _validation_events(today, validation_jours, pending):
    """Voting COPIL members who have not answered submitted minutes for `validation_jours`
    working days. One reminder per member and per round of validation."""
    voter_ids = (
        ComiteMember.objects.copil_voters()
        .filter(
            comite__grappe__reunions__comptes_rendus__statut=SOUMIS,
            user__is_active=True,
            user__email__gt="",
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=voter_ids).order_by("pk")
    for user in users:
        crs = (
            CompteRendu.objects.awaiting(user)
            .filter(submitted_at__isnull=False)
            .select_related("reunion__grappe__porteur__departement")
            .order_by("submitted_at", "pk")
        )
        for cr in crs:
            grappe = cr.reunion.grappe
            submitted_on = timezone.localdate(cr.submitted_at)
            days = working_days_between(submitted_on, today, subdivision(grappe))
            if days < validation_jours:
                continue
            tour = cr.tour
            pending.setdefault((VALIDATION, user.pk), (user, []))[1].append(
                {
                    "key": f"compte_rendu:{cr.pk}:validation:tour-{tour}",
                    "aliases": [],
                    "grappe": grappe,
                    "reunion": cr.reunion,
                    "compte_rendu": cr,
                    "submitted_on": submitted_on,
                    "days": days,
                    "link": absolute_url(cr_url(cr)),
                }
            )


def _context(kind, user, items):
    return {
        "items": items,
        "person": person(user),
        "inbox_link": absolute_url(reverse("projets:inbox")),
    }


def send_minutes_reminders(today=None, jours_avant=None, validation_jours=None):
    """Send today's minutes reminders that were not sent yet. Returns the number of e-mails
    sent per kind, in all, and the e-mails that failed
    ({"cr_echeance": 1, "cr_retard": 0, "cr_validation": 2, "total": 3, "echecs": 0})."""
    today = today or timezone.localdate()
    if jours_avant is None:
        jours_avant = _setting("PROJETS_RAPPEL_CR_JOURS_AVANT", JOURS_AVANT)
    if validation_jours is None:
        validation_jours = _setting("PROJETS_RAPPEL_CR_VALIDATION_JOURS", VALIDATION_JOURS)
    pending = {}
    _writer_events(today, max(jours_avant, 0), pending)
    _validation_events(today, max(validation_jours, 0), pending)
    return Rappel.objects.send_new(pending, KINDS, today, SUBJECTS, TEMPLATES, _context)
