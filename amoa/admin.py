from django.contrib import admin

from amoa.models import (
    Audition,
    Candidat,
    Choix,
    Consensus,
    Consultant,
    Consultation,
    Critere,
    DeclarationConflit,
    EtapeOffre,
    Evaluation,
    Exigence,
    GrilleFonctionnelle,
    ImportReponse,
    LignePrix,
    Note,
    Offre,
    PieceOffre,
    ResultatIndispensable,
    SolutionEtudiee,
)


class CritereInline(admin.TabularInline):
    model = Critere
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["titre", "grappe", "statut", "offres_avant"]
    list_filter = ["statut"]
    search_fields = ["titre", "grappe__name"]
    inlines = [CritereInline]


class ConsultantInline(admin.TabularInline):
    model = Consultant
    extra = 0


@admin.register(Candidat)
class CandidatAdmin(admin.ModelAdmin):
    list_display = ["societe", "consultation", "email"]
    search_fields = ["societe"]
    inlines = [ConsultantInline]


class EtapeInline(admin.TabularInline):
    model = EtapeOffre
    extra = 0


class PieceInline(admin.TabularInline):
    model = PieceOffre
    extra = 0
    readonly_fields = ["original_name", "size", "content_type", "uploaded_at"]


@admin.register(Offre)
class OffreAdmin(admin.ModelAdmin):
    list_display = ["candidat", "consultation", "received_at", "prix_total_ht", "prix_jour_ht"]
    inlines = [EtapeInline, PieceInline]


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["consultation", "evaluateur", "soumise_le"]
    inlines = [NoteInline]


for model in (DeclarationConflit, Consensus, Audition, Choix, ResultatIndispensable):
    admin.site.register(model)


# --- Choosing the DUI -----------------------------------------------------------------------


class ExigenceInline(admin.TabularInline):
    model = Exigence
    extra = 0
    fields = ["code", "domaine", "libelle", "priorite", "professions"]


@admin.register(GrilleFonctionnelle)
class GrilleFonctionnelleAdmin(admin.ModelAdmin):
    list_display = ["grappe", "hebergement", "created_at"]
    inlines = [ExigenceInline]


@admin.register(SolutionEtudiee)
class SolutionEtudieeAdmin(admin.ModelAdmin):
    list_display = ["editeur", "solution", "grappe", "reference_sad", "elimine"]
    list_filter = ["reference_sad", "elimine"]


@admin.register(LignePrix)
class LignePrixAdmin(admin.ModelAdmin):
    list_display = ["offre", "nature", "annee", "montant"]
    list_filter = ["nature"]


@admin.register(ImportReponse)
class ImportReponseAdmin(admin.ModelAdmin):
    list_display = ["original_name", "offre", "valide", "applique_le", "le"]
    readonly_fields = ["rapport"]
