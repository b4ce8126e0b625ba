"""The calls for projects: their list, an ARS opening one on an AAP of its region, its page, its
dates and envelope, its priority criteria and required pieces."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from candidatures import perms
from candidatures.forms import CampagneForm, CritereFormSet, PieceFormSet
from candidatures.models import Campagne
from core.money import euros
from grappe.models import HistoryEntry
from grappe.views.grappes import form_changes

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
