from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


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
