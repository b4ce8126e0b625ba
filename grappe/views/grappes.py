from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from core.history import form_changes
from core.pdf import pdf_response, render_pdf
from grappe import extensions, perms
from grappe.eligibility import check_eligibility
from grappe.enums import RoleKind, TypeComite
from grappe.forms.grappe import GrappeForm
from grappe.funding import simulate_funding
from grappe.models import Comite, Grappe, HistoryEntry, Role
from grappe.shortcuts import get_grappe_for

# The refusal of grappe.perms.can_decide_composition, on every page it guards.
COMPOSITION_REFUSAL = (
    "Seul le chef de projet de la grappe (ou l'administrateur national) modifie ses "
    "informations et sa composition : le consultant AMOA l'assiste et lui propose les "
    "changements."
)


@require_safe
def grappe_list(request):
    grappes = (
        Grappe.objects.for_user(request.user)
        .select_related("region", "aap", "porteur")
        .with_counts()
        .order_by("region__name", "name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        grappes = grappes.filter(
            Q(name__icontains=query)
            | Q(porteur__raison_sociale__icontains=query)
            | Q(memberships__esms__finess_et=query.upper())
        ).distinct()
    page = Paginator(grappes, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "grappe/grappe_list.html",
        {"page": page, "query": query, "can_create": perms.can_create_grappe(request.user)},
    )


def grappe_create(request):
    if not perms.can_create_grappe(request.user):
        raise PermissionDenied(
            "Une grappe est créée par une personne déclarée pour un organisme gestionnaire "
            "(sa direction ou un référent), qui en devient le chef de projet. Demandez à "
            "l'administrateur national de vous déclarer."
        )
    form = GrappeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            grappe = form.save()
            Role.objects.create(grappe=grappe, user=request.user, kind=RoleKind.CHEF_PROJET)
            for kind in TypeComite.values:
                Comite.objects.create(grappe=grappe, kind=kind)
            HistoryEntry.record(grappe, request.user, "Création de la grappe", grappe)
        messages.success(
            request,
            f"La grappe « {grappe.name} » est créée. Ajoutez maintenant ses ESMS par leur numéro FINESS.",
        )
        return redirect("grappe:esms_add", pk=grappe.pk)
    return render(request, "grappe/grappe_form.html", {"form": form, "grappe": None})


def detail_context(grappe, user):
    """Everything the grappe page and its PDF fiche show to the user (same data, two
    renderings)."""
    memberships = list(grappe.active_memberships())
    og_memberships = list(grappe.active_og_memberships().order_by("og__raison_sociale"))
    esms_by_og = Counter(m.esms.og_id for m in memberships)
    departements = Counter(
        (m.esms.departement.insee_code, m.esms.departement.name)
        if m.esms.departement
        else ("—", "Non renseigné")
        for m in memberships
    )
    domaines = Counter(m.esms.categorie.domaine.label for m in memberships)
    comites = list(
        grappe.comites.exclude(kind__in=perms.hidden_comite_kinds(user, grappe)).in_display_order()
    )
    roles = list(grappe.roles.select_related("user", "esms").order_by("kind", "user__last_name"))
    return {
        "grappe": grappe,
        "memberships": memberships,
        "og_rows": [(om, esms_by_og.get(om.og_id, 0)) for om in og_memberships],
        "departements": sorted(departements.items()),
        "domaines": sorted(domaines.items()),
        "comites": comites,
        "roles": roles,
        "eligibility": check_eligibility(grappe, memberships=memberships),
        "funding": simulate_funding(grappe, memberships=memberships),
    }


@require_safe
def grappe_detail(request, pk):
    grappe = get_grappe_for(request.user, pk)
    context = detail_context(grappe, request.user)
    context.update(
        can_edit=perms.can_edit_grappe(request.user, grappe),
        can_decide=perms.can_decide_composition(request.user, grappe),
        can_manage_people=perms.can_manage_people(request.user, grappe),
    )
    return render(request, "grappe/grappe_detail.html", context)


def grappe_edit(request, pk):
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_decide_composition(request.user, grappe):
        raise PermissionDenied(COMPOSITION_REFUSAL)
    form = GrappeForm(request.POST or None, instance=grappe, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = form_changes(form)
        form.save()
        if changes:
            HistoryEntry.record(grappe, request.user, "Modification de la grappe", grappe, changes)
        messages.success(request, "Les informations de la grappe sont enregistrées.")
        return redirect(grappe)
    return render(request, "grappe/grappe_form.html", {"form": form, "grappe": grappe})


@require_safe
def grappe_history(request, pk):
    grappe = get_grappe_for(request.user, pk)
    entries = grappe.history.select_related("user")
    if perms.is_amoa_only(request.user, grappe):
        entries = entries.without_confidential()
    entries = extensions.filter_history(request.user, grappe, entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "grappe/grappe_history.html", {"grappe": grappe, "page": page})


@require_safe
def grappe_fiche_pdf(request, pk):
    grappe = get_grappe_for(request.user, pk)
    pdf = render_pdf(
        "grappe/pdf/fiche.html",
        detail_context(grappe, request.user),
        request=request,
        grappe=grappe,
        title=f"Fiche grappe — {grappe.name}",
    )
    return pdf_response(pdf, f"fiche-grappe-{grappe.name}")
