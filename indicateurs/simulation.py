"""The dry run ("simulation") of an uploaded usage file: read it, validate it, keep the report on
its ImportUsage — nothing is written to the usage data.

A small file is checked by the upload request itself. A larger one (up to 40 000 lines, tens of
seconds) is checked by the Celery task verify_usage_import, under a time limit, so that no web
request holds a worker that long: the ImportUsage waits "en cours de vérification" and stores its
progress (lines checked out of the lines read), which the import page polls until the report is
ready.
"""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.uploads import inflated_size
from indicateurs import usage_import
from indicateurs.enums import StatutImport
from indicateurs.models import ImportUsage
from indicateurs.tasks import DRY_RUN_HARD_LIMIT, DRY_RUN_SOFT_LIMIT, verify_usage_import

logger = logging.getLogger(__name__)

# Files inflating to at most this (about 6 000 CSV lines, 800 workbook rows) are checked inline,
# in well under a second; the size of a workbook is what it inflates to, not its upload size.
INLINE_MAX_BYTES = 256 * 1024
# The progress is written every PROGRESS_EVERY lines checked (one UPDATE each).
PROGRESS_EVERY = 1000
# A check still running this long after it started lost its worker (killed at the hard limit);
# one not started this long after the upload lost its message.
LOST_AFTER_START = timedelta(seconds=DRY_RUN_HARD_LIMIT + 60)
LOST_BEFORE_START = timedelta(hours=1)

TIMED_OUT = (
    f"La vérification a dépassé {DRY_RUN_SOFT_LIMIT} secondes et a été arrêtée : rien n'a été "
    "écrit. Découpez le fichier (par exemple un mois par fichier) et renvoyez-le."
)
CRASHED = (
    "La vérification a échoué sur une erreur inattendue : rien n'a été écrit. Renvoyez le "
    "fichier ; si l'erreur se reproduit, signalez-la à l'administrateur."
)
NOT_QUEUED = (
    "La vérification n'a pas pu être lancée (file des tâches indisponible) : rien n'a été "
    "écrit. Renvoyez le fichier dans quelques minutes."
)
LOST = (
    "La vérification s'est interrompue (processus de vérification arrêté) : rien n'a été "
    "écrit. Renvoyez le fichier."
)
ORPHAN = "L'auteur de l'envoi ou la grappe n'existe plus : le fichier n'a pas été vérifié."


def submit(grappe, upload, user):
    """Keep an uploaded file in a new ImportUsage being checked, then check it: inline if small,
    else by the Celery task (inline too when Celery runs eagerly). Returns the ImportUsage as it
    stands once this request is done with it."""
    record = ImportUsage(
        grappe=grappe,
        nom_original=upload.name[:255],
        envoye_par=user,
        statut=StatutImport.EN_VERIFICATION,
    )
    record.fichier.save(upload.name, upload, save=False)
    record.save()
    if inflated_size(upload) <= INLINE_MAX_BYTES:
        run(record.pk)
    else:
        try:
            verify_usage_import.delay(record.pk)
        except OperationalError:
            # The broker is down: say so now rather than leave the page waiting.
            logger.exception("Vérification de l'import d'usages %s non mise en file", record.pk)
            _fail(record.pk, NOT_QUEUED)
    record.refresh_from_db()
    return record


def run(import_id):
    """Check the file of an ImportUsage being checked; returns its final status, or None if it was
    not (or no longer) being checked — a redelivered task finds the work done."""
    claimed = ImportUsage.objects.filter(pk=import_id, statut=StatutImport.EN_VERIFICATION).update(
        verification_debut=timezone.now(), lignes=0, lignes_verifiees=0
    )
    if not claimed:
        return None
    record = ImportUsage.objects.select_related("grappe", "envoye_par").get(pk=import_id)
    try:
        _check(record)
    except SoftTimeLimitExceeded:
        _fail(import_id, TIMED_OUT)
    except Exception:
        # Whatever happened, the page must stop waiting and say so.
        logger.exception("Vérification de l'import d'usages %s", import_id)
        _fail(import_id, CRASHED)
    return ImportUsage.objects.values_list("statut", flat=True).get(pk=import_id)


def _check(record):
    if record.envoye_par is None or record.grappe is None:
        # validate(user=None) checks as the national admin: never on behalf of a vanished author.
        _fail(record.pk, ORPHAN)
        return
    with record.fichier.open("rb") as handle:
        data = handle.read()
    try:
        rows = usage_import.read_rows(data, record.nom_original)
    except usage_import.FichierRefuse as exc:
        _finish(record.pk, StatutImport.REFUSE, rapport={"fichier": str(exc)})
        return
    _being_checked(record.pk).update(lignes=len(rows))
    rapport = usage_import.validate(
        ProgressRows(rows, record.pk), record.envoye_par, grappe=record.grappe
    )
    report = rapport.as_dict()
    _finish(
        record.pk,
        StatutImport.VERIFIE if rapport.ok else StatutImport.REFUSE,
        rapport=report,
        lignes=len(rapport.lignes),
        lignes_verifiees=len(rapport.lignes),
        mois=report["mois"],
    )


class ProgressRows(list):
    """The rows, writing how many were iterated every PROGRESS_EVERY: validate (shared by every
    way in) reads them once in order without knowing about progress."""

    def __init__(self, rows, import_id):
        super().__init__(rows)
        self.import_id = import_id

    def __iter__(self):
        for count, row in enumerate(super().__iter__(), start=1):
            if count % PROGRESS_EVERY == 0:
                _being_checked(self.import_id).update(lignes_verifiees=count)
            yield row


def _being_checked(import_id):
    return ImportUsage.objects.filter(pk=import_id, statut=StatutImport.EN_VERIFICATION)


def _finish(import_id, statut, **fields):
    _being_checked(import_id).update(statut=statut, **fields)


def _fail(import_id, message):
    _finish(import_id, StatutImport.ECHEC, rapport={"echec": message})


def expire_if_lost(record, now=None):
    """Mark as failed a check whose worker or message was lost (see LOST_AFTER_START); the page
    then stops waiting. Returns the record, refreshed if it changed."""
    if record.statut != StatutImport.EN_VERIFICATION:
        return record
    now = now or timezone.now()
    started = record.verification_debut
    if (started and now - started > LOST_AFTER_START) or (
        not started and now - record.envoye_le > LOST_BEFORE_START
    ):
        _fail(record.pk, LOST)
        record.refresh_from_db()
    return record
