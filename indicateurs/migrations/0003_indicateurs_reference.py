"""Loaded the five usage indicators until issue 19. Since then `manage.py load_reference`
(core.reference, also run after every `migrate`) creates them from
indicateurs/reference/indicateurs.toml: reference data lives in data files, and a migration
imports no app module (migrations are history). Kept, empty: later migrations depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("indicateurs", "0002_indicateur_cumul_premiere_mesure")]

    operations = []
