"""The AMOA call for tenders of a grappe: the consultation and its cahier des charges, the
candidates' offers, their evaluation by the comité de sélection, the ranking and the choice."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from amoa.enums import (
    COUTS_CACHES,
    PIECES_REQUISES,
    PIECES_REQUISES_EDITEUR,
    Couverture,
    Hebergement,
    Mission,
    NatureCout,
    ObjetConsultation,
    Priorite,
    Profession,
    StatutConsultation,
    TypeCritere,
    TypePiece,
)
from core import money, scoring
from core.reference import read
from grappe.enums import TypeProjet
from grappe.models import Grappe

# The seed's seven criteria (seed 000, cahier des charges §1.8): (code, label, kind, weight,
# scale). The model cahier des charges says « poids à définir » for each: the weights below are
# the product's proposal, which the comité de sélection sets; they sum to 100.
DEFAULT_CRITERES = [
    ("cout_global", "Coût global de la prestation", TypeCritere.PRIX_TOTAL, 25, 10),
    ("cout_jour", "Coût jour de la prestation", TypeCritere.PRIX_JOUR, 10, 10),
    ("methodologie", "Méthodologie", TypeCritere.QUALITATIF, 20, 10),
    ("experience", "Expérience et références", TypeCritere.QUALITATIF, 15, 10),
    ("cadre_planning", "Respect du cadre et du planning", TypeCritere.QUALITATIF, 10, 5),
    ("audition", "Audition", TypeCritere.QUALITATIF, 15, 10),
    ("montee_competence", "Appui à la montée en compétence", TypeCritere.QUALITATIF, 5, 5),
]
AUDITION_CODE = "audition"
# The éditeur consultation's criteria. Seed 003 step 11 (« Procéder au choix de la solution »)
# analyses the offers « selon les critères d'évaluation retenus » — couverture des besoins
# fonctionnels, proposition d'architecture technique, réponse aux prestations demandées et
# qualité des prestations, description de la mise en œuvre, coût total reconstitué sur au
# moins trois ans avec les coûts « cachés » — and splits them into « critères indispensables »
# (eliminatory; its examples: the essential functional domains, the DMP compatibility, the HDS
# hosting) and « critères secondaires » (weighted). The coverage of the indispensable
# requirements and the functional coverage are computed from the imported cadre de réponse;
# the cost is the TCO over N years. The weights are the product's proposal, which the comité
# de sélection sets (the seed: « critères … hiérarchisés et pondérés » by the MOA).
COUVERTURE_INDISPENSABLES_CODE = "couverture_indispensables"
COUT_TOTAL_CODE = "cout_total"
COUVERTURE_CODE = "couverture"
DEFAULT_CRITERES_EDITEUR = [
    (
        COUVERTURE_INDISPENSABLES_CODE,
        "Couverture de toutes les exigences indispensables",
        TypeCritere.INDISPENSABLE,
        0,
        10,
    ),
    ("segur", "Référencé Ségur", TypeCritere.INDISPENSABLE, 0, 10),
    ("dmp", "Compatible DMP", TypeCritere.INDISPENSABLE, 0, 10),
    ("hds", "Hébergement HDS", TypeCritere.INDISPENSABLE, 0, 10),
    (COUVERTURE_CODE, "Couverture des besoins fonctionnels", TypeCritere.CALCULE, 30, 10),
    ("architecture", "Proposition d'architecture technique", TypeCritere.QUALITATIF, 15, 10),
    (
        "prestations",
        "Réponse aux prestations demandées, qualité des prestations",
        TypeCritere.QUALITATIF,
        15,
        10,
    ),
    ("mise_en_oeuvre", "Description de la mise en œuvre", TypeCritere.QUALITATIF, 10, 10),
    (COUT_TOTAL_CODE, "Coût total sur la durée (TCO)", TypeCritere.PRIX_TOTAL, 30, 10),
]
# Above this many candidates the analysis gets heavy (seed 003 step 9): advice, not a rule.
CANDIDATS_CONSEILLES = 5


def enveloppes_aap(grappe):
    """({mission: amount}, reason) of the AMOA envelopes of the grappe's call, shown next to the
    budget. The amounts live on the call (`Aap.montant_amoa_*`); the envelopes are for acquisition
    projects only (seed 000 §1) in the calls that fund them (`Aap.finance_amoa`); `reason` says
    why there are none."""
    aap = grappe.aap
    if aap is None:
        return {}, "La grappe n'a pas encore d'appel à projets : pas d'enveloppe AMOA de référence."
    if not aap.finance_amoa:
        return {}, f"L'appel « {aap.name} » ne finance pas l'AMOA."
    memberships = grappe.memberships.filter(left_on__isnull=True).only("type_projet")
    # Per ESMS (an ESMS may differ from the grappe's type); the grappe's type before any ESMS.
    types = {grappe.type_projet_for(m) for m in memberships} or {grappe.type_projet}
    if TypeProjet.ACQUISITION not in types:
        return {}, (
            "Les enveloppes AMOA sont réservées aux projets d'acquisition du DUI : aucun ESMS de "
            "la grappe n'est en acquisition."
        )
    amounts = [
        (Mission.MARCHE, aap.montant_amoa_marche),
        (Mission.PROJET, aap.montant_amoa_projet),
    ]
    return {mission: amount for mission, amount in amounts if amount}, ""


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Consultations of the grappes the user may see (Grappe.objects.for_user)."""
        return self.filter(grappe__in=Grappe.objects.for_user(user))


class Consultation(models.Model):
    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="consultations")
    titre = models.CharField("intitulé", max_length=200)
    objet = models.CharField(
        "objet",
        max_length=20,
        choices=ObjetConsultation.choices,
        default=ObjetConsultation.AMOA,
    )
    tco_annees = models.PositiveSmallIntegerField(
        "durée du coût total (années)",
        default=3,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text="Coût total reconstitué sur au moins trois ans (éditeurs).",
    )
    missions = models.JSONField(
        "missions", default=list, help_text="« marche » et/ou « projet » (amoa.enums.Mission)."
    )
    budget = models.DecimalField(
        "enveloppe budgétaire (€ HT)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutConsultation.choices,
        default=StatutConsultation.BROUILLON,
    )
    # Timetable
    publiee_le = models.DateField("date de publication", null=True, blank=True)
    questions_avant = models.DateField("date limite des questions", null=True, blank=True)
    offres_avant = models.DateTimeField(
        "date et heure limites de remise des offres", null=True, blank=True
    )
    auditions_du = models.DateField("auditions à partir du", null=True, blank=True)
    auditions_au = models.DateField("auditions jusqu'au", null=True, blank=True)
    # Contact of the grappe for the candidates
    contact_nom = models.CharField("contact (nom)", max_length=200, blank=True)
    contact_email = models.EmailField("contact (e-mail)", blank=True)
    contact_telephone = models.CharField("contact (téléphone)", max_length=30, blank=True)
    # The cahier des charges as edited in the builder (amoa/cahier.py): per section, the items
    # kept, removed and added, and free texts. The grappe context is read live from the registry.
    cahier = models.JSONField("cahier des charges", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation AMOA"
        verbose_name_plural = "consultations AMOA"
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("amoa:consultation", args=[self.grappe_id, self.pk])

    def mission_labels(self):
        labels = dict(Mission.choices)
        return [labels[code] for code in self.missions if code in labels]

    def enveloppe_reference(self):
        """The call's AMOA envelopes of the chosen missions (enveloppes_aap)."""
        enveloppes, _ = enveloppes_aap(self.grappe)
        return sum((enveloppes[m] for m in self.missions if m in enveloppes), Decimal(0))

    @property
    def is_draft(self):
        """Being prepared: not published to the candidates yet."""
        return self.statut == StatutConsultation.BROUILLON

    @property
    def is_editeur(self):
        return self.objet == ObjetConsultation.EDITEUR

    def default_criteres(self):
        """(code, label, kind, weight, scale) of the proposed criteria for this objet."""
        if self.is_editeur:
            return [
                (
                    code,
                    f"Coût total sur {self.tco_annees} ans" if code == COUT_TOTAL_CODE else label,
                    kind,
                    weight,
                    scale,
                )
                for code, label, kind, weight, scale in DEFAULT_CRITERES_EDITEUR
            ]
        return DEFAULT_CRITERES

    def poids_proposes(self):
        """Whether the criteria and their weights are still the product's proposal
        (default_criteres): the comité de sélection has not set them yet."""
        proposed = {code: weight for code, _, _, weight, _ in self.default_criteres()}
        current = {c.code: c.poids for c in self.criteres.all()}
        return current == proposed

    @property
    def consulte_tout_le_sad(self):
        """An éditeur consultation of a grappe that buys its DUI through the RESAH SAD: every
        éditeur referenced in the SAD's category is consulted (seed 002: « consulter l'ensemble
        des éditeurs de la catégorie du SAD concernée »), so no number of candidates is advised."""
        return self.is_editeur and self.grappe.achat_sad

    def pieces_requises(self):
        return PIECES_REQUISES_EDITEUR if self.is_editeur else PIECES_REQUISES

    def ensure_default_criteres(self):
        """The proposed criteria (the seed's seven for an AMOA), when there are none yet."""
        if self.criteres.exists():
            return
        Critere.objects.bulk_create(
            Critere(
                consultation=self,
                code=code,
                libelle=label,
                kind=kind,
                poids=weight,
                echelle=scale,
                ordre=index,
            )
            for index, (code, label, kind, weight, scale) in enumerate(self.default_criteres(), 1)
        )

    def weights_error(self, criteres=None):
        criteres = list(self.criteres.all()) if criteres is None else criteres
        return scoring.weights_error([c.as_criterion() for c in criteres])


class Candidat(models.Model):
    """A company answering the call (one offer each)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="candidats"
    )
    societe = models.CharField("société", max_length=200)
    contact_nom = models.CharField("contact (nom)", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    adresse = models.TextField("adresse", blank=True)

    class Meta:
        verbose_name = "candidat"
        verbose_name_plural = "candidats"
        ordering = ["societe", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "societe"], name="amoa_candidat_unique_societe"
            )
        ]

    def __str__(self):
        return self.societe


class Consultant(models.Model):
    """A consultant the candidate proposes (their CV is a piece of the offer)."""

    candidat = models.ForeignKey(Candidat, on_delete=models.CASCADE, related_name="consultants")
    nom = models.CharField("nom et prénom", max_length=200)
    email = models.EmailField("e-mail", blank=True)
    fonction = models.CharField("fonction dans la mission", max_length=200, blank=True)

    class Meta:
        verbose_name = "consultant"
        verbose_name_plural = "consultants"
        ordering = ["candidat", "nom"]

    def __str__(self):
        return self.nom


class OffreQuerySet(models.QuerySet):
    def with_details(self):
        """Offers with their candidate, consultants and pieces, in a fixed number of queries."""
        return self.select_related("candidat", "consultation").prefetch_related(
            "pieces", "candidat__consultants", "etapes", "indispensables", "audition"
        )


class Offre(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="offres")
    candidat = models.OneToOneField(Candidat, on_delete=models.CASCADE, related_name="offre")
    received_at = models.DateTimeField("reçue le")
    prix_total_ht = models.DecimalField(
        "prix global (€ HT)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    prix_jour_ht = models.DecimalField(
        "prix de journée (€ HT)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    commentaire = models.TextField("observations", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = OffreQuerySet.as_manager()

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"Offre de {self.candidat}"

    def get_absolute_url(self):
        return reverse(
            "amoa:offre", args=[self.consultation.grappe_id, self.consultation_id, self.pk]
        )

    @property
    def hors_delai(self):
        """Received after the deadline: kept and shown, never ranked."""
        deadline = self.consultation.offres_avant
        return bool(deadline and self.received_at and self.received_at > deadline)

    def pieces_manquantes(self):
        """Labels of the required pieces not uploaded (uses the prefetched pieces)."""
        present = {piece.type for piece in self.pieces.all()}
        labels = dict(TypePiece.choices)
        required = self.consultation.pieces_requises()
        return [labels[code] for code in required if code not in present]

    @property
    def recevable(self):
        return not self.pieces_manquantes()

    def nb_jours(self):
        return sum((etape.nb_jours for etape in self.etapes.all()), Decimal(0))


class EtapeOffre(models.Model):
    """A row of the financial offer: step, days, prerequisites, internal resources."""

    offre = models.ForeignKey(Offre, on_delete=models.CASCADE, related_name="etapes")
    etape = models.CharField("étape / phase", max_length=200)
    nb_jours = models.DecimalField(
        "nombre de jours",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
    )
    prerequis = models.TextField("prérequis", blank=True)
    ressources_internes = models.TextField("ressources internes à mobiliser", blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "étape de l'offre"
        verbose_name_plural = "étapes de l'offre"
        ordering = ["offre", "ordre", "pk"]

    def __str__(self):
        return self.etape


def piece_upload_path(instance, filename):
    offre = instance.offre
    return (
        f"amoa/grappe-{offre.consultation.grappe_id}/consultation-{offre.consultation_id}/"
        f"offre-{offre.pk}/{filename}"
    )


class PieceOffre(models.Model):
    offre = models.ForeignKey(Offre, on_delete=models.CASCADE, related_name="pieces")
    type = models.CharField("type de pièce", max_length=30, choices=TypePiece.choices)
    file = models.FileField("fichier", upload_to=piece_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposée le", default=timezone.now)

    class Meta:
        verbose_name = "pièce de l'offre"
        verbose_name_plural = "pièces de l'offre"
        ordering = ["offre", "type", "pk"]

    def __str__(self):
        return f"{self.get_type_display()} — {self.original_name}"


class Critere(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="criteres"
    )
    code = models.SlugField("code", max_length=40)
    libelle = models.CharField("critère", max_length=200)
    kind = models.CharField(
        "nature", max_length=20, choices=TypeCritere.choices, default=TypeCritere.QUALITATIF
    )
    poids = models.PositiveSmallIntegerField(
        "pondération (points sur 100)", default=0, validators=[MaxValueValidator(100)]
    )
    echelle = models.PositiveSmallIntegerField(
        "note maximale", choices=[(5, "0 à 5"), (10, "0 à 10")], default=10
    )
    descripteurs = models.TextField(
        "descripteurs des niveaux",
        blank=True,
        help_text="Un niveau par ligne, par exemple « 0 : absent », « 5 : excellent ».",
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère"
        verbose_name_plural = "critères"
        ordering = ["consultation", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "code"], name="amoa_critere_code")
        ]

    def __str__(self):
        return self.libelle

    def clean(self):
        if self.kind == TypeCritere.INDISPENSABLE and self.poids:
            raise ValidationError(
                {"poids": "Un critère indispensable est éliminatoire : il n'est pas pondéré (0)."}
            )

    @property
    def is_indispensable(self):
        return self.kind == TypeCritere.INDISPENSABLE

    @property
    def is_calcule(self):
        return self.kind in (TypeCritere.PRIX_TOTAL, TypeCritere.PRIX_JOUR, TypeCritere.CALCULE)

    @property
    def is_qualitatif(self):
        return self.kind == TypeCritere.QUALITATIF

    def descripteur_lines(self):
        return [line.strip() for line in self.descripteurs.splitlines() if line.strip()]

    def as_criterion(self):
        return scoring.Criterion(
            code=self.code,
            label=self.libelle,
            weight=Decimal(self.poids if self.kind != TypeCritere.INDISPENSABLE else 0),
            scale_max=self.echelle,
            kind=self.kind,
        )


class ResultatIndispensable(models.Model):
    """Whether an offer meets an indispensable criterion (the committee's finding)."""

    offre = models.ForeignKey(Offre, on_delete=models.CASCADE, related_name="indispensables")
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="+")
    satisfait = models.BooleanField("satisfait", default=True)
    motif = models.TextField("motif", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "vérification d'un critère indispensable"
        verbose_name_plural = "vérifications des critères indispensables"
        constraints = [
            models.UniqueConstraint(fields=["offre", "critere"], name="amoa_indispensable_unique")
        ]

    def __str__(self):
        return f"{self.offre} — {self.critere} : {'oui' if self.satisfait else 'non'}"


class Evaluation(models.Model):
    """One evaluator's grid for a consultation. Once submitted, they see the others' scores."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="evaluations"
    )
    evaluateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.CASCADE,
        related_name="amoa_evaluations",
    )
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)

    class Meta:
        verbose_name = "évaluation"
        verbose_name_plural = "évaluations"
        ordering = ["consultation", "evaluateur__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "evaluateur"], name="amoa_evaluation_unique"
            )
        ]

    def __str__(self):
        return f"Évaluation de {self.evaluateur}"

    @property
    def soumise(self):
        return self.soumise_le is not None


class Note(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="notes")
    offre = models.ForeignKey(Offre, on_delete=models.CASCADE, related_name="notes")
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="notes")
    valeur = models.DecimalField(
        "note", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )
    justification = models.TextField("justification", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "note"
        verbose_name_plural = "notes"
        ordering = ["evaluation", "offre", "critere__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "offre", "critere"], name="amoa_note_unique"
            )
        ]

    def __str__(self):
        return f"{self.critere} : {self.valeur}"

    def clean(self):
        if self.valeur is not None and self.critere_id and self.valeur > self.critere.echelle:
            raise ValidationError({"valeur": f"La note maximale est {self.critere.echelle}."})


class DeclarationConflit(models.Model):
    """An evaluator's declared conflict of interest with a candidate: they do not score it."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="conflits"
    )
    evaluateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.CASCADE,
        related_name="+",
    )
    candidat = models.ForeignKey(Candidat, on_delete=models.CASCADE, related_name="conflits")
    motif = models.TextField("nature du lien", blank=True)
    declaree_le = models.DateTimeField("déclarée le", default=timezone.now)

    class Meta:
        verbose_name = "déclaration de conflit d'intérêts"
        verbose_name_plural = "déclarations de conflit d'intérêts"
        constraints = [
            models.UniqueConstraint(fields=["evaluateur", "candidat"], name="amoa_conflit_unique")
        ]

    def __str__(self):
        return f"{self.evaluateur} ↔ {self.candidat}"


class Consensus(models.Model):
    """The committee's agreed score for an offer on a criterion, replacing the mean."""

    offre = models.ForeignKey(Offre, on_delete=models.CASCADE, related_name="consensus")
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="+")
    valeur = models.DecimalField(
        "note de consensus",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
    )
    motif = models.TextField("motif")
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "note de consensus"
        verbose_name_plural = "notes de consensus"
        constraints = [
            models.UniqueConstraint(fields=["offre", "critere"], name="amoa_consensus_unique")
        ]

    def __str__(self):
        return f"{self.offre} — {self.critere} : {self.valeur}"


class Audition(models.Model):
    offre = models.OneToOneField(Offre, on_delete=models.CASCADE, related_name="audition")
    date = models.DateTimeField("date de l'audition")
    # Seed 003 step 10: precise questions, sent with the convocation, so that the audition is
    # not a generic commercial demonstration.
    questions = models.TextField(
        "questions préparées",
        blank=True,
        help_text="Questions précises transmises au candidat avec la convocation.",
    )
    synthese = models.TextField("synthèse", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "audition"
        verbose_name_plural = "auditions"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"Audition de {self.offre.candidat}"


class Choix(models.Model):
    """The committee's decision: the chosen offer and the reasons, with the ranking frozen when
    it was recorded (amoa.services.record_choice). The decision and its snapshot are one row:
    they are created together and cleared together (amoa.services.reopen_consultation)."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="choix"
    )
    offre = models.ForeignKey(Offre, on_delete=models.PROTECT, related_name="+")
    decision = models.TextField("décision motivée du comité de sélection")
    date = models.DateField("date de la décision", default=timezone.localdate)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    # {"fige_le", "par", "classement" (amoa.scoring.ranking_to_data), "criteres", "consensus",
    # "evaluateurs"}: what every page, file and letter shows after the choice.
    classement_fige = models.JSONField(
        "classement figé au choix", default=dict, blank=True, editable=False
    )

    class Meta:
        verbose_name = "choix du titulaire"
        verbose_name_plural = "choix du titulaire"

    def __str__(self):
        return f"{self.consultation} : {self.offre.candidat}"


# =============================================================================================
# Choosing the DUI (seed 003 steps 5–11): the grille hiérarchisée des fonctionnalités of the
# grappe, the market study, and for each offer of an éditeur consultation its cadre de réponse
# (answers per requirement, price structure) imported from XLSX. The consultation itself, its
# criteria, evaluation and ranking are the models above (Consultation.objet = "editeur").


class GrilleFonctionnelle(models.Model):
    """The grappe's grid (step 6 precedes the consultation of step 9): one per grappe."""

    grappe = models.OneToOneField(
        Grappe, on_delete=models.CASCADE, related_name="grille_fonctionnelle"
    )
    hebergement = models.CharField(
        "préférence d'hébergement",
        max_length=20,
        choices=Hebergement.choices,
        default=Hebergement.EXTERNALISE,
    )
    hebergement_commentaire = models.TextField("précisions sur l'hébergement", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "grille des fonctionnalités"
        verbose_name_plural = "grilles des fonctionnalités"

    def __str__(self):
        return f"Grille des fonctionnalités — {self.grappe}"

    @classmethod
    def from_reference(cls, grappe, user=None):
        """The grappe's grid, created from amoa/reference/grille.toml the first time."""
        grille, created = cls.objects.get_or_create(grappe=grappe, defaults={"created_by": user})
        if not created:
            return grille

        reference = read("amoa", "grille")

        def add(domain, parent, ordre):
            code = domain["code"]
            domaine = DomaineFonctionnel.objects.create(
                grille=grille, parent=parent, code=code, libelle=domain["libelle"], ordre=ordre
            )
            Exigence.objects.bulk_create(
                Exigence(
                    grille=grille,
                    domaine=domaine,
                    code=f"{code}-{n:02d}",
                    libelle=exigence["libelle"],
                    priorite=exigence["priorite"],
                    professions=list(exigence["professions"]),
                    ordre=n,
                )
                for n, exigence in enumerate(domain["exigences"], 1)
            )
            for index, child in enumerate(domain.get("sous_domaines", []), 1):
                add(child, domaine, index)

        for index, domain in enumerate(reference["domaines"], 1):
            add(domain, None, index)
        PreferenceTechnique.objects.bulk_create(
            PreferenceTechnique(grille=grille, ordre=n, **preference)
            for n, preference in enumerate(reference["preferences"], 1)
        )
        return grille

    def hebergement_pros_cons(self):
        """[(label, avantages, inconvénients, chosen)] — the seed's table."""
        labels = dict(Hebergement.choices)
        return [
            (labels[code], texts["avantages"], texts["inconvenients"], code == self.hebergement)
            for code, texts in read("amoa", "grille")["hebergement"].items()
        ]

    def tree(self):
        """[(domaine, depth, [exigences])] depth-first, in 2 queries."""
        domaines = list(self.domaines.all())
        exigences = {}
        for exigence in self.exigences.all():
            exigences.setdefault(exigence.domaine_id, []).append(exigence)
        children = {}
        for domaine in domaines:
            children.setdefault(domaine.parent_id, []).append(domaine)
        rows = []

        def walk(parent_id, depth):
            for domaine in children.get(parent_id, []):
                rows.append((domaine, depth, exigences.get(domaine.pk, [])))
                walk(domaine.pk, depth + 1)

        walk(None, 0)
        return rows

    def racines(self):
        """{domaine id: top-level domaine} — coverage is summed per top-level domain."""
        domaines = {d.pk: d for d in self.domaines.all()}
        roots = {}
        for pk, domaine in domaines.items():
            root = domaine
            while root.parent_id:
                root = domaines[root.parent_id]
            roots[pk] = root
        return roots


class DomaineFonctionnel(models.Model):
    grille = models.ForeignKey(
        GrilleFonctionnelle, on_delete=models.CASCADE, related_name="domaines"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="domaine parent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="enfants",
    )
    code = models.CharField("code", max_length=20)
    libelle = models.CharField("domaine fonctionnel", max_length=200)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "domaine fonctionnel"
        verbose_name_plural = "domaines fonctionnels"
        ordering = ["grille", "ordre", "pk"]
        constraints = [models.UniqueConstraint(fields=["grille", "code"], name="amoa_domaine_code")]

    def __str__(self):
        return self.libelle


class ExigenceQuerySet(models.QuerySet):
    def indispensables(self):
        return self.filter(priorite=Priorite.INDISPENSABLE)


class Exigence(models.Model):
    """A requirement of the grid; its `code` is the key of the cadre de réponse's rows."""

    grille = models.ForeignKey(
        GrilleFonctionnelle, on_delete=models.CASCADE, related_name="exigences"
    )
    domaine = models.ForeignKey(
        DomaineFonctionnel, on_delete=models.CASCADE, related_name="exigences"
    )
    code = models.CharField("référence", max_length=30)
    libelle = models.TextField("exigence")
    priorite = models.CharField(
        "priorité", max_length=20, choices=Priorite.choices, default=Priorite.IMPORTANT
    )
    professions = models.JSONField(
        "professions concernées", default=list, blank=True, help_text="amoa.enums.Profession"
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = ExigenceQuerySet.as_manager()

    class Meta:
        verbose_name = "exigence"
        verbose_name_plural = "exigences"
        ordering = ["domaine__ordre", "domaine_id", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grille", "code"], name="amoa_exigence_code")
        ]

    def __str__(self):
        return f"{self.code} — {self.libelle}"

    @property
    def is_indispensable(self):
        return self.priorite == Priorite.INDISPENSABLE

    @property
    def is_important(self):
        return self.priorite == Priorite.IMPORTANT

    def profession_labels(self):
        labels = dict(Profession.choices)
        return [labels.get(code, code) for code in self.professions]


class PreferenceTechnique(models.Model):
    grille = models.ForeignKey(
        GrilleFonctionnelle, on_delete=models.CASCADE, related_name="preferences"
    )
    theme = models.CharField("thème", max_length=100)
    preference = models.TextField("préférence")
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "préférence technique"
        verbose_name_plural = "préférences techniques"
        ordering = ["grille", "ordre", "pk"]

    def __str__(self):
        return self.theme


class SolutionEtudiee(models.Model):
    """A row of the market study (step 5): an éditeur and its solution, kept or eliminated."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="solutions_dui")
    editeur = models.CharField("éditeur", max_length=200)
    solution = models.CharField("solution", max_length=200)
    domaines_couverts = models.TextField("domaines couverts", blank=True)
    domaines_non_couverts = models.TextField("domaines non couverts", blank=True)
    forces = models.TextField("points forts", blank=True)
    faiblesses = models.TextField("points faibles", blank=True)
    reference_sad = models.BooleanField(
        "référencé au SAD du RESAH",
        default=False,
        help_text="Obligatoire pour les domaines PA, PH et domicile (seed 000 §2.2).",
    )
    elimine = models.BooleanField("écarté", default=False)
    motif_elimination = models.TextField("motif de l'élimination", blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "solution étudiée (étude de marché)"
        verbose_name_plural = "solutions étudiées (étude de marché)"
        ordering = ["grappe", "elimine", "ordre", "editeur", "pk"]

    def __str__(self):
        return f"{self.editeur} — {self.solution}"

    def clean(self):
        if self.elimine and not self.motif_elimination.strip():
            raise ValidationError(
                {"motif_elimination": "Indiquez pourquoi la solution est écartée."}
            )


class ReponseExigence(models.Model):
    """An éditeur's answer on a requirement (cadre de réponse)."""

    offre = models.ForeignKey("Offre", on_delete=models.CASCADE, related_name="reponses")
    exigence = models.ForeignKey(Exigence, on_delete=models.CASCADE, related_name="reponses")
    couverture = models.CharField("réponse", max_length=20, choices=Couverture.choices)
    echeance = models.DateField("échéance du développement", null=True, blank=True)
    cout = models.DecimalField(
        "coût du développement (€ HT)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "réponse à une exigence"
        verbose_name_plural = "réponses aux exigences"
        ordering = ["offre", "exigence__code"]
        constraints = [
            models.UniqueConstraint(fields=["offre", "exigence"], name="amoa_reponse_unique")
        ]

    def __str__(self):
        return f"{self.exigence.code} : {self.get_couverture_display()}"

    @property
    def is_developable(self):
        """Not covered today: the éditeur commits to a development (échéance, cost)."""
        return self.couverture == Couverture.DEVELOPPABLE

    @property
    def is_coverable(self):
        """Covered, or developable: an indispensable requirement answered otherwise eliminates
        the offer (amoa.couverture)."""
        return self.couverture in (Couverture.COUVERT, Couverture.DEVELOPPABLE)


class LignePrix(models.Model):
    """A line of the offer's price structure: one-off in a year (0 = acquisition) or
    recurrent every year (annee empty)."""

    offre = models.ForeignKey("Offre", on_delete=models.CASCADE, related_name="lignes_prix")
    nature = models.CharField("nature", max_length=20, choices=NatureCout.choices)
    libelle = models.CharField("libellé", max_length=200, blank=True)
    annee = models.PositiveSmallIntegerField(
        "année", null=True, blank=True, help_text="0 = acquisition ; vide = chaque année."
    )
    montant = models.DecimalField(
        "montant (€ HT)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "ligne de prix"
        verbose_name_plural = "lignes de prix"
        ordering = ["offre", "ordre", "pk"]

    def __str__(self):
        return f"{self.get_nature_display()} : {money.euros(self.montant, ht=True)}"

    @property
    def cachee(self):
        return self.nature in COUTS_CACHES

    @property
    def recurrente(self):
        return self.annee is None


def import_upload_path(instance, filename):
    offre = instance.offre
    return (
        f"amoa/grappe-{offre.consultation.grappe_id}/consultation-{offre.consultation_id}/"
        f"offre-{offre.pk}/cadre-de-reponse/{filename}"
    )


class ImportReponse(models.Model):
    """An uploaded cadre de réponse: kept with its report; applied after the dry run."""

    offre = models.ForeignKey("Offre", on_delete=models.CASCADE, related_name="imports")
    file = models.FileField("fichier", upload_to=import_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    rapport = models.JSONField("rapport", default=dict, blank=True)
    valide = models.BooleanField("sans erreur", default=False)
    applique_le = models.DateTimeField("appliqué le", null=True, blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "import d'un cadre de réponse"
        verbose_name_plural = "imports de cadres de réponse"
        ordering = ["offre", "-le", "-pk"]

    def __str__(self):
        return f"{self.original_name} ({self.offre})"
