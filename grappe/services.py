"""Work on the registry that spans several models: an ESMS joining a grappe, with its OG's
agreement, and leaving it. Views call these inside a transaction and show the notices returned.

An ESMS is active in one grappe at a time (database constraint). It joins directly when the
person adding it speaks for its organisme gestionnaire (grappe.perms.speaks_for_og); otherwise
the grappe asks, and the OG's direction agrees or refuses (JoinRequest).
"""

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url, send_after_commit
from grappe.enums import FonctionOg, StatutAdhesion
from grappe.models import EsmsMembership, HistoryEntry, JoinRequest, OgMembership, OgPerson


class JoinRefused(Exception):
    """The ESMS cannot join (now): the message says why, in French."""


def admit_esms(user, grappe, esms, type_projet="", *, changes=None, agreed_by=None):
    """Make the ESMS a member of the grappe, its OG a coopérateur (and the porteur if the grappe
    has none yet); write the history. Returns the notices for the user."""
    if EsmsMembership.objects.active().filter(esms=esms).exists():
        raise JoinRefused(
            f"« {esms.name} » est entre-temps devenu actif dans une autre grappe : il doit en "
            "être retiré avant de rejoindre celle-ci."
        )
    membership = EsmsMembership(grappe=grappe, esms=esms, type_projet=type_projet)
    membership.joined_on = max(
        timezone.localdate(), membership.earliest_joining() or membership.joined_on
    )
    membership.save()
    og = esms.og
    history = {
        "FINESS géographique": esms.finess_et,
        "Organisme gestionnaire": f"{og.name} ({og.finess_ej})",
        "Origine": esms.get_source_display(),
        **(changes or {}),
    }
    if membership.type_projet:
        history["Type de projet"] = membership.get_type_projet_display()
    if agreed_by is not None:
        history["Accord de l'organisme gestionnaire"] = str(agreed_by)
    HistoryEntry.record(grappe, user, "Ajout de l'ESMS", esms, history)
    notices = [
        (messages.SUCCESS, f"« {esms.name} » (FINESS {esms.finess_et}) est ajouté à la grappe.")
    ]
    return notices + _og_joins(user, grappe, og)


def _og_joins(user, grappe, og):
    notices = []
    _, og_joined = OgMembership.objects.get_or_create(grappe=grappe, og=og, left_on=None)
    if og_joined:
        HistoryEntry.record(
            grappe,
            user,
            "Entrée d'un coopérateur",
            og,
            {"FINESS juridique": og.finess_ej, "Origine": og.get_source_display()},
        )
        notices.append(
            (
                messages.INFO,
                f"{og.name} rejoint la grappe comme organisme gestionnaire coopérateur.",
            )
        )
    if grappe.porteur_id is None:
        grappe.porteur = og
        grappe.save(update_fields=["porteur", "updated_at"])
        HistoryEntry.record(grappe, user, "Désignation du porteur", og, {"Porteur": ["", og.name]})
        notices.append(
            (
                messages.INFO,
                f"{og.name} devient le porteur de la grappe "
                "(modifiable dans les informations de la grappe).",
            )
        )
    return notices


def request_join(user, grappe, esms, type_projet=""):
    """Ask the ESMS's OG to agree to it joining the grappe; its direction is told by e-mail."""
    join_request = JoinRequest.objects.create(
        grappe=grappe, esms=esms, type_projet=type_projet, requested_by=user
    )
    HistoryEntry.record(
        grappe,
        user,
        "Demande d'adhésion d'un ESMS",
        esms,
        {"FINESS géographique": esms.finess_et, "Organisme gestionnaire": esms.og.name},
    )
    directors = [
        person.user
        for person in OgPerson.objects.filter(
            og=esms.og, fonction=FonctionOg.DIRECTION
        ).select_related("user")
    ]
    context = {
        "join_request": join_request,
        "url": absolute_url(reverse("grappe:adhesions")),
    }
    send_after_commit(
        directors,
        f"Grappe — demande d'adhésion de {esms.name}",
        "emails/demande_adhesion.txt",
        context,
    )
    if directors:
        text = (
            f"La demande d'adhésion de « {esms.name} » est envoyée à la direction de "
            f"{esms.og.name}, qui doit l'accepter."
        )
    else:
        text = (
            f"La demande d'adhésion de « {esms.name} » attend l'accord de {esms.og.name}, dont "
            "aucune direction n'est encore déclarée dans Grappe : l'administrateur national "
            "peut la déclarer ou décider."
        )
    return [(messages.INFO, text)]


def decide_join(user, join_request, accept, reason=""):
    """The OG's decision on a pending request. Returns the notices for the user.

    The request is claimed by a conditional UPDATE (one decision wins, on SQLite too, where
    SELECT … FOR UPDATE does nothing); an ESMS that meanwhile joined another grappe cancels it."""
    esms, grappe = join_request.esms, join_request.grappe
    taken = EsmsMembership.objects.active().filter(esms=esms).select_related("grappe").first()
    if accept and taken:
        status, reason = StatutAdhesion.ANNULEE, f"ESMS entré entre-temps dans « {taken.grappe} »"
    else:
        status = StatutAdhesion.ACCEPTEE if accept else StatutAdhesion.REFUSEE
    claimed = JoinRequest.objects.filter(
        pk=join_request.pk, status=StatutAdhesion.EN_ATTENTE
    ).update(status=status, decided_by=user, decided_at=timezone.now(), reason=reason[:300])
    if not claimed:
        raise JoinRefused("Cette demande d'adhésion a déjà été traitée.")
    if status == StatutAdhesion.ANNULEE:
        return [
            (
                messages.WARNING,
                f"{esms.name} est déjà dans la grappe « {taken.grappe} » : demande annulée.",
            )
        ]
    if status == StatutAdhesion.REFUSEE:
        HistoryEntry.record(
            grappe,
            user,
            "Refus d'adhésion d'un ESMS",
            esms,
            {"Organisme gestionnaire": esms.og.name, "Motif": reason or "—"},
        )
        return [
            (messages.SUCCESS, f"La demande de « {grappe.name} » pour {esms.name} est refusée.")
        ]
    requester = join_request.requested_by
    notices = admit_esms(
        user,
        grappe,
        esms,
        join_request.type_projet,
        changes={"Demandé par": str(requester) if requester else "—"},
        agreed_by=user,
    )
    # The other grappes that asked for it wait no longer.
    JoinRequest.objects.pending().filter(esms=esms).exclude(pk=join_request.pk).update(
        status=StatutAdhesion.ANNULEE,
        decided_at=timezone.now(),
        reason=f"ESMS entré dans « {grappe.name} »"[:300],
    )
    return [(messages.SUCCESS, f"{esms.name} rejoint la grappe « {grappe.name} ».")] + notices[1:]
