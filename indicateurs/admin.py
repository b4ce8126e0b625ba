"""Admin of the indicators (national admins only: the Django admin requires is_staff)."""

from django.contrib import admin

from indicateurs.models import (
    CalculMensuel,
    ImportUsage,
    Indicateur,
    Paiement,
    Tranche,
    UsageHistorique,
    UsageMensuel,
    ValeurIndicateur,
)


@admin.register(Indicateur)
class IndicateurAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "libelle",
        "numerateur",
        "denominateur",
        "facteur",
        "cible",
        "cumul_premiere_mesure",
        "actif",
        "ordre",
    ]
    list_display_links = ["code", "libelle"]
    list_filter = ["actif"]
    list_editable = ["ordre"]
    search_fields = ["code", "libelle"]
    filter_horizontal = ["aaps"]


@admin.register(ImportUsage)
class ImportUsageAdmin(admin.ModelAdmin):
    list_display = ["nom_original", "grappe", "statut", "lignes", "envoye_par", "envoye_le"]
    list_filter = ["statut"]
    search_fields = ["nom_original", "grappe__name"]
    raw_id_fields = ["grappe", "envoye_par"]
    date_hierarchy = "envoye_le"


@admin.register(UsageMensuel)
class UsageMensuelAdmin(admin.ModelAdmin):
    list_display = [
        "esms",
        "mois",
        "personnes_accompagnees",
        "messages_mssante",
        "dmp_alimentes",
        "dossiers_actifs",
        "dossiers_actifs_avec_pp",
        "dossiers_actifs_avec_evenement",
        "source",
    ]
    list_filter = ["source", "mois"]
    search_fields = ["esms__finess_et", "esms__raison_sociale"]
    raw_id_fields = ["esms", "import_usage", "updated_by"]
    list_select_related = ["esms"]
    date_hierarchy = "mois"


@admin.register(UsageHistorique)
class UsageHistoriqueAdmin(admin.ModelAdmin):
    list_display = ["usage", "source", "replaced_by", "replaced_at"]
    list_filter = ["source"]
    raw_id_fields = ["usage", "import_usage", "replaced_by"]
    list_select_related = ["usage", "replaced_by"]


@admin.register(ValeurIndicateur)
class ValeurIndicateurAdmin(admin.ModelAdmin):
    list_display = [
        "indicateur",
        "mois",
        "niveau",
        "esms",
        "og",
        "grappe",
        "region",
        "numerateur",
        "denominateur",
        "valeur",
        "atteinte",
        "premiere_mesure",
    ]
    list_filter = ["niveau", "indicateur", "atteinte", "premiere_mesure", "mois"]
    raw_id_fields = ["esms", "og", "grappe", "region"]
    list_select_related = ["indicateur", "esms", "og", "grappe", "region"]


@admin.register(CalculMensuel)
class CalculMensuelAdmin(admin.ModelAdmin):
    list_display = ["mois", "grappe", "statut", "started_at", "ended_at", "lignes"]
    list_filter = ["statut"]
    raw_id_fields = ["grappe"]


class PaiementInline(admin.TabularInline):
    model = Paiement
    extra = 0
    can_delete = False
    readonly_fields = ["paye_le", "montant", "reference", "motif", "par", "enregistre_le"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(admin.ModelAdmin):
    list_display = [
        "grappe",
        "numero",
        "pourcentage",
        "montant",
        "statut",
        "mois_declenchement",
        "due_le",
        "paye_le",
    ]
    list_filter = ["statut", "numero"]
    search_fields = ["grappe__name", "paiements__reference"]
    raw_id_fields = ["grappe"]
    # Recorded by the ARS on the tranches page (indicateurs.paiements keeps the tranche's sum).
    inlines = [PaiementInline]
