"""The five usage indicators of the programme (seed 000 §2.3, DOMAIN.md §5), as data: the
national admin corrects them in the admin (the three DUI denominators are our reading)."""

from decimal import Decimal

from django.db import migrations

INDICATEURS = [
    # (code, libellé, numérateur, dénominateur, cible, ordre)
    (
        "mssante",
        "Taux d'utilisation de la MSSanté",
        "messages_mssante",
        "personnes_accompagnees",
        70,
        1,
    ),
    ("dmp", "Taux d'utilisation du DMP", "dmp_alimentes", "personnes_accompagnees", 70, 2),
    ("dui_actifs", "Taux de dossiers actifs", "dossiers_actifs", "personnes_accompagnees", 90, 3),
    (
        "dui_pp",
        "Taux de dossiers actifs avec un projet personnalisé",
        "dossiers_actifs_avec_pp",
        "dossiers_actifs",
        90,
        4,
    ),
    (
        "dui_evenement",
        "Taux de dossiers actifs ayant au moins un événement",
        "dossiers_actifs_avec_evenement",
        "dossiers_actifs",
        90,
        5,
    ),
]


def load(apps, schema_editor):
    Indicateur = apps.get_model("indicateurs", "Indicateur")
    for code, libelle, numerateur, denominateur, cible, ordre in INDICATEURS:
        # get_or_create: an admin's later correction is never overwritten.
        Indicateur.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "numerateur": numerateur,
                "denominateur": denominateur,
                "facteur": 100,
                "cible": Decimal(cible),
                "ordre": ordre,
                "actif": True,
                # Flows (messages, DMP fed) are summed over the 3 months of the first measure.
                "cumul_premiere_mesure": code in {"mssante", "dmp"},
            },
        )


def unload(apps, schema_editor):
    Indicateur = apps.get_model("indicateurs", "Indicateur")
    Indicateur.objects.filter(code__in=[row[0] for row in INDICATEURS]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicateurs", "0002_indicateur_cumul_premiere_mesure")]

    operations = [migrations.RunPython(load, unload)]
