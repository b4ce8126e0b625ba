"""A call for projects opened by an ARS (the campaign on an AAP): its opening and closing to the
minute, its envelope, the pieces the dossiers carry and the priority criteria the instructors
score, with their weights. The dossiers, their instruction and the conventions build on it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from grappe.models import Aap, ArsAgent


class CampagneQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The campaigns the user may set up: the national admin's all, an ARS agent's those
        of an AAP of their region (a national AAP is the admin's)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            Exists(ArsAgent.objects.filter(user=user, region=OuterRef("aap__region")))
        )

    def open_at(self, moment):
        return self.filter(ouverture__lte=moment, cloture__gt=moment)


class Campagne(models.Model):
    """A call is published: every signed-in user reads it; its ARS sets it up."""

    aap = models.OneToOneField(
        Aap, verbose_name="appel à projets", on_delete=models.PROTECT, related_name="campagne"
    )
    ouverture = models.DateTimeField("ouverture des candidatures")
    # The dossiers are accepted until this minute (Europe/Paris), not after.
    cloture = models.DateTimeField("clôture des candidatures")
    enveloppe = models.DecimalField(
        "enveloppe (€)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Montant total disponible pour les dossiers retenus.",
    )
    criteres_source = models.TextField("source des critères de priorité", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CampagneQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne d'appel à projets"
        verbose_name_plural = "campagnes d'appel à projets"
        ordering = ["-cloture", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cloture__gt=models.F("ouverture")),
                name="campagne_cloture_apres_ouverture",
                violation_error_message="La clôture doit suivre l'ouverture.",
            )
        ]

    def __str__(self):
        return str(self.aap)

    def get_absolute_url(self):
        return reverse("candidatures:campagne", args=[self.pk])

    def is_open(self, moment=None):
        """Dossiers are accepted from the opening minute until the closing minute, excluded."""
        moment = moment or timezone.now()
        return self.ouverture <= moment < self.cloture

    def statut(self, moment=None):
        moment = moment or timezone.now()
        if moment < self.ouverture:
            return "à venir"
        return "ouverte" if moment < self.cloture else "close"

    def poids_total(self):
        return sum(critere.poids for critere in self.criteres.all())


class CriterePriorite(models.Model):
    """A priority criterion the instructors score, with its weight (the weights total 100)."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="criteres")
    libelle = models.CharField("critère", max_length=200)
    description = models.TextField("ce qui est attendu", blank=True)
    poids = models.PositiveSmallIntegerField("poids (%)")
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de priorité"
        verbose_name_plural = "critères de priorité"
        ordering = ["campagne", "ordre", "pk"]

    def __str__(self):
        return self.libelle


class PieceRequise(models.Model):
    """A piece every dossier of the campaign carries, besides what Grappe builds from its data."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="pieces")
    libelle = models.CharField("pièce", max_length=200)
    obligatoire = models.BooleanField("obligatoire", default=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "pièce requise"
        verbose_name_plural = "pièces requises"
        ordering = ["campagne", "ordre", "pk"]

    def __str__(self):
        return self.libelle
