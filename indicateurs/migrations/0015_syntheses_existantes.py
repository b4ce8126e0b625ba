"""The summaries of the months already computed (issue 17), from their grappe values, by the
computation's own function (services.write_syntheses) on the historical models; reversed by
deleting them."""

from django.db import migrations


def fill(apps, schema_editor):
    from indicateurs.services import write_syntheses

    models = (
        apps.get_model("indicateurs", "SyntheseGrappe"),
        apps.get_model("indicateurs", "ValeurIndicateur"),
        apps.get_model("indicateurs", "Indicateur"),
    )
    months = (
        models[1]
        .objects.filter(niveau="grappe", valeur__isnull=False)
        .order_by()
        .values_list("mois", flat=True)
        .distinct()
    )
    for mois in sorted(months):
        write_syntheses(mois, models=models)


def empty(apps, schema_editor):
    apps.get_model("indicateurs", "SyntheseGrappe").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicateurs", "0014_synthese_grappe")]

    operations = [migrations.RunPython(fill, empty)]
