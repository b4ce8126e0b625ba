from django.contrib import admin

from candidatures.models import Campagne, Candidature, CriterePriorite, PieceRequise


class CritereInline(admin.TabularInline):
    model = CriterePriorite
    extra = 0


class PieceInline(admin.TabularInline):
    model = PieceRequise
    extra = 0


@admin.register(Campagne)
class CampagneAdmin(admin.ModelAdmin):
    list_display = ["aap", "ouverture", "cloture", "enveloppe"]
    list_select_related = ["aap"]
    search_fields = ["aap__name"]
    inlines = [CritereInline, PieceInline]


@admin.register(Candidature)
class CandidatureAdmin(admin.ModelAdmin):
    list_display = ["grappe", "campagne", "statut", "updated_at"]
    list_filter = ["statut", "campagne"]
    list_select_related = ["grappe", "campagne__aap"]
    search_fields = ["grappe__name"]
