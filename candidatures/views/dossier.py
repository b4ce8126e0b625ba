"""A grappe's dossier in answer to the call of its AAP: the checklist, the sections, the pieces,
the OG engagements and the filing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from candidatures import perms
from candidatures.forms import SectionsForm
from candidatures.models import Campagne, Candidature
from candidatures.services import checklist
from grappe.funding import simulate_funding
from grappe.models import HistoryEntry
from grappe.views.grappes import get_grappe_for

# ---------------------------------------------------------------------------------------------
# A grappe's dossier
# ---------------------------------------------------------------------------------------------


def _grappe_dossier(request, pk):
    """The grappe and the campaign of its AAP: 404 for a grappe the user may not see, 403 for
    its region's ARS agents while the dossier is the grappe's (not filed)."""
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_candidature(request.user, grappe):
        raise PermissionDenied(
            "Le dossier de candidature est celui de la grappe tant qu'il n'est pas déposé."
        )
    campagne = Campagne.objects.filter(aap_id=grappe.aap_id).first() if grappe.aap_id else None
    return grappe, campagne


@require_http_methods(["GET", "POST"])
def candidature(request, pk):
    grappe, campagne = _grappe_dossier(request, pk)
    dossier = (
        Candidature.objects.filter(grappe=grappe, campagne=campagne).first() if campagne else None
    )
    can_edit = perms.can_edit_candidature(request.user, grappe)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                "Seuls le chef de projet et l'administration nationale préparent le dossier."
            )
        if campagne is None:
            messages.error(
                request, "Aucun appel ouvert par l'ARS sur l'appel à projets de la grappe."
            )
        elif dossier is None:
            if timezone.now() >= campagne.cloture:
                messages.error(request, "L'appel est clos : un dossier ne peut plus être commencé.")
            else:
                dossier, _ = Candidature.objects.get_or_create(
                    grappe=grappe, campagne=campagne, defaults={"created_by": request.user}
                )
                HistoryEntry.record(
                    grappe, request.user, "Dossier de candidature commencé", campagne
                )
                messages.success(request, "Le dossier de candidature est commencé.")
        return redirect("candidatures:candidature", pk=grappe.pk)
    context = {
        "grappe": grappe,
        "campagne": campagne,
        "dossier": dossier,
        "can_edit": can_edit,
        "statut": campagne.statut() if campagne else None,
    }
    if dossier is not None:
        context["points"] = checklist(dossier)
        context["funding"] = simulate_funding(grappe)
    return render(request, "candidatures/candidature.html", context)


@require_http_methods(["GET", "POST"])
def candidature_sections(request, pk):
    grappe, campagne = _grappe_dossier(request, pk)
    if not perms.can_edit_candidature(request.user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet et l'administration nationale préparent le dossier."
        )
    dossier = get_object_or_404(Candidature, grappe=grappe, campagne=campagne)
    if timezone.now() >= campagne.cloture:
        messages.error(request, "L'appel est clos : le dossier ne se modifie plus.")
        return redirect("candidatures:candidature", pk=grappe.pk)
    form = SectionsForm(request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        changed = [str(form.fields[name].label) for name in form.changed_data]
        form.save()
        if changed:
            HistoryEntry.record(
                grappe,
                request.user,
                "Dossier de candidature rédigé",
                campagne,
                {"Sections modifiées": ", ".join(changed)},
            )
        messages.success(request, "Les sections du dossier sont enregistrées.")
        return redirect("candidatures:candidature", pk=grappe.pk)
    return render(
        request,
        "candidatures/candidature_sections.html",
        {"grappe": grappe, "campagne": campagne, "dossier": dossier, "form": form},
    )
