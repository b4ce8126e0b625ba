from django.contrib import admin

from approbations.models import Avis
from core.admin import ReadOnlyAdmin


@admin.register(Avis)
class AvisAdmin(ReadOnlyAdmin):
    """Read only: an answer is given in the product, under its document's rules, and stays as
    the document's trail."""

    list_display = ("created_at", "user", "decision", "content_type", "object_id", "tour", "siege")
    list_filter = ("decision", "content_type")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "content_type")
    date_hierarchy = "created_at"
