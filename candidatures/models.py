"""A call for projects opened by an ARS (the campaign on an AAP): its opening and closing to the
minute, its envelope, the pieces the dossiers carry and the priority criteria the instructors
score, with their weights. The dossiers, their instruction and the conventions build on it."""

import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from candidatures.enums import StatutCandidature
from candidatures.reference import CRITERES_SOURCE, DEFAULT_CRITERES, DEFAULT_PIECES
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

    def add_defaults(self):
        """The proposed criteria (seed 002) and pieces, with their source, for a new call."""
        CriterePriorite.objects.bulk_create(
            CriterePriorite(
                campagne=self, libelle=libelle, description=description, poids=poids, ordre=n
            )
            for n, (libelle, description, poids) in enumerate(DEFAULT_CRITERES)
        )
        PieceRequise.objects.bulk_create(
            PieceRequise(campagne=self, libelle=libelle, obligatoire=required, ordre=n)
            for n, (libelle, required) in enumerate(DEFAULT_PIECES)
        )
        if not self.criteres_source:
            self.criteres_source = CRITERES_SOURCE
            self.save(update_fields=["criteres_source"])


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


# The narrative sections of a dossier (seed 002: « un dossier commun mettant en avant la qualité
# et le sens de la mutualisation »): field name, title, what is expected.
SECTIONS = [
    (
        "projet_commun",
        "Projet commun",
        "L'objectif commun des organismes gestionnaires et le sens de la mutualisation.",
    ),
    (
        "gouvernance",
        "Gouvernance",
        "Les instances (COPIL, comité de suivi, comité technique), leurs membres et leurs "
        "règles de décision.",
    ),
    (
        "cooperations",
        "Coopérations antérieures",
        "Ce que les partenaires ont déjà fait ensemble, et sur quel territoire.",
    ),
    ("calendrier", "Calendrier", "Les grandes étapes du projet jusqu'à la mise en service du DUI."),
]


class Candidature(models.Model):
    """A grappe's dossier in answer to a call: built from the grappe's data, with its narrative
    sections. One per grappe and call."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="candidatures")
    grappe = models.ForeignKey(
        "grappe.Grappe", on_delete=models.CASCADE, related_name="candidatures"
    )
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutCandidature.choices,
        default=StatutCandidature.BROUILLON,
    )
    projet_commun = models.TextField("projet commun", blank=True)
    gouvernance = models.TextField("gouvernance", blank=True)
    cooperations = models.TextField("coopérations antérieures", blank=True)
    calendrier = models.TextField("calendrier", blank=True)
    # Frozen at filing (the barème's simulation on that day): what the ARS ranks and funds.
    montant_demande = models.DecimalField(
        "montant demandé (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The national admin alone lifts the non-redundancy block, with a reason (audited).
    derogation_motif = models.TextField("motif de la dérogation (non-redondance)", blank=True)
    derogation_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="dérogation accordée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    derogation_le = models.DateTimeField("dérogation accordée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    # The porteur writes the dossier while it is a draft, or when the ARS asks for what is
    # missing; once filed it is the ARS's to read, frozen in its Depot.
    EDITABLE = (StatutCandidature.BROUILLON, StatutCandidature.INCOMPLETE)

    class Meta:
        verbose_name = "candidature"
        verbose_name_plural = "candidatures"
        ordering = ["campagne", "grappe__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campagne", "grappe"],
                name="candidature_unique_par_appel",
                violation_error_message="La grappe a déjà un dossier pour cet appel.",
            )
        ]

    def __str__(self):
        return f"Candidature de {self.grappe} — {self.campagne}"

    def get_absolute_url(self):
        return reverse("candidatures:candidature", args=[self.grappe_id])

    def sections(self):
        """(field, title, help, text) of the narrative sections."""
        return [(name, title, aide, getattr(self, name)) for name, title, aide in SECTIONS]

    def sections_manquantes(self):
        return [title for name, title, _ in SECTIONS if not getattr(self, name).strip()]

    @property
    def editable(self):
        return self.statut in self.EDITABLE

    def dernier_depot(self):
        return self.depots.order_by("-numero").first()

    def pieces_courantes(self):
        """{PieceRequise id: its latest PieceJointe}: replacing a file adds a row, so that the
        filed versions keep pointing at what the ARS received."""
        current = {}
        for jointe in self.pieces_jointes.select_related("uploaded_by").order_by("uploaded_at"):
            current[jointe.piece_id] = jointe
        return current


def piece_upload_path(instance, filename):
    candidature = instance.candidature
    return (
        f"candidatures/grappe-{candidature.grappe_id}/candidature-{candidature.pk}/"
        f"piece-{instance.piece_id}-{uuid.uuid4().hex[:12]}{Path(filename).suffix.lower()}"
    )


def sha256_of(field_file):
    digest = hashlib.sha256()
    field_file.seek(0)
    for chunk in iter(lambda: field_file.read(64 * 1024), b""):
        digest.update(chunk)
    field_file.seek(0)
    return digest.hexdigest()


class PieceJointe(models.Model):
    """A file the porteur attached for one of the call's required pieces, checked like a
    deliverable (core.uploads: size, type by content)."""

    candidature = models.ForeignKey(
        Candidature, on_delete=models.CASCADE, related_name="pieces_jointes"
    )
    piece = models.ForeignKey(PieceRequise, on_delete=models.PROTECT, related_name="+")
    file = models.FileField("fichier", upload_to=piece_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposée le", default=timezone.now)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["candidature", "piece__ordre", "-uploaded_at"]

    def __str__(self):
        return f"{self.piece} — {self.original_name}"


def accuse_upload_path(instance, filename):
    candidature = instance.candidature
    return (
        f"candidatures/grappe-{candidature.grappe_id}/candidature-{candidature.pk}/"
        f"accuse-reception-v{instance.numero}.pdf"
    )


class Depot(models.Model):
    """One filing of a dossier, frozen: what the grappe sent and the ARS reads (composition,
    eligibility, the funding request computed by the barème, sections, pieces with their
    fingerprints), the SHA-256 of that content and the accusé de réception sent back. A dossier
    filed again after a request for missing pieces gets the next number; earlier ones stay."""

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="depots")
    numero = models.PositiveSmallIntegerField("version")
    deposee_le = models.DateTimeField("déposé le")
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    contenu = models.JSONField("contenu déposé")
    empreinte = models.CharField("empreinte SHA-256 du contenu", max_length=64)
    accuse = models.FileField("accusé de réception", upload_to=accuse_upload_path, blank=True)

    class Meta:
        verbose_name = "dépôt de candidature"
        verbose_name_plural = "dépôts de candidature"
        ordering = ["candidature", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["candidature", "numero"], name="depot_version_unique")
        ]

    def __str__(self):
        return f"{self.candidature} — dépôt n° {self.numero}"
