"""The home (« Tableau de bord »): what each person has to do now, by the work they do on Grappe
— the project they lead, the avis they owe the COPIL, the grappes they follow as AMOA, their
region as ARS agent, the nation as administrator. A person doing several gets several sections."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accueil.sections import registry
from grappe import perms
from grappe.navigation import user_context


@require_safe
def tableau_de_bord(request):
    user = request.user
    today = timezone.localdate()
    sections = registry.for_user(user, user_context(user), today)
    return render(
        request,
        "accueil/tableau_de_bord.html",
        {
            "sections": sections,
            "today": today,
            "can_create": not sections and perms.can_create_grappe(user),
        },
    )
