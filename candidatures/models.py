"""A call for projects opened by an ARS (the campaign on an AAP): its opening and closing to the
minute, its envelope, the pieces the dossiers carry and the priority criteria the instructors
score, with their weights. The dossiers, their instruction and the conventions build on it."""

import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from candidatures.enums import StatutCampagne, StatutCandidature
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
            return StatutCampagne.A_VENIR
        return StatutCampagne.OUVERTE if moment < self.cloture else StatutCampagne.CLOSE

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
    # The FINESS numbers the derogation covers: an ESMS funded elsewhere and added since is not.
    derogation_esms = models.JSONField("ESMS couverts par la dérogation", default=list, blank=True)
    # The coopérateur OGs' engagement (candidatures.engagements, on approbations' engine): the
    # round of approval, and the SHA-256 of the content this round approves — a dossier that
    # changes after an approval starts a new round, and every OG approves again.
    tour = models.PositiveSmallIntegerField("tour d'engagement des OG", default=1)
    engagement_empreinte = models.CharField(
        "empreinte du contenu approuvé par les OG", max_length=64, blank=True
    )
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

    @property
    def is_retained(self):
        """Retained by the selection committee: its financing convention follows."""
        return self.statut == StatutCandidature.RETENUE

    @property
    def is_incomplete(self):
        """Pieces were requested from the grappe."""
        return self.statut == StatutCandidature.INCOMPLETE

    # An OG's direction commits its OG, whoever wrote the dossier: no author is left out of the
    # engagement (approbations.engine.Regle.for_document).
    author_ids = frozenset()

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
    # The ESMS the dossier holds, queryable: an ESMS belongs to one dossier per call, whatever
    # the grappes' compositions became since (services.in_other_dossiers).
    esms = models.ManyToManyField("grappe.Esms", verbose_name="ESMS", related_name="depots")
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


class Convention(models.Model):
    """The financing convention of a retained dossier: the amount the ARS grants (below the
    request only with the reason), then its signature, which makes that amount the grappe's
    `convention_amount` and its signature tranche due (indicateurs.services.ensure_tranches).
    Amount and reason are frozen once signed."""

    candidature = models.OneToOneField(
        Candidature, on_delete=models.PROTECT, related_name="convention"
    )
    montant_accorde = models.DecimalField(
        "montant accordé (€)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    motif_ecart = models.TextField(
        "motif de l'écart avec la demande",
        blank=True,
        help_text="Obligatoire quand le montant accordé est inférieur au montant demandé.",
    )
    signee_le = models.DateField("signée le", null=True, blank=True)
    signature_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signature enregistrée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("préparée le", auto_now_add=True)

    class Meta:
        verbose_name = "convention de financement"
        verbose_name_plural = "conventions de financement"

    def __str__(self):
        return f"Convention de financement — {self.candidature.grappe}"

    @property
    def signee(self):
        return self.signee_le is not None


# =============================================================================================
# Instruction (ARS)
# The instructors the campaign's managers designate, their blind grids, their conflict-of-interest
# declarations, the managers' consensus notes, the requests for missing pieces and the selection
# committee's decisions. The rules that span several of them live in candidatures/instruction.py.

NOTE_MAX = 10  # every priority criterion is scored from 0 to 10


class Instructeur(models.Model):
    """A person designated by the campaign's managers to score its dossiers: an ARS agent of the
    AAP's region, or a national administrator (the only possible instructors of a national call,
    which no regional ARS carries)."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="instructeurs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="instructeur",
        on_delete=models.CASCADE,
        related_name="instructions_ars",
    )
    designe_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    designe_le = models.DateTimeField("désigné le", default=timezone.now)

    class Meta:
        verbose_name = "instructeur"
        verbose_name_plural = "instructeurs"
        ordering = ["campagne", "user__last_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "user"], name="instructeur_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.campagne}"


class GrilleInstruction(models.Model):
    """One instructor's scores on one dossier. Blind: until it is submitted, its author sees
    nobody else's notes on that dossier; once submitted it is locked and counts."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="grilles")
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    commentaire = models.TextField("appréciation générale", blank=True)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)

    class Meta:
        verbose_name = "grille d'instruction"
        verbose_name_plural = "grilles d'instruction"
        ordering = ["candidature", "instructeur__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "instructeur"], name="grille_instruction_unique"
            )
        ]

    def __str__(self):
        return f"Grille de {self.instructeur} — {self.candidature}"

    @property
    def soumise(self):
        return self.soumise_le is not None


class NoteInstruction(models.Model):
    grille = models.ForeignKey(GrilleInstruction, on_delete=models.CASCADE, related_name="notes")
    critere = models.ForeignKey(CriterePriorite, on_delete=models.CASCADE, related_name="+")
    valeur = models.DecimalField(
        "note (0 à 10)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(NOTE_MAX))],
    )
    commentaire = models.TextField("justification", blank=True)

    class Meta:
        verbose_name = "note d'instruction"
        verbose_name_plural = "notes d'instruction"
        ordering = ["grille", "critere__ordre", "critere_id"]
        constraints = [
            models.UniqueConstraint(fields=["grille", "critere"], name="note_instruction_unique")
        ]

    def __str__(self):
        return f"{self.critere} : {self.valeur}"


class ConflitInstruction(models.Model):
    """An instructor's declared conflict of interest with a dossier: they do not score it, their
    notes on it are left out, they set no consensus and take no decision on it."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="conflits")
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    motif = models.TextField("nature du lien")
    declare_le = models.DateTimeField("déclaré le", default=timezone.now)

    class Meta:
        verbose_name = "déclaration de conflit d'intérêts (instruction)"
        verbose_name_plural = "déclarations de conflit d'intérêts (instruction)"
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "instructeur"], name="conflit_instruction_unique"
            )
        ]

    def __str__(self):
        return f"{self.instructeur} ↔ {self.candidature}"


class ConsensusInstruction(models.Model):
    """The managers' agreed note on a criterion of a dossier, replacing the instructors' mean."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="consensus")
    critere = models.ForeignKey(CriterePriorite, on_delete=models.CASCADE, related_name="+")
    valeur = models.DecimalField(
        "note de consensus",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(NOTE_MAX))],
    )
    # Mandatory when the note differs from the instructors' mean (instruction.set_consensus).
    motif = models.TextField("motif", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "note de consensus (instruction)"
        verbose_name_plural = "notes de consensus (instruction)"
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "critere"], name="consensus_instruction_unique"
            )
        ]

    def __str__(self):
        return f"{self.candidature} — {self.critere} : {self.valeur}"


class DemandePiecesQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(repondue_le__isnull=True)


class DemandePieces(models.Model):
    """A request for missing pieces: the dossier is incomplete until the porteur files it again
    (candidatures.instruction.close_requests records the answer and its version)."""

    candidature = models.ForeignKey(
        Candidature, on_delete=models.CASCADE, related_name="demandes_pieces"
    )
    message = models.TextField("pièces ou informations demandées")
    echeance = models.DateField("réponse attendue au plus tard le")
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    repondue_le = models.DateTimeField("réponse reçue le", null=True, blank=True)
    depot = models.ForeignKey(
        Depot,
        verbose_name="version déposée en réponse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DemandePiecesQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de pièces"
        verbose_name_plural = "demandes de pièces"
        ordering = ["candidature", "-demandee_le", "-pk"]

    def __str__(self):
        return f"Demande de pièces — {self.candidature}"

    def en_retard(self, today=None):
        """Unanswered after the reply date (the whole day of the deadline counts)."""
        today = today or timezone.localdate()
        return self.repondue_le is None and today > self.echeance


DECISIONS = (
    StatutCandidature.RETENUE,
    StatutCandidature.LISTE_ATTENTE,
    StatutCandidature.NON_RETENUE,
)


class DecisionSelection(models.Model):
    """A selection committee decision on a dossier. A later decision (e.g. a dossier on the
    waiting list retained after a withdrawal) adds a row: the latest is the dossier's statut,
    the earlier ones stay as its trace."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(
        "décision",
        max_length=20,
        choices=[
            (value, label) for value, label in StatutCandidature.choices if value in DECISIONS
        ],
    )
    motif = models.TextField("motif")
    date = models.DateField("date de la décision", default=timezone.localdate)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # What the ranking said when the decision was taken (the letter quotes it).
    score = models.DecimalField("score / 100", max_digits=5, decimal_places=2, null=True)
    rang = models.PositiveSmallIntegerField("rang", null=True)
    enveloppe_depassee = models.BooleanField("enveloppe dépassée", default=False)
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "décision de sélection"
        verbose_name_plural = "décisions de sélection"
        ordering = ["candidature", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.candidature} : {self.get_decision_display()}"

    @property
    def is_retained(self):
        return self.decision == StatutCandidature.RETENUE

    @property
    def is_waitlisted(self):
        return self.decision == StatutCandidature.LISTE_ATTENTE
