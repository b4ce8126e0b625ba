"""The daily reminders of the plan: a Celery beat periodic task (django_celery_beat), every day at
07:00 Europe/Paris, calling projets.tasks.send_daily_reminders."""

from django.db import migrations

TASK_NAME = "Rappels quotidiens du plan projet"
TASK = "projets.tasks.send_daily_reminders"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="*",
        day_of_month="*",
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
                "Rappels par e-mail : étapes qui commencent ou se terminent bientôt, étapes en "
                "retard, validations du COPIL en attente. Idempotent."
            ),
        },
    )


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projets", "0002_reference_plan"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
