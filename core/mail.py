"""E-mails to people: one plain-text template per message, links built from SITE_URL."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def send_templated_mail(recipients, subject, template_name, context=None, attachments=()):
    """Send one message per recipient (each sees only their own address). `recipients` are users;
    inactive ones and those without an e-mail address are skipped. Returns the number sent."""
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
