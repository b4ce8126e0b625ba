from django.contrib import admin

from projets.models import (
    EtapeReference,
    JalonReference,
    LivrableReference,
    PhaseReference,
)


class LivrableReferenceInline(admin.TabularInline):
    model = LivrableReference
    extra = 0
    fields = ["code", "titre", "validation_copil", "recurrent", "ordre"]


class JalonReferenceInline(admin.StackedInline):
    model = JalonReference
    extra = 0


@admin.register(PhaseReference)
class PhaseReferenceAdmin(admin.ModelAdmin):
    list_display = ["numero", "titre"]


@admin.register(EtapeReference)
class EtapeReferenceAdmin(admin.ModelAdmin):
    """The national admin edits the reference plan here; grappes' plans are copies."""

    list_display = ["numero", "titre", "phase", "duree_semaines", "owner_role"]
    list_filter = ["phase"]
    inlines = [LivrableReferenceInline, JalonReferenceInline]


@admin.register(LivrableReference)
class LivrableReferenceAdmin(admin.ModelAdmin):
    list_display = ["code", "titre", "etape", "validation_copil", "amoa"]
    list_filter = ["amoa", "validation_copil"]
