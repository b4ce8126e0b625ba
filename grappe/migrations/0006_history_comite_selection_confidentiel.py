"""The comité de sélection's history entries written before they were marked confidential: its
members score the AMOA offers, so its changes are hidden from the grappe's AMOA consultants."""

from django.db import migrations
from django.db.models import Q

# TypeComite.SELECTION's label at the time of this migration.
SELECTION = "Comité de sélection AMOA"


def mark(apps, schema_editor):
    HistoryEntry = apps.get_model("grappe", "HistoryEntry")
    HistoryEntry.objects.filter(
        Q(
            action__in=["Ajout d'un membre de comité", "Retrait d'un membre de comité"],
            changes__Comité=SELECTION,
        )
        | Q(action="Modification du comité", target=SELECTION)
    ).update(confidentiel=True)


class Migration(migrations.Migration):
    dependencies = [("grappe", "0005_history_confidentiel")]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
