"""What every app's views start from: the grappe the user may see (404 otherwise)."""

from django.shortcuts import get_object_or_404

from grappe.models import Grappe


def get_grappe_for(user, pk):
    """The grappe if the user may see it; 404 otherwise, so strangers learn nothing."""
    return get_object_or_404(
        Grappe.objects.for_user(user).select_related("region", "aap", "porteur"), pk=pk
    )
