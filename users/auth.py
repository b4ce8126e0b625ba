"""Hooks for django-axes (login rate limiting): who is trying, and from where."""

from django.conf import settings


def axes_username(request, credentials):
    """The e-mail typed in the login form, lower-cased as the login compares it, so that
    "Cheffe@…" and "cheffe@…" count as failures for the same account."""
    credentials = credentials or {}
    username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None and request is not None:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return (username or "").strip().lower() or None


def client_ip(request):
    """The client's address. Behind REVERSE_PROXY_COUNT proxies, each appends the address it
    saw to X-Forwarded-For, so the trustworthy entry is the one the outermost proxy wrote;
    anything to its left was sent by the client and could be forged."""
    count = settings.REVERSE_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
