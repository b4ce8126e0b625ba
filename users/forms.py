from django.contrib.auth.forms import PasswordResetForm

from users.models import User


class InvitationPasswordResetForm(PasswordResetForm):
    """People added to a grappe get an account without a password and choose it through
    "Mot de passe oublié"; Django's form skips accounts with an unusable password, this one
    doesn't (inactive accounts are still excluded)."""

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email.strip(), is_active=True).iterator()
