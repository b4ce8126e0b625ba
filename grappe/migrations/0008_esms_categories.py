"""Loaded the FINESS categories of the ESMS until issue 19. Since then `manage.py load_reference`
(core.reference, also run after every `migrate`) creates them from
grappe/reference/categories.toml: reference data lives in data files, and a migration imports no
app module (migrations are history). Kept, empty: later migrations depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("grappe", "0007_esms_one_grappe_og_people")]

    operations = []
