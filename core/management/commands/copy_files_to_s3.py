"""Copy the uploaded files from the local disk (MEDIA_ROOT) to the S3 bucket, and check them.

Run once S3_BUCKET and the other S3_* variables are set (docs/exploitation.md, « Uploaded files on
object storage »): every file named by a FileField of any model is copied when the bucket lacks
it, then read back from the bucket and compared with the disk (size and SHA-256). Files already
in the bucket are compared the same way and never replaced. Idempotent: a second run copies
nothing and checks everything again. Exit status 1 when a file is missing from the disk and the
bucket, or differs between them.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import models

CHUNK = 1024 * 1024


@dataclass
class Report:
    copied: list = field(default_factory=list)
    to_copy: list = field(default_factory=list)  # --dry-run
    present: list = field(default_factory=list)
    only_in_bucket: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    mismatched: list = field(default_factory=list)  # (name, why)


def file_fields():
    """(model, field name) of every concrete FileField (ImageField included) of every model,
    each once: a field inherited from a concrete parent is its parent's."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field.name


def stored_names():
    """The file names the database refers to, sorted, each once."""
    names = set()
    for model, name in file_fields():
        values = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
        names.update(values.values_list(name, flat=True).iterator())
    return sorted(names)


def fingerprint(storage, name):
    """(size, SHA-256 hex digest) of a stored file, read by chunks."""
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Copie les fichiers déposés du disque local (MEDIA_ROOT) vers le compartiment S3 "
        "(S3_BUCKET) quand ils y manquent, puis vérifie chaque copie (taille et SHA-256)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="ne copie rien : dit ce qui serait copié et vérifie ce qui est déjà copié",
        )
        parser.add_argument(
            "--media-root",
            default=None,
            help="dossier des fichiers à copier (par défaut MEDIA_ROOT)",
        )

    def handle(self, *args, dry_run=False, media_root=None, **options):
        target = storages["default"]
        if isinstance(target, FileSystemStorage) or not hasattr(target, "bucket_name"):
            raise CommandError(
                "Le stockage des fichiers n'est pas un compartiment S3 : définissez S3_BUCKET "
                "(et S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY…) avant de lancer "
                "la copie."
            )
        root = Path(media_root or settings.MEDIA_ROOT)
        source = FileSystemStorage(location=root)
        names = stored_names()
        self.stdout.write(
            f"{len(names)} fichier(s) référencé(s) en base ; disque : {root} ; "
            f"compartiment : {target.bucket_name}" + (" (simulation)" if dry_run else "")
        )
        report = Report()
        for name in names:
            self.copy_one(name, source, target, report, dry_run)
        self.print_report(report, dry_run)
        failures = len(report.missing) + len(report.mismatched)
        if failures:
            raise CommandError(
                f"{failures} fichier(s) en défaut (absents ou différents) : voir le rapport."
            )

    def copy_one(self, name, source, target, report, dry_run):
        on_disk = source.exists(name)
        in_bucket = target.exists(name)
        if not on_disk:
            (report.only_in_bucket if in_bucket else report.missing).append(name)
            return
        expected = fingerprint(source, name)
        if not in_bucket:
            if dry_run:
                report.to_copy.append(name)
                return
            with source.open(name, "rb") as handle:
                saved = target.save(name, handle)
            if saved != name:
                report.mismatched.append((name, f"enregistré sous un autre nom : {saved}"))
                return
        actual = fingerprint(target, name)
        if actual != expected:
            report.mismatched.append(
                (
                    name,
                    f"disque {expected[0]} octets, sha256 {expected[1][:12]}… ; "
                    f"compartiment {actual[0]} octets, sha256 {actual[1][:12]}…",
                )
            )
        elif in_bucket:
            report.present.append(name)
        else:
            report.copied.append(name)

    def print_report(self, report, dry_run):
        lines = [
            ("à copier", len(report.to_copy))
            if dry_run
            else ("copiés et vérifiés", len(report.copied)),
            ("déjà dans le compartiment, identiques", len(report.present)),
            (
                "dans le compartiment seulement (absents du disque, non comparés)",
                len(report.only_in_bucket),
            ),
            ("absents du disque et du compartiment", len(report.missing)),
            ("différents entre le disque et le compartiment", len(report.mismatched)),
        ]
        self.stdout.write("Rapport :")
        for label, count in lines:
            self.stdout.write(f"  {label} : {count}")
        for name in report.to_copy:
            self.stdout.write(f"  à copier : {name}")
        for name in report.missing:
            self.stderr.write(f"  ABSENT : {name}")
        for name, why in report.mismatched:
            self.stderr.write(f"  DIFFÉRENT : {name} ({why})")
