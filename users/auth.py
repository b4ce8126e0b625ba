"""Authentication around the login and the API: the hooks of django-axes (login rate limiting:
who is trying, from where, and the per-address limit across accounts) and the API token
authentication of DRF."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from users.models import ApiToken


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


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a limit per address across accounts.

    Axes counts failures per (e-mail, address) pair (AXES_LOCKOUT_PARAMETERS) and compares every
    count to one AXES_FAILURE_LIMIT. Password spraying tries a few passwords on many accounts and
    never reaches it; a limit per address alone as low as 5 would lock a whole office behind one
    NAT address for one person's typos. So an address is also locked once its failures over any
    accounts, within the cool-off, reach LOGIN_IP_FAILURE_LIMIT: the pair then counts as at its
    limit, and axes answers with its lockout page."""

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.address_failures(request) >= settings.LOGIN_IP_FAILURE_LIMIT:
            # Read by the lockout page: the address is locked, not only this account.
            request.axes_address_locked = True
            return limit
        return failures

    def address_failures(self, request):
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's authtoken, against our hashed `ApiToken`s: the
    header and its error answers are DRF's, only the lookup changes."""

    def authenticate_credentials(self, key):
        # DRF's own messages, so its French translations answer as before.
        token = ApiToken.objects.for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.touch()
        return token.user, token
