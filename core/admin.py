"""Admin pieces shared by the apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows a workflow writes under its rules (answers, filings, decisions, history): the
    national admin reads them in the admin site, never changes them there, where no rule,
    lock nor trail would apply."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
