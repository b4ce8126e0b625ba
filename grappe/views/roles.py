"""The people of a grappe and their roles: everyone who sees the grappe reads the list; its chef de
projet (or a national admin) gives and takes back roles.

A person is designated by e-mail; a person without an account gets one, without a password.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from grappe import perms
from grappe.enums import RoleKind, TypeComite
from grappe.forms.people import RoleForm
from grappe.models import ComiteMember, HistoryEntry, Role
from grappe.shortcuts import get_grappe_for

MANAGERS_ONLY = (
    "Seuls le chef de projet de la grappe et les administrateurs nationaux gèrent les rôles."
)
NEW_ACCOUNT_NOTE = (
    "Pour se connecter, cette personne choisit son mot de passe avec « Mot de passe oublié » "
    "sur la page de connexion."
)


def get_people_grappe(user, pk):
    """The grappe if the user may manage its people: 404 if they cannot see it, 403 if they only
    read it."""
    grappe = get_grappe_for(user, pk)
    if not perms.can_manage_people(user, grappe):
        raise PermissionDenied(MANAGERS_ONLY)
    return grappe


def person_label(user):
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


def keeps_access(user, grappe, *, role=None, member=None):
    """Whether the person still sees the grappe once `role` or `member` (a comité seat) is gone."""
    if user.is_staff:
        return True
    roles = Role.objects.filter(grappe=grappe, user=user)
    seats = ComiteMember.objects.filter(comite__grappe=grappe, user=user)
    if role is not None:
        roles = roles.exclude(pk=role.pk)
    if member is not None:
        seats = seats.exclude(pk=member.pk)
    return (
        roles.exists()
        or seats.exists()
        or user.ars_regions.filter(region_id=grappe.region_id).exists()
    )


def role_groups(grappe):
    """[(kind, label, [roles])] in the order of RoleKind, without empty groups. A role held by
    one person is named as it applies to them (« Cheffe de projet interne »)."""
    roles = list(
        grappe.roles.select_related("user", "esms").order_by(
            "user__last_name", "user__first_name", "esms__raison_sociale"
        )
    )
    groups = []
    for kind, label in RoleKind.choices:
        members = [role for role in roles if role.kind == kind]
        if members:
            groups.append((kind, members[0].kind_label if len(members) == 1 else label, members))
    return groups, len(roles)


def ordered_comites(grappe, user):
    """The grappe's comités the user may see, in the order of TypeComite (COPIL, suivi,
    sélection)."""
    order = {kind: index for index, kind in enumerate(TypeComite.values)}
    comites = grappe.comites.exclude(kind__in=perms.hidden_comite_kinds(user, grappe))
    return sorted(comites, key=lambda comite: order.get(comite.kind, 99))


def assign_role(user, grappe, form):
    """Create the role (and the account if needed) and write the history. Returns (role, created)."""
    person, created = form.get_or_create_person()
    data = form.cleaned_data
    role = Role.objects.create(grappe=grappe, user=person, kind=data["kind"], esms=data["esms"])
    label = role.kind_label
    changes = {"Personne": person_label(person), "Rôle": label}
    if role.esms_id:
        changes["ESMS"] = f"{role.esms.name} ({role.esms.finess_et})"
    if created:
        changes["Compte"] = "créé (mot de passe à choisir par la personne)"
    HistoryEntry.record(grappe, user, f"Attribution du rôle « {label} »", person, changes)
    return role, created


@require_http_methods(["GET", "POST"])
def role_list(request, pk):
    grappe = get_grappe_for(request.user, pk)
    can_manage = perms.can_manage_people(request.user, grappe)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(MANAGERS_ONLY)
    form = RoleForm(request.POST or None, grappe=grappe) if can_manage else None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                role, created = assign_role(request.user, grappe, form)
        except IntegrityError:
            # The same role given twice at the same moment: the unique constraints keep one.
            form.add_error(None, "Ce rôle vient d'être attribué à cette personne par ailleurs.")
        else:
            where = f" pour « {role.esms.name} »" if role.esms_id else ""
            label = role.kind_label
            if created:
                messages.success(
                    request,
                    f"Un compte est créé pour {person_label(role.user)}, avec le rôle « {label} »"
                    f"{where}. {NEW_ACCOUNT_NOTE}",
                )
            else:
                messages.success(
                    request, f"{role.user} a désormais le rôle « {label} »{where} dans la grappe."
                )
            return redirect("grappe:roles", pk=grappe.pk)
    groups, count = role_groups(grappe)
    return render(
        request,
        "grappe/roles.html",
        {
            "grappe": grappe,
            "groups": groups,
            "role_count": count,
            "comites": ordered_comites(grappe, request.user),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_http_methods(["GET", "POST"])
def role_remove(request, pk, role_id):
    grappe = get_people_grappe(request.user, pk)
    role = get_object_or_404(Role.objects.select_related("user", "esms"), pk=role_id, grappe=grappe)
    person = role.user
    label = role.kind_label
    back_url = reverse("grappe:roles", args=[grappe.pk])
    if request.method == "POST":
        with transaction.atomic():
            blockers = removal_blockers(grappe, role, lock=True)
            if not blockers:
                role.delete()
                changes = {"Personne": person_label(person), "Rôle": label}
                if role.esms_id:
                    changes["ESMS"] = f"{role.esms.name} ({role.esms.finess_et})"
                HistoryEntry.record(
                    grappe, request.user, f"Retrait du rôle « {label} »", person, changes
                )
        if blockers:
            for blocker in blockers:
                messages.error(request, blocker)
            return redirect(back_url)
        messages.success(request, f"{person} n'a plus le rôle « {label} » dans la grappe.")
        if not perms.can_view_grappe(request.user, grappe):
            # The user took back their own last role.
            return redirect("grappe:list")
        return redirect(back_url)
    details = [f"Personne : {person_label(person)}", f"Rôle : {label}"]
    if role.esms_id:
        details.append(f"ESMS : {role.esms.name} ({role.esms.finess_et})")
    notes = []
    if not keeps_access(person, grappe, role=role):
        notes.append(
            f"{person} n'a pas d'autre rôle ni de siège dans un comité de la grappe : "
            "cette personne n'y aura plus accès."
        )
    if person == request.user:
        notes.append("Vous retirez l'un de vos propres rôles.")
    return render(
        request,
        "grappe/confirm_people_remove.html",
        {
            "grappe": grappe,
            "title": f"Retirer le rôle « {label} » à {person} ?",
            "details": details,
            "notes": notes,
            "blockers": removal_blockers(grappe, role),
            "action_url": reverse("grappe:role_remove", args=[grappe.pk, role.pk]),
            "submit_label": "Retirer le rôle",
            "back_url": back_url,
            "back_label": "Retour aux rôles",
        },
    )


def removal_blockers(grappe, role, *, lock=False):
    """Reasons not to remove the role: a grappe always keeps a chef de projet."""
    if role.kind != RoleKind.CHEF_PROJET:
        return []
    chefs = Role.objects.filter(grappe=grappe, kind=RoleKind.CHEF_PROJET)
    if lock:
        chefs = chefs.select_for_update()
    if len(list(chefs.values_list("pk", flat=True))) <= 1:
        return [
            f"{role.user} est le dernier chef de projet de la grappe : désignez d'abord un autre "
            "chef de projet, puis retirez ce rôle."
        ]
    return []
