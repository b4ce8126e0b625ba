"""The calls for projects: their list, an ARS opening one on an AAP of its region, its page, its
dates and envelope, its priority criteria and required pieces; a grappe's dossier in answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from candidatures import perms
from candidatures.forms import CampagneForm, CritereFormSet, PieceFormSet, SectionsForm
from candidatures.models import Campagne, Candidature
from candidatures.services import checklist
from core.money import euros
from grappe.funding import simulate_funding
from grappe.models import HistoryEntry
from grappe.views.grappes import form_changes, get_grappe_for

PAGE_SIZE = 25
REFUSED = (
    "Seuls les agents de l'ARS de la région de l'appel et l'administration nationale le gèrent."
)


@require_safe
def campagne_list(request):
    campagnes = Campagne.objects.select_related("aap__region").order_by("-cloture", "pk")
    page = Paginator(campagnes, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "candidatures/campagne_list.html",
        {
            "page": page,
            "rows": [(campagne, campagne.statut(now)) for campagne in page],
            "can_open": perms.can_open_campagne(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def campagne_create(request):
    if not perms.can_open_campagne(request.user):
        raise PermissionDenied(
            "Seuls les agents ARS et l'administration nationale ouvrent un appel."
        )
    form = CampagneForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            campagne = form.save(commit=False)
            campagne.created_by = request.user
            campagne.save()
            campagne.add_defaults()
            HistoryEntry.record(
                None,
                request.user,
                "Ouverture d'une campagne d'appel à projets",
                campagne,
                {
                    "Ouverture": f"{timezone.localtime(campagne.ouverture):%d/%m/%Y %H:%M}",
                    "Clôture": f"{timezone.localtime(campagne.cloture):%d/%m/%Y %H:%M}",
                    "Enveloppe": euros(campagne.enveloppe),
                },
            )
        messages.success(
            request,
            "La campagne est créée avec les critères de priorité et les pièces proposés par "
            "défaut : ajustez-les avant l'ouverture.",
        )
        return redirect(campagne)
    return render(request, "candidatures/campagne_form.html", {"form": form, "campagne": None})


def _campagne(pk):
    return get_object_or_404(Campagne.objects.select_related("aap__region"), pk=pk)


def _manager(request, campagne):
    if not perms.can_manage_campagne(request.user, campagne):
        raise PermissionDenied(REFUSED)


@require_safe
def campagne_detail(request, pk):
    campagne = _campagne(pk)
    if not perms.can_view_campagne(request.user, campagne):
        raise PermissionDenied
    statut = campagne.statut()
    return render(
        request,
        "candidatures/campagne_detail.html",
        {
            "campagne": campagne,
            "statut": statut,
            "criteres": list(campagne.criteres.all()),
            "pieces": list(campagne.pieces.all()),
            "can_manage": perms.can_manage_campagne(request.user, campagne),
        },
    )


@require_http_methods(["GET", "POST"])
def campagne_edit(request, pk):
    campagne = _campagne(pk)
    _manager(request, campagne)
    form = CampagneForm(request.POST or None, instance=campagne, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = form_changes(form)
        form.save()
        if changes:
            HistoryEntry.record(
                None,
                request.user,
                "Modification d'une campagne d'appel à projets",
                campagne,
                changes,
            )
        messages.success(request, "La campagne est enregistrée.")
        return redirect(campagne)
    return render(request, "candidatures/campagne_form.html", {"form": form, "campagne": campagne})


@require_http_methods(["GET", "POST"])
def criteres_edit(request, pk):
    campagne = _campagne(pk)
    _manager(request, campagne)
    if timezone.now() >= campagne.ouverture:
        # The dossiers are prepared, then scored, on the criteria published at the opening.
        messages.error(
            request,
            "L'appel est ouvert : ses critères de priorité et ses pièces ne se modifient plus.",
        )
        return redirect(campagne)
    data = request.POST or None
    criteres = CritereFormSet(data, instance=campagne, prefix="criteres")
    pieces = PieceFormSet(data, instance=campagne, prefix="pieces")
    if request.method == "POST" and criteres.is_valid() and pieces.is_valid():
        with transaction.atomic():
            criteres.save()
            pieces.save()
            HistoryEntry.record(
                None,
                request.user,
                "Critères de priorité et pièces d'une campagne enregistrés",
                campagne,
                {critere.libelle: f"{critere.poids} %" for critere in campagne.criteres.all()},
            )
        messages.success(request, "Les critères de priorité et les pièces sont enregistrés.")
        return redirect(campagne)
    return render(
        request,
        "candidatures/criteres_form.html",
        {"campagne": campagne, "criteres": criteres, "pieces": pieces},
    )


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
