"""E-mails to people: one plain-text template per message, links built from SITE_URL."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from core.single_line import flatten


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def send_templated_mail(recipients, subject, template_name, context=None, attachments=()):
    """Send one message per recipient (each sees only their own address). `recipients` are users;
    inactive ones and those without an e-mail address are skipped. Returns the number sent.
    The subject is put on one line (core.single_line.flatten): it is built from names people
    typed, and a line break in a header would make Django refuse the message (BadHeaderError)."""
    subject = flatten(subject)
    sent = 0
    for user in recipients:
        if not user.is_active or not user.email:
            continue
        body = render_to_string(template_name, {**(context or {}), "recipient": user})
        message = EmailMessage(subject=subject, body=body, to=[user.email])
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        sent += message.send()
    return sent


def send_after_commit(recipients, subject, template_name, context=None, attachments=()):
    """send_templated_mail once the transaction commits. Robust: what was decided stays decided
    and the page answers normally when the mail relay refuses (the failure is logged), rather
    than a server error on a change already saved. The e-mail is not retried."""
    transaction.on_commit(
        lambda: send_templated_mail(recipients, subject, template_name, context, attachments),
        robust=True,
    )
