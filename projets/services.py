"""Creating a grappe's plan from the reference plan (spans the reference and plan models), a
COPIL's go / no go, the DUI's mise en service, and the history entries about meetings."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.history import form_changes
from grappe.models import HistoryEntry
from projets import perms
from projets.extensions import mise_en_service_changed
from projets.models import (
    Etape,
    EtapeReference,
    Jalon,
    JalonReference,
    Livrable,
    LivrableReference,
    Plan,
)


@transaction.atomic
def instantiate_plan(grappe, start_on, user=None):
    """Copy the reference plan into the grappe's own plan, scheduled one step after the other
    from `start_on` (finish-to-start). The grappe then adds, skips or renames its steps freely;
    the reference is never touched."""
    plan = Plan.objects.create(grappe=grappe, start_on=start_on, created_by=user)
    etapes = []
    cursor = start_on
    references = list(EtapeReference.objects.select_related("phase").order_by("numero"))
    for reference in references:
        end = (
            cursor + datetime.timedelta(weeks=reference.duree_semaines) - datetime.timedelta(days=1)
        )
        etapes.append(
            Etape(
                plan=plan,
                reference=reference,
                phase=reference.phase.numero,
                ordre=reference.numero,
                titre=reference.titre,
                planned_start=cursor,
                planned_end=end,
                owner_role=reference.owner_role,
            )
        )
        cursor = end + datetime.timedelta(days=1)
    # One INSERT for the steps (their keys come back on PostgreSQL and SQLite alike), one for
    # their finish-to-start links: a plan is created with a handful of queries, not fifty.
    etapes = Etape.objects.bulk_create(etapes)
    Etape.depends_on.through.objects.bulk_create(
        Etape.depends_on.through(from_etape=etape, to_etape=previous)
        for previous, etape in zip(etapes, etapes[1:], strict=False)
    )
    by_reference = {
        reference.pk: etape for reference, etape in zip(references, etapes, strict=True)
    }
    Jalon.objects.bulk_create(
        Jalon(
            plan=plan,
            etape=by_reference[jalon.etape_id],
            titre=jalon.titre,
            go_no_go=jalon.go_no_go,
            planned_on=by_reference[jalon.etape_id].planned_end,
        )
        for jalon in JalonReference.objects.all()
    )
    Livrable.objects.bulk_create(
        Livrable(
            plan=plan,
            etape=by_reference.get(livrable.etape_id),
            reference=livrable,
            titre=livrable.titre,
            amoa=livrable.amoa,
            validation_copil=livrable.validation_copil,
        )
        for livrable in LivrableReference.objects.order_by("amoa", "etape__numero", "ordre")
    )
    HistoryEntry.record(
        grappe, user, "Création du plan projet", plan, {"Début": start_on.isoformat()}
    )
    return plan


def record_jalon_decision(form, previous, user, reunion=None):
    """Apply a valid JalonDecisionForm (plan page or meeting): who and when, the grappe's
    history (a changed decision keeps the previous one and the reason), and the phases the
    decision opens or closes. Returns (changed, opened phases, closed phases)."""
    if previous and not form.changes_decision():
        return False, [], []
    plan = form.instance.plan
    opened_before = plan.open_phases()
    with transaction.atomic():
        jalon = form.save(commit=False)
        jalon.recorded_by = user
        jalon.recorded_at = timezone.now()
        jalon.save()
        if previous:
            changes = form_changes(form)
            changes.pop(str(form.fields["change_reason"].label), None)
            changes["Décision précédente"] = previous
            changes["Motif de la modification"] = form.cleaned_data["change_reason"].strip()
            action = "Modification d'une décision du COPIL sur un jalon"
        else:
            changes = {"Décision": jalon.decision_summary()}
            action = "Décision du COPIL sur un jalon"
        if reunion is None:
            HistoryEntry.record(plan.grappe, user, action, jalon, changes)
        else:
            changes["Réunion"] = str(reunion)
            record_meeting_history(reunion, user, action, jalon, changes)
    open_now = plan.open_phases()
    return True, sorted(open_now - opened_before), sorted(opened_before - open_now)


def record_meeting_history(reunion, user, action, target, changes=None, *, confidential=False):
    """A grappe history entry about a meeting or what was born in it (an action, the minutes).
    Confidential when the meeting is (projets.perms.is_confidential), or when `confidential`
    says so (a meeting that was confidential before a change): the grappe's history hides
    such entries from the people the meeting is hidden from (its AMOA consultants)."""
    return HistoryEntry.record(
        reunion.grappe,
        user,
        action,
        target,
        changes,
        confidentiel=confidential or perms.is_confidential(reunion),
    )


def mise_en_service(grappe):
    """Where the DUI's mise en service stands: {"en_service", "esms", "debut", "fin"} over the
    grappe's active ESMS (first and last dates recorded), for the milestone's row."""
    dates = list(
        grappe.memberships.filter(left_on__isnull=True).values_list("dui_in_service_on", flat=True)
    )
    recorded = sorted(d for d in dates if d)
    return {
        "en_service": len(recorded),
        "esms": len(dates),
        "debut": recorded[0] if recorded else None,
        "fin": recorded[-1] if recorded else None,
    }


@transaction.atomic
def record_mise_en_service(plan, dates, user):
    """Save {membership: date or None}; trace the changes in the grappe's history and tell the
    listeners, from the earliest date before or after the change (the indicators recompute the
    months since). Returns the number of ESMS changed."""
    changed = {m: (m.dui_in_service_on, d) for m, d in dates.items() if m.dui_in_service_on != d}
    if not changed:
        return 0
    changes = {}
    for membership, (before, new) in changed.items():
        membership.dui_in_service_on = new
        membership.save(update_fields=["dui_in_service_on"])
        changes[membership.esms.raison_sociale] = [
            f"{before:%d/%m/%Y}" if before else "",
            f"{new:%d/%m/%Y}" if new else "",
        ]
    HistoryEntry.record(
        plan.grappe, user, "Mise en service du DUI enregistrée", "Mise en service du DUI", changes
    )
    since = min(d for pair in changed.values() for d in pair if d)
    transaction.on_commit(lambda: mise_en_service_changed(plan.grappe, since))
    return len(changed)


def etapes_en_cours(etapes, today):
    """The steps under way among a plan's `etapes` (in plan order, as loaded): those not
    finished nor « sans objet » that started or should have by `today` (status « en cours » or
    « en retard »); when there is none, the next step to start, if any. The home's « étape en
    cours » is the first of them (accueil.sections)."""
    pending = [etape for etape in etapes if not etape.skipped and not etape.actual_end]
    started = [
        etape
        for etape in pending
        if etape.actual_start or (etape.planned_start and etape.planned_start <= today)
    ]
    return started or pending[:1]
