from django.contrib import admin
from django.utils.html import format_html_join

from core.forms import HundredPercentFormSet
from grappe.models import (
    Aap,
    AapTranche,
    EditeurReference,
    HistoryEntry,
    JoinRequest,
    OgPerson,
)


class AapTrancheFormSet(HundredPercentFormSet):
    what = "Les tranches"


class AapTrancheInline(admin.TabularInline):
    model = AapTranche
    formset = AapTrancheFormSet
    extra = 0


@admin.register(Aap)
class AapAdmin(admin.ModelAdmin):
    """The calls' rules, each with its source, corrected by the national admin when an ARS
    publishes its own. A changed split applies to conventions made afterwards: a grappe's
    tranches are created, and kept, when its convention amount is first shown."""

    list_display = ["name", "kind", "year", "region", "min_esms", "couverture_min", "finance_amoa"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    inlines = [AapTrancheInline]


@admin.register(EditeurReference)
class EditeurReferenceAdmin(admin.ModelAdmin):
    """The éditeurs the RESAH SAD references, per category: an ESMS in « mise en conformité »
    whose current éditeur is not among those of its category gets a warning in the grappe's
    eligibility (seed 002). The list the seeds allow is indicative: the national admin
    completes it from the list the RESAH sends with the kit de passation."""

    list_display = ["nom", "domaine", "actif", "source_courte"]
    list_filter = ["domaine", "actif"]
    search_fields = ["nom"]
    list_editable = ["actif"]
    fields = ["nom", "domaine", "actif", "source"]

    @admin.display(description="source")
    def source_courte(self, editeur):
        text = " ".join(editeur.source.split())
        return text if len(text) <= 120 else f"{text[:119]}…"


@admin.register(OgPerson)
class OgPersonAdmin(admin.ModelAdmin):
    """Who speaks for an organisme gestionnaire: declared here by the national admin. Its
    direction agrees to its ESMS joining a grappe; its people may start a grappe."""

    list_display = ["user", "og", "fonction"]
    list_filter = ["fonction"]
    list_select_related = ["user", "og"]
    search_fields = ["user__email", "user__last_name", "og__raison_sociale", "og__finess_ej"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["og"]  # 35 000 ESMS' OGs: no select list


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """The trace of the OGs' agreements; decided on the site (Demandes d'adhésion), not here."""

    list_display = ["requested_at", "esms", "grappe", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["esms", "grappe", "decided_by"]
    search_fields = ["esms__finess_et", "esms__raison_sociale", "grappe__name"]
    readonly_fields = [
        "grappe",
        "esms",
        "type_projet",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "reason",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """The audit trail of every grappe (and of national actions, without a grappe), for the
    national admin: readable and filterable, never written here, so nobody can rewrite it."""

    list_display = ["created_at", "grappe", "user", "action", "target"]
    list_filter = [
        ("grappe", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
        "action",
        "created_at",
    ]
    list_select_related = ["grappe", "user"]
    search_fields = ["action", "target", "user__email", "user__last_name", "grappe__name"]
    date_hierarchy = "created_at"
    fields = ["created_at", "grappe", "user", "action", "target", "changes_table"]
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description="modifications")
    def changes_table(self, entry):
        rows = entry.change_rows()
        if not rows:
            return "—"
        return format_html_join(
            "\n",
            "<div><strong>{}</strong> : {}{}</div>",
            (
                (label, f"{old} → " if old not in (None, "") else "", new)
                for label, old, new in rows
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
