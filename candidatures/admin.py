"""The calls in the admin site: the national admin sets a campaign up; the dossiers, their
filings, instruction, decisions and conventions are read only — they move through the product's
workflows, which check, lock and trace them (core.admin.ReadOnlyAdmin)."""

from django.contrib import admin

from candidatures.models import (
    Campagne,
    Candidature,
    Convention,
    CriterePriorite,
    Depot,
    PieceJointe,
    PieceRequise,
)
from core.admin import ReadOnlyAdmin


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
class CandidatureAdmin(ReadOnlyAdmin):
    list_display = ["grappe", "campagne", "statut", "updated_at"]
    list_filter = ["statut", "campagne"]
    list_select_related = ["grappe", "campagne__aap"]
    search_fields = ["grappe__name"]


@admin.register(Depot)
class DepotAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "numero", "deposee_le", "empreinte"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap"]


@admin.register(PieceJointe)
class PieceJointeAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "piece", "original_name", "uploaded_at"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "piece"]


@admin.register(Convention)
class ConventionAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "montant_accorde", "signee_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap"]


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
class InstructeurAdmin(ReadOnlyAdmin):
    list_display = ["user", "campagne", "designe_le"]
    list_select_related = ["user", "campagne__aap"]


class NoteInstructionInline(admin.TabularInline):
    model = NoteInstruction
    extra = 0


@admin.register(GrilleInstruction)
class GrilleInstructionAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "instructeur", "soumise_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "instructeur"]
    inlines = [NoteInstructionInline]


@admin.register(ConflitInstruction)
class ConflitInstructionAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "instructeur", "declare_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "instructeur"]


@admin.register(ConsensusInstruction)
class ConsensusInstructionAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "critere", "valeur", "par", "le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "critere", "par"]


@admin.register(DemandePieces)
class DemandePiecesAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "echeance", "demandee_le", "repondue_le"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap"]


@admin.register(DecisionSelection)
class DecisionSelectionAdmin(ReadOnlyAdmin):
    list_display = ["candidature", "decision", "date", "par"]
    list_filter = ["decision"]
    list_select_related = ["candidature__grappe", "candidature__campagne__aap", "par"]
