"""The project's money: the OGs' own funding per poste, the engagements (contracts, orders) and
the invoices against them. The subsidy per poste is not stored: it is the convention's amount
split as the funding simulation computes it (finances/services.py). Money is Decimal to the cent;
TTC = HT × (1 + TVA %), rounded half-up to the cent, computed and stored on every save."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from finances.enums import Poste
from grappe.models import Grappe, OrganismeGestionnaire

CENT = Decimal("0.01")


def ttc(montant_ht, taux_tva):
    """HT × (1 + taux %), to the cent, half-up (20 % of 10,05 € is 2,01 €)."""
    return (montant_ht * (1 + taux_tva / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_field(label, **kwargs):
    return models.DecimalField(
        label,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


def taux_field():
    return models.DecimalField(
        "taux de TVA (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )


class FinancementPropreQuerySet(models.QuerySet):
    def of_grappe(self, grappe):
        return self.filter(grappe=grappe)


class FinancementPropre(models.Model):
    """What an OG puts of its own money into a poste of the project, beside the subsidy."""

    grappe = models.ForeignKey(
        Grappe, on_delete=models.CASCADE, related_name="financements_propres"
    )
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire",
        on_delete=models.PROTECT,
        related_name="+",
    )
    poste = models.CharField("poste", max_length=20, choices=Poste.choices)
    montant = money_field("montant (€)")

    objects = FinancementPropreQuerySet.as_manager()

    class Meta:
        verbose_name = "financement propre"
        verbose_name_plural = "financements propres"
        ordering = ["grappe", "og__raison_sociale", "poste"]
        constraints = [
            models.UniqueConstraint(
                fields=["grappe", "og", "poste"], name="financement_propre_unique_og_poste"
            )
        ]

    def __str__(self):
        return f"{self.og} — {self.get_poste_display()}"


def document_upload_path(instance, filename):
    return f"finances/grappe-{instance.grappe_id}/engagements/{filename}"


class EngagementQuerySet(models.QuerySet):
    def of_grappe(self, grappe):
        return self.filter(grappe=grappe).select_related("og")


class Engagement(models.Model):
    """A contract or an order the grappe's OG commits to, on one poste."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="engagements")
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire qui s'engage",
        on_delete=models.PROTECT,
        related_name="+",
    )
    poste = models.CharField("poste", max_length=20, choices=Poste.choices)
    fournisseur = models.CharField("fournisseur", max_length=200)
    objet = models.CharField("objet", max_length=300)
    date = models.DateField("date d'engagement")
    montant_ht = money_field("montant (€ HT)")
    taux_tva = taux_field()
    montant_ttc = money_field("montant (€ TTC)", editable=False)
    document = models.FileField("document", upload_to=document_upload_path, blank=True)
    document_nom = models.CharField("nom du document", max_length=255, blank=True)
    document_type = models.CharField("type du document", max_length=100, blank=True)
    # The AMOA / DUI choice it was prefilled from (amoa.Choix), if any.
    choix = models.ForeignKey(
        "amoa.Choix",
        verbose_name="choix AMOA / DUI d'origine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = "engagement"
        verbose_name_plural = "engagements"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.fournisseur} — {self.objet}"

    def save(self, *args, **kwargs):
        self.montant_ttc = ttc(self.montant_ht, self.taux_tva)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("finances:engagement", args=[self.grappe_id, self.pk])


def facture_upload_path(instance, filename):
    return f"finances/grappe-{instance.engagement.grappe_id}/factures/{filename}"


class FactureQuerySet(models.QuerySet):
    def of_grappe(self, grappe):
        return self.filter(engagement__grappe=grappe).select_related("engagement__og")


class Facture(models.Model):
    """An invoice against an engagement. Paid once `payee_le` is set; eligible when its poste is
    funded by the call and it is dated on or after the call's opening, unless the eligibility
    is forced with a reason (finances.services.eligibilite)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="factures")
    numero = models.CharField("numéro", max_length=100)
    date = models.DateField("date de la facture")
    montant_ht = money_field("montant (€ HT)")
    taux_tva = taux_field()
    montant_ttc = money_field("montant (€ TTC)", editable=False)
    echeance = models.DateField("échéance", null=True, blank=True)
    payee_le = models.DateField("payée le", null=True, blank=True)
    fichier = models.FileField("fichier", upload_to=facture_upload_path)
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    type_fichier = models.CharField("type du fichier", max_length=100)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    eligibilite_forcee = models.BooleanField("éligible malgré sa date", default=False)
    motif_forcage = models.TextField("motif", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le", default=timezone.now)

    objects = FactureQuerySet.as_manager()

    class Meta:
        verbose_name = "facture"
        verbose_name_plural = "factures"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "numero"], name="facture_numero_unique_par_engagement"
            ),
            models.CheckConstraint(
                condition=models.Q(eligibilite_forcee=False) | ~models.Q(motif_forcage=""),
                name="facture_forcage_motive",
                violation_error_message="Dites pourquoi la facture est éligible malgré sa date.",
            ),
        ]

    def __str__(self):
        return f"Facture {self.numero}"

    def save(self, *args, **kwargs):
        self.montant_ttc = ttc(self.montant_ht, self.taux_tva)
        super().save(*args, **kwargs)

    @property
    def payee(self):
        return self.payee_le is not None


# --- Sharing the subsidy (the convention de coopération's key) --------------------------------


class ModeRepartition(models.TextChoices):
    ESMS = "esms", "Au prorata des ESMS"
    EGAL = "egal", "À parts égales entre OG"
    SAISIE = "saisie", "Parts saisies"


class CleRepartition(models.Model):
    """How the grappe's coopérateur OGs share each tranche of the subsidy the porteur receives.
    No row: au prorata des ESMS (finances.services.repartition)."""

    grappe = models.OneToOneField(Grappe, on_delete=models.CASCADE, related_name="cle_repartition")
    mode = models.CharField(
        "clé de répartition",
        max_length=10,
        choices=ModeRepartition.choices,
        default=ModeRepartition.ESMS,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "clé de répartition de la subvention"
        verbose_name_plural = "clés de répartition de la subvention"

    def __str__(self):
        return f"{self.get_mode_display()} — {self.grappe}"


class PartCle(models.Model):
    """An OG's typed percentage of the subsidy (mode « parts saisies »; they total 100)."""

    cle = models.ForeignKey(CleRepartition, on_delete=models.CASCADE, related_name="parts")
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire",
        on_delete=models.PROTECT,
        related_name="+",
    )
    pourcentage = models.DecimalField(
        "part (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = "part saisie"
        verbose_name_plural = "parts saisies"
        ordering = ["cle", "og__raison_sociale", "og__finess_ej"]
        constraints = [
            models.UniqueConstraint(fields=["cle", "og"], name="part_cle_unique_og"),
        ]

    def __str__(self):
        return f"{self.og} — {self.pourcentage} %"


class Reversement(models.Model):
    """What the porteur transferred to a coopérateur OG of its share of a paid tranche."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="reversements")
    og = models.ForeignKey(
        OrganismeGestionnaire,
        verbose_name="organisme gestionnaire bénéficiaire",
        on_delete=models.PROTECT,
        related_name="+",
    )
    tranche = models.ForeignKey(
        "indicateurs.Tranche",
        verbose_name="tranche reversée",
        on_delete=models.PROTECT,
        related_name="reversements",
    )
    montant = models.DecimalField(
        "montant (€)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    date = models.DateField("date du virement")
    reference = models.CharField("référence du virement", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        verbose_name = "reversement"
        verbose_name_plural = "reversements"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"Reversement à {self.og} — tranche {self.tranche.numero}"


# --- Importing invoices from a workbook (same shape as indicateurs.ImportUsage) ---------------


class StatutImportFactures(models.TextChoices):
    VERIFIE = "verifie", "Vérifié (simulation)"
    REFUSE = "refuse", "Refusé (erreurs)"
    APPLIQUE = "applique", "Appliqué"


def import_upload_path(instance, filename):
    return f"finances/grappe-{instance.grappe_id}/imports/{filename}"


class ImportFactures(models.Model):
    """An uploaded invoice workbook (kept), its dry-run report per line; applied at most once."""

    grappe = models.ForeignKey(Grappe, on_delete=models.CASCADE, related_name="imports_factures")
    fichier = models.FileField("fichier", upload_to=import_upload_path)
    nom_original = models.CharField("nom du fichier", max_length=255)
    statut = models.CharField("statut", max_length=20, choices=StatutImportFactures.choices)
    rapport = models.JSONField("rapport", default=dict, blank=True)
    lignes = models.PositiveIntegerField("lignes", default=0)
    lignes_en_erreur = models.PositiveIntegerField("lignes en erreur", default=0)
    factures_creees = models.PositiveIntegerField("factures créées", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)

    class Meta:
        verbose_name = "import de factures"
        verbose_name_plural = "imports de factures"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.nom_original
