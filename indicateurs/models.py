"""Monthly usage data per ESMS, indicator definitions (numerator ÷ denominator × factor, as data),
computed values per (indicator, month, level), computation runs, and the grappe's payment tranches
(the second one due when every applicable target is met)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst

from grappe.models import (
    Aap,
    Categorie,
    Esms,
    EsmsMembership,
    Grappe,
    OrganismeGestionnaire,
    Region,
)
from indicateurs.enums import Niveau, SourceUsage, StatutCalcul, StatutImport, StatutTranche

# The six monthly counts of an ESMS, in the order of the import file's columns.
MONTHLY_FIELDS = [
    "personnes_accompagnees",
    "messages_mssante",
    "dmp_alimentes",
    "dossiers_actifs",
    "dossiers_actifs_avec_pp",
    "dossiers_actifs_avec_evenement",
]
# Seed 000 §2.3: the DMP rate's first measure counts the DMP fed with at least one document over
# its three months — distinct persons, which the sum of the three monthly counts overstates (a
# person fed every month counts three times). Sent, when the provider knows it, with the first
# measure's last month (Indicateur.numerateur_periode); optional, its column may be absent.
PERIOD_FIELDS = ["dmp_alimentes_periode"]
# Every count of an ESMS's month: the import file's columns, the API's fields, the entry form.
USAGE_FIELDS = MONTHLY_FIELDS + PERIOD_FIELDS

# Seed 000 §2.3: what « personnes_accompagnees » counts, the denominator of the MSSanté and DMP
# rates (and, in the reference data, of the active files' rate). The one wording, said wherever the figure is asked (entry form, import template, API)
# or shown (dashboards, PDFs); the column name stays « personnes_accompagnees ».
PERSONNES_ACCOMPAGNEES_DEFINITION = (
    "nombre de personnes accompagnées pouvant bénéficier d'un projet d'accueil et d'accompagnement"
)
# The help of the « personnes_accompagnees » field in the entry form, the import template, the API.
PERSONNES_ACCOMPAGNEES_AIDE = (
    f"{capfirst(PERSONNES_ACCOMPAGNEES_DEFINITION)} (dénominateur des taux, dont MSSanté et DMP)"
)


class Indicateur(models.Model):
    """An indicator as data (DHIS2-like): numerator and denominator name fields of UsageMensuel."""

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    numerateur = models.CharField(
        "numérateur", max_length=40, choices=[(f, f) for f in MONTHLY_FIELDS]
    )
    denominateur = models.CharField(
        "dénominateur", max_length=40, choices=[(f, f) for f in MONTHLY_FIELDS]
    )
    facteur = models.PositiveIntegerField("facteur", default=100)
    # Seed 000 §2.3: the first measure covers 3 months for the flow indicators (messages sent,
    # DMP fed). Stock counts (active files) are not summed: their first measure is month 3's.
    cumul_premiere_mesure = models.BooleanField(
        "numérateur cumulé sur les 3 mois de la première mesure",
        default=False,
        help_text="Pour les flux (messages envoyés, DMP alimentés), pas pour les stocks.",
    )
    numerateur_periode = models.CharField(
        "numérateur de la première mesure sur la période",
        max_length=40,
        choices=[(f, f) for f in PERIOD_FIELDS],
        blank=True,
        help_text=(
            "Compte sur les 3 mois, en personnes distinctes, envoyé avec le dernier mois de la "
            "première mesure. À défaut, la somme des mois est un majorant : affichée comme "
            "telle, elle ne rend jamais une cible atteinte."
        ),
    )
    cible = models.DecimalField("cible (%)", max_digits=6, decimal_places=2)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    actif = models.BooleanField("actif", default=True)
    # Empty = every project type / every AAP.
    types_projet = models.JSONField("types de projet concernés", default=list, blank=True)
    aaps = models.ManyToManyField(Aap, verbose_name="AAP concernés", blank=True, related_name="+")
    # Whether an indicator applies may depend on the ESMS's category, not only on the call: the
    # ESMS of these categories are outside its assessment (« non applicable », never « non
    # atteint »), at ESMS level and in every sum above it.
    categories_exclues = models.ManyToManyField(
        Categorie,
        verbose_name="catégories d'ESMS non concernées",
        blank=True,
        related_name="+",
    )
    exclusion_source = models.TextField("source de l'exclusion", blank=True)

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["ordre", "code"]

    def __str__(self):
        return self.libelle


class ImportUsage(models.Model):
    """An uploaded usage file (kept), with its validation report."""

    fichier = models.FileField("fichier", upload_to="imports/usages/%Y/%m/")
    nom_original = models.CharField("nom du fichier", max_length=255)
    grappe = models.ForeignKey(
        Grappe, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports_usage"
    )
    statut = models.CharField("statut", max_length=20, choices=StatutImport.choices)
    rapport = models.JSONField("rapport", default=dict, blank=True)
    lignes = models.PositiveIntegerField("lignes", default=0)
    mois = models.JSONField("mois concernés", default=list, blank=True)
    envoye_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True)
    applique_le = models.DateTimeField("appliqué le", null=True, blank=True)
    # A large file is checked by a Celery task (indicateurs.simulation): when it started, and how
    # many of the `lignes` it has checked so far (the import page shows the progress).
    verification_debut = models.DateTimeField("vérification commencée le", null=True, blank=True)
    lignes_verifiees = models.PositiveIntegerField("lignes vérifiées", default=0)

    class Meta:
        verbose_name = "import de données d'usage"
        verbose_name_plural = "imports de données d'usage"
        ordering = ["-envoye_le", "-pk"]

    def __str__(self):
        return self.nom_original

    @property
    def is_being_verified(self):
        """The dry run is under way (indicateurs.simulation): the page polls its progress."""
        return self.statut == StatutImport.EN_VERIFICATION

    @property
    def has_failed(self):
        """The dry run itself failed (not the file's lines: those refuse it)."""
        return self.statut == StatutImport.ECHEC

    @property
    def is_refused(self):
        return self.statut == StatutImport.REFUSE

    @property
    def is_applied(self):
        return self.statut == StatutImport.APPLIQUE


class HeldByQuerySet(models.QuerySet):
    """Rows keyed by (esms, mois): usage counts and ESMS-level values."""

    def held_by(self, grappe):
        """Only the months the grappe held each ESMS (at the month's end): a grappe never reads
        the figures of an ESMS from before it joined or after it left."""
        held = EsmsMembership.objects.filter(grappe=grappe, esms_id=OuterRef("esms_id")).held_in(
            OuterRef("mois")
        )
        return self.filter(Exists(held))


class ValeurQuerySet(HeldByQuerySet):
    def mesurees(self):
        """Measured values (calculable). A month has data when it holds one: the computation
        also writes months no usage data came in for (the elapsed month before the figures are
        sent, the two months after an import, recomputed for the 3-month first measure), all
        "non calculable", and the dashboards must not open on those."""
        return self.filter(valeur__isnull=False)

    def mois_mesures(self):
        """The months with data among these values."""
        return self.mesurees().order_by().values_list("mois", flat=True).distinct()


class UsageMensuel(models.Model):
    """The counts of one ESMS for one month (mois = first day of the month). Missing ≠ zero."""

    esms = models.ForeignKey(Esms, on_delete=models.CASCADE, related_name="usages")
    mois = models.DateField("mois")
    personnes_accompagnees = models.PositiveIntegerField(
        "personnes accompagnées", null=True, blank=True
    )
    messages_mssante = models.PositiveIntegerField("messages MSSanté", null=True, blank=True)
    dmp_alimentes = models.PositiveIntegerField("DMP alimentés", null=True, blank=True)
    dossiers_actifs = models.PositiveIntegerField("dossiers actifs", null=True, blank=True)
    dossiers_actifs_avec_pp = models.PositiveIntegerField(
        "dossiers actifs avec projet personnalisé", null=True, blank=True
    )
    dossiers_actifs_avec_evenement = models.PositiveIntegerField(
        "dossiers actifs avec un événement", null=True, blank=True
    )
    dmp_alimentes_periode = models.PositiveIntegerField(
        "DMP alimentés sur les 3 mois de la première mesure (personnes distinctes)",
        null=True,
        blank=True,
    )
    source = models.CharField("source", max_length=20, choices=SourceUsage.choices)
    import_usage = models.ForeignKey(
        ImportUsage, on_delete=models.SET_NULL, null=True, blank=True, related_name="usages"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = HeldByQuerySet.as_manager()

    class Meta:
        verbose_name = "donnée d'usage mensuelle"
        verbose_name_plural = "données d'usage mensuelles"
        ordering = ["esms", "mois"]
        constraints = [
            models.UniqueConstraint(fields=["esms", "mois"], name="usage_one_per_esms_month")
        ]

    def __str__(self):
        return f"{self.esms_id} {self.mois:%Y-%m}"


class UsageHistorique(models.Model):
    """The previous values of a (ESMS, month) replaced by a later import, API call or entry."""

    usage = models.ForeignKey(UsageMensuel, on_delete=models.CASCADE, related_name="historique")
    valeurs = models.JSONField("valeurs précédentes")
    source = models.CharField("source", max_length=20, choices=SourceUsage.choices)
    import_usage = models.ForeignKey(
        ImportUsage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    replaced_at = models.DateTimeField("remplacé le", auto_now_add=True)

    class Meta:
        verbose_name = "historique d'une donnée d'usage"
        verbose_name_plural = "historique des données d'usage"
        ordering = ["usage", "-replaced_at"]

    def __str__(self):
        return f"{self.usage} (avant le {self.replaced_at:%d/%m/%Y})"


class ValeurIndicateur(models.Model):
    """One computed value: (indicator, month, level, the ESMS/OG/grappe/region). valeur is None
    when the rate is not computable (zero or missing denominator) — never 0. valeur (two
    decimals) serves SQL reads and the admin; what users read is rounded once from numerateur
    and denominateur (indicateurs.taux.Taux), never from valeur.

    A recomputable cache written ~220 000 rows a month at national scale, so each row costs as
    little as possible (issue 7: a month within 5× a bare GROUP BY of the same sums):
    * no database foreign-key constraint (db_constraint=False): every row is produced by a join
      on the referenced rows inside the computation's transaction, and a deferred FK check costs
      one trigger and one lookup per row and per key at commit (~3 s a month, more than the
      inserts). Deleting an ESMS, OG, grappe, region or indicator still deletes its values
      (on_delete=CASCADE is applied by Django), and a recomputation rewrites the month.
    * ESMS rows (80 % of them) enter two indexes only: the primary key and valeur_unique_esms,
      which leads with esms so it also serves the dashboards (esms_id IN … AND mois …) and the
      cascade of an ESMS deletion (esms_id IN … implies esms_id IS NOT NULL, its predicate).
      The other indexes are partial (… IS NOT NULL), so ESMS rows stay out of them.
    * no index on indicateur alone: nothing reads by indicator alone; deleting an indicator (an
      admin action; deactivating it is the normal way) scans the table once."""

    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.CASCADE,
        related_name="valeurs",
        db_index=False,
        db_constraint=False,
    )
    mois = models.DateField("mois")
    niveau = models.CharField("niveau", max_length=10, choices=Niveau.choices)
    esms = models.ForeignKey(
        Esms,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    og = models.ForeignKey(
        OrganismeGestionnaire,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grappe = models.ForeignKey(
        Grappe,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="valeurs_indicateurs",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    numerateur = models.BigIntegerField("numérateur", null=True, blank=True)
    denominateur = models.BigIntegerField("dénominateur", null=True, blank=True)
    valeur = models.DecimalField(
        "valeur (%)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    cible = models.DecimalField("cible (%)", max_digits=6, decimal_places=2)
    atteinte = models.BooleanField("cible atteinte", null=True)
    premiere_mesure = models.BooleanField("première mesure (3 mois)", default=False)
    # A first measure whose numerator is the sum of the monthly counts where the period's
    # distinct count was not sent (Indicateur.numerateur_periode): an upper bound, never "met".
    majorant = models.BooleanField("majorant (somme des mois)", default=False)
    computed_at = models.DateTimeField("calculé le", auto_now=True)

    objects = ValeurQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["mois", "indicateur"]
        constraints = [
            # esms is set exactly on ESMS rows, so "esms IS NOT NULL" is "niveau = esms": the
            # unique index below can then serve queries and cascades that filter on esms only.
            models.CheckConstraint(
                condition=Q(niveau="esms", esms__isnull=False)
                | (~Q(niveau="esms") & Q(esms__isnull=True)),
                name="valeur_esms_si_niveau_esms",
            ),
            models.UniqueConstraint(
                fields=["esms", "mois", "indicateur"],
                condition=Q(esms__isnull=False),
                name="valeur_unique_esms",
            ),
            models.UniqueConstraint(
                fields=["indicateur", "mois", "og", "grappe"],
                condition=Q(niveau="og"),
                name="valeur_unique_og",
            ),
            models.UniqueConstraint(
                fields=["indicateur", "mois", "grappe"],
                condition=Q(niveau="grappe"),
                name="valeur_unique_grappe",
            ),
            models.UniqueConstraint(
                fields=["indicateur", "mois", "region"],
                condition=Q(niveau="region"),
                name="valeur_unique_region",
            ),
        ]
        indexes = [
            models.Index(
                fields=["grappe", "mois"],
                condition=Q(grappe__isnull=False),
                name="valeur_grappe_mois",
            ),
            models.Index(
                fields=["region", "mois"],
                condition=Q(region__isnull=False),
                name="valeur_region_mois",
            ),
            models.Index(fields=["og"], condition=Q(og__isnull=False), name="valeur_og"),
        ]

    def __str__(self):
        return f"{self.indicateur_id} {self.mois:%Y-%m} {self.niveau}"


class CalculMensuel(models.Model):
    """A computation run (Celery task or command): what, when, how many rows, how it ended."""

    mois = models.DateField("mois")
    grappe = models.ForeignKey(
        Grappe, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    statut = models.CharField("statut", max_length=20, choices=StatutCalcul.choices)
    started_at = models.DateTimeField("début", auto_now_add=True)
    ended_at = models.DateTimeField("fin", null=True, blank=True)
    lignes = models.PositiveIntegerField("valeurs écrites", default=0)
    erreur = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "calcul mensuel"
        verbose_name_plural = "calculs mensuels"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"Calcul {self.mois:%Y-%m} ({self.get_statut_display()})"


class TrancheQuerySet(models.QuerySet):
    def a_payer(self):
        """What the ARS has to pay (the payment page takes only these): due, under review, or
        paid in part."""
        return self.filter(statut__in=TRANCHE_A_PAYER)

    def versees(self):
        """The tranches the ARS paid, wholly or in part: the money the porteur received."""
        return self.filter(statut__in=TRANCHE_VERSEE, montant_paye__isnull=False)


TRANCHE_A_PAYER = (StatutTranche.DUE, StatutTranche.A_REVOIR, StatutTranche.PARTIELLE)
TRANCHE_VERSEE = (StatutTranche.PARTIELLE, StatutTranche.PAYEE)


class Tranche(models.Model):
    """A payment tranche of a grappe's ARS convention (percentages from the AAP's AapTranche).
    The second becomes due once — unique (grappe, numero) and a status change under a row lock —
    with the figures that triggered it frozen in `declenchement`. The ARS pays it in one or
    several payments (Paiement, indicateurs.paiements)."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="tranches")
    numero = models.PositiveSmallIntegerField("numéro")
    pourcentage = models.DecimalField("pourcentage", max_digits=5, decimal_places=2)
    montant = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutTranche.choices, default=StatutTranche.PREVUE
    )
    mois_declenchement = models.DateField("mois de déclenchement", null=True, blank=True)
    declenchement = models.JSONField("chiffres du déclenchement", default=dict, blank=True)
    due_le = models.DateTimeField("due le", null=True, blank=True)
    revue_motif = models.TextField("motif de revue", blank=True)
    # When the region's ARS agents were told the tranche is due (the `mails` queue's task
    # indicateurs.tasks.notify_tranche_due): empty while the mail is still being retried.
    ars_prevenue_le = models.DateTimeField("ARS prévenue le", null=True, blank=True)
    # What the ARS paid so far, the sum of the tranche's payments (Paiement rows, recorded by
    # indicateurs.paiements.enregistrer only), and the date of the latest: what the pages and
    # the finances (each paid tranche shared among the OGs) read.
    paye_le = models.DateField("payée le", null=True, blank=True)
    montant_paye = models.DecimalField(
        "montant payé (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = TrancheQuerySet.as_manager()

    class Meta:
        verbose_name = "tranche de subvention"
        verbose_name_plural = "tranches de subvention"
        ordering = ["grappe", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["grappe", "numero"], name="tranche_unique_numero")
        ]

    def __str__(self):
        return f"Tranche {self.numero} — {self.grappe}"

    @property
    def is_paid(self):
        return self.statut == StatutTranche.PAYEE

    @property
    def is_due(self):
        return self.statut == StatutTranche.DUE

    @property
    def needs_review(self):
        """Due, but the figures that triggered it were corrected since."""
        return self.statut == StatutTranche.A_REVOIR

    @property
    def is_partly_paid(self):
        return self.statut == StatutTranche.PARTIELLE

    @property
    def is_payable(self):
        return self.statut in TRANCHE_A_PAYER

    @property
    def reste_a_payer(self):
        """The tranche's amount less what the ARS paid (Decimal, to the cent)."""
        return (self.montant or Decimal(0)) - (self.montant_paye or Decimal(0))


class Paiement(models.Model):
    """One payment of a tranche by the ARS. Several may add up to the tranche's amount, never
    beyond (a partial payment then its balance, a deduction); one of another amount than what
    remains to pay says why (`motif`). Recorded by indicateurs.paiements.enregistrer, which
    keeps the tranche's sum and status."""

    tranche = models.ForeignKey(Tranche, on_delete=models.CASCADE, related_name="paiements")
    paye_le = models.DateField("payé le")
    montant = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    reference = models.CharField("référence du paiement", max_length=100)
    motif = models.TextField("motif de l'écart", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enregistre_le = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "paiement de tranche"
        verbose_name_plural = "paiements de tranches"
        ordering = ["tranche", "paye_le", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="paiement_montant_positif")
        ]

    def __str__(self):
        return f"{self.montant} € le {self.paye_le:%d/%m/%Y} — {self.tranche}"


class SyntheseGrappe(models.Model):
    """One grappe's month at a glance, written by the monthly computation with its grappe values
    (indicateurs.synthese): what the region dashboard filters and sorts on, and the home page's
    grappes at risk, read without loading every grappe's values per request (issue 17).

    One row per (grappe, month) holding at least one measured grappe value — a month the
    dashboards may open on (ValeurQuerySet.mesurees) —, counted over the indicators active when
    it was computed: like the values, it is a cache that a recomputation rewrites."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="syntheses")
    mois = models.DateField("mois")
    nb_indicateurs = models.PositiveSmallIntegerField("indicateurs actifs")
    atteintes = models.PositiveSmallIntegerField("cibles atteintes")
    # Indicators more than 10 points below their target (charts.LOIN), and their missing points
    # summed: the home page's grappes at risk, the worst first.
    loin = models.PositiveSmallIntegerField("cibles loin d'être atteintes")
    ecart_loin = models.DecimalField(
        "points manquants des cibles loin", max_digits=9, decimal_places=2, default=0
    )
    avec_donnees = models.BooleanField("avec données")
    toutes_atteintes = models.BooleanField("toutes les cibles atteintes")

    class Meta:
        verbose_name = "synthèse mensuelle d'une grappe"
        verbose_name_plural = "synthèses mensuelles des grappes"
        ordering = ["grappe", "mois"]
        constraints = [
            # Also the index of "the grappe's latest month up to …" (grappe = … AND mois <= …
            # ORDER BY mois DESC LIMIT 1), one probe per grappe.
            models.UniqueConstraint(fields=["grappe", "mois"], name="synthese_unique_mois")
        ]

    def __str__(self):
        return f"{self.grappe_id} {self.mois:%Y-%m}"
