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
from grappe.enums import FonctionOg, SituationDui, SourceDonnee, StatutAdhesion
from grappe.models import (
    Esms,
    EsmsMembership,
    HistoryEntry,
    JoinRequest,
    OgMembership,
    OgPerson,
    OrganismeGestionnaire,
)
from grappe.perms import speaks_for_og


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


# --- Adding an ESMS by its FINESS number (the page « Ajouter un ESMS ») ----------------------


def add_or_request(user, grappe, lookup, data, og=None):
    """Add the ESMS found by `lookup` (grappe.forms.esms.lookup_esms; created first from `data`
    when typed by hand, with its OG `og` or a new one) or, when the user does not speak for its
    organisme gestionnaire, ask the OG to agree. Returns the notices for the user."""
    esms = lookup.esms
    direct = lookup.direct
    changes = {}
    if esms is None:
        # A record typed by hand: its data is the user's to write. Its OG (created here if
        # unknown, then with nobody to speak for it) agrees like any other; for a new OG, the
        # national admin decides (grappe.models.JoinRequestQuerySet.for_decider).
        esms = create_manual_esms(lookup.number, data, og)
        changes = esms_data_changes(esms, data)
        direct = speaks_for_og(user, esms.og)
    notices = [(messages.WARNING, lookup.warning)] if lookup.warning else []
    if not direct:
        return request_join(user, grappe, esms, data["type_projet"]) + notices
    # The user edits this grappe, which is about to hold the ESMS: its data is theirs to write.
    changes = changes or esms_data_changes(esms, data)
    added = admit_esms(user, grappe, esms, data["type_projet"], changes=changes)
    return added[:1] + notices + added[1:]


def create_manual_esms(number, data, og=None):
    """The ESMS typed by hand (a valid FINESS absent from the registry), and its OG if unknown."""
    if og is None:
        og = OrganismeGestionnaire.objects.create(
            finess_ej=data["og_finess_ej"],
            raison_sociale=data["og_raison_sociale"],
            source=SourceDonnee.SAISIE,
        )
    esms = Esms.objects.create(
        finess_et=number,
        og=og,
        raison_sociale=data["raison_sociale"],
        categorie=data["categorie"],
        code_postal=data["code_postal"],
        commune=data["commune"],
        departement=data["departement"],
        source=SourceDonnee.SAISIE,
    )
    return esms


def esms_data_changes(esms, data):
    """Write the ESMS's own data typed with its addition; returns the history changes."""
    changes, updates = {}, {}
    if data["situation_dui"] and data["situation_dui"] != esms.situation_dui:
        updates["situation_dui"] = data["situation_dui"]
        changes["Situation DUI"] = SituationDui(data["situation_dui"]).label
    if data["editeur"] and data["editeur"] != esms.editeur:
        updates["editeur"] = data["editeur"]
        changes["Éditeur du DUI actuel"] = data["editeur"]
    if data["capacite"] is not None and data["capacite"] != esms.capacite:
        updates["capacite"] = data["capacite"]
        changes["Capacité (places)"] = str(data["capacite"])
    if updates:
        for name, value in updates.items():
            setattr(esms, name, value)
        esms.save(update_fields=[*updates, "updated_at"])
    return changes
