"""Meetings and minutes for the minutes' tests (workflow, views, reminders, browser journey)."""

import datetime

from django.utils import timezone

from grappe.enums import TypeComite
from grappe.models import Comite, ComiteMember
from projets.enums import Presence, StatutAction, StatutCompteRendu, TypeReunion
from projets.models import Decision, Participant, PointOrdreDuJour
from tests.grappe.factories import UserFactory
from tests.projets.factories import ActionFactory, CompteRenduFactory, ReunionFactory


def at(day, hour=14, minute=0):
    """An aware datetime in Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def meeting(
    grappe,
    day=datetime.date(2026, 6, 2),
    titre="COPIL n° 2 — lancement du déploiement",
    kind=TypeReunion.COPIL,
    participants=(),
    points=("Avancement du paramétrage", "Calendrier de la reprise des données"),
):
    """A meeting of `grappe` (14:00–16:00 on `day`) with its agenda points, and the given
    participants [(user, presence)]."""
    # Only a COPIL's meeting is tied to its comité here (the minutes' tests never needed others).
    comite = grappe.comite(TypeComite.COPIL) if kind == TypeReunion.COPIL else None
    reunion = ReunionFactory(
        grappe=grappe, kind=kind, comite=comite, titre=titre, starts_at=at(day, 14)
    )
    for user, presence in participants:
        Participant.objects.create(reunion=reunion, user=user, presence=presence)
    for ordre, point in enumerate(points, start=1):
        PointOrdreDuJour.objects.create(reunion=reunion, ordre=ordre, titre=point)
    return reunion


def full_meeting(grappe, owner, day=datetime.date(2026, 6, 2)):
    """A COPIL meeting with attendance (a user present, one excused, a guest), two agenda points,
    a decision and two actions."""
    present = UserFactory(first_name="Élodie", last_name="Lefèvre")
    excused = UserFactory(first_name="Hervé", last_name="Ménard")
    reunion = meeting(
        grappe,
        day=day,
        participants=[(present, Presence.PRESENT), (excused, Presence.EXCUSE)],
    )
    Participant.objects.create(
        reunion=reunion,
        name="Agnès Prévost (éditeur)",
        email="agnes@editeur.fr",
        presence=Presence.PRESENT,
    )
    first = reunion.points.get(ordre=1)
    Decision.objects.create(
        reunion=reunion, point=first, texte="Le paramétrage des droits d'accès est validé."
    )
    ActionFactory(
        reunion=reunion,
        titre="Envoyer la liste des référents à l'éditeur",
        owner=owner,
        due_on=day + datetime.timedelta(days=10),
    )
    ActionFactory(
        reunion=reunion,
        titre="Préparer la réunion de reprise des données",
        owner=present,
        statut=StatutAction.EN_COURS,
    )
    return reunion


def draft(reunion, user, synthese="", numero=1, statut=StatutCompteRendu.BROUILLON, **kwargs):
    # A version created as submitted was first transmitted then (unless the test says otherwise).
    kwargs.setdefault("first_submitted_at", kwargs.get("submitted_at"))
    return CompteRenduFactory(
        reunion=reunion, numero=numero, statut=statut, synthese=synthese, redige_par=user, **kwargs
    )


def suivi_member(grappe, user=None):
    user = user or UserFactory()
    comite = Comite.objects.get(grappe=grappe, kind=TypeComite.SUIVI)
    ComiteMember.objects.create(comite=comite, user=user)
    return user
