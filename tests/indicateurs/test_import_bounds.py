"""Usage files within bounds: decompression bombs refused before parsing, a row cap counted while
reading (CSV and XLSX), and the dry run of a large file in a Celery task with its progress on the
import page."""

import io
import time
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from config.celery import app as celery_app
from indicateurs import simulation, tasks, usage_import
from indicateurs.enums import StatutImport
from indicateurs.forms.donnees import UsageImportForm
from indicateurs.models import ImportUsage, UsageMensuel
from tests.helpers import text
from tests.indicateurs.factories import csv_bytes
from tests.xlsx_bombs import decompression_bomb, no_workbook_parsing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False) as traveller:
        yield traveller


def rows_for(grappe, mois="2026-03"):
    return [
        [m.esms.finess_et, mois, 100, 80, 75, 95, 90, 92]
        for m in grappe.memberships.select_related("esms")
    ]


def post(client, grappe, data, name="usages.csv"):
    return client.post(
        reverse("indicateurs:usages", args=[grappe.pk]),
        {"fichier": SimpleUploadedFile(name, data)},
    )


def xlsx(rows):
    book = Workbook()
    book.active.append(usage_import.HEADER)
    for line in rows:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Bombs and the row cap ------------------------------------------------------------------


@pytest.mark.usefixtures("no_workbook_parsing")
def test_a_bomb_is_refused_by_the_upload_form_quickly_and_never_stored(cast, client_for):
    bomb = decompression_bomb(usage_import.HEADER)
    start = time.perf_counter()
    response = post(client_for(cast.owner), cast.grappe, bomb, "usages.xlsx")
    assert time.perf_counter() - start < 2
    assert response.status_code == 200
    assert "Fichier refusé : une fois décompressé, le classeur ferait" in text(response)
    assert not ImportUsage.objects.exists()


@pytest.mark.usefixtures("no_workbook_parsing")
def test_a_bomb_is_refused_by_the_reader_and_the_command(tmp_path):
    bomb = decompression_bomb(usage_import.HEADER)
    with pytest.raises(usage_import.FichierRefuse, match="Une fois décompressé"):
        usage_import.read_rows(bomb, "usages.xlsx")
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(CommandError, match="Fichier refusé : Une fois décompressé"):
        call_command("import_usage", str(path), "--dry-run")


def test_a_csv_just_over_the_cap_is_refused_naming_it():
    row = ["590000014", "2026-03", 1, 1, 1, 1, 1, 1]
    assert len(usage_import.read_rows(csv_bytes([row] * usage_import.MAX_ROWS))) == 40_000
    with pytest.raises(usage_import.FichierRefuse) as refused:
        usage_import.read_rows(csv_bytes([row] * (usage_import.MAX_ROWS + 1)))
    assert str(refused.value) == (
        "Le fichier dépasse 40\xa0000 lignes (en-tête non compris), le maximum accepté."
    )


def test_the_csv_reader_stops_at_the_cap(monkeypatch):
    # Past the cap, a field too long for the csv module: reading it would fail differently.
    monkeypatch.setattr(usage_import, "MAX_ROWS", 3)
    data = csv_bytes([["590000014", "2026-03"]] * 4) + b'"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(usage_import.FichierRefuse, match="dépasse 3 lignes"):
        usage_import.read_rows(data)
    monkeypatch.setattr(usage_import, "MAX_ROWS", 10)
    with pytest.raises(usage_import.FichierRefuse, match="La ligne 6 dépasse 10\xa0000 caractères"):
        usage_import.read_rows(data)


def test_a_workbook_over_the_cap_is_refused_and_one_at_the_cap_read(monkeypatch):
    monkeypatch.setattr(usage_import, "MAX_ROWS", 5)
    row = ["590000014", "2026-03", 1, 1, 1, 1, 1, 1]
    assert len(usage_import.read_rows(xlsx([row] * 5), "u.xlsx")) == 5
    with pytest.raises(usage_import.FichierRefuse, match="dépasse 5 lignes"):
        usage_import.read_rows(xlsx([row] * 6), "u.xlsx")


def test_the_form_states_the_caps():
    help_text = UsageImportForm().fields["fichier"].help_text
    assert "20\xa0Mo et 40\xa0000 lignes au plus" in help_text


# --- The dry run in a Celery task -----------------------------------------------------------


@pytest.fixture
def background(monkeypatch):
    """Every file is checked by the task; its .delay only records the ids (a worker would run
    them later): the test runs them with run_queued()."""
    queued = []
    monkeypatch.setattr(simulation, "INLINE_MAX_BYTES", 0)
    monkeypatch.setattr(tasks.verify_usage_import, "delay", queued.append)
    return queued


def test_small_files_are_checked_inline_large_ones_by_the_task(cast, client_for, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.verify_usage_import, "delay", queued.append)
    client = client_for(cast.owner)
    post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    assert ImportUsage.objects.get().statut == StatutImport.VERIFIE and not queued
    # ~30 KB uploaded, but ~330 KB of XML to parse: what it inflates to decides.
    book = xlsx([["590000014", "2026-03", 1, 1, 1, 1, 1, 1]] * 1000)
    assert len(book) < simulation.INLINE_MAX_BYTES < simulation.inflated_size(io.BytesIO(book))
    post(client, cast.grappe, book, "usages.xlsx")
    assert queued == [ImportUsage.objects.get(statut=StatutImport.EN_VERIFICATION).pk]


def progress_url(record):
    return reverse("indicateurs:import_progression", args=[record.grappe_id, record.pk])


def test_a_large_file_waits_for_the_task_then_shows_progress_and_the_report(
    cast, client_for, background
):
    client = client_for(cast.owner)
    response = post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    assert background == [record.pk]
    assert (record.statut, record.lignes, record.verification_debut) == (
        StatutImport.EN_VERIFICATION,
        0,
        None,
    )
    page = text(client.get(response["Location"]))
    assert "sa vérification est en cours" in page  # the message after the upload
    assert f'hx-get="{progress_url(record)}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert 'data-testid="appliquer"' not in page
    assert "<noscript>" in page  # without JavaScript the page refreshes itself
    poll = client.get(progress_url(record))
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    assert "attend son tour" in text(poll)

    assert tasks.verify_usage_import(record.pk) == StatutImport.VERIFIE  # the worker's run
    record.refresh_from_db()
    assert (record.lignes, record.lignes_verifiees) == (3, 3)
    assert record.rapport["compte"]["lignes"] == 3
    assert record.verification_debut is not None
    poll = client.get(progress_url(record))
    assert poll["HX-Refresh"] == "true"
    page = text(client.get(response["Location"]))
    assert 'data-testid="appliquer"' in page and "hx-get" not in page
    # A redelivered task finds the work done.
    assert tasks.verify_usage_import(record.pk) is None
    assert not UsageMensuel.objects.exists()


def test_progress_is_written_while_the_rows_are_checked(cast, client_for, monkeypatch):
    """With eager Celery (tests, `make run`) the task runs inside the upload request."""
    monkeypatch.setattr(simulation, "INLINE_MAX_BYTES", 0)
    monkeypatch.setattr(simulation, "PROGRESS_EVERY", 1)
    seen = []
    real_validate = usage_import.validate

    def watching_validate(rows, *args, **kwargs):
        for _ in rows:
            seen.append(
                ImportUsage.objects.values_list("statut", "lignes_verifiees", "lignes").get()
            )
        return real_validate(rows, *args, **kwargs)

    monkeypatch.setattr(usage_import, "validate", watching_validate)
    client = client_for(cast.owner)
    page = text(client.get(post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))["Location"]))
    assert seen == [("en_verification", n, 3) for n in (1, 2, 3)]
    assert ImportUsage.objects.get().statut == StatutImport.VERIFIE
    assert "Fichier vérifié" in page


def test_progress_fragment_counts_the_lines_checked(cast, client_for):
    record = ImportUsage.objects.create(
        grappe=cast.grappe,
        nom_original="gros.csv",
        statut=StatutImport.EN_VERIFICATION,
        envoye_par=cast.owner,
        verification_debut=timezone.now(),
        lignes=35_000,
        lignes_verifiees=12_000,
    )
    poll = text(client_for(cast.member).get(progress_url(record)))
    assert "12\xa0000 lignes vérifiées sur 35\xa0000" in poll
    assert 'max="35000" value="12000"' in poll
    record.lignes_verifiees = 1
    record.save(update_fields=["lignes_verifiees"])
    assert "1 ligne vérifiée sur 35\xa0000" in text(
        client_for(cast.member).get(progress_url(record))
    )


def test_a_time_out_is_a_clear_failure(cast, client_for, background, monkeypatch):
    def too_long(*args, **kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(usage_import, "validate", too_long)
    client = client_for(cast.owner)
    response = post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    assert tasks.verify_usage_import(record.pk) == StatutImport.ECHEC
    assert client.get(progress_url(record))["HX-Refresh"] == "true"
    page = text(client.get(response["Location"]))
    assert "Échec de la vérification." in page
    assert "La vérification a dépassé 120 secondes et a été arrêtée : rien n'a été écrit." in page
    assert tasks.verify_usage_import.soft_time_limit == 120


def test_an_unexpected_error_is_a_failure_not_an_endless_wait(cast, client_for, background):
    post(client_for(cast.owner), cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    record.fichier.delete(save=False)  # the kept file vanished
    assert tasks.verify_usage_import(record.pk) == StatutImport.ECHEC
    record.refresh_from_db()
    assert record.rapport == {"echec": simulation.CRASHED}


@pytest.fixture
def broker_down():
    """Celery publishes to a closed port, as with Redis stopped (no Redis needed)."""
    conf = celery_app.conf
    previous = (conf.broker_url, conf.task_always_eager)
    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False
    celery_app._pool = celery_app.amqp._producer_pool = None  # the pools keep the old URL
    yield
    conf.broker_url, conf.task_always_eager = previous
    celery_app._pool = celery_app.amqp._producer_pool = None


def test_broker_down_fails_at_once(cast, client_for, monkeypatch, broker_down):
    monkeypatch.setattr(simulation, "INLINE_MAX_BYTES", 0)
    client = client_for(cast.owner)
    response = post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    assert ImportUsage.objects.get().statut == StatutImport.ECHEC
    assert "file des tâches indisponible" in text(client.get(response["Location"]))


def test_a_lost_check_stops_waiting(cast, client_for, background, _today):
    post(client_for(cast.owner), cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    ImportUsage.objects.filter(pk=record.pk).update(verification_debut=timezone.now())
    client = client_for(cast.owner)
    _today.shift(timedelta(minutes=2))
    assert "HX-Refresh" not in client.get(progress_url(record))  # still within its limits
    _today.shift(timedelta(minutes=2))
    assert client.get(progress_url(record))["HX-Refresh"] == "true"
    record.refresh_from_db()
    assert record.statut == StatutImport.ECHEC
    assert "s'est interrompue" in record.rapport["echec"]


def test_the_check_runs_as_the_uploader_and_never_as_nobody(cast, client_for, background):
    post(client_for(cast.owner), cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    # The author is gone before the worker picks the file up: no check as the national admin.
    ImportUsage.objects.filter(pk=record.pk).update(envoye_par=None)
    assert tasks.verify_usage_import(record.pk) == StatutImport.ECHEC
    record.refresh_from_db()
    assert record.rapport == {"echec": simulation.ORPHAN}


def test_an_over_cap_file_is_refused_by_the_task(cast, client_for, background, monkeypatch):
    monkeypatch.setattr(usage_import, "MAX_ROWS", 2)
    client = client_for(cast.owner)
    response = post(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    assert tasks.verify_usage_import(record.pk) == StatutImport.REFUSE
    page = text(client.get(response["Location"]))
    assert (
        'data-testid="erreur-fichier"><strong>Fichier refusé.</strong> Le fichier dépasse 2 '
        in page
    )
