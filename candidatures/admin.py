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


# Instruction (ARS)
from candidatures.models import (  # noqa: E402
    ConflitInstruction,
    ConsensusInstruction,
    DecisionSelection,
    DemandePieces,
    GrilleInstruction,
    Instructeur,
    NoteInstruction,
)


@admin.register(Instructeur)
class InstructeurAdmin(admin.ModelAdmin):
    list_display = ["user", "campagne", "designe_le"]
    list_select_related = ["user", "campagne__aap"]


class NoteInstructionInline(admin.TabularInline):
    model = NoteInstruction
    extra = 0


@admin.register(GrilleInstruction)
class GrilleInstructionAdmin(admin.ModelAdmin):
    list_display = ["candidature", "instructeur", "soumise_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "instructeur"]
    inlines = [NoteInstructionInline]


@admin.register(ConflitInstruction)
class ConflitInstructionAdmin(admin.ModelAdmin):
    list_display = ["candidature", "instructeur", "declare_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "instructeur"]


@admin.register(ConsensusInstruction)
class ConsensusInstructionAdmin(admin.ModelAdmin):
    list_display = ["candidature", "critere", "valeur", "par", "le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "critere", "par"]


@admin.register(DemandePieces)
class DemandePiecesAdmin(admin.ModelAdmin):
    list_display = ["candidature", "echeance", "demandee_le", "repondue_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap"]


@admin.register(DecisionSelection)
class DecisionSelectionAdmin(admin.ModelAdmin):
    list_display = ["candidature", "decision", "date", "par"]
    list_filter = ["decision"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "par"]
