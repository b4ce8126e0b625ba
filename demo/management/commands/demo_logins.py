from django.core.management.base import BaseCommand

from grappe.demo import DEMO_PASSWORD, PEOPLE

LABELS = {
    "porteur": "Cheffe de projet (porteur)",
    "copil1": "Membre du COPIL (président)",
    "copil2": "Membre du COPIL",
    "ars": "Agent ARS Hauts-de-France",
    "amoa": "Consultant AMOA",
    "referent": "Référente DUI",
    "admin": "Administratrice nationale",
}


class Command(BaseCommand):
    help = "Affiche les identifiants de démonstration."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write(
            f"Grappe — http://127.0.0.1:8000  (mot de passe de démonstration : {DEMO_PASSWORD})"
        )
        for key, label in LABELS.items():
            self.stdout.write(f"  {label:<32} {PEOPLE[key][0]}")
        self.stdout.write("")
