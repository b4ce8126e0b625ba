from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from amoa import demo as amoa_demo
from candidatures import demo as candidatures_demo
from demo import stages
from finances import demo as finances_demo
from grappe import demo as grappe_demo
from indicateurs import demo as indicateurs_demo
from projets import demo as projets_demo

IN_MEMORY = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : relancer ne duplique rien)."

    def handle(self, *args, **options):
        # The demo replays months of the programme (filings, decisions, tranches due…): its
        # people get no mail. The in-memory backend holds what the services send, also from
        # the callbacks that run when the transaction commits, inside this block.
        with override_settings(EMAIL_BACKEND=IN_MEMORY), transaction.atomic():
            grappe = self.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration prêtes : {grappe} "
                f"({grappe.memberships.filter(left_on__isnull=True).count()} ESMS)."
            )
        )

    def seed(self):
        context = grappe_demo.seed()
        grappe = context["grappe"]
        projets_demo.seed(grappe, context["people"])
        amoa_demo.seed(grappe, context["people"])
        indicateurs_demo.seed(grappe, context["people"])
        candidatures_demo.seed(grappe, context["people"])
        # The region's other grappes past their DUI choice, and the Calaisis's start: every
        # stage of the programme (demo/stages.py), after the calls that hold the early ones.
        stages.seed(context["people"])
        # Last: the money follows the choices, the tranches and the conventions seeded above.
        finances_demo.seed(grappe, context["people"])
        return grappe
