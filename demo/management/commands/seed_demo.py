from django.core.management.base import BaseCommand
from django.db import transaction

from amoa import demo as amoa_demo
from candidatures import demo as candidatures_demo
from grappe import demo as grappe_demo
from indicateurs import demo as indicateurs_demo
from projets import demo as projets_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : relancer ne duplique rien)."

    @transaction.atomic
    def handle(self, *args, **options):
        context = grappe_demo.seed()
        grappe = context["grappe"]
        projets_demo.seed(grappe, context["people"])
        amoa_demo.seed(grappe, context["people"])
        indicateurs_demo.seed(grappe, context["people"])
        candidatures_demo.seed(grappe, context["people"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration prêtes : {grappe} "
                f"({grappe.memberships.filter(left_on__isnull=True).count()} ESMS)."
            )
        )
