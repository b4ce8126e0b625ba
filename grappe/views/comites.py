"""A governance body of the grappe (COPIL, comité de suivi opérationnel, comité de sélection AMOA):
its composition, missions, modalités de fonctionnement and validation rule.

Everyone who sees the grappe reads it; the chef de projet (or a national admin) changes it. A seat
on any comité gives read access to the grappe (Grappe.objects.for_user); the COPIL's voting
members are those who validate minutes and deliverables.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.history import form_changes, snapshot
from grappe import perms
from grappe.convention_defaults import comite_defaults
from grappe.enums import RegleValidation, RoleComite, TypeComite
from grappe.forms.people import ComiteForm, ComiteMemberForm
from grappe.models import Comite, ComiteMember, HistoryEntry
from grappe.shortcuts import get_grappe_for
from grappe.views.roles import keeps_access, ordered_comites, person_label

MANAGERS_ONLY = (
    "Seuls le chef de projet de la grappe et les administrateurs nationaux modifient les comités."
)
ROLE_ORDER = {
    RoleComite.PRESIDENT: 0,
    RoleComite.SECRETAIRE: 1,
    RoleComite.MEMBRE: 2,
    RoleComite.INVITE: 3,
}
TEXT_FIELDS = ["missions", "fonctionnement"]
SETTINGS_FIELDS = ["missions", "fonctionnement", "regle_validation", "quorum"]


def comite_name(comite):
    """« comité de pilotage (COPIL) », to use within a sentence."""
    label = comite.get_kind_display()
    return label[:1].lower() + label[1:]


def is_confidential(comite):
    """The comité de sélection's changes stay out of the history the grappe's AMOA consultants
    read (grappe.perms.hidden_comite_kinds): its members score their offers."""
    return comite.kind == TypeComite.SELECTION


def check_kind(kind):
    if kind not in TypeComite.values:
        raise Http404("Ce type de comité n'existe pas.")
    return TypeComite(kind)


def get_comite(grappe, kind):
    """The grappe's comité of that kind; created if missing (every grappe has all three)."""
    comite, _ = Comite.objects.get_or_create(grappe=grappe, kind=check_kind(kind))
    return comite


def sorted_members(comite):
    members = comite.members.select_related("user", "og")
    return sorted(
        members,
        key=lambda m: (
            ROLE_ORDER.get(m.role, 9),
            m.user.last_name.lower(),
            m.user.first_name.lower(),
            m.user.email,
        ),
    )


def quorum_warning(comite, voters):
    if (
        comite.regle_validation == RegleValidation.QUORUM
        and comite.quorum
        and comite.quorum > voters
    ):
        return (
            f"Le quorum ({comite.quorum}) dépasse le nombre de membres votants ({voters}) : "
            "tant que le comité n'en compte pas davantage, l'approbation de tous les membres "
            "votants est requise."
        )
    return ""


def _save_comite(request, grappe, comite, comite_form, before):
    """Save the comité's settings (valid form) with their history entry, and say so."""
    changes = form_changes(comite_form, before, resume_textes=True)
    if changes:
        with transaction.atomic():
            comite_form.save()
            HistoryEntry.record(
                grappe,
                request.user,
                "Modification du comité",
                comite.get_kind_display(),
                changes,
                confidentiel=is_confidential(comite),
            )
        messages.success(request, f"Les modalités du {comite_name(comite)} sont enregistrées.")
    else:
        messages.info(request, "Aucune modification.")
    for warning in comite_form.warnings:
        messages.warning(request, warning)


@require_http_methods(["GET", "POST"])
def comite_detail(request, pk, kind):
    grappe = get_grappe_for(request.user, pk)
    if check_kind(kind) in perms.hidden_comite_kinds(request.user, grappe):
        raise Http404("Ce comité n'est pas consultable avec votre rôle.")
    can_manage = perms.can_manage_people(request.user, grappe)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(MANAGERS_ONLY)
    comite = get_comite(grappe, kind)
    members = sorted_members(comite)
    voters = sum(1 for member in members if member.votes)
    action = request.POST.get("action", "") if request.method == "POST" else ""

    comite_form = member_form = None
    prefilled = []
    if can_manage:
        defaults = comite_defaults(comite.kind)
        if action == "texte_type":
            # Take the model texts back into the form; nothing is saved until « Enregistrer ».
            initial = {name: defaults[name] for name in TEXT_FIELDS}
            prefilled = TEXT_FIELDS
        else:
            initial = {
                name: defaults[name] for name in TEXT_FIELDS if not getattr(comite, name).strip()
            }
            prefilled = list(initial) if action != "comite" else []
        before = snapshot(comite, SETTINGS_FIELDS)
        comite_form = ComiteForm(
            request.POST if action == "comite" else None,
            instance=comite,
            initial=initial if action != "comite" else None,
            voters=voters,
            prefix="comite",
        )
        member_form = ComiteMemberForm(
            request.POST if action == "membre" else None,
            grappe=grappe,
            comite=comite,
            prefix="membre",
        )
        if action == "comite" and comite_form.is_valid():
            _save_comite(request, grappe, comite, comite_form, before)
            return redirect("grappe:comite", pk=grappe.pk, kind=comite.kind)
        if action == "membre" and member_form.is_valid():
            try:
                with transaction.atomic():
                    member, created = add_member(request.user, grappe, comite, member_form)
            except IntegrityError:
                member_form.add_error(
                    None, "Cette personne vient d'être ajoutée au comité par ailleurs."
                )
            else:
                for level, text in member_notices(comite, member, created):
                    messages.add_message(request, level, text)
                return redirect("grappe:comite", pk=grappe.pk, kind=comite.kind)
        if action == "texte_type":
            messages.info(
                request,
                "Le texte type est repris dans le formulaire : relisez-le, adaptez-le et "
                "enregistrez (rien n'est modifié tant que vous n'avez pas enregistré).",
            )
        if action == "comite":
            # Invalid form: validation wrote the submitted values into the instance.
            comite.refresh_from_db()

    approvals = comite.approvals_required()
    return render(
        request,
        "grappe/comite.html",
        {
            "grappe": grappe,
            "comite": comite,
            "comites": ordered_comites(grappe, request.user),
            "members": members,
            "voters": voters,
            "approvals": approvals,
            "quorum_warning": quorum_warning(comite, voters),
            "can_manage": can_manage,
            "comite_form": comite_form,
            "member_form": member_form,
            "prefilled": prefilled,
            "is_copil": comite.kind == TypeComite.COPIL,
        },
    )


def add_member(user, grappe, comite, form):
    person, created = form.get_or_create_person()
    data = form.cleaned_data
    member = ComiteMember.objects.create(
        comite=comite, user=person, og=data["og"], role=data["role"]
    )
    changes = {
        "Comité": comite.get_kind_display(),
        "Personne": person_label(person),
        "Organisme représenté": member.og.name if member.og else "Personne extérieure",
        "Rôle dans le comité": member.role_label,
        "Voix": "délibérative" if member.votes else "consultative",
    }
    if created:
        changes["Compte"] = "créé (mot de passe à choisir par la personne)"
    HistoryEntry.record(
        grappe,
        user,
        "Ajout d'un membre de comité",
        person,
        changes,
        confidentiel=is_confidential(comite),
    )
    return member, created


def member_notices(comite, member, created):
    label = comite_name(comite)
    person = member.user
    notices = []
    if created:
        notices.append(
            (
                messages.SUCCESS,
                f"Un compte est créé pour {person_label(person)}, qui siège désormais au {label}. "
                "Pour se connecter, cette personne choisit son mot de passe avec « Mot de passe "
                "oublié » sur la page de connexion.",
            )
        )
    else:
        notices.append((messages.SUCCESS, f"{person} siège désormais au {label}."))
    if comite.kind == TypeComite.COPIL and member.votes:
        notices.append(
            (
                messages.INFO,
                f"{person} peut consulter la grappe et participera à la validation des comptes "
                "rendus et des livrables soumis au COPIL.",
            )
        )
    else:
        notices.append((messages.INFO, f"{person} peut consulter la grappe."))
    return notices


@require_http_methods(["GET", "POST"])
def comite_member_remove(request, pk, kind, member_id):
    grappe = get_grappe_for(request.user, pk)
    check_kind(kind)
    if not perms.can_manage_people(request.user, grappe):
        raise PermissionDenied(MANAGERS_ONLY)
    comite = get_object_or_404(Comite, grappe=grappe, kind=kind)
    member = get_object_or_404(
        ComiteMember.objects.select_related("user", "og"), pk=member_id, comite=comite
    )
    person = member.user
    label = comite_name(comite)
    back_url = reverse("grappe:comite", args=[grappe.pk, comite.kind])
    if request.method == "POST":
        with transaction.atomic():
            member.delete()
            HistoryEntry.record(
                grappe,
                request.user,
                "Retrait d'un membre de comité",
                person,
                {
                    "Comité": comite.get_kind_display(),
                    "Personne": person_label(person),
                    "Organisme représenté": member.og.name if member.og else "Personne extérieure",
                    "Rôle dans le comité": member.role_label,
                },
                confidentiel=is_confidential(comite),
            )
        messages.success(request, f"{person} ne siège plus au {label}.")
        warning = quorum_warning(comite, comite.voting_members().count())
        if warning:
            messages.warning(request, warning)
        if not perms.can_view_grappe(request.user, grappe):
            return redirect("grappe:list")
        return redirect(back_url)
    details = [
        f"Personne : {person_label(person)}",
        f"Organisme représenté : {member.og.name if member.og else 'personne extérieure'}",
        f"Rôle dans le comité : {member.role_label}",
    ]
    notes = []
    if comite.kind == TypeComite.COPIL and member.votes:
        notes.append(
            f"{person} ne participera plus à la validation des comptes rendus et des livrables."
        )
    if not keeps_access(person, grappe, member=member):
        notes.append(
            f"{person} n'a pas de rôle ni d'autre siège dans la grappe : cette personne n'y aura "
            "plus accès."
        )
    return render(
        request,
        "grappe/confirm_people_remove.html",
        {
            "grappe": grappe,
            "title": f"Retirer {person} du {label} ?",
            "details": details,
            "notes": notes,
            "blockers": [],
            "action_url": reverse(
                "grappe:comite_member_remove", args=[grappe.pk, comite.kind, member.pk]
            ),
            "submit_label": "Retirer du comité",
            "back_url": back_url,
            "back_label": f"Retour au {label}",
        },
    )
