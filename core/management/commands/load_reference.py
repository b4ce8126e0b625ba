"""`manage.py load_reference`: create the reference rows the database lacks (core.reference).
It also runs after every `migrate`; running it again changes nothing."""

from django.core.management.base import BaseCommand

from core.reference import describe, load


class Command(BaseCommand):
    help = (
        "Charge les données de référence (régions, appels à projets, catégories d'ESMS, plan "
        "type, indicateurs…) depuis les fichiers <app>/reference/*.toml : crée ce qui manque, "
        "ne modifie jamais une ligne existante."
    )

    def handle(self, *args, **options):
        created = load()
        self.stdout.write(f"Données de référence : {describe(created)}.")
