"""The ESMS and OG of a grappe: add an ESMS by its FINESS number, edit it, take it out.

Nothing is ever deleted: leaving the grappe sets `left_on`, so the history keeps who was in it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.history import form_changes
from grappe import perms, services
from grappe.enums import SourceDonnee, TypeProjet
from grappe.forms.esms import (
    EsmsAddForm,
    EsmsDataForm,
    EsmsMembershipForm,
    lookup_esms,
    lookup_og,
)
from grappe.models import (
    EsmsMembership,
    HistoryEntry,
    OgMembership,
)
from grappe.shortcuts import get_grappe_for
from grappe.views.grappes import COMPOSITION_REFUSAL


def get_editable_grappe(user, pk):
    """The grappe if the user works on it (ESMS data): 404 if they cannot see it, 403 if they
    only read it."""
    grappe = get_grappe_for(user, pk)
    if not perms.can_edit_grappe(user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet, le consultant AMOA et l'administrateur national modifient "
            "les données d'un ESMS."
        )
    return grappe


def get_composable_grappe(user, pk):
    """The grappe if the user decides its composition (add, release an ESMS, remove an OG):
    404 if they cannot see it, 403 otherwise."""
    grappe = get_grappe_for(user, pk)
    if not perms.can_decide_composition(user, grappe):
        raise PermissionDenied(COMPOSITION_REFUSAL)
    return grappe


def active_esms_count(grappe, og):
    return EsmsMembership.objects.filter(grappe=grappe, esms__og=og, left_on__isnull=True).count()


# ---------------------------------------------------------------------------------------------
# Add an ESMS
# ---------------------------------------------------------------------------------------------


def add_context(grappe, form, lookup):
    memberships = list(grappe.active_memberships())
    return {
        "grappe": grappe,
        "form": form,
        "lookup": lookup,
        "mode": "esms",
        "memberships": memberships,
        "esms_count": len(memberships),
        "join_requests": grappe.join_requests.pending().select_related("esms__og"),
    }


@require_http_methods(["GET", "POST"])
def esms_add(request, pk):
    grappe = get_composable_grappe(request.user, pk)
    form = EsmsAddForm(request.POST or None, grappe=grappe, user=request.user)
    if request.method == "POST" and form.is_valid() and not form.awaiting_manual_entry:
        try:
            with transaction.atomic():
                notices = services.add_or_request(
                    request.user, grappe, form.lookup, form.cleaned_data, og=form.og
                )
        except IntegrityError:
            # Two submissions at once: the unique constraints keep a single ESMS, OG, membership.
            form.add_error(
                "finess_et",
                "Cet ESMS ou son organisme gestionnaire vient d'être enregistré par ailleurs : "
                "vérifiez et recommencez.",
            )
        except services.JoinRefused as refusal:
            form.add_error("finess_et", str(refusal))
        else:
            for level, text in notices:
                messages.add_message(request, level, text)
            return redirect("grappe:esms_add", pk=grappe.pk)
    return render(request, "grappe/esms_add.html", add_context(grappe, form, form.lookup))


@require_GET
def esms_lookup(request, pk):
    """The result shown under the FINESS field while the user types (htmx), or the whole page
    with that result when JavaScript is off ("Vérifier le numéro" button)."""
    grappe = get_composable_grappe(request.user, pk)
    if "og_finess_ej" in request.GET and "finess_et" not in request.GET:
        check, og = lookup_og(request.GET["og_finess_ej"])
        context = {"grappe": grappe, "mode": "og", "og_check": check, "og": og}
        return render(request, "grappe/_esms_lookup.html", context)
    lookup = lookup_esms(grappe, request.GET.get("finess_et", ""), request.user)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "grappe/_esms_lookup.html",
            {"grappe": grappe, "mode": "esms", "lookup": lookup},
        )
    # Without JavaScript: the add page, its fields filled with what was typed.
    initial = {name: request.GET.get(name, "") for name in EsmsAddForm.base_fields}
    initial["finess_et"] = lookup.number or initial["finess_et"]
    form = EsmsAddForm(initial=initial, grappe=grappe, user=request.user)
    return render(request, "grappe/esms_add.html", add_context(grappe, form, lookup))


# ---------------------------------------------------------------------------------------------
# Edit and remove
# ---------------------------------------------------------------------------------------------


def get_active_membership(grappe, membership_id):
    return get_object_or_404(
        EsmsMembership.objects.select_related("esms__og", "esms__categorie", "esms__departement"),
        pk=membership_id,
        grappe=grappe,
        left_on__isnull=True,
    )


@require_http_methods(["GET", "POST"])
def esms_edit(request, pk, membership_id):
    grappe = get_editable_grappe(request.user, pk)
    membership = get_active_membership(grappe, membership_id)
    esms = membership.esms
    data = request.POST or None
    membership_form = None
    # The ESMS's project type and entry date are part of the composition; the AMOA consultant
    # edits the ESMS's own data only (the état des lieux they help to draw up).
    if perms.can_decide_composition(request.user, grappe):
        membership_form = EsmsMembershipForm(
            data, instance=membership, grappe=grappe, user=request.user, prefix="adhesion"
        )
    esms_form = None
    if perms.can_edit_esms(request.user, esms):
        esms_form = EsmsDataForm(
            data, instance=esms, identity=esms.source == SourceDonnee.SAISIE, prefix="esms"
        )
    forms = [f for f in (membership_form, esms_form) if f is not None]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        changes = {}
        for form in forms:
            changes.update(form_changes(form))
        with transaction.atomic():
            for form in forms:
                if form.has_changed():
                    form.save()
            if changes:
                HistoryEntry.record(grappe, request.user, "Modification de l'ESMS", esms, changes)
        if changes:
            messages.success(request, f"Les informations de « {esms.name} » sont enregistrées.")
        else:
            messages.info(request, "Aucune modification.")
        return redirect(grappe)
    return render(
        request,
        "grappe/esms_edit.html",
        {
            "grappe": grappe,
            "membership": membership,
            "esms": esms,
            "membership_form": membership_form,
            "esms_form": esms_form,
            "is_manual": esms.source == SourceDonnee.SAISIE,
            "type_projet_grappe": TypeProjet(grappe.type_projet).label,
        },
    )


@require_http_methods(["GET", "POST"])
def esms_remove(request, pk, membership_id):
    grappe = get_composable_grappe(request.user, pk)
    membership = get_active_membership(grappe, membership_id)
    esms = membership.esms
    og = esms.og
    og_leaves = og.pk != grappe.porteur_id and active_esms_count(grappe, og) <= 1
    if request.method == "POST":
        today = timezone.localdate()
        with transaction.atomic():
            membership.left_on = today
            membership.save(update_fields=["left_on"])
            HistoryEntry.record(
                grappe,
                request.user,
                "Retrait de l'ESMS",
                esms,
                {"FINESS géographique": esms.finess_et, "Sortie le": today.strftime("%d/%m/%Y")},
            )
            messages.success(request, f"« {esms.name} » est retiré de la grappe.")
            if og.pk != grappe.porteur_id and not active_esms_count(grappe, og):
                closed = OgMembership.objects.filter(
                    grappe=grappe, og=og, left_on__isnull=True
                ).update(left_on=today)
                if closed:
                    HistoryEntry.record(
                        grappe,
                        request.user,
                        "Sortie d'un coopérateur",
                        og,
                        {
                            "FINESS juridique": og.finess_ej,
                            "Motif": "Plus aucun ESMS dans la grappe",
                        },
                    )
                    messages.info(
                        request,
                        f"{og.name} n'a plus d'ESMS dans la grappe : il n'en est plus coopérateur.",
                    )
        return redirect(grappe)
    details = [
        f"FINESS géographique : {esms.finess_et}",
        f"Organisme gestionnaire : {og.name} ({og.finess_ej})",
        f"Dans la grappe depuis le {membership.joined_on:%d/%m/%Y}",
    ]
    notes = ["L'ESMS reste dans l'historique de la grappe avec sa date de sortie (aujourd'hui)."]
    if og_leaves:
        notes.append(
            f"{og.name} n'aura plus d'ESMS dans la grappe : il cessera aussi d'en être coopérateur."
        )
    return render(
        request,
        "grappe/confirm_remove.html",
        {
            "grappe": grappe,
            "title": f"Retirer « {esms.name} » de la grappe ?",
            "details": details,
            "notes": notes,
            "blockers": [],
            "action_url": reverse("grappe:esms_remove", args=[grappe.pk, membership.pk]),
            "submit_label": "Retirer l'ESMS",
        },
    )


@require_http_methods(["GET", "POST"])
def og_remove(request, pk, og_membership_id):
    grappe = get_composable_grappe(request.user, pk)
    og_membership = get_object_or_404(
        OgMembership.objects.select_related("og"),
        pk=og_membership_id,
        grappe=grappe,
        left_on__isnull=True,
    )
    og = og_membership.og
    blockers = []
    if og.pk == grappe.porteur_id:
        blockers.append(
            f"{og.name} est le porteur de la grappe : désignez d'abord un autre porteur "
            "dans les informations de la grappe."
        )
    count = active_esms_count(grappe, og)
    if count:
        blockers.append(
            f"{og.name} a encore {count} ESMS dans la grappe : retirez-les d'abord."
            if count > 1
            else f"{og.name} a encore 1 ESMS dans la grappe : retirez-le d'abord."
        )
    if request.method == "POST":
        if blockers:
            for blocker in blockers:
                messages.error(request, blocker)
            return redirect(grappe)
        today = timezone.localdate()
        with transaction.atomic():
            og_membership.left_on = today
            og_membership.save(update_fields=["left_on"])
            HistoryEntry.record(
                grappe,
                request.user,
                "Sortie d'un coopérateur",
                og,
                {"FINESS juridique": og.finess_ej, "Sortie le": today.strftime("%d/%m/%Y")},
            )
        messages.success(request, f"{og.name} n'est plus coopérateur de la grappe.")
        return redirect(grappe)
    return render(
        request,
        "grappe/confirm_remove.html",
        {
            "grappe": grappe,
            "title": f"Retirer l'organisme gestionnaire « {og.name} » de la grappe ?",
            "details": [
                f"FINESS juridique : {og.finess_ej}",
                f"Coopérateur depuis le {og_membership.joined_on:%d/%m/%Y}",
            ],
            "notes": ["L'organisme reste dans l'historique de la grappe avec sa date de sortie."],
            "blockers": blockers,
            "action_url": reverse("grappe:og_remove", args=[grappe.pk, og_membership.pk]),
            "submit_label": "Retirer l'organisme gestionnaire",
        },
    )
