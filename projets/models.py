"""The project plan of a grappe: the reference 18-step plan and each grappe's own plan, its
milestones (some go/no-go), deliverables with versions and collegial validation, baselines, risks."""

import datetime
import logging
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from approbations.models import Avis
from core.mail import send_templated_mail
from core.text import for_person, plural
from core.working_days import DELAI_COMPTES_RENDUS, add_working_days, subdivision_for
from grappe.enums import RoleKind
from grappe.models import Comite, ComiteMember, Grappe
from projets import perms
from projets.enums import (
    PRESENCE_FEMININE,
    CategorieRisque,
    DecisionJalon,
    ModeDecision,
    Presence,
    StatutAction,
    StatutCompteRendu,
    StatutEtape,
    StatutRisque,
    StatutVersion,
    TypeReunion,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Reference plan (edited by the national admin; grappes copy it, never change it)
# ---------------------------------------------------------------------------------------------


class PhaseReference(models.Model):
    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    titre = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "phase du plan type"
        verbose_name_plural = "phases du plan type"
        ordering = ["numero"]

    def __str__(self):
        return f"Phase {self.numero} — {self.titre}"


class EtapeReference(models.Model):
    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    phase = models.ForeignKey(PhaseReference, on_delete=models.PROTECT, related_name="etapes")
    titre = models.CharField("titre", max_length=200)
    objectifs = models.TextField("objectifs")
    contenu = models.TextField("contenu des travaux")
    acteurs = models.TextField("acteurs mobilisés")
    outils_methodes = models.TextField("outils et méthodes")
    documents_produits = models.TextField("documents produits")
    facteurs_cles_succes = models.TextField("recommandations / facteurs clés de succès")
    duree_semaines = models.PositiveSmallIntegerField("durée indicative (semaines)", default=4)
    owner_role = models.CharField(
        "responsable", max_length=30, choices=RoleKind.choices, default=RoleKind.CHEF_PROJET
    )

    RUBRIQUES = [
        "objectifs",
        "contenu",
        "acteurs",
        "outils_methodes",
        "documents_produits",
        "facteurs_cles_succes",
    ]

    class Meta:
        verbose_name = "étape du plan type"
        verbose_name_plural = "étapes du plan type"
        ordering = ["numero"]

    def __str__(self):
        return f"Étape {self.numero} — {self.titre}"

    def rubriques(self):
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.RUBRIQUES
        ]


class LivrableReference(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    titre = models.CharField("titre", max_length=200)
    etape = models.ForeignKey(
        EtapeReference,
        verbose_name="étape",
        on_delete=models.CASCADE,
        related_name="livrables",
        null=True,
        blank=True,
        help_text="Vide pour un livrable de la mission AMOA.",
    )
    validation_copil = models.BooleanField("validé par le COPIL", default=True)
    amoa = models.BooleanField("livrable de l'AMOA", default=False)
    recurrent = models.BooleanField("récurrent", default=False)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "livrable type"
        verbose_name_plural = "livrables types"
        ordering = ["etape__numero", "ordre", "pk"]

    def __str__(self):
        return self.titre


class JalonReference(models.Model):
    etape = models.OneToOneField(EtapeReference, on_delete=models.CASCADE, related_name="jalon")
    titre = models.CharField("titre", max_length=200)
    go_no_go = models.BooleanField("décision go / no go", default=False)

    class Meta:
        verbose_name = "jalon type"
        verbose_name_plural = "jalons types"
        ordering = ["etape__numero"]

    def __str__(self):
        return self.titre


# ---------------------------------------------------------------------------------------------
# A grappe's plan
# ---------------------------------------------------------------------------------------------


class Plan(models.Model):
    grappe = models.OneToOneField(Grappe, on_delete=models.CASCADE, related_name="plan")
    start_on = models.DateField("début du projet")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "plan projet"
        verbose_name_plural = "plans projet"

    def __str__(self):
        return f"Plan projet — {self.grappe}"

    def get_absolute_url(self):
        return reverse("projets:plan", args=[self.grappe_id])

    def open_phases(self):
        """Phases whose work may start: phase 1, then each phase whose previous phases' go/no-go
        milestones all say "go". A no-go (or no decision yet) holds the next phase."""
        gates = {}
        for jalon in self.jalons.filter(go_no_go=True).select_related("etape"):
            phase = jalon.etape.phase if jalon.etape_id else None
            if phase is not None:
                gates.setdefault(phase, []).append(jalon.decision == DecisionJalon.GO)
        open_phases = {1}
        for phase in (2, 3, 4):
            if all(all(gates.get(previous, [True])) for previous in range(1, phase)):
                open_phases.add(phase)
        return open_phases


class EtapeQuerySet(models.QuerySet):
    def late(self, today=None):
        """Steps that should have started or ended by `today` and have not (never typed)."""
        today = today or timezone.localdate()
        return self.filter(skipped=False).filter(
            Q(actual_end__isnull=True, planned_end__lt=today)
            | Q(actual_start__isnull=True, planned_start__lt=today)
        )

    def with_missing_deliverables(self):
        """Each step with `livrables_attendus`: its deliverables of which no version has been
        deposited yet (Etape.missing_deliverables), in the same query."""
        missing = (
            Livrable.objects.filter(etape=models.OuterRef("pk"), versions__isnull=True)
            .order_by()
            .values("etape")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            livrables_attendus=Coalesce(models.Subquery(missing), 0),
        )


class Etape(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="etapes")
    reference = models.ForeignKey(
        EtapeReference,
        verbose_name="étape du plan type",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instances",
    )
    phase = models.PositiveSmallIntegerField(
        "phase", validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    ordre = models.PositiveSmallIntegerField("ordre")
    titre = models.CharField("titre", max_length=200)
    planned_start = models.DateField("début prévu", null=True, blank=True)
    planned_end = models.DateField("fin prévue", null=True, blank=True)
    actual_start = models.DateField("début réel", null=True, blank=True)
    actual_end = models.DateField("fin réelle", null=True, blank=True)
    skipped = models.BooleanField("sans objet", default=False)
    skip_reason = models.TextField("motif (sans objet)", blank=True)
    owner_role = models.CharField(
        "responsable", max_length=30, choices=RoleKind.choices, default=RoleKind.CHEF_PROJET
    )
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=[MaxValueValidator(100)]
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name="dépend de (fin → début)",
        symmetrical=False,
        related_name="successors",
        blank=True,
    )

    objects = EtapeQuerySet.as_manager()

    class Meta:
        verbose_name = "étape"
        verbose_name_plural = "étapes"
        ordering = ["plan", "ordre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="etape_planned_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="etape_actual_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="etape_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.numero}. {self.titre}"

    @property
    def numero(self):
        return self.ordre

    def status(self, today=None):
        """Computed, never typed: sans objet, terminée, en retard, en cours or à venir."""
        today = today or timezone.localdate()
        if self.skipped:
            return StatutEtape.SANS_OBJET
        if self.actual_end:
            return StatutEtape.TERMINEE
        if (self.planned_end and self.planned_end < today) or (
            not self.actual_start and self.planned_start and self.planned_start < today
        ):
            return StatutEtape.EN_RETARD
        if self.actual_start:
            return StatutEtape.EN_COURS
        return StatutEtape.A_VENIR

    def missing_deliverables(self):
        """How many of the step's deliverables have no version deposited yet (« attendus »):
        read from EtapeQuerySet.with_missing_deliverables, else counted."""
        if not hasattr(self, "livrables_attendus"):
            self.livrables_attendus = self.livrables.filter(versions__isnull=True).count()
        return self.livrables_attendus

    def status_note(self, today=None):
        """What the status alone would hide: a step declared finished while some of its
        deliverables were never deposited says so (« 2 livrables attendus »), on the plan, the
        planning, the Gantt and the report alike."""
        if self.status(today) != StatutEtape.TERMINEE:
            return ""
        missing = self.missing_deliverables()
        return plural(missing, "livrable attendu", "livrables attendus") if missing else ""

    def status_label(self, today=None):
        """« Terminée », or « Terminée — 2 livrables attendus » (status_note)."""
        label = self.status(today).label
        note = self.status_note(today)
        return f"{label} — {note}" if note else label

    def current_end(self, today=None):
        """When the step ends, as far as the plan knows: its actual end; else its planned end,
        except that an unfinished step whose planned end is past cannot end before today."""
        if self.actual_end or self.skipped or self.planned_end is None:
            return self.actual_end or self.planned_end
        return max(self.planned_end, today or timezone.localdate())

    def slippage_days(self, baseline_end, today=None):
        """Days between the baseline's planned end and the current end (current_end): a late
        step keeps slipping every day it stays unfinished."""
        current = self.current_end(today)
        if not (current and baseline_end):
            return None
        return (current - baseline_end).days


class JalonQuerySet(models.QuerySet):
    def ahead(self):
        """Milestones not reached yet: a go / no go the COPIL has not decided, or another
        milestone whose step has not ended (such a milestone marks the end of its step).
        The next one is the first by planned date (the home, accueil.sections.porteur)."""
        return self.filter(decision="").filter(
            Q(go_no_go=True)
            | Q(etape__isnull=True)
            | Q(etape__actual_end__isnull=True, etape__skipped=False)
        )


class Jalon(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="jalons")
    etape = models.ForeignKey(
        Etape,
        verbose_name="étape",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jalons",
    )
    titre = models.CharField("titre", max_length=200)
    go_no_go = models.BooleanField("décision go / no go", default=False)
    planned_on = models.DateField("date prévue", null=True, blank=True)
    decision = models.CharField(
        "décision", max_length=10, choices=DecisionJalon.choices, blank=True
    )
    decided_on = models.DateField("décidé le", null=True, blank=True)
    reasons = models.TextField("motifs", blank=True)
    mode = models.CharField(
        "mode de décision", max_length=10, choices=ModeDecision.choices, blank=True
    )
    votes_pour = models.PositiveSmallIntegerField("voix pour", null=True, blank=True)
    votes_contre = models.PositiveSmallIntegerField("voix contre", null=True, blank=True)
    votes_abstention = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("enregistré le", null=True, blank=True)

    objects = JalonQuerySet.as_manager()

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "jalons"
        ordering = ["plan", "planned_on", "pk"]

    def __str__(self):
        return self.titre

    @property
    def is_go(self):
        return self.decision == DecisionJalon.GO

    @property
    def is_no_go(self):
        return self.decision == DecisionJalon.NO_GO

    @property
    def is_by_vote(self):
        """Decided by a vote, whose counts the decision shows."""
        return self.mode == ModeDecision.VOTE

    def decision_summary(self):
        """The COPIL's decision in one line, as the grappe's history writes it."""
        parts = [self.get_decision_display()]
        if self.decided_on:
            parts.append(f"le {self.decided_on:%d/%m/%Y}")
        if self.mode:
            parts.append(f"par {self.get_mode_display().lower()}")
        if self.votes_pour is not None:
            parts.append(
                f"({self.votes_pour} pour, {self.votes_contre} contre, "
                f"{plural(self.votes_abstention or 0, 'abstention')})"
            )
        if self.reasons:
            parts.append(f"— motifs : {self.reasons}")
        return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Deliverables and their collegial validation
# ---------------------------------------------------------------------------------------------


class LivrableQuerySet(models.QuerySet):
    def to_produce(self):
        """Deliverables not delivered yet: never deposited, or — when the COPIL validates them —
        whose latest version is not validated (deposited, submitted or rejected). The status is
        the latest version's, as on the deliverables' list (annotated `latest_status`)."""
        latest = LivrableVersion.objects.filter(livrable=models.OuterRef("pk")).order_by("-numero")
        return self.annotate(latest_status=models.Subquery(latest.values("status")[:1])).filter(
            Q(latest_status__isnull=True)
            | Q(validation_copil=True) & ~Q(latest_status=StatutVersion.VALIDEE)
        )


class Livrable(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="livrables")
    etape = models.ForeignKey(
        Etape,
        verbose_name="étape",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="livrables",
    )
    reference = models.ForeignKey(
        LivrableReference, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    titre = models.CharField("titre", max_length=200)
    amoa = models.BooleanField("livrable de l'AMOA", default=False)
    validation_copil = models.BooleanField("soumis à la validation du COPIL", default=True)

    objects = LivrableQuerySet.as_manager()

    class Meta:
        verbose_name = "livrable"
        verbose_name_plural = "livrables"
        ordering = ["plan", "etape__ordre", "pk"]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("projets:livrable", args=[self.plan.grappe_id, self.pk])

    def latest_version(self):
        return self.versions.order_by("-numero").first()


def livrable_upload_path(instance, filename):
    livrable = instance.livrable
    return (
        f"livrables/grappe-{livrable.plan.grappe_id}/livrable-{livrable.pk}/"
        f"v{instance.numero}{Path(filename).suffix.lower()}"
    )


def copil_voter_grappes(user):
    """Ids of the grappes where `user` has a vote on the COPIL (as a subquery)."""
    return ComiteMember.objects.copil_voters().filter(user=user).values("comite__grappe")


class AuthoredDocument:
    """A document the COPIL validates (a deliverable's version, meeting minutes): the people
    named in AUTHOR_FIELDS wrote or submitted it, and nobody approves their own document
    (projets.validation.Regle.for_document)."""

    AUTHOR_FIELDS = ()

    @property
    def author_ids(self):
        return frozenset(getattr(self, f"{name}_id") for name in self.AUTHOR_FIELDS) - {None}


class AuthoredQuerySet(models.QuerySet):
    def not_authored_by(self, user):
        """Leave out the documents `user` wrote or submitted: they do not decide on them."""
        queryset = self
        for name in self.model.AUTHOR_FIELDS:
            queryset = queryset.exclude(**{name: user})
        return queryset


class VersionQuerySet(AuthoredQuerySet):
    def awaiting(self, user):
        """Submitted versions on which `user`, a voting COPIL member of the grappe, has not yet
        approved or rejected, and which they did not deposit nor submit: their "À valider"
        inbox."""
        decided = (
            Avis.objects.for_model(self.model)
            .decisive()
            .filter(object_id=models.OuterRef("pk"), user=user)
        )
        return (
            self.filter(
                status=StatutVersion.SOUMISE,
                livrable__validation_copil=True,
                livrable__plan__grappe__in=copil_voter_grappes(user),
            )
            .exclude(models.Exists(decided))
            .not_authored_by(user)
        )


class LivrableVersion(AuthoredDocument, models.Model):
    livrable = models.ForeignKey(Livrable, on_delete=models.CASCADE, related_name="versions")
    numero = models.PositiveSmallIntegerField("version")
    file = models.FileField("fichier", upload_to=livrable_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    comment = models.TextField("commentaire de dépôt", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=StatutVersion.choices, default=StatutVersion.DEPOSEE
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposée le", default=timezone.now)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="soumise par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    # The COPIL's answers (approbations.Avis): deleted with the version.
    avis = GenericRelation(Avis)

    objects = VersionQuerySet.as_manager()

    AUTHOR_FIELDS = ("uploaded_by", "submitted_by")

    class Meta:
        verbose_name = "version de livrable"
        verbose_name_plural = "versions de livrable"
        ordering = ["livrable", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["livrable", "numero"], name="livrable_version_unique")
        ]

    def __str__(self):
        return f"{self.livrable} — v{self.numero}"

    def save(self, *args, **kwargs):
        # A deliverable the COPIL does not validate is complete once deposited: a version of it
        # submitted, validated or rejected would wait for, or claim, a decision nobody takes
        # (projets.validation.submit_version refuses it; this guards every other path).
        if self.status != StatutVersion.DEPOSEE and not self.livrable.validation_copil:
            raise ValueError(
                f"« {self.livrable} » n'est pas validé par le COPIL : ses versions restent "
                "« déposées »."
            )
        super().save(*args, **kwargs)

    @property
    def locked(self):
        """A validated version is frozen: neither its file nor its decision may change."""
        return self.status == StatutVersion.VALIDEE

    @property
    def is_submitted(self):
        """Submitted to the COPIL, awaiting its decision."""
        return self.status == StatutVersion.SOUMISE

    @property
    def is_rejected(self):
        return self.status == StatutVersion.REJETEE


# ---------------------------------------------------------------------------------------------
# Baselines and risks
# ---------------------------------------------------------------------------------------------


class Baseline(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField("nom", max_length=200)
    created_at = models.DateTimeField("enregistrée le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "référence du planning"
        verbose_name_plural = "références du planning"
        ordering = ["plan", "-created_at"]

    def __str__(self):
        return self.name


class BaselineEtape(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="etapes")
    etape = models.ForeignKey(Etape, on_delete=models.CASCADE, related_name="+")
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["baseline", "etape"], name="baseline_etape_unique")
        ]

    def __str__(self):
        return f"{self.baseline} — {self.etape_id}"


class RisqueQuerySet(models.QuerySet):
    def most_critical(self):
        """The risks not closed, most critical first (probability × impact, then probability,
        then title): the order of the progress report's top risks and of the home's."""
        return (
            self.exclude(statut=StatutRisque.CLOS)
            .annotate(criticite_tri=models.F("probabilite") * models.F("impact"))
            .order_by("-criticite_tri", "-probabilite", "titre", "pk")
        )


class Risque(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risques")
    titre = models.CharField("risque", max_length=200)
    description = models.TextField("description", blank=True)
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieRisque.choices)
    probabilite = models.PositiveSmallIntegerField(
        "probabilité (1–4)", validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    impact = models.PositiveSmallIntegerField(
        "impact (1–4)", validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mitigation = models.TextField("mesures de maîtrise", blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutRisque.choices, default=StatutRisque.OUVERT
    )
    review_on = models.DateField("prochaine revue", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = RisqueQuerySet.as_manager()

    class Meta:
        verbose_name = "risque"
        verbose_name_plural = "risques"
        ordering = ["plan", "-probabilite", "-impact", "titre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probabilite__gte=1, probabilite__lte=4, impact__gte=1, impact__lte=4),
                name="risque_scale_1_4",
            )
        ]

    def __str__(self):
        return self.titre

    @property
    def criticite(self):
        return self.probabilite * self.impact


class RisqueHistorique(models.Model):
    """One line per change of a risk's probability, impact or status (its criticality history)."""

    risque = models.ForeignKey(Risque, on_delete=models.CASCADE, related_name="historique")
    probabilite = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    statut = models.CharField(max_length=20, choices=StatutRisque.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["risque", "recorded_at", "pk"]

    def __str__(self):
        return f"{self.risque} : {self.criticite} ({self.recorded_at:%d/%m/%Y})"

    @property
    def criticite(self):
        return self.probabilite * self.impact


class RappelQuerySet(models.QuerySet):
    def send_new(self, pending, kinds, today, subjects, templates, context):
        """Send the reminders of `pending` not sent yet, one e-mail per person and kind.

        pending: {(kind, user_id): (user, items)}, each item a dict with its event "key" (and
        optional "aliases": other keys that count as the same event). subjects[kind]: the
        subject, or a function of the items the e-mail lists. context(kind, user, items)
        gives the e-mail's context (with "today"). Returns the e-mails sent per kind, "total" and "echecs".
        """
        keys = {
            key
            for _, items in pending.values()
            for item in items
            for key in [item["key"], *item.get("aliases", ())]
        }
        already = set(
            self.filter(kind__in=kinds, key__in=keys).values_list("kind", "key", "user_id")
        )
        counts = dict.fromkeys(kinds, 0)
        failures = 0
        for (kind, user_id), (user, items) in sorted(pending.items(), key=lambda row: row[0]):
            new = [
                item
                for item in items
                if not any(
                    (kind, key, user_id) in already
                    for key in [item["key"], *item.get("aliases", ())]
                )
            ]
            if not new:
                continue
            subject = subjects[kind]
            sent = self._send_one(
                kind,
                user,
                new,
                today,
                subject(new) if callable(subject) else subject,
                templates[kind],
                {"today": today, **context(kind, user, new)},
            )
            if sent is None:
                failures += 1
            else:
                counts[kind] += sent
        counts["total"] = sum(counts[kind] for kind in kinds)
        counts["echecs"] = failures
        return counts

    def _send_one(self, kind, user, items, today, subject, template, context):
        """Record the reminders, then send the e-mail, in one transaction: if another run
        recorded one of them first (unique constraint), or the e-mail fails, nothing is kept
        and nothing is sent twice. Returns 1 or 0 e-mail sent; None when sending failed (the
        reminder is tried again on the next run)."""
        try:
            with transaction.atomic():
                self.bulk_create(
                    Rappel(kind=kind, key=item["key"], user=user, sent_on=today) for item in items
                )
                return send_templated_mail([user], subject, template, context)
        except IntegrityError:
            return 0
        except Exception:
            # One refused address must not stop the others' reminders.
            logger.exception("Rappel %s non envoyé à l'utilisateur %s", kind, user.pk)
            return None


class Rappel(models.Model):
    """A reminder e-mail already sent: (kind, event key, person) is sent at most once."""

    kind = models.CharField("type", max_length=40)
    key = models.CharField("événement", max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField("envoyé le", default=datetime.date.today)

    objects = RappelQuerySet.as_manager()

    class Meta:
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="rappel_once")]

    def __str__(self):
        return f"{self.kind} {self.key} → {self.user_id}"


# ---------------------------------------------------------------------------------------------
# Governance meetings and their minutes (comptes rendus)
# ---------------------------------------------------------------------------------------------


class VisibleMeetingsQuerySet(models.QuerySet):
    """The one confidentiality rule for lists of meetings and of what was born in one: leave
    out the meetings hidden from the user (projets.perms.hidden_reunion_kinds — the comité de
    sélection's, for the grappe's AMOA consultant, a possible candidate to its AMOA call)."""

    reunion_path = ""  # from the listed model to its meeting ("reunion__" for an action)

    def visible_to(self, user, grappe=None):
        """What `user` may see of the list. `grappe`: the grappe the list is about (its
        hidden kinds are then known from the request's cached roles); without it, every grappe
        is looked at in the same SQL query (perms.hidden_reunions). Who sees the grappe itself
        is not checked here."""
        path = self.reunion_path
        if grappe is None:
            hidden = perms.hidden_reunions(user, path)
            return self.exclude(hidden) if hidden is not None else self
        kinds = perms.hidden_reunion_kinds(user, grappe)
        if not kinds:
            return self
        return self.exclude(**{f"{path}grappe": grappe.pk, f"{path}kind__in": kinds})


# Meetings older than this owe no minutes any more: neither chased by the reminders nor listed
# on the home (nor, on the reminders' first run, old ones).
MINUTES_HORIZON_JOURS = 120


class ReunionQuerySet(VisibleMeetingsQuerySet):
    def owing_minutes_candidates(self, today):
        """The meetings that may still owe their minutes on `today`: held by the end of
        `today`, within MINUTES_HORIZON_JOURS, with their versions of the minutes (newest first)
        prefetched for Reunion.minutes_owed."""

        def start_of(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return self.filter(
            starts_at__lt=start_of(today + datetime.timedelta(days=1)),
            starts_at__gte=start_of(today - datetime.timedelta(days=MINUTES_HORIZON_JOURS)),
        ).prefetch_related(
            models.Prefetch(
                "comptes_rendus",
                queryset=CompteRendu.objects.select_related("redige_par").order_by("-numero"),
            )
        )


class Reunion(models.Model):
    """A meeting of a comité (or a thematic workshop) of the grappe."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="reunions")
    kind = models.CharField("instance", max_length=20, choices=TypeReunion.choices)
    comite = models.ForeignKey(
        Comite,
        verbose_name="comité",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reunions",
    )
    titre = models.CharField("titre", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    lieu = models.CharField("lieu", max_length=200, blank=True)
    lien_visio = models.URLField("lien de visioconférence", blank=True)
    uid = models.UUIDField(
        "identifiant calendrier", default=uuid.uuid4, unique=True, editable=False
    )
    sequence = models.PositiveIntegerField("révision (iCalendar)", default=0)
    invitation_sent_at = models.DateTimeField("invitations envoyées le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = ReunionQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion"
        verbose_name_plural = "réunions"
        ordering = ["grappe", "-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="reunion_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.titre} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("projets:reunion", args=[self.grappe_id, self.pk])

    def minutes_deadline(self):
        """8 working days after the meeting (seed 000 §1.4), with the holidays of the porteur's
        département (Alsace-Moselle, overseas)."""
        porteur = self.grappe.porteur
        subdiv = (
            subdivision_for(porteur.departement) if porteur and porteur.departement_id else None
        )
        return add_working_days(timezone.localdate(self.starts_at), DELAI_COMPTES_RENDUS, subdiv)

    def minutes_owed(self):
        """(owed, version): whether the meeting's minutes are still to transmit to the COPIL,
        and the version being written (None when nobody started them). Owed while no version
        exists, or while the first version is being written and was never transmitted; a
        version transmitted once (even if sent back since) or a corrective version owes nothing:
        the 8-working-day deadline concerns the first transmission. Reads the versions newest
        first (prefetched by ReunionQuerySet.owing_minutes_candidates)."""
        versions = list(self.comptes_rendus.all())
        cr = versions[0] if versions else None
        if cr is not None and (
            cr.numero > 1
            or cr.first_submitted_at
            or cr.statut not in (StatutCompteRendu.BROUILLON, StatutCompteRendu.MODIFICATIONS)
        ):
            return False, cr
        return True, cr


class Participant(models.Model):
    """An invitee: a person of the grappe (user) or a guest known by name and e-mail."""

    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField("nom (invité extérieur)", max_length=200, blank=True)
    email = models.EmailField("e-mail (invité extérieur)", blank=True)
    presence = models.CharField("présence", max_length=10, choices=Presence.choices, blank=True)

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["reunion", "user__last_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reunion", "user"],
                condition=Q(user__isnull=False),
                name="participant_unique_user",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (~Q(name="") & ~Q(email="")),
                name="participant_user_or_guest",
            ),
        ]

    def __str__(self):
        return str(self.user) if self.user_id else self.name

    @property
    def address(self):
        return self.user.email if self.user_id else self.email

    def presence_label(self, presence=None):
        """`presence` (the recorded one by default) as said of this person: « Présente » for a
        woman of the grappe (User.civilite), « Présent » for a man or an outside guest."""
        presence = self.presence if presence is None else presence
        if not presence:
            return "Non renseignée"
        person = self.user if self.user_id else None
        return for_person(person, Presence(presence).label, PRESENCE_FEMININE[presence])


class PointOrdreDuJour(models.Model):
    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="points")
    ordre = models.PositiveSmallIntegerField("ordre")
    titre = models.CharField("point", max_length=200)
    presenter = models.CharField("présenté par", max_length=200, blank=True)
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    etape = models.ForeignKey(
        Etape, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    livrable = models.ForeignKey(
        Livrable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    discussion = models.TextField("échanges (compte rendu)", blank=True)

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "ordre du jour"
        ordering = ["reunion", "ordre", "pk"]

    def __str__(self):
        return f"{self.ordre}. {self.titre}"


def reunion_document_path(instance, filename):
    return f"reunions/grappe-{instance.reunion.grappe_id}/reunion-{instance.reunion_id}/{filename}"


class ReunionDocument(models.Model):
    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField("fichier", upload_to=reunion_document_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "document de séance"
        verbose_name_plural = "documents de séance"
        ordering = ["reunion", "uploaded_at"]

    def __str__(self):
        return self.original_name


class Decision(models.Model):
    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="decisions")
    point = models.ForeignKey(
        PointOrdreDuJour, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    texte = models.TextField("décision")
    jalon = models.ForeignKey(
        Jalon,
        verbose_name="jalon (go / no go)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions_reunion",
    )
    jalon_decision = models.CharField(
        "décision sur le jalon", max_length=10, choices=DecisionJalon.choices, blank=True
    )

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["reunion", "pk"]

    def __str__(self):
        return self.texte[:80]


class ActionQuerySet(VisibleMeetingsQuerySet):
    reunion_path = "reunion__"

    def open(self):
        return self.filter(statut__in=[StatutAction.A_FAIRE, StatutAction.EN_COURS])


class Action(models.Model):
    """A follow-up action decided in a meeting; open actions carry over to the next meetings."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="actions")
    reunion = models.ForeignKey(
        Reunion, verbose_name="décidée en réunion", on_delete=models.CASCADE, related_name="actions"
    )
    titre = models.CharField("action", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.SET_NULL,
        null=True,
        related_name="actions_projet",
    )
    due_on = models.DateField("échéance", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutAction.choices, default=StatutAction.A_FAIRE
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["grappe", "due_on", "pk"]

    def __str__(self):
        return self.titre


# The round a version of the minutes is being validated in (CompteRendu.tour), in SQL.
CURRENT_TOUR = Coalesce(Cast(KT("content__tour"), models.PositiveSmallIntegerField()), 1)


class CompteRenduQuerySet(AuthoredQuerySet, VisibleMeetingsQuerySet):
    reunion_path = "reunion__"

    def awaiting(self, user):
        """Submitted minutes on which `user`, a voting COPIL member of the grappe, has not yet
        answered and which they did not write nor submit: the minutes part of their "À valider"
        inbox (and of its reminders). Never the minutes of a meeting hidden from them: they
        could not open them."""
        answered = (
            Avis.objects.for_model(self.model)
            .decisive()
            .filter(
                object_id=models.OuterRef("pk"), tour=models.OuterRef("current_tour"), user=user
            )
        )
        return (
            self.filter(
                statut=StatutCompteRendu.SOUMIS, reunion__grappe__in=copil_voter_grappes(user)
            )
            .annotate(current_tour=CURRENT_TOUR)
            .exclude(models.Exists(answered))
            .not_authored_by(user)
            .visible_to(user)
        )


class CompteRendu(AuthoredDocument, models.Model):
    """One version of a meeting's minutes. Drafted from the meeting (attendance, agenda points
    with their discussion, decisions, actions); frozen into `content` when submitted, so a
    validated version never changes: corrections make a new version."""

    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="comptes_rendus")
    numero = models.PositiveSmallIntegerField("version", default=1)
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutCompteRendu.choices,
        default=StatutCompteRendu.BROUILLON,
    )
    synthese = models.TextField("synthèse", blank=True)
    content = models.JSONField("contenu figé à la soumission", default=dict, blank=True)
    redige_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rédigé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="soumis par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The 8-working-day deadline is about the first transmission to the COPIL: a version sent
    # back for changes and submitted again keeps its first date.
    first_submitted_at = models.DateTimeField(
        "transmis au COPIL pour la première fois le", null=True, blank=True
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    diffused_at = models.DateTimeField("diffusé le", null=True, blank=True)
    # When the diffusion e-mails left (projets.tasks): a redelivered task finds them sent.
    diffusion_mailed_at = models.DateTimeField(
        "e-mails de diffusion envoyés le", null=True, blank=True
    )
    # The COPIL's answers, every round (approbations.Avis): deleted with the version.
    avis = GenericRelation(Avis)

    objects = CompteRenduQuerySet.as_manager()

    AUTHOR_FIELDS = ("redige_par", "submitted_by")
    # The statuses in which the writer still edits the version.
    EDITABLE = (StatutCompteRendu.BROUILLON, StatutCompteRendu.MODIFICATIONS)

    class Meta:
        verbose_name = "compte rendu"
        verbose_name_plural = "comptes rendus"
        ordering = ["reunion", "-numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["reunion", "numero"], name="compte_rendu_version_unique"
            )
        ]

    def __str__(self):
        return f"Compte rendu — {self.reunion} (v{self.numero})"

    def get_absolute_url(self):
        return reverse(
            "projets:compte_rendu", args=[self.reunion.grappe_id, self.reunion_id, self.pk]
        )

    @property
    def locked(self):
        return self.statut in (StatutCompteRendu.VALIDE, StatutCompteRendu.DIFFUSE)

    @property
    def is_editable(self):
        """Still the writer's: a draft, or sent back by the COPIL for changes."""
        return self.statut in self.EDITABLE

    @property
    def changes_requested(self):
        return self.statut == StatutCompteRendu.MODIFICATIONS

    @property
    def is_submitted(self):
        """Awaiting the COPIL's avis."""
        return self.statut == StatutCompteRendu.SOUMIS

    @property
    def tour(self):
        """The round of validation: each submission after a request for changes starts a new
        one, where every voter answers again (CURRENT_TOUR in SQL)."""
        return (self.content or {}).get("tour") or 1

    def is_late(self, today=None):
        """Late when first transmitted after the deadline, or still not transmitted once it has
        passed. Only the first version has a deadline."""
        if self.numero > 1:
            return False
        deadline = self.reunion.minutes_deadline()
        if self.first_submitted_at:
            return timezone.localdate(self.first_submitted_at) > deadline
        return (today or timezone.localdate()) > deadline


def new_calendar_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret per-person URL for calendar apps (they can't log in): the person's meetings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField("jeton", max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "agenda personnel"
        verbose_name_plural = "agendas personnels"

    def __str__(self):
        return f"Agenda de {self.user}"
