"""Celery by queue (issue 17): each task on its queue so that an e-mail never waits behind a
computation or an import, time limits on every task, and tasks that find their work done when
delivered twice (acks_late). The e-mails' and the usage dry run's second delivery are tested
with their workflows (tests/projets/test_comptes_rendus.py, tests/indicateurs/test_import_bounds.py)."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from config.celery import app as celery_app
from grappe import finess_import
from grappe.enums import StatutImport
from grappe.models import Esms, FinessImport
from grappe.tasks import apply_finess_import
from indicateurs.enums import Niveau
from indicateurs.models import CalculMensuel, ValeurIndicateur
from indicateurs.tasks import compute_indicators
from tests.grappe.test_import_finess import call, extract_file  # noqa: F401 (fixture)
from tests.indicateurs.test_tasks import grappe_with_data

QUEUES = {
    "projets.tasks.send_compte_rendu_diffusion": "mails",
    "projets.tasks.send_daily_reminders": "mails",
    "indicateurs.tasks.notify_tranche_due": "mails",
    "grappe.tasks.apply_finess_import": "imports",
    "indicateurs.tasks.verify_usage_import": "imports",
    "indicateurs.tasks.compute_indicators": "calculs",
    "core.tasks.ping": "celery",
}


def queue_of(name):
    return celery_app.amqp.router.route({}, name)["queue"].name


def our_tasks():
    celery_app.loader.import_default_modules()
    return {
        name: task
        for name, task in celery_app.tasks.items()
        if name.split(".")[0] in {"core", "grappe", "projets", "indicateurs", "amoa", "finances"}
    }


def test_every_task_goes_to_its_queue():
    assert set(our_tasks()) == set(QUEUES), "une tâche nouvelle : donnez-lui sa file"
    assert {name: queue_of(name) for name in QUEUES} == QUEUES


def test_every_task_acknowledges_late_with_time_limits():
    for name, task in our_tasks().items():
        assert task.acks_late, name
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit, name


@pytest.mark.django_db
def test_the_monthly_computation_run_twice_writes_the_same_values():
    grappe = grappe_with_data()
    compute_indicators.apply(args=["2026-03"]).get()
    first = sorted(
        ValeurIndicateur.objects.filter(grappe=grappe, niveau=Niveau.GRAPPE).values_list(
            "indicateur_id", "mois", "numerateur", "denominateur"
        )
    )
    compute_indicators.apply(args=["2026-03"]).get()
    again = sorted(
        ValeurIndicateur.objects.filter(grappe=grappe, niveau=Niveau.GRAPPE).values_list(
            "indicateur_id", "mois", "numerateur", "denominateur"
        )
    )
    assert first and again == first
    assert CalculMensuel.objects.count() == 2  # each run traced, one set of values


@pytest.mark.django_db
def test_the_finess_import_delivered_twice_applies_once(extract_file):  # noqa: F811
    call(extract_file, "--dry-run")
    simulation = FinessImport.objects.get()
    finess_import.queue_apply(simulation.pk)
    assert apply_finess_import.apply(args=[simulation.pk]).get() == StatutImport.APPLIQUE
    applied = FinessImport.objects.get()
    count = Esms.objects.count()
    assert count and applied.finished_at is not None
    assert apply_finess_import.apply(args=[simulation.pk]).get() == StatutImport.APPLIQUE
    assert Esms.objects.count() == count
    assert FinessImport.objects.get().finished_at == applied.finished_at  # not run again


@pytest.mark.django_db
def test_a_finess_import_past_its_time_limit_fails_cleanly(extract_file, monkeypatch):  # noqa: F811
    call(extract_file, "--dry-run")
    simulation = FinessImport.objects.get()
    finess_import.queue_apply(simulation.pk)

    def too_long(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(finess_import, "import_finess", too_long)
    assert apply_finess_import.apply(args=[simulation.pk]).get() == StatutImport.ECHEC
    failed = FinessImport.objects.get()
    assert failed.error.startswith("L'import a dépassé le temps alloué : rien n'a été écrit.")
    assert not Esms.objects.exists()
