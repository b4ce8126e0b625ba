import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from rest_framework.throttling import SimpleRateThrottle

from users.auth import client_ip
from users.models import ApiToken, User

logger = logging.getLogger("users.password_reset")


class ResetLimit(SimpleRateThrottle):
    """One limit of "Mot de passe oublié": DRF's throttle (its rate format, its history kept in
    the default cache, tolerant of Redis being down), keyed by what it counts."""

    def __init__(self, scope, rate, ident):
        self.scope = scope
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        self.ident = ident

    def get_cache_key(self, request, view):
        return f"password-reset:{self.scope}:{self.ident}"


def reset_allowed(request, email):
    """Whether a reset e-mail may go to `email` for this request: the client's address first
    (it counts every request, whatever the address typed), then the e-mail address (hashed: the
    cache holds no address). The e-mail is counted whether it has an account or not, so the
    limits disclose nothing."""
    ip = client_ip(request)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if ResetLimit("ip", settings.PASSWORD_RESET_RATE_PER_IP, ip).allow_request(request, None):
        if ResetLimit("email", settings.PASSWORD_RESET_RATE_PER_EMAIL, digest).allow_request(
            request, None
        ):
            return True
        logger.warning(
            "Mot de passe oublié : limite atteinte pour l'adresse %s (IP %s).", email, ip
        )
    else:
        logger.warning("Mot de passe oublié : limite atteinte pour l'IP %s.", ip)
    return False


class InvitationPasswordResetForm(PasswordResetForm):
    """People added to a grappe get an account without a password and choose it through
    "Mot de passe oublié"; Django's form skips accounts with an unusable password, this one
    doesn't (inactive accounts are still excluded). Beyond the limits (`reset_allowed`) it sends
    nothing, and the page says the same as always."""

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email.strip(), is_active=True).iterator()

    def save(self, *args, request=None, **kwargs):
        if request is not None and not reset_allowed(request, self.cleaned_data["email"]):
            return
        super().save(*args, request=request, **kwargs)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="Ce qui l'utilisera, par exemple « DUI » ou « Script d'envoi mensuel ».",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self.user.api_tokens.filter(name__iexact=name).exists():
            raise forms.ValidationError("Vous avez déjà un jeton de ce nom.")
        return name
