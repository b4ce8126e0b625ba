"""The grappe history entries about the comité de sélection's meetings — the meeting, its
actions, its minutes — written before they were marked confidential (projets.perms
.is_confidential): the grappe's AMOA consultant, a possible candidate to the AMOA call, must not
read them.

The entries name their object by its text (str() at the time of writing), so they are found
back by the texts projets wrote: the meeting's "titre (jj/mm/aaaa)" — under its current title
and date and the former ones its "Modification d'une réunion" entries tell —, its minutes'
"Compte rendu — <meeting> (vN)", its actions' titles, the "Réunion" its action and go / no go
entries quote, and the creation entries of deleted selection meetings (their "Instance"). An
action of another meeting with the very same title is marked too: better hide one entry too
many from the consultant than show one of the comité's.
"""

import contextlib
import datetime

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# TypeReunion.SELECTION, its label at the time of this migration.
SELECTION = "selection"
SELECTION_LABEL = "Comité de sélection"

MEETING_ACTIONS = [
    "Création d'une réunion",
    "Modification d'une réunion",
    "Envoi des invitations",
    "Envoi de la mise à jour des invitations",
    "Présences d'une réunion",
    "Décision prise en réunion",
]
ACTION_ACTIONS = ["Action décidée en réunion", "Mise à jour d'une action"]


def label(titre, day):
    """str(Reunion), as HistoryEntry.record cut it."""
    return f"{titre} ({day:%d/%m/%Y})"[:200]


def _old(changes, key):
    value = changes.get(key)
    return value[0] if isinstance(value, list) and len(value) == 2 and value[0] else None


def former(changes, titre, day):
    """(title, date) before a "Modification d'une réunion" ({label: [old, new]})."""
    old_day = _old(changes, "Date")
    with contextlib.suppress(TypeError, ValueError):
        day = datetime.date.fromisoformat(old_day) if old_day else day
    return _old(changes, "Titre") or titre, day


def labels_of(reunion, modifications):
    """The meeting's labels, now and before its changes (`modifications`: the grappe's
    "Modification d'une réunion" entries, newest first; each is written after the change, under
    the new label)."""
    titre, day = reunion.titre, timezone.localtime(reunion.starts_at).date()
    labels = [label(titre, day)]
    for entry in modifications:
        if entry.target == labels[-1] and isinstance(entry.changes, dict):
            titre, day = former(entry.changes, titre, day)
            if label(titre, day) not in labels:
                labels.append(label(titre, day))
    return labels


def about(labels, action_titles):
    """The entries about a meeting known by `labels`, whose actions have `action_titles`."""
    query = Q(action__in=MEETING_ACTIONS, target__in=labels) | Q(changes__Réunion__in=labels)
    query |= Q(action__in=ACTION_ACTIONS, target__in=action_titles)
    for text in labels:
        query |= Q(target__startswith=f"Compte rendu — {text} (v"[:200])
    return query


def mark(apps, schema_editor):
    HistoryEntry = apps.get_model("grappe", "HistoryEntry")
    Reunion = apps.get_model("projets", "Reunion")
    Action = apps.get_model("projets", "Action")
    entries = HistoryEntry.objects.filter(confidentiel=False)
    entries.filter(action="Création d'une réunion", changes__Instance=SELECTION_LABEL).update(
        confidentiel=True
    )
    for reunion in Reunion.objects.filter(kind=SELECTION).order_by("pk"):
        grappe_entries = entries.filter(grappe_id=reunion.grappe_id)
        modifications = grappe_entries.filter(action="Modification d'une réunion").order_by(
            "-created_at", "-pk"
        )
        titles = [
            titre[:200]
            for titre in Action.objects.filter(reunion=reunion).values_list("titre", flat=True)
        ]
        grappe_entries.filter(about(labels_of(reunion, modifications), titles)).update(
            confidentiel=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projets", "0005_compte_rendu_first_submitted"),
        ("grappe", "0005_history_confidentiel"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
