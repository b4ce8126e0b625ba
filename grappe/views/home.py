from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from grappe import perms
from grappe.models import JoinRequest
from grappe.navigation import user_context


@require_safe
def home(request):
    """Send each person where they work: their grappe, their region's grappes, or the registry."""
    user = request.user
    ctx = user_context(user)
    if user.is_staff or ctx["ars_regions"]:
        return redirect(reverse("grappe:list"))
    # An OG's direction first decides on the grappes asking for its ESMS.
    if JoinRequest.objects.for_decider(user).pending().exists():
        return redirect(reverse("grappe:adhesions"))
    if len(ctx["grappes"]) == 1:
        return redirect(ctx["grappes"][0].get_absolute_url())
    if ctx["grappes"]:
        return redirect(reverse("grappe:list"))
    return render(request, "grappe/home_empty.html", {"can_create": perms.can_create_grappe(user)})
