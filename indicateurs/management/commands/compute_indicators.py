from django.core.management.base import BaseCommand, CommandError

from core import months
from grappe.models import Grappe
from indicateurs import services, usage_import


class Command(BaseCommand):
    help = "Calcule les indicateurs d'usage d'un mois (toutes les grappes ou une seule)."

    def add_arguments(self, parser):
        parser.add_argument("--mois", help="AAAA-MM (défaut : le mois écoulé)")
        parser.add_argument("--grappe", type=int, help="identifiant de la grappe")

    def handle(self, *args, **options):
        try:
            mois = (
                months.parse_month_or_error(options["mois"])
                if options["mois"]
                else months.elapsed_month()
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        grappe = None
        if options["grappe"]:
            grappe = Grappe.objects.filter(pk=options["grappe"]).first()
            if grappe is None:
                raise CommandError(f"Grappe {options['grappe']} introuvable.")
        run = services.compute_month(mois, grappe)
        self.stdout.write(
            f"Calcul de {mois:%m/%Y} terminé : "
            f"{usage_import.compte(run.lignes, 'valeur écrite', 'valeurs écrites')}"
            + (f" pour « {grappe} »." if grappe else " (toutes les grappes).")
        )
