"""`python manage.py import_finess FICHIER [--dry-run] [--all]`

Imports a FINESS open-data extraction (structureet, geolocalisation, structureej lines). Every run
is recorded as a FinessImport with the file kept, like an upload from the web page: a --dry-run
is a SIMULATION that an admin may then apply from /grappes/registre/import/.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from grappe.enums import StatutImport
from grappe.finess_import import record_upload, run_recorded, summary_lines


class Command(BaseCommand):
    help = "Importe un fichier FINESS (extraction etalab) dans le registre des ESMS."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin du fichier FINESS (.csv)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Simulation : calcule le rapport sans rien écrire dans le registre.",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="include_all",
            help="Toutes catégories (par défaut : seulement les ESMS, agrégats 4xxx).",
        )

    def handle(self, *args, file, dry_run, include_all, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with path.open("rb") as handle:
            finess_import = record_upload(File(handle), name=path.name, include_all=include_all)
        result = run_recorded(finess_import, dry_run=dry_run)
        if finess_import.status == StatutImport.ECHEC:
            raise CommandError(f"Fichier refusé : {finess_import.error}")
        title = "Simulation (rien n'a été écrit)" if dry_run else "Import appliqué"
        self.stdout.write(
            f"{title} — {path.name}"
            f"{' — toutes catégories' if include_all else ' — ESMS seulement'}"
            f" (import n° {finess_import.pk})"
        )
        for line in summary_lines(result):
            self.stdout.write(line)
