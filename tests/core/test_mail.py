import pytest

from core.mail import absolute_url, send_after_commit, send_templated_mail
from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_message_per_active_recipient(mailoutbox, settings, tmp_path):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    (tmp_path / "essai.txt").write_text(
        "Bonjour {{ recipient.first_name }}, voir {{ lien }}.", encoding="utf-8"
    )
    alice = UserFactory(first_name="Alice")
    bob = UserFactory(first_name="Bob", is_active=False)
    sent = send_templated_mail(
        [alice, bob],
        "Objet é",
        "essai.txt",
        {"lien": absolute_url("/x/")},
        attachments=[("a.ics", "BEGIN:VCALENDAR", "text/calendar")],
    )
    assert sent == 1
    assert mailoutbox[0].to == [alice.email]
    assert mailoutbox[0].body == f"Bonjour Alice, voir {settings.SITE_URL}/x/."
    assert mailoutbox[0].attachments[0][0] == "a.ics"


def test_a_refused_mail_after_commit_is_logged_not_raised(
    settings, tmp_path, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """What the transaction saved stays saved and the page answers: the relay's refusal is
    logged (core.mail.send_after_commit)."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    (tmp_path / "essai.txt").write_text("Bonjour.", encoding="utf-8")

    def refuse(self, *args, **kwargs):
        raise OSError("relais SMTP injoignable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit([UserFactory()], "Objet", "essai.txt")
    assert "relais SMTP injoignable" in caplog.text
