from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from indicateurs import usage_import
from indicateurs.enums import SourceUsage, StatutImport
from indicateurs.models import ImportUsage


class Command(BaseCommand):
    help = (
        "Importe un fichier de données d'usage mensuelles (CSV ou XLSX, modèle de l'application). "
        "S'exécute avec les droits de l'administrateur national."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier")
        parser.add_argument(
            "--dry-run", action="store_true", help="simulation : affiche le rapport, n'écrit rien"
        )
        parser.add_argument(
            "--confirmer",
            action="store_true",
            help="confirme les valeurs « à confirmer » (seuils de plausibilité) du fichier",
        )

    def handle(self, *args, **options):
        path = Path(options["fichier"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        data = path.read_bytes()
        try:
            rows = usage_import.read_rows(data, path.name)
        except usage_import.FichierRefuse as exc:
            raise CommandError(f"Fichier refusé : {exc}") from None
        rapport = usage_import.validate(rows, user=None, confirmed=options["confirmer"])
        rapport.refuse_unconfirmed("Relancez avec --confirmer si elle est juste.")
        for line in rapport.lignes:
            for message in line.erreurs:
                self.stdout.write(f"ERREUR {message}")
            for message in line.a_confirmer if line.confirme else ():
                self.stdout.write(f"CONFIRMÉ {message}")
            for message in line.avertissements:
                self.stdout.write(f"AVERTISSEMENT {message}")
        summary = rapport.resume()
        if options["dry_run"]:
            self.stdout.write(f"Simulation : {summary} Rien n'a été écrit.")
            return
        if not rapport.ok:
            raise CommandError(f"Import refusé : {summary} Rien n'a été écrit.")
        import_usage = ImportUsage(
            nom_original=path.name[:255],
            statut=StatutImport.APPLIQUE,
            rapport=rapport.as_dict(),
            lignes=len(rapport.lignes),
            mois=rapport.as_dict()["mois"],
        )
        import_usage.fichier.save(path.name, ContentFile(data), save=False)
        with transaction.atomic():
            import_usage.applique_le = timezone.now()
            import_usage.save()
            created, replaced = usage_import.apply(
                rapport, source=SourceUsage.FICHIER, import_usage=import_usage
            )
        self.stdout.write(
            f"Import appliqué : {usage_import.applied_summary(created, replaced)}. {summary}"
        )
