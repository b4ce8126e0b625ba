"""The « tranche due » e-mail (issue 22): sent by its own task on the `mails` queue once the
tranche's change commits, retried while the relay refuses, each failure logged; the tranche stays
due and the monthly computation finished whatever the relay says, and the tranche records when
the ARS was told."""

import logging

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from config.celery import app as celery_app
from indicateurs.enums import StatutCalcul, StatutTranche
from indicateurs.models import CalculMensuel
from indicateurs.services import (
    RETELL_AFTER,
    compute_month,
    ensure_tranches,
    notify_tranche_due,
)
from indicateurs.tasks import notify_tranche_due as notify_task
from tests.grappe.factories import UserFactory, ars_agent
from tests.indicateurs.factories import meeting
from tests.indicateurs.test_tranches import M1, M2, M3, funded_grappe, tranche2

pytestmark = pytest.mark.django_db


class RelayDown(EmailBackend):
    """A relay that refuses the first `failures` messages, then delivers (to mail.outbox)."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        RelayDown.attempts += 1
        if RelayDown.attempts <= RelayDown.failures:
            raise ConnectionRefusedError("relais SMTP injoignable")
        return super().send_messages(messages)


@pytest.fixture
def relay(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RelayDown"
    RelayDown.attempts = 0
    # Tests run tasks inline and let their errors out (CELERY_TASK_EAGER_PROPAGATES): here the
    # task's own retries are run inline too, one after the other, as a worker would after its
    # countdowns.
    celery_app.conf.task_eager_propagates = False
    yield RelayDown
    celery_app.conf.task_eager_propagates = True


def targets_met(name="Grappe des Flandres"):
    grappe, (a, b) = funded_grappe()
    grappe.name = name
    grappe.save(update_fields=["name"])
    ars_agent("32", UserFactory(email="ars-hdf@exemple.fr"))
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    # The signature tranche falls due now, told: the tests follow tranche 2.
    ensure_tranches()
    grappe.tranches.filter(numero=1).update(ars_prevenue_le=timezone.now())
    return grappe


def run_m3(capture):
    with capture(execute=True):
        compute_month(M3)
    return CalculMensuel.objects.get(mois=M3)


def test_a_relay_down_leaves_the_run_finished_and_the_tranche_due_retried_and_logged(
    relay, caplog, django_capture_on_commit_callbacks
):
    grappe = targets_met()
    relay.failures = 100
    caplog.set_level(logging.WARNING)
    run = run_m3(django_capture_on_commit_callbacks)
    assert run.statut == StatutCalcul.TERMINE and run.erreur == ""
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.DUE
    assert tranche.ars_prevenue_le is None  # the page says the ARS is not told yet
    # Every attempt the task allows was made (inline here; a worker waits 1, 2, 4… min), each
    # logged.
    assert relay.attempts == notify_task.max_retries + 1
    failures = [r for r in caplog.records if "non envoyé" in r.getMessage()]
    assert len(failures) == notify_task.max_retries + 1
    assert f"(tranche {tranche.pk})" in failures[0].getMessage()
    assert "relais SMTP injoignable" in caplog.text
    assert mail.outbox == []


def test_the_retry_delivers_once_the_relay_is_back(relay, django_capture_on_commit_callbacks):
    grappe = targets_met()
    relay.failures = 2
    run = run_m3(django_capture_on_commit_callbacks)
    assert run.statut == StatutCalcul.TERMINE
    assert relay.attempts == 3
    assert [m.to for m in mail.outbox] == [["ars-hdf@exemple.fr"]]
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.DUE and tranche.ars_prevenue_le is not None


def test_the_notification_is_its_own_task_on_the_mails_queue(django_capture_on_commit_callbacks):
    grappe = targets_met()
    with django_capture_on_commit_callbacks() as callbacks:
        compute_month(M3)
    # The computation's transaction only schedules it: nothing sent before the commit.
    assert mail.outbox == []
    assert tranche2(grappe).statut == StatutTranche.DUE
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert notify_task.autoretry_for and notify_task.retry_backoff


def test_delivered_twice_the_task_mails_once(django_capture_on_commit_callbacks):
    grappe = targets_met()
    run_m3(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert notify_task.apply(args=[tranche2(grappe).pk]).get() == 0
    assert notify_tranche_due(tranche2(grappe).pk) == 0
    assert len(mail.outbox) == 1


def test_a_name_typed_on_two_lines_no_longer_stops_the_mail(django_capture_on_commit_callbacks):
    """A name stored before single-line fields were enforced: the subject is put on one line
    instead of Django refusing the message (BadHeaderError) and the ARS never hearing of it."""
    grappe = targets_met(name="Grappe du Nord\r\nBcc: victime@exemple.fr")
    run = run_m3(django_capture_on_commit_callbacks)
    assert run.statut == StatutCalcul.TERMINE
    (message,) = mail.outbox
    assert message.subject == "[Grappe] Tranche 2 due — Grappe du Nord Bcc: victime@exemple.fr"
    assert message.to == ["ars-hdf@exemple.fr"] and message.bcc == []
    assert tranche2(grappe).ars_prevenue_le is not None


def test_a_tranche_left_untold_is_told_by_a_computation_a_day_later(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The broker out of reach when the tranche fell due: the task never left, the change is
    kept and the failure logged; a computation run a day later tells the ARS, once."""
    grappe = targets_met()

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("courtier Redis injoignable")

    with monkeypatch.context() as patched:
        patched.setattr(notify_task, "delay", broker_down)
        run = run_m3(django_capture_on_commit_callbacks)
    assert run.statut == StatutCalcul.TERMINE
    assert "courtier Redis injoignable" in caplog.text
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.DUE and tranche.ars_prevenue_le is None
    # Within the day, the task's own retries may still be running: not told twice.
    with django_capture_on_commit_callbacks(execute=True):
        compute_month(M3, grappe)
    assert mail.outbox == []
    later = timezone.now() + RETELL_AFTER
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        compute_month(M3, grappe)
        compute_month(M3)
    assert [m.subject for m in mail.outbox] == ["[Grappe] Tranche 2 due — Grappe des Flandres"]
    assert tranche2(grappe).ars_prevenue_le is not None
