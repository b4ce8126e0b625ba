"""Session hardening that Django does not provide by itself."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

LAST_ACTIVITY_KEY = "derniere_activite"
# The time of the last request is written at most once a minute, not on every request.
WRITE_EVERY_SECONDS = 60


def start_activity_clock(sender, request, user, **kwargs):
    """At login (user_logged_in), so that the first page after it needs no session write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """Logs a person out after SESSION_IDLE_TIMEOUT seconds without any request, on top of
    SESSION_COOKIE_AGE (the longest a session may last), so that a forgotten open session on a
    shared computer in an establishment does not stay usable for the whole day."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    "Votre session a expiré après une période d'inactivité : "
                    "reconnectez-vous pour continuer.",
                )
            # A clock set back (never in production; time-travelling tests) writes nothing.
            elif last is None or now - last >= WRITE_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
