"""The registry every other app reads: regions, OG and ESMS (FINESS), the grappe and its people."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from core.text import number, time_fr
from grappe.enums import (
    Domaine,
    EvenementTranche,
    FonctionOg,
    Hebergement,
    RegleValidation,
    RoleComite,
    RoleKind,
    SituationDui,
    SourceDonnee,
    StatutAdhesion,
    StatutImport,
    TypeAap,
    TypeComite,
    TypeProjet,
    UniteSeuil,
    label_for,
)
from grappe.finess import validate_finess
from grappe.reference import editeur_key

# ---------------------------------------------------------------------------------------------
# Territories
# ---------------------------------------------------------------------------------------------


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    ars_name = models.CharField("ARS", max_length=150)
    reduced_threshold = models.BooleanField(
        "seuil réduit",
        default=False,
        help_text="Corse et outre-mer : seuil minimal de la grappe abaissé (8 ESMS par défaut).",
    )

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    # FINESS writes overseas départements 9A…9J where INSEE writes 971…; we key on the FINESS code.
    code = models.CharField("code FINESS", max_length=2, unique=True)
    insee_code = models.CharField("code INSEE", max_length=3)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        related_name="departements",
        null=True,
        blank=True,
        help_text="Vide pour les collectivités d'outre-mer sans ARS.",
    )

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.insee_code} — {self.name}"

    @property
    def is_alsace_moselle(self):
        """Local law in Bas-Rhin, Haut-Rhin and Moselle adds two public holidays."""
        return self.insee_code in {"57", "67", "68"}


# ---------------------------------------------------------------------------------------------
# FINESS registry
# ---------------------------------------------------------------------------------------------


class Address(models.Model):
    numero_voie = models.CharField("numéro de voie", max_length=10, blank=True)
    type_voie = models.CharField("type de voie", max_length=10, blank=True)
    voie = models.CharField("voie", max_length=100, blank=True)
    complement_voie = models.CharField("complément de voie", max_length=5, blank=True)
    lieu_dit_bp = models.CharField("lieu-dit / BP", max_length=100, blank=True)
    code_commune = models.CharField("code commune", max_length=3, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, null=True, blank=True
    )
    telephone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def adresse(self):
        street = " ".join(
            part
            for part in [self.numero_voie, self.complement_voie, self.type_voie, self.voie]
            if part
        )
        lines = [street, self.lieu_dit_bp, f"{self.code_postal} {self.commune}".strip()]
        return ", ".join(line for line in lines if line)


class OrganismeGestionnaireQuerySet(models.QuerySet):
    def with_esms_count(self):
        return self.annotate(
            esms_count=Count("esms", filter=Q(esms__categorie__agregat_code__startswith="4"))
        )


class OrganismeGestionnaire(Address):
    finess_ej = models.CharField(
        "FINESS juridique", max_length=9, unique=True, validators=[validate_finess]
    )
    raison_sociale = models.CharField("raison sociale", max_length=200, blank=True)
    raison_sociale_longue = models.CharField("raison sociale longue", max_length=200, blank=True)
    statut_juridique = models.CharField("statut juridique (code)", max_length=3, blank=True)
    statut_juridique_libelle = models.CharField("statut juridique", max_length=150, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    date_creation = models.DateField("date de création", null=True, blank=True)
    source = models.CharField(
        "origine", max_length=10, choices=SourceDonnee.choices, default=SourceDonnee.FINESS
    )
    finess_updated_on = models.DateField("mise à jour FINESS", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = OrganismeGestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = "organisme gestionnaire"
        verbose_name_plural = "organismes gestionnaires"
        ordering = ["raison_sociale", "finess_ej"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return (
            self.raison_sociale_longue
            or self.raison_sociale
            or f"Entité juridique {self.finess_ej}"
        )


class Categorie(models.Model):
    """FINESS establishment category (categetab) and its aggregate (categagretab)."""

    # Service categories whose domain is home care rather than the aggregate's (DOMAIN.md §3).
    DOMICILE_CODES = {"354", "209", "460", "461"}

    code = models.CharField("code", max_length=3, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    agregat_code = models.CharField("agrégat", max_length=4)
    agregat_libelle = models.CharField("libellé de l'agrégat", max_length=200, blank=True)

    class Meta:
        verbose_name = "catégorie d'établissement"
        verbose_name_plural = "catégories d'établissement"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.libelle}"

    @property
    def is_esms(self):
        """Social and medico-social (art. L.312-1 CASF): FINESS aggregates 41xx to 46xx."""
        return self.agregat_code[:1] == "4"

    @property
    def domaine(self):
        return domaine_for(self.code, self.agregat_code)


def domaine_for(categorie_code, agregat_code):
    if not agregat_code.startswith("4"):
        return Domaine.HORS_CHAMP
    if categorie_code in Categorie.DOMICILE_CODES:
        return Domaine.DOMICILE
    return {
        "41": Domaine.PERSONNES_HANDICAPEES,
        "43": Domaine.PERSONNES_HANDICAPEES,
        "44": Domaine.PERSONNES_AGEES,
        "45": Domaine.PROTECTION_ENFANCE,
    }.get(agregat_code[:2], Domaine.AUTRE)


class Esms(Address):
    finess_et = models.CharField(
        "FINESS géographique", max_length=9, unique=True, validators=[validate_finess]
    )
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire",
        on_delete=models.PROTECT,
        related_name="esms",
    )
    raison_sociale = models.CharField("raison sociale", max_length=200)
    raison_sociale_longue = models.CharField("raison sociale longue", max_length=200, blank=True)
    complement_raison_sociale = models.CharField("complément", max_length=100, blank=True)
    categorie = models.ForeignKey(
        Categorie, verbose_name="catégorie", on_delete=models.PROTECT, related_name="esms"
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    coord_x = models.FloatField("coordonnée X", null=True, blank=True)
    coord_y = models.FloatField("coordonnée Y", null=True, blank=True)
    coord_source = models.CharField("source des coordonnées", max_length=255, blank=True)
    capacite = models.PositiveIntegerField("capacité (places)", null=True, blank=True)
    situation_dui = models.CharField(
        "situation DUI", max_length=20, choices=SituationDui.choices, default=SituationDui.AUCUN
    )
    editeur = models.CharField("éditeur du DUI actuel", max_length=150, blank=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    source = models.CharField(
        "origine", max_length=10, choices=SourceDonnee.choices, default=SourceDonnee.FINESS
    )
    finess_updated_on = models.DateField("mise à jour FINESS", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "ESMS"
        verbose_name_plural = "ESMS"
        ordering = ["raison_sociale", "finess_et"]

    def __str__(self):
        return f"{self.name} ({self.finess_et})"

    @property
    def name(self):
        return self.raison_sociale_longue or self.raison_sociale

    @property
    def domaine(self):
        return self.categorie.domaine

    @property
    def is_esms(self):
        return self.categorie.is_esms

    @property
    def is_manual_entry(self):
        """Typed by hand: a FINESS number the imported registry did not know yet."""
        return self.source == SourceDonnee.SAISIE


# ---------------------------------------------------------------------------------------------
# Calls for projects (AAP): eligibility and funding rules as data
# ---------------------------------------------------------------------------------------------


class Aap(models.Model):
    """An appel à projets and the rules it sets; edited by the national admin, never hard-coded."""

    name = models.CharField("intitulé", max_length=200)
    kind = models.CharField("phase", max_length=20, choices=TypeAap.choices)
    year = models.PositiveIntegerField("année")
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Vide pour un appel national.",
    )
    opens_on = models.DateField("ouverture", null=True, blank=True)
    closes_on = models.DateField("clôture des candidatures", null=True, blank=True)
    # Eligibility
    min_esms = models.PositiveIntegerField("nombre minimal d'ESMS", default=15)
    seuil_reduit = models.PositiveIntegerField(
        "seuil réduit (Corse et outre-mer)",
        null=True,
        blank=True,
        help_text="Vide si l'appel ne prévoit pas de seuil réduit : le seuil national s'applique.",
    )
    seuil_reduit_unite = models.CharField(
        "unité du seuil réduit", max_length=10, choices=UniteSeuil.choices, blank=True
    )
    seuil_reduit_source = models.TextField("source du seuil réduit", blank=True)
    max_esms = models.PositiveIntegerField("nombre maximal d'ESMS", null=True, blank=True)
    national_threshold = models.PositiveIntegerField(
        "seuil de l'appel national",
        null=True,
        blank=True,
        default=50,
        help_text="À partir de ce nombre d'ESMS, la grappe relève de l'appel national.",
    )
    min_og = models.PositiveIntegerField(
        "nombre minimal d'OG",
        null=True,
        blank=True,
        help_text="Règle d'amorçage : au moins N OG… (vide si l'appel n'a pas cette règle)",
    )
    single_og_more_than = models.PositiveIntegerField(
        "… ou un OG de plus de N ESMS", null=True, blank=True
    )
    sad_domains = models.JSONField(
        "domaines soumis au SAD du RESAH",
        default=list,
        blank=True,
        help_text="Domaines pour lesquels l'achat du DUI passe obligatoirement par le SAD.",
    )
    # Second payment (targets tranche): share of the grappe's ESMS that must report a month.
    couverture_min = models.PositiveSmallIntegerField(
        "couverture minimale des ESMS (%)",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=(
            "Part des ESMS actifs de la grappe qui doivent avoir transmis toutes les données "
            "d'un mois pour que ses cibles soient évaluées (tranche « cibles »). Par défaut, "
            "à confirmer : 100 %, chaque ESMS actif de la grappe ; l'ARS peut fixer une part "
            "plus basse."
        ),
    )
    # Funding barème (euros)
    montant_acquisition = models.DecimalField(
        "acquisition : part éditeur par ESMS",
        max_digits=10,
        decimal_places=2,
        default=Decimal(12000),
    )
    montant_acquisition_segur = models.DecimalField(
        "acquisition : part éditeur si DUI référencé Ségur",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal(14500),
    )
    montant_usages = models.DecimalField(
        "acquisition : part usages par ESMS", max_digits=10, decimal_places=2, default=Decimal(7000)
    )
    montant_conformite = models.DecimalField(
        "ESMS déjà équipé / mise en conformité, par ESMS",
        max_digits=10,
        decimal_places=2,
        default=Decimal(5000),
    )
    plafond_conformite = models.PositiveIntegerField(
        "plafond de structures financées en conformité", null=True, blank=True
    )
    seuil_petit_og = models.PositiveIntegerField(
        "petit OG : moins de N établissements", null=True, blank=True, default=15
    )
    montant_equipement_petit_og = models.DecimalField(
        "équipement matériel par ESMS d'un petit OG",
        max_digits=10,
        decimal_places=2,
        default=Decimal(20000),
    )
    montant_amoa_marche = models.DecimalField(
        "AMOA « marché » par projet", max_digits=10, decimal_places=2, default=Decimal(15000)
    )
    montant_amoa_projet = models.DecimalField(
        "AMOA « projet » par projet", max_digits=10, decimal_places=2, default=Decimal(100000)
    )
    amoa_small_og_only = models.BooleanField(
        "AMOA réservée aux petits OG",
        default=True,
        help_text="Généralisation : l'AMOA n'est financée que si la grappe compte un petit OG.",
    )
    finance_amoa = models.BooleanField(
        "finance l'AMOA",
        default=False,
        help_text="Enveloppes AMOA « marché » et « projet », pour les projets d'acquisition.",
    )
    amoa_source = models.TextField("source de la règle AMOA", blank=True)
    tranches_source = models.TextField(
        "source des tranches de versement",
        blank=True,
        help_text="S'applique aux tranches des nouvelles conventions ; "
        "celles déjà créées ne changent pas.",
    )
    regles_source = models.TextField(
        "source des dates, seuils et barème",
        blank=True,
        help_text="D'où viennent l'année, les seuils d'éligibilité et les montants de l'appel "
        "(document et citation, ou « par défaut, à confirmer »).",
    )

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name

    @property
    def is_national(self):
        return self.region_id is None


class AapTranche(models.Model):
    """Payment schedule of an AAP: default 50 % at signature, 50 % when usage targets are met."""

    aap = models.ForeignKey(Aap, on_delete=models.CASCADE, related_name="tranches")
    numero = models.PositiveSmallIntegerField("numéro")
    pourcentage = models.DecimalField(
        "pourcentage",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    evenement = models.CharField("versée à", max_length=20, choices=EvenementTranche.choices)

    class Meta:
        verbose_name = "tranche de versement"
        verbose_name_plural = "tranches de versement"
        ordering = ["aap", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["aap", "numero"], name="aap_tranche_unique_numero")
        ]

    def __str__(self):
        return f"Tranche {self.numero} — {number(self.pourcentage)} %"


class EditeurReferenceQuerySet(models.QuerySet):
    def keys_by_domaine(self):
        """{domaine: {editeur_key(name)}} of the active entries: what an ESMS's éditeur is
        compared with (grappe.eligibility)."""
        keys = {}
        for domaine, cle in self.filter(actif=True).values_list("domaine", "cle"):
            keys.setdefault(domaine, set()).add(cle)
        return keys


class EditeurReference(models.Model):
    """An éditeur referenced by the RESAH SAD in one category (PA, PH, domicile): for a « mise en
    conformité » project, the OG contracts with the éditeur of its current solution, which must
    be referenced in the ESMS's category (seed 002). Kept by the national admin in the admin;
    one row per éditeur and category."""

    nom = models.CharField("éditeur", max_length=150)
    domaine = models.CharField(
        "catégorie du SAD",
        max_length=20,
        choices=[(value, label) for value, label in Domaine.choices if value != "hors_champ"],
    )
    actif = models.BooleanField(
        "référencé",
        default=True,
        help_text="Décochez quand l'éditeur n'est plus référencé dans cette catégorie : il "
        "n'est plus compté, sa trace reste.",
    )
    source = models.TextField(
        "source", blank=True, help_text="Document et date de la liste du RESAH qui le référence."
    )
    # editeur_key(nom): the name without case, accents or punctuation, to match what was typed.
    cle = models.CharField("clé de comparaison", max_length=150, editable=False, db_index=True)

    objects = EditeurReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "éditeur référencé au SAD"
        verbose_name_plural = "éditeurs référencés au SAD"
        ordering = ["nom", "domaine"]
        constraints = [
            models.UniqueConstraint(
                fields=["cle", "domaine"],
                name="editeur_reference_unique_domaine",
                violation_error_message="Cet éditeur figure déjà dans cette catégorie.",
            )
        ]

    def __str__(self):
        return f"{self.nom} — {self.get_domaine_display()}"

    def save(self, *args, **kwargs):
        self.cle = editeur_key(self.nom)
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        self.cle = editeur_key(self.nom)
        exclude = set(exclude or ()) - {"cle"}
        super().validate_constraints(exclude=exclude)

    @classmethod
    def canonical_name(cls, typed):
        """The referenced spelling of a typed éditeur name (« malta » → « MALTA »), or the
        name as typed when no entry matches."""
        key = editeur_key(typed)
        if not key:
            return (typed or "").strip()
        match = cls.objects.filter(cle=key).order_by("-actif", "nom").first()
        return match.nom if match else typed.strip()


# ---------------------------------------------------------------------------------------------
# The grappe
# ---------------------------------------------------------------------------------------------


# Display order: COPIL, comité de suivi, COTECH, comité de sélection; in a comité, its president
# first.
COMITE_KIND_ORDER = Case(
    When(kind=TypeComite.COPIL, then=Value(0)),
    When(kind=TypeComite.SUIVI, then=Value(1)),
    When(kind=TypeComite.COTECH, then=Value(2)),
    default=Value(3),
)
MEMBER_ROLE_ORDER = Case(
    When(role=RoleComite.PRESIDENT, then=Value(0)),
    When(role=RoleComite.MEMBRE, then=Value(1)),
    When(role=RoleComite.SECRETAIRE, then=Value(2)),
    default=Value(3),
)


class ComiteQuerySet(models.QuerySet):
    def in_display_order(self):
        """COPIL, suivi, sélection; members president first — with their people, in 3 queries."""
        members = ComiteMember.objects.select_related("user", "og").order_by(
            MEMBER_ROLE_ORDER, "user__last_name", "user__first_name"
        )
        return self.order_by(COMITE_KIND_ORDER).prefetch_related(
            models.Prefetch("members", queryset=members)
        )


class GrappeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Grappes a user may see: their own (any role or committee seat), their region for ARS
        agents, all for national admins. Every view starts from here."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            Q(Exists(Role.objects.filter(grappe=OuterRef("pk"), user=user)))
            | Q(Exists(ComiteMember.objects.filter(comite__grappe=OuterRef("pk"), user=user)))
            | Q(Exists(ArsAgent.objects.filter(region=OuterRef("region"), user=user)))
        )

    def with_counts(self):
        return self.annotate(
            esms_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            og_count=Count(
                "og_memberships", filter=Q(og_memberships__left_on__isnull=True), distinct=True
            ),
        )


class Grappe(models.Model):
    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="grappes"
    )
    aap = models.ForeignKey(
        Aap,
        verbose_name="appel à projets",
        on_delete=models.PROTECT,
        related_name="grappes",
        null=True,
        blank=True,
    )
    porteur = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="porteur",
        on_delete=models.PROTECT,
        related_name="grappes_portees",
        null=True,
        blank=True,
    )
    type_projet = models.CharField(
        "type de projet", max_length=20, choices=TypeProjet.choices, default=TypeProjet.ACQUISITION
    )
    hebergement = models.CharField(
        "hébergement", max_length=20, choices=Hebergement.choices, blank=True, default=""
    )
    editeur = models.CharField("éditeur retenu", max_length=150, blank=True)
    solution = models.CharField("solution retenue", max_length=150, blank=True)
    solution_segur = models.BooleanField("solution référencée Ségur", default=False)
    achat_sad = models.BooleanField(
        "achat via le SAD du RESAH",
        default=False,
        help_text="La grappe achète son DUI par le système d'acquisition dynamique du RESAH.",
    )
    amoa_marche = models.BooleanField("demande l'enveloppe AMOA « marché »", default=False)
    amoa_projet = models.BooleanField("demande l'enveloppe AMOA « projet »", default=False)
    origines = models.TextField(
        "origines du projet",
        blank=True,
        help_text="Partenariats existants, ce qui a favorisé le projet.",
    )
    enjeux = models.TextField("enjeux de la candidature", blank=True)
    convention_signed_on = models.DateField("convention ARS signée le", null=True, blank=True)
    convention_amount = models.DecimalField(
        "montant de la convention ARS (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = GrappeQuerySet.as_manager()

    class Meta:
        verbose_name = "grappe"
        verbose_name_plural = "grappes"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("grappe:detail", args=[self.pk])

    def active_memberships(self):
        return (
            self.memberships.filter(left_on__isnull=True)
            .select_related("esms__og", "esms__categorie", "esms__departement")
            .order_by("esms__og__raison_sociale", "esms__raison_sociale")
        )

    def active_og_memberships(self):
        return self.og_memberships.filter(left_on__isnull=True).select_related("og")

    @property
    def is_multi_og(self):
        return self.og_memberships.filter(left_on__isnull=True).count() > 1

    def comite(self, kind):
        return self.comites.filter(kind=kind).first()

    def chefs_de_projet(self):
        """The grappe's chefs de projet (users), who carry its dossiers and are told of the
        decisions about them."""
        return (
            get_user_model()
            .objects.filter(grappe_roles__grappe=self, grappe_roles__kind=RoleKind.CHEF_PROJET)
            .distinct()
            .order_by("last_name", "first_name", "email")
        )

    def type_projet_for(self, membership):
        return membership.type_projet or self.type_projet


class OgMembership(models.Model):
    """An OG member of the grappe (coopérateur)."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="og_memberships")
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire",
        on_delete=models.PROTECT,
        related_name="grappe_memberships",
    )
    joined_on = models.DateField("entrée le", default=timezone.localdate)
    left_on = models.DateField("sortie le", null=True, blank=True)

    class Meta:
        verbose_name = "coopérateur"
        verbose_name_plural = "coopérateurs"
        ordering = ["og__raison_sociale"]
        constraints = [
            models.UniqueConstraint(
                fields=["grappe", "og"],
                condition=Q(left_on__isnull=True),
                name="og_membership_unique_active",
            )
        ]

    def __str__(self):
        return f"{self.og} dans {self.grappe}"


class EsmsMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_on__isnull=True)

    def held_in(self, mois):
        """Memberships holding their ESMS at the end of the month starting on `mois` (a date
        or an expression such as OuterRef("mois")). Usage is measured at each month end, so the
        grappe holding the ESMS then is the one whose month it is: only its feeders write the
        figures, only it reads them. An ESMS is in one grappe at a time, so at most one."""
        return self.annotate(
            joined_month=TruncMonth("joined_on"), left_month=TruncMonth("left_on")
        ).filter(Q(joined_month__lte=mois), Q(left_on__isnull=True) | Q(left_month__gt=mois))


class EsmsMembership(models.Model):
    """An ESMS in the grappe, with its dates and, where it differs, its own project type.

    An ESMS is active in one grappe at a time (a database constraint): it moves only once its
    current grappe releases it (grappe.perms.can_decide_composition), and joins only with its
    OG's agreement (JoinRequest)."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="memberships")
    esms = models.ForeignKey(
        Esms, verbose_name="ESMS", on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField("entrée le", default=timezone.localdate)
    left_on = models.DateField("sortie le", null=True, blank=True)
    type_projet = models.CharField(
        "type de projet (si différent de la grappe)",
        max_length=20,
        choices=TypeProjet.choices,
        blank=True,
    )
    # Recorded on the plan's « Mise en service du DUI » milestone (projets), per ESMS since
    # deployment often goes in waves: the usage targets are measured from it (seed 000 §2.3),
    # not from the first figures a provider happens to send.
    dui_in_service_on = models.DateField("DUI mis en service le", null=True, blank=True)

    objects = EsmsMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "ESMS de la grappe"
        verbose_name_plural = "ESMS de la grappe"
        ordering = ["esms__raison_sociale"]
        constraints = [
            models.UniqueConstraint(
                fields=["esms"],
                condition=Q(left_on__isnull=True),
                name="esms_membership_one_active_grappe",
                violation_error_message="Cet ESMS est déjà actif dans une grappe.",
            )
        ]

    def __str__(self):
        return f"{self.esms} dans {self.grappe}"

    def earliest_joining(self):
        """The earliest date this membership may start: the day the ESMS left its previous
        grappe, so that two grappes never hold the same month (see held_in)."""
        previous = (
            EsmsMembership.objects.filter(esms_id=self.esms_id, left_on__isnull=False)
            .exclude(pk=self.pk)
            .exclude(joined_on__gt=self.joined_on or timezone.localdate())
            .order_by("-left_on")
            .values_list("left_on", flat=True)
            .first()
        )
        return previous

    @property
    def effective_type_projet(self):
        return self.type_projet or self.grappe.type_projet


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=StatutAdhesion.EN_ATTENTE)

    def for_decider(self, user):
        """Requests the user may decide: those for the ESMS of the OGs they direct (all for a
        national admin)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            esms__og__people__user=user, esms__og__people__fonction=FonctionOg.DIRECTION
        )


class JoinRequest(models.Model):
    """A grappe asks to take in an ESMS; the ESMS's organisme gestionnaire (its direction)
    agrees or refuses. A person who speaks for the OG adds the ESMS directly."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="join_requests")
    esms = models.ForeignKey(
        Esms, verbose_name="ESMS", on_delete=models.CASCADE, related_name="join_requests"
    )
    type_projet = models.CharField(
        "type de projet (si différent de la grappe)",
        max_length=20,
        choices=TypeProjet.choices,
        blank=True,
    )
    status = models.CharField(
        "statut", max_length=20, choices=StatutAdhesion.choices, default=StatutAdhesion.EN_ATTENTE
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandée par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    reason = models.CharField("motif", max_length=300, blank=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'adhésion"
        verbose_name_plural = "demandes d'adhésion"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grappe", "esms"],
                condition=Q(status="en_attente"),
                name="join_request_one_pending",
            )
        ]

    def __str__(self):
        return f"Demande d'adhésion de {self.esms} à {self.grappe}"

    @property
    def is_pending(self):
        return self.status == StatutAdhesion.EN_ATTENTE


# ---------------------------------------------------------------------------------------------
# Governance and people
# ---------------------------------------------------------------------------------------------


class OgPerson(models.Model):
    """A person who speaks for an organisme gestionnaire: its direction (agrees to its ESMS
    joining a grappe) or a référent. Declared by the national admin; such people may start a
    grappe (grappe.perms.can_create_grappe)."""

    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire",
        on_delete=models.CASCADE,
        related_name="people",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="og_functions",
    )
    fonction = models.CharField("fonction", max_length=20, choices=FonctionOg.choices)

    class Meta:
        verbose_name = "personne d'un organisme gestionnaire"
        verbose_name_plural = "personnes des organismes gestionnaires"
        ordering = ["og", "fonction", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["og", "user"], name="og_person_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.fonction_label} de {self.og}"

    @property
    def fonction_label(self):
        """« Référente de l'organisme » for Madame (grappe.enums.label_for)."""
        return label_for(FonctionOg(self.fonction), self.user)


class Comite(models.Model):
    """A governance body of the grappe (COPIL, comité de suivi, comité de sélection)."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="comites")
    kind = models.CharField("type", max_length=20, choices=TypeComite.choices)
    missions = models.TextField("rôle et missions", blank=True)
    fonctionnement = models.TextField("modalités de fonctionnement", blank=True)
    regle_validation = models.CharField(
        "règle de validation",
        max_length=20,
        choices=RegleValidation.choices,
        default=RegleValidation.UNANIMITE,
        help_text="Pour les comptes rendus et livrables soumis au COPIL.",
    )
    quorum = models.PositiveSmallIntegerField(
        "quorum (nombre d'approbations)", null=True, blank=True
    )

    objects = ComiteQuerySet.as_manager()

    class Meta:
        verbose_name = "comité"
        verbose_name_plural = "comités"
        ordering = ["grappe", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["grappe", "kind"], name="comite_unique_kind"),
            models.CheckConstraint(
                condition=~Q(regle_validation="quorum") | Q(quorum__gte=1),
                name="comite_quorum_required",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.grappe}"

    @property
    def uses_quorum(self):
        """A quorum of approvals validates, rather than every voting member."""
        return self.regle_validation == RegleValidation.QUORUM

    def clean(self):
        if self.regle_validation == RegleValidation.QUORUM and not self.quorum:
            raise ValidationError({"quorum": "Indiquez le nombre d'approbations requis."})

    def voting_members(self):
        return self.members.voting().select_related("user", "og")

    def approvals_required(self):
        voters = self.voting_members().count()
        if self.regle_validation == RegleValidation.QUORUM and self.quorum:
            return min(self.quorum, voters)
        return voters


class ComiteMemberQuerySet(models.QuerySet):
    def voting(self):
        """Members with a vote: everybody but the permanent guests and deactivated accounts (a
        person who left must not hold a validation back)."""
        return self.exclude(role=RoleComite.INVITE).filter(user__is_active=True)

    def copil_voters(self):
        """Voting seats on a COPIL: the people who validate deliverables and minutes."""
        return self.voting().filter(comite__kind=TypeComite.COPIL)


class ComiteMember(models.Model):
    comite = models.ForeignKey(Comite, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="comite_seats",
    )
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme représenté",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    role = models.CharField(
        "rôle dans le comité", max_length=20, choices=RoleComite.choices, default=RoleComite.MEMBRE
    )

    objects = ComiteMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "membre de comité"
        verbose_name_plural = "membres de comité"
        ordering = ["comite", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["comite", "user"], name="comite_member_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.role_label})"

    @property
    def role_label(self):
        """« Présidente », « Invitée permanente à voix consultative » for Madame."""
        return label_for(RoleComite(self.role), self.user)

    @property
    def votes(self):
        return self.role != RoleComite.INVITE


class Role(models.Model):
    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="grappe_roles",
    )
    kind = models.CharField("rôle", max_length=30, choices=RoleKind.choices)
    esms = models.ForeignKey(
        Esms,
        verbose_name="ESMS (référents)",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referents",
    )
    created_at = models.DateTimeField("attribué le", auto_now_add=True)

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        ordering = ["grappe", "kind", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grappe", "user", "kind"],
                condition=Q(esms__isnull=True),
                name="role_unique_without_esms",
            ),
            models.UniqueConstraint(
                fields=["grappe", "user", "kind", "esms"],
                condition=Q(esms__isnull=False),
                name="role_unique_per_esms",
            ),
        ]

    def __str__(self):
        suffix = f" — {self.esms.name}" if self.esms_id else ""
        return f"{self.user} : {self.kind_label}{suffix}"

    @property
    def kind_label(self):
        """« Cheffe de projet interne », « Référente DUI » for Madame (grappe.enums.label_for)."""
        return label_for(RoleKind(self.kind), self.user)

    @property
    def is_referent_dui(self):
        """The référent DUI of one ESMS (`esms`)."""
        return self.kind == RoleKind.REFERENT_DUI


class ArsAgent(models.Model):
    """An ARS staff member; reads every grappe of their region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ars_regions"
    )
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.CASCADE, related_name="ars_agents"
    )

    class Meta:
        verbose_name = "agent ARS"
        verbose_name_plural = "agents ARS"
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="ars_agent_unique")]

    def __str__(self):
        return f"{self.user} — ARS {self.region}"


# ---------------------------------------------------------------------------------------------
# Cooperation agreement (seed 004)
# ---------------------------------------------------------------------------------------------


class ConventionCooperation(models.Model):
    grappe = models.OneToOneField(Grappe, on_delete=models.CASCADE, related_name="convention")
    contexte = models.TextField("contexte, objectifs partagés et actions communes", blank=True)
    porteur_missions = models.TextField(
        "désignation, engagements et missions du porteur de projet", blank=True
    )
    membres_engagements = models.TextField("engagements et missions des membres", blank=True)
    gouvernance = models.TextField("gouvernance et pilotage opérationnel", blank=True)
    responsabilite = models.TextField("responsabilité", blank=True)
    dispositions_financieres = models.TextField("dispositions financières", blank=True)
    modalites = models.TextField(
        "entrée en vigueur, durée, modification, résiliation, retrait et règlement des litiges",
        blank=True,
    )
    signed_on = models.DateField("signée le", null=True, blank=True)
    signed_at_place = models.CharField("signée à", max_length=100, blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    SECTIONS = [
        "contexte",
        "porteur_missions",
        "membres_engagements",
        "gouvernance",
        "responsabilite",
        "dispositions_financieres",
        "modalites",
    ]

    class Meta:
        verbose_name = "convention de coopération"
        verbose_name_plural = "conventions de coopération"

    def __str__(self):
        return f"Convention de coopération — {self.grappe}"

    def sections(self):
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.SECTIONS
        ]

    def missing_sections(self):
        return [
            self._meta.get_field(name).verbose_name
            for name in self.SECTIONS
            if not getattr(self, name).strip()
        ]


# ---------------------------------------------------------------------------------------------
# History and imports
# ---------------------------------------------------------------------------------------------


class HistoryEntryQuerySet(models.QuerySet):
    def without_confidential(self):
        """Leave out the entries about the AMOA call (offers, prices, scores, the choice), for
        the grappe's AMOA consultants, who may be candidates to it (grappe.perms.is_amoa_only)."""
        return self.filter(confidentiel=False)


class HistoryEntry(models.Model):
    """Who changed what on a grappe, and when. Written by the views, never edited."""

    grappe = models.ForeignKey(
        Grappe, on_delete=models.CASCADE, related_name="history", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    action = models.CharField("action", max_length=200)
    target = models.CharField("objet", max_length=200, blank=True)
    changes = models.JSONField("modifications", default=dict, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    confidentiel = models.BooleanField(
        "confidentiel (consultation AMOA)",
        default=False,
        help_text="Caché aux consultants AMOA de la grappe, qui peuvent être candidats.",
    )

    objects = HistoryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée d'historique"
        verbose_name_plural = "historique"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        local = timezone.localtime(self.created_at)
        return f"{local:%d/%m/%Y} à {time_fr(local)} — {self.action}"

    def change_rows(self):
        """(label, old, new) for a change, or (label, None, value) for a plain fact."""
        rows = []
        for label, value in (self.changes or {}).items():
            if isinstance(value, list | tuple) and len(value) == 2:
                rows.append((label, value[0], value[1]))
            else:
                rows.append((label, None, value))
        return rows

    @classmethod
    def record(cls, grappe, user, action, target="", changes=None, *, confidentiel=False):
        return cls.objects.create(
            grappe=grappe,
            user=user if user and user.is_authenticated else None,
            action=action,
            target=str(target)[:200],
            changes=changes or {},
            confidentiel=confidentiel,
        )


def finess_upload_path(instance, filename):
    return f"imports/finess/{timezone.now():%Y/%m}/{filename}"


class FinessImport(models.Model):
    """One run of the FINESS import: the file is kept, with the report of every rejected line."""

    file = models.FileField("fichier", upload_to=finess_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField("statut", max_length=20, choices=StatutImport.choices)
    include_all = models.BooleanField("toutes catégories", default=False)
    encoding = models.CharField("encodage", max_length=20, blank=True)
    kind = models.CharField("type de fichier", max_length=20, blank=True)
    counts = models.JSONField("décompte", default=dict, blank=True)
    rejected = models.JSONField("lignes rejetées", default=list, blank=True)
    error = models.TextField("erreur", blank=True)
    started_at = models.DateTimeField("début", default=timezone.now)
    finished_at = models.DateTimeField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Import FINESS {self.original_name} ({self.started_at:%d/%m/%Y})"

    @property
    def is_running(self):
        return self.status == StatutImport.EN_COURS
