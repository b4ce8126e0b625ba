"""The monthly computation of the indicators: a Celery beat periodic task (django_celery_beat),
on the 1st of each month at 06:00 Europe/Paris, calling indicateurs.tasks.compute_indicators
(default: the elapsed month, all grappes)."""

from django.db import migrations

TASK_NAME = "Calcul mensuel des indicateurs d'usage"
TASK = "indicateurs.tasks.compute_indicators"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="1",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": schedule,
            "interval": None,
            "solar": None,
            "clocked": None,
            "enabled": True,
            "description": (
                "Calcule les indicateurs d'usage du mois écoulé (ESMS, OG, grappe, région) et "
                "déclenche la 2e tranche des grappes qui atteignent leurs cibles. Idempotent."
            ),
        },
    )


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0003_indicateurs_reference"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
