from django.contrib import admin

from finances.models import Engagement, Facture, FinancementPropre, Reversement


@admin.register(FinancementPropre)
class FinancementPropreAdmin(admin.ModelAdmin):
    list_display = ["grappe", "og", "poste", "montant"]
    list_filter = ["poste"]
    raw_id_fields = ["grappe", "og"]


class FactureInline(admin.TabularInline):
    model = Facture
    extra = 0
    fields = ["numero", "date", "montant_ht", "taux_tva", "montant_ttc", "payee_le"]
    readonly_fields = ["montant_ttc"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["objet", "fournisseur", "grappe", "poste", "date", "montant_ttc"]
    list_filter = ["poste"]
    search_fields = ["objet", "fournisseur", "grappe__name"]
    raw_id_fields = ["grappe", "og", "choix", "created_by"]
    readonly_fields = ["montant_ttc"]
    inlines = [FactureInline]


@admin.register(Reversement)
class ReversementAdmin(admin.ModelAdmin):
    list_display = ["grappe", "og", "tranche", "montant", "date", "reference"]
    list_select_related = ["grappe", "og", "tranche"]
    raw_id_fields = ["grappe", "og", "tranche", "created_by"]
