"""Daily reminders: owners of steps starting, ending soon or late; COPIL voters with pending
validations. Sent once per event and person; the beat task, the command, a real worker."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from approbations.models import Avis
from core.mail import absolute_url
from grappe.enums import RoleComite, RoleKind
from projets import reminders_comptes_rendus as minutes
from projets.enums import DecisionAvis, StatutVersion
from projets.models import Etape, LivrableVersion, Rappel
from projets.reminders import DEBUT, FIN, RETARD, VALIDATION, send_reminders
from projets.tasks import send_daily_reminders
from tests.grappe.factories import RoleFactory, UserFactory, copil_member
from tests.projets.factories import LivrableVersionFactory, copil_voters, plan_for

pytestmark = pytest.mark.django_db

NOTHING = {DEBUT: 0, FIN: 0, RETARD: 0, VALIDATION: 0, "total": 0, "echecs": 0}


def counts(**sent):
    return {**NOTHING, **sent, "total": sum(sent.values())}


@pytest.fixture
def plan(cast):
    """Plan starting Monday 5 January 2026; step 1 ends 1 February, step 2 runs 2 → 22 February,
    step 3 runs 23 February → 8 March."""
    return plan_for(cast.grappe, user=cast.owner)


def step(plan, ordre):
    return plan.etapes.get(ordre=ordre)


def etape_link(cast, etape):
    return absolute_url(reverse("projets:etape", args=[cast.grappe.pk, etape.pk]))


def by_recipient(mailoutbox):
    return {message.to[0]: message for message in mailoutbox}


def submitted_version(livrable, submitted_at, user=None):
    return LivrableVersionFactory(
        livrable=livrable,
        status=StatutVersion.SOUMISE,
        uploaded_by=user,
        submitted_at=submitted_at,
    )


# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------


def test_start_soon_is_sent_once_to_the_owner_role(cast, plan, mailoutbox):
    today = datetime.date(2026, 1, 1)  # step 1 starts in 4 days
    assert send_reminders(today) == counts(**{DEBUT: 1})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [cast.owner.email]
    assert message.subject == "Rappel : 1 étape du plan projet commence bientôt"
    assert etape_link(cast, step(plan, 1)) in message.body
    assert "Début prévu le 05/01/2026 (dans 4 jours)" in message.body
    assert "Vous êtes responsable d'une étape du plan projet qui commence bientôt :" in message.body
    assert "Grappe des Flandres — étape 1. Définir les objectifs" in message.body
    # Second run the same day, and the next days: nothing new.
    assert send_reminders(today) == NOTHING
    assert send_reminders(today + datetime.timedelta(days=2)) == NOTHING
    assert len(mailoutbox) == 1
    assert Rappel.objects.filter(kind=DEBUT, user=cast.owner).count() == 1


def test_a_rescheduled_start_is_a_new_event(cast, plan, mailoutbox):
    send_reminders(datetime.date(2026, 1, 1))
    Etape.objects.filter(pk=step(plan, 1).pk).update(planned_start=datetime.date(2026, 1, 7))
    assert send_reminders(datetime.date(2026, 1, 2))[DEBUT] == 1
    assert len(mailoutbox) == 2


def test_end_soon(cast, plan, mailoutbox):
    Etape.objects.filter(pk=step(plan, 1).pk).update(actual_start=datetime.date(2026, 1, 5))
    result = send_reminders(datetime.date(2026, 1, 27))  # step 1 ends on 1 February
    assert result == counts(**{FIN: 1, DEBUT: 1})  # and step 2 starts on 2 February
    fin = next(m for m in mailoutbox if "se termine" in m.subject)
    assert "Fin prévue le 01/02/2026 (dans 5 jours)" in fin.body
    assert etape_link(cast, step(plan, 1)) in fin.body


def test_one_email_per_person_and_kind_listing_the_steps(cast, plan, mailoutbox):
    # Steps 1 and 2 both start within the next 7 days.
    Etape.objects.filter(pk=step(plan, 2).pk).update(planned_start=datetime.date(2026, 1, 6))
    assert send_reminders(datetime.date(2026, 1, 1))[DEBUT] == 1
    body = mailoutbox[0].body
    assert etape_link(cast, step(plan, 1)) in body
    assert etape_link(cast, step(plan, 2)) in body
    # The subject and the text count the steps, without « (s) ».
    assert mailoutbox[0].subject == "Rappel : 2 étapes du plan projet commencent bientôt"
    assert "Vous êtes responsable d'étapes du plan projet qui commencent bientôt :" in body


def test_recipients_are_the_people_holding_the_owner_role(cast, plan, mailoutbox):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory(is_active=False))
    RoleFactory(kind=RoleKind.AMOA)  # AMOA of another grappe
    Etape.objects.filter(pk=step(plan, 1).pk).update(owner_role=RoleKind.AMOA)
    send_reminders(datetime.date(2026, 1, 1))
    assert [message.to for message in mailoutbox] == [[amoa.email]]


def test_skipped_or_started_steps_are_not_reminded(cast, plan, mailoutbox):
    Etape.objects.filter(pk=step(plan, 1).pk).update(skipped=True, skip_reason="Fait.")
    assert send_reminders(datetime.date(2026, 1, 1)) == NOTHING
    Etape.objects.filter(pk=step(plan, 1).pk).update(
        skipped=False, actual_start=datetime.date(2025, 12, 20)
    )
    assert send_reminders(datetime.date(2026, 1, 1)) == NOTHING
    assert mailoutbox == []


def test_late_steps_are_reminded_once_a_week(cast, plan, mailoutbox):
    for ordre in (1, 2, 3):  # started on time, so only the passed ends count
        Etape.objects.filter(pk=step(plan, ordre).pk).update(
            actual_start=step(plan, ordre).planned_start
        )
    sunday = datetime.date(2026, 3, 1)  # steps 1 and 2 should have ended
    result = send_reminders(sunday)
    assert result[RETARD] == 1
    late = next(m for m in mailoutbox if "en retard" in m.subject)
    assert "fin prévue le 01/02/2026, pas encore terminée" in late.body
    assert "fin prévue le 22/02/2026, pas encore terminée" in late.body
    assert etape_link(cast, step(plan, 2)) in late.body
    assert send_reminders(sunday)[RETARD] == 0
    # Monday 2 March starts a new ISO week: still late, reminded again; not twice that week.
    assert send_reminders(datetime.date(2026, 3, 2))[RETARD] == 1
    assert send_reminders(datetime.date(2026, 3, 6))[RETARD] == 0
    assert send_reminders(datetime.date(2026, 3, 9))[RETARD] == 1
    # Once ended, no more reminders.
    Etape.objects.filter(plan=plan, ordre__lte=3).update(actual_end=datetime.date(2026, 3, 9))
    Etape.objects.filter(pk=step(plan, 4).pk).update(actual_start=datetime.date(2026, 3, 9))
    assert send_reminders(datetime.date(2026, 3, 16))[RETARD] == 0


def test_late_start_is_reminded(cast, plan, mailoutbox):
    send_reminders(datetime.date(2026, 1, 7))  # step 1 should have started on 5 January
    late = next(m for m in mailoutbox if "en retard" in m.subject)
    assert "début prévu le 05/01/2026, pas encore commencée" in late.body


def test_delays_come_from_the_settings(cast, plan, mailoutbox, settings):
    settings.PROJETS_RAPPEL_JOURS_AVANT = 2
    assert send_reminders(datetime.date(2026, 1, 1))[DEBUT] == 0  # starts in 4 days
    assert send_reminders(datetime.date(2026, 1, 3))[DEBUT] == 1


# ---------------------------------------------------------------------------------------------
# COPIL validations
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pending(cast, plan):
    """The note de cadrage, submitted on 20 February 2026 at 18:00 and not decided yet."""
    livrable = plan.livrables.get(reference__code="note_cadrage")
    submitted_at = timezone.make_aware(datetime.datetime(2026, 2, 20, 18, 0))
    return submitted_version(livrable, submitted_at, cast.owner)


def validation_messages(mailoutbox):
    return by_recipient([m for m in mailoutbox if "votre avis" in m.subject])


def test_voters_are_reminded_after_three_days(cast, plan, pending, mailoutbox):
    voters = copil_voters(cast.grappe, 2)
    guest = copil_member(cast.grappe, role=RoleComite.INVITE)
    assert send_reminders(datetime.date(2026, 2, 22))[VALIDATION] == 0  # 2 days
    assert send_reminders(datetime.date(2026, 2, 23))[VALIDATION] == 3
    messages = validation_messages(mailoutbox)
    assert set(messages) == {cast.copil.email, *(voter.email for voter in voters)}
    assert guest.email not in messages
    body = messages[cast.copil.email].body
    assert absolute_url(pending.livrable.get_absolute_url()) in body
    assert absolute_url(reverse("projets:inbox")) in body
    assert "Soumise le 20/02/2026, en attente depuis 3 jours" in body
    assert send_reminders(datetime.date(2026, 2, 23))[VALIDATION] == 0
    assert send_reminders(datetime.date(2026, 2, 24))[VALIDATION] == 0


def test_voters_who_answered_are_not_reminded(cast, plan, pending, mailoutbox):
    Avis.objects.create(document=pending, user=cast.copil, decision=DecisionAvis.APPROUVE)
    Avis.objects.create(
        document=pending, user=copil_voters(cast.grappe, 1)[0], decision=DecisionAvis.COMMENTAIRE
    )
    assert send_reminders(datetime.date(2026, 2, 25))[VALIDATION] == 1


def test_the_voter_who_deposited_the_version_is_not_reminded(cast, plan, mailoutbox):
    """Nobody approves their own document: its author is not asked, nor reminded."""
    livrable = plan.livrables.get(reference__code="note_cadrage")
    submitted_at = timezone.make_aware(datetime.datetime(2026, 2, 20, 18, 0))
    submitted_version(livrable, submitted_at, cast.copil)
    voter = copil_voters(cast.grappe, 1)[0]
    assert send_reminders(datetime.date(2026, 2, 23))[VALIDATION] == 1
    message = validation_messages(mailoutbox)[voter.email]
    assert message.subject == "Rappel : 1 document en attente de votre avis"


def test_validation_delay_comes_from_the_settings(cast, plan, pending, mailoutbox, settings):
    settings.PROJETS_RAPPEL_VALIDATION_JOURS = 1
    assert send_reminders(datetime.date(2026, 2, 21))[VALIDATION] == 1


def test_validated_versions_are_not_reminded(cast, plan, pending, mailoutbox):
    LivrableVersion.objects.filter(pk=pending.pk).update(status=StatutVersion.VALIDEE)
    assert send_reminders(datetime.date(2026, 2, 25))[VALIDATION] == 0


# ---------------------------------------------------------------------------------------------
# Robustness, entry points
# ---------------------------------------------------------------------------------------------


def test_a_failing_email_is_retried_next_run(cast, plan, mailoutbox, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("SMTP indisponible")

    monkeypatch.setattr("projets.models.send_templated_mail", refuse)
    result = send_reminders(datetime.date(2026, 1, 1))
    assert (result["total"], result["echecs"]) == (0, 1)
    assert not Rappel.objects.exists()
    monkeypatch.undo()
    assert send_reminders(datetime.date(2026, 1, 1))[DEBUT] == 1


def test_today_defaults_to_the_local_date(cast, plan, mailoutbox):
    with time_machine.travel("2025-12-31 23:30 +0000", tick=False):  # 1 January in Paris
        assert send_reminders()[DEBUT] == 1
    assert Rappel.objects.get().sent_on == datetime.date(2026, 1, 1)


def test_management_command(cast, plan, mailoutbox):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-01-01", stdout=out)
    assert "Étapes qui commencent bientôt : 1 e-mail" in out.getvalue()
    assert "Total : 1 e-mail envoyé" in out.getvalue()
    assert "Candidatures en attente de l'engagement des OG : 0 e-mail" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-01-01", stdout=out)
    assert "Total : 0 e-mail envoyé" in out.getvalue()
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_reminders", "--date", "01/01/2026")


def test_task_returns_the_counts_of_plan_and_minutes_reminders(cast, plan, mailoutbox):
    with time_machine.travel("2026-01-01 07:00 +0100", tick=False):
        assert send_daily_reminders.delay().get(timeout=5) == {
            **counts(**{DEBUT: 1}),
            minutes.ECHEANCE: 0,
            minutes.RETARD: 0,
            minutes.VALIDATION: 0,
            # Registered by the calls (candidatures.engagements) through projets.extensions.
            "engagement": 0,
        }


def test_beat_schedule_exists_after_migrations():
    task = PeriodicTask.objects.get(name="Rappels quotidiens du plan projet")
    assert task.task == "projets.tasks.send_daily_reminders"
    assert task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "7", "*")
    assert (crontab.day_of_month, crontab.month_of_year) == ("*", "*")
    assert str(crontab.timezone) == "Europe/Paris"
    assert task.interval is None


@pytest.mark.services
def test_task_through_a_real_worker(celery_worker_process):
    result = send_daily_reminders.apply_async(queue=celery_worker_process.queue)
    # The calls' reminders (registered by candidatures) run in the worker too.
    assert set(result.get(timeout=60)) == {*NOTHING, *minutes.KINDS, "engagement"}
