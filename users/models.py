import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from users.signals import api_token_changed


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class Civilite(models.TextChoices):
    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"


class User(AbstractBaseUser, PermissionsMixin):
    """A person using Grappe; they log in with their e-mail address.

    What a person may see and do on a grappe comes from their roles (grappe.models.Role) and, for
    ARS staff, their attachment to a region. `is_staff` marks the national administrators, who see
    everything.
    """

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    # Only to write « Présente », « Cheffe de projet » where the person is known; empty reads as
    # the masculine, the default of French administrative writing.
    civilite = models.CharField("civilité", max_length=10, choices=Civilite.choices, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "administrateur national",
        default=False,
        help_text="Voit toutes les grappes et accède à l'administration.",
    )
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("date d'inscription", default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def feminine(self):
        return self.civilite == Civilite.MADAME

    def get_short_name(self):
        return self.first_name or self.email


# 30 random bytes: a 40-character key. The prefix shown in the list tells tokens apart without
# being of any use to guess the rest.
API_KEY_BYTES = 30
API_KEY_PREFIX_LENGTH = 8
# A token's last use is written at most once a minute: an API client sending a month of data
# line by line must not write the token row on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_api_key(key):
    """What is stored of an API key: its SHA-256. The key is 240 random bits, so a fast hash is
    enough (no dictionary to try), and a database read leaks no usable key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user, name):
        """A new token for `user`: returns (token, key). The key is shown once, never stored."""
        key = secrets.token_urlsafe(API_KEY_BYTES)
        token = self.create(
            user=user, name=name, prefix=key[:API_KEY_PREFIX_LENGTH], key_hash=hash_api_key(key)
        )
        api_token_changed.send(sender=ApiToken, user=user, action=f"Jeton d'API créé : {name}")
        return token, key

    def for_key(self, key):
        """The token carrying `key` (with its user), or None."""
        return self.select_related("user").filter(key_hash=hash_api_key(key)).first()


class ApiToken(models.Model):
    """A key letting a program (a DUI, a script) use the API as its owner. Several per person,
    each named after what uses it, so that one can be revoked without stopping the others."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="titulaire"
    )
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField("début du jeton", max_length=API_KEY_PREFIX_LENGTH)
    key_hash = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    created = models.DateTimeField("créé le", default=timezone.now)
    last_used = models.DateTimeField("dernière utilisation", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created", "-pk"]
        constraints = [
            # The name tells a person's tokens apart: unique per person, whatever the case.
            models.UniqueConstraint("user", Lower("name"), name="api_token_unique_name_per_user")
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def revoke(self):
        self.delete()
        api_token_changed.send(
            sender=ApiToken, user=self.user, action=f"Jeton d'API révoqué : {self.name}"
        )

    def touch(self, now=None):
        """Note a use, at most once a minute (a single UPDATE, no read)."""
        now = now or timezone.now()
        if self.last_used is None or now - self.last_used >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
