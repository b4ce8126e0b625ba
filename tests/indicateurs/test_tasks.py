from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from indicateurs import services
from indicateurs.enums import Niveau, StatutCalcul
from indicateurs.models import CalculMensuel, ValeurIndicateur
from indicateurs.tasks import compute_indicators
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import in_service, meeting


def grappe_with_data(months=("2026-01", "2026-02", "2026-03")):
    grappe = GrappeFactory()
    esms = add_esms(grappe, 2)
    in_service(grappe, months[0])
    for mois in months:
        for e in esms:
            meeting(e, mois)
    return grappe


@pytest.mark.django_db
def test_beat_schedule_runs_on_the_first_of_each_month_at_6_paris():
    task = PeriodicTask.objects.get(task="indicateurs.tasks.compute_indicators")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year) == (
        "0",
        "6",
        "1",
        "*",
    )
    assert str(crontab.timezone) == "Europe/Paris"


@pytest.mark.django_db
def test_task_defaults_to_the_elapsed_month():
    grappe = grappe_with_data()
    with time_machine.travel("2026-04-01 06:00 +0200", tick=False):
        result = compute_indicators.delay().get(timeout=10)
    assert result == {"mois": "2026-03", "grappe": None, "lignes": result["lignes"]}
    assert (
        ValeurIndicateur.objects.filter(
            grappe=grappe, niveau=Niveau.GRAPPE, mois=date(2026, 3, 1)
        ).count()
        == 5
    )


@pytest.mark.django_db
def test_command_computes_a_month_for_one_grappe(capsys):
    grappe = grappe_with_data()
    call_command("compute_indicators", "--mois", "2026-03", "--grappe", str(grappe.pk))
    run = CalculMensuel.objects.get()
    assert (
        f"Calcul de 03/2026 terminé : {run.lignes} valeurs écrites pour « {grappe} »."
        in capsys.readouterr().out
    )
    assert run.lignes >= 2
    assert (run.grappe, run.statut) == (grappe, StatutCalcul.TERMINE)
    assert run.ended_at is not None


@pytest.mark.django_db
def test_failed_run_is_recorded(monkeypatch):
    def boom(mois, grappe):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "_compute", boom)
    with pytest.raises(RuntimeError):
        services.compute_month(date(2026, 3, 1))
    run = CalculMensuel.objects.get()
    assert run.statut == StatutCalcul.ECHEC
    assert "base indisponible" in run.erreur


@pytest.mark.services
def test_monthly_task_runs_on_a_real_worker(celery_worker_process):
    if connection.vendor != "postgresql":
        pytest.skip("Le worker ne partage la base de test qu'avec PostgreSQL.")
    grappe = grappe_with_data()
    result = compute_indicators.apply_async(args=["2026-03"], queue=celery_worker_process.queue)
    assert result.get(timeout=90)["mois"] == "2026-03"
    value = ValeurIndicateur.objects.get(
        grappe=grappe, niveau=Niveau.GRAPPE, mois=date(2026, 3, 1), indicateur__code="mssante"
    )
    assert value.premiere_mesure is True
    assert value.atteinte is True
