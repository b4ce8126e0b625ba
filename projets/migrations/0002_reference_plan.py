"""Loaded the plan type (phases, steps, deliverables, milestones) until issue 19. Since then
`manage.py load_reference` (core.reference, also run after every `migrate`) creates them from
projets/reference/plan.toml: reference data lives in data files, and a migration imports no app
module (migrations are history). Kept, empty: later migrations depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projets", "0001_initial")]

    operations = []
