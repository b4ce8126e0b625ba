"""Minutes reminders: to the writer before the 8-working-day deadline and once late; to the
COPIL voters who have not answered after N working days. Never twice for the same event."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from core.mail import absolute_url
from grappe.enums import RoleComite, RoleKind
from grappe.models import Departement
from projets import comptes_rendus as workflow
from projets.enums import AvisCompteRendu, StatutCompteRendu
from projets.models import Rappel
from projets.reminders import send_daily_reminders
from projets.reminders_comptes_rendus import (
    ECHEANCE,
    RETARD,
    VALIDATION,
    send_minutes_reminders,
)
from tests.grappe.factories import RoleFactory, UserFactory, copil_member
from tests.projets.factories import copil_voters
from tests.projets.helpers_comptes_rendus import at, draft, meeting

pytestmark = pytest.mark.django_db

NOTHING = {ECHEANCE: 0, RETARD: 0, VALIDATION: 0, "total": 0, "echecs": 0}

# The meeting: Tuesday 2 June 2026, 14:00; deadline (8 working days, Nord) Friday 12 June.
MEETING_DAY = datetime.date(2026, 6, 2)
DEADLINE = datetime.date(2026, 6, 12)


def counts(**sent):
    return {**NOTHING, **sent, "total": sum(sent.values())}


def day(month, dom):
    return datetime.date(2026, month, dom)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-06-02 18:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def reunion(cast):
    return meeting(cast.grappe, day=MEETING_DAY)


def run(clock, today, **kwargs):
    """The daily run on `today` at 07:00 (the beat task's hour)."""
    clock.move_to(at(today, 7))
    return send_minutes_reminders(today, **kwargs)


def by_recipient(mailoutbox):
    return {message.to[0]: message for message in mailoutbox}


# ---------------------------------------------------------------------------------------------
# Writer: before the deadline
# ---------------------------------------------------------------------------------------------


def test_before_the_deadline_the_chefs_de_projet_are_reminded_once_when_nothing_is_started(
    cast, reunion, clock, mailoutbox
):
    assert run(clock, day(6, 9)) == NOTHING  # 3 working days left
    assert run(clock, day(6, 10)) == counts(**{ECHEANCE: 1})  # 2 working days left
    (message,) = mailoutbox
    assert message.to == ["cheffe@exemple.fr"]
    assert message.subject == "Rappel : 1 compte rendu à transmettre bientôt"
    assert "À transmettre au plus tard le vendredi 12 juin 2026, dans 2 jours ouvrés" in (
        message.body
    )
    assert "pas encore commencé" in message.body
    create = reverse("projets:compte_rendu_create", args=[cast.grappe.pk, reunion.pk])
    assert absolute_url(create) in message.body
    # Never twice for the same event: later the same day, the next days.
    assert run(clock, day(6, 10)) == NOTHING
    assert run(clock, day(6, 11)) == NOTHING
    assert run(clock, DEADLINE) == NOTHING
    assert len(mailoutbox) == 1
    assert Rappel.objects.get().key == f"reunion:{reunion.pk}:echeance:2026-06-12"


def test_before_the_deadline_the_writer_of_a_draft_is_reminded(cast, reunion, clock, mailoutbox):
    amoa = RoleFactory(
        grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory(email="amoa@exemple.fr")
    ).user
    cr = draft(reunion, amoa)
    assert run(clock, day(6, 11)) == counts(**{ECHEANCE: 1})
    (message,) = mailoutbox
    assert message.to == ["amoa@exemple.fr"]
    assert "dans 1 jour ouvré" in message.body
    assert "version 1, brouillon" in message.body
    edit = reverse("projets:compte_rendu_edit", args=[cast.grappe.pk, reunion.pk, cr.pk])
    assert absolute_url(edit) in message.body
    assert Rappel.objects.get().key == f"compte_rendu:{cr.pk}:echeance:2026-06-12"


def test_the_reminder_delay_is_a_setting(cast, reunion, clock, mailoutbox, settings):
    settings.PROJETS_RAPPEL_CR_JOURS_AVANT = 5
    assert run(clock, day(6, 5)) == counts(**{ECHEANCE: 1})  # 5 working days left
    assert "dans 5 jours ouvrés" in mailoutbox[0].body


def test_alsace_moselle_counts_good_friday(cast, clock, mailoutbox):
    """Meeting on Tuesday 31 March 2026: deadline 13 April in the Nord, 14 April in Moselle
    (Good Friday is a holiday there). On 9 April the Nord has 2 working days left, Moselle 3."""
    reunion = meeting(cast.grappe, day=day(3, 31))
    assert run(clock, day(4, 9)) == counts(**{ECHEANCE: 1})
    cast.grappe.porteur.departement = Departement.objects.get(code="57")
    cast.grappe.porteur.save()
    Rappel.objects.all().delete()
    assert run(clock, day(4, 9)) == NOTHING
    assert run(clock, day(4, 10)) == counts(**{ECHEANCE: 1})
    assert "mardi 14 avril 2026" in mailoutbox[-1].body
    assert reunion.minutes_deadline() == day(4, 14)


# ---------------------------------------------------------------------------------------------
# Writer: late
# ---------------------------------------------------------------------------------------------


def test_late_minutes_are_reminded_once(cast, reunion, clock, mailoutbox):
    cr = draft(reunion, cast.owner)
    assert run(clock, day(6, 15)) == counts(**{RETARD: 1})
    (message,) = mailoutbox
    assert message.to == ["cheffe@exemple.fr"]
    assert message.subject == "Rappel : 1 compte rendu en retard"
    assert "en retard de 1 jour ouvré" in message.body
    assert run(clock, day(6, 15)) == NOTHING
    assert run(clock, day(6, 16)) == NOTHING
    assert run(clock, day(6, 30)) == NOTHING
    assert Rappel.objects.get(kind=RETARD).key == f"compte_rendu:{cr.pk}:retard:2026-06-12"


def test_a_late_reminder_for_the_meeting_counts_for_its_first_version(
    cast, reunion, clock, mailoutbox
):
    assert run(clock, day(6, 15)) == counts(**{RETARD: 1})  # nothing started: the chef
    draft(reunion, cast.owner)  # the chef starts the minutes: same event, not again
    assert run(clock, day(6, 16)) == NOTHING
    assert len(mailoutbox) == 1


def test_a_late_reminder_to_a_new_writer_is_sent_to_them(cast, reunion, clock, mailoutbox):
    assert run(clock, day(6, 15)) == counts(**{RETARD: 1})
    amoa = RoleFactory(
        grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory(email="amoa@exemple.fr")
    ).user
    draft(reunion, amoa)
    assert run(clock, day(6, 16)) == counts(**{RETARD: 1})
    assert mailoutbox[-1].to == ["amoa@exemple.fr"]


def test_no_writer_reminder_once_submitted_validated_or_for_a_correction(
    cast, reunion, clock, mailoutbox
):
    draft(reunion, cast.owner, statut=StatutCompteRendu.SOUMIS, submitted_at=at(day(6, 5)))
    other = meeting(cast.grappe, day=MEETING_DAY, titre="Atelier paramétrage")
    draft(other, cast.owner, statut=StatutCompteRendu.DIFFUSE)
    draft(other, cast.owner, numero=2)  # a correction started long after: no deadline
    third = meeting(cast.grappe, day=MEETING_DAY, titre="Comité de suivi")
    draft(third, cast.owner, statut=StatutCompteRendu.VALIDE)
    for today in (day(6, 10), day(6, 15)):
        result = run(clock, today)
        assert (result[ECHEANCE], result[RETARD]) == (0, 0)
    # (the submitted one waits for the COPIL: its voter is reminded, not the writer)
    assert [message.to for message in mailoutbox] == [["copil@exemple.fr"]]


def test_minutes_transmitted_on_time_then_sent_back_are_not_chased_as_late(
    cast, reunion, clock, mailoutbox
):
    # The 8 working days are for the transmission to the COPIL, done on 5 June.
    draft(reunion, cast.owner, statut=StatutCompteRendu.MODIFICATIONS, submitted_at=at(day(6, 5)))
    assert run(clock, day(6, 15)) == NOTHING


def test_old_meetings_and_unreachable_people_are_not_chased(cast, clock, mailoutbox):
    meeting(cast.grappe, day=datetime.date(2025, 11, 4), titre="COPIL de l'an dernier")
    assert run(clock, day(6, 15)) == NOTHING
    meeting(cast.grappe, day=MEETING_DAY)
    cast.owner.is_active = False
    cast.owner.save()
    assert run(clock, day(6, 15)) == NOTHING
    assert not Rappel.objects.exists()


# ---------------------------------------------------------------------------------------------
# COPIL voters
# ---------------------------------------------------------------------------------------------


def submit_on(clock, cr, user, when):
    clock.move_to(when)
    return workflow.submit(cr, user)


def test_voters_who_have_not_answered_after_3_working_days_are_reminded_once(
    cast, reunion, clock, mailoutbox
):
    voters = [cast.copil, *copil_voters(cast.grappe, 2)]
    copil_member(cast.grappe, UserFactory(email="invite@exemple.fr"), role=RoleComite.INVITE)
    cr = submit_on(clock, draft(reunion, cast.owner), cast.owner, at(day(6, 10), 9))
    clock.move_to(at(day(6, 11), 9))
    workflow.record_avis(cr, voters[0], AvisCompteRendu.APPROUVE)
    mailoutbox.clear()
    assert run(clock, day(6, 12)) == NOTHING  # 2 working days
    assert run(clock, day(6, 15)) == counts(**{VALIDATION: 2})  # 3 working days
    sent = by_recipient(mailoutbox)
    assert sorted(sent) == sorted(voter.email for voter in voters[1:])
    message = sent[voters[1].email]
    assert message.subject == "Rappel : 1 compte rendu en attente de votre avis"
    assert "en attente depuis 3 jours ouvrés" in message.body
    assert absolute_url(cr.get_absolute_url()) in message.body
    assert run(clock, day(6, 15)) == NOTHING
    assert run(clock, day(6, 16)) == NOTHING
    assert Rappel.objects.filter(kind=VALIDATION).count() == 2


def test_a_new_round_is_a_new_event(cast, reunion, clock, mailoutbox):
    voters = [cast.copil, *copil_voters(cast.grappe, 1)]
    cr = submit_on(clock, draft(reunion, cast.owner), cast.owner, at(day(6, 5), 9))
    assert run(clock, day(6, 10))[VALIDATION] == 2
    clock.move_to(at(day(6, 10), 10))
    workflow.record_avis(cr, voters[0], AvisCompteRendu.MODIFICATIONS, "Compléter le budget.")
    submit_on(clock, cr, cast.owner, at(day(6, 11), 9))
    assert run(clock, day(6, 15))[VALIDATION] == 0  # 2 working days since the new submission
    assert run(clock, day(6, 16))[VALIDATION] == 2
    assert run(clock, day(6, 17))[VALIDATION] == 0


def test_the_validation_delay_is_a_setting(cast, reunion, clock, mailoutbox, settings):
    settings.PROJETS_RAPPEL_CR_VALIDATION_JOURS = 1
    submit_on(clock, draft(reunion, cast.owner), cast.owner, at(day(6, 10), 9))
    assert run(clock, day(6, 11))[VALIDATION] == 1


def test_one_email_per_person_lists_every_item(cast, clock, mailoutbox):
    meeting(cast.grappe, day=MEETING_DAY, titre="COPIL n° 2")
    meeting(cast.grappe, day=MEETING_DAY, titre="Comité de suivi n° 1")
    assert run(clock, day(6, 15)) == counts(**{RETARD: 1})
    (message,) = mailoutbox
    assert "COPIL n° 2" in message.body and "Comité de suivi n° 1" in message.body
    assert Rappel.objects.count() == 2


def test_a_failing_email_is_retried_next_run(cast, reunion, clock, mailoutbox, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("serveur SMTP indisponible")

    monkeypatch.setattr("projets.models.send_templated_mail", refuse)
    result = run(clock, day(6, 15))
    assert (result["total"], result["echecs"]) == (0, 1)
    assert not Rappel.objects.exists()
    monkeypatch.undo()
    assert run(clock, day(6, 15)) == counts(**{RETARD: 1})


def test_the_daily_command_sends_the_minutes_reminders_too(cast, reunion, clock, mailoutbox):
    clock.move_to(at(day(6, 10), 7))
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-06-10", stdout=out)
    assert "Comptes rendus à transmettre bientôt : 1 e-mail" in out.getvalue()
    assert [message.to for message in mailoutbox] == [["cheffe@exemple.fr"]]
    assert send_daily_reminders(day(6, 10))["total"] == 0  # already sent
