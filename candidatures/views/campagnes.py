"""The calls for projects: their list, an ARS opening one on an AAP of its region, its page, its
dates and envelope, its priority criteria and required pieces."""

from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from candidatures import instruction, perms
from candidatures.enums import StatutCandidature
from candidatures.forms import CampagneForm, CritereFormSet, PieceFormSet
from candidatures.models import Campagne
from core.history import form_changes
from core.money import euros
from grappe.models import EsmsMembership, HistoryEntry

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
    context = {
        "campagne": campagne,
        "statut": statut,
        "criteres": list(campagne.criteres.all()),
        "pieces": list(campagne.pieces.all()),
        "can_manage": perms.can_manage_campagne(request.user, campagne),
    }
    # The filed dossiers and their instruction are the managers' (the instructors are among
    # them): everybody else reads the call only.
    if perms.can_follow_instruction(request.user, campagne):
        context.update(instruction_context(request, campagne))
    return render(request, "candidatures/campagne_detail.html", context)


RANKING_PAGE_SIZE = 50


def instruction_context(request, campagne):
    """The ARS side of the call, in a fixed number of queries whatever the number of dossiers:
    dossiers by status, requested amounts against the envelope, ESMS covered by département,
    the ranking with the decisions."""
    analysis = instruction.analyse(campagne)
    dossiers = [ligne.candidature for ligne in analysis.lignes]
    counts = Counter(c.statut for c in dossiers)
    hidden = analysis.masques_pour(request.user)
    departements = (
        EsmsMembership.objects.filter(
            grappe_id__in=[c.grappe_id for c in dossiers], left_on__isnull=True
        )
        .values("esms__departement__code", "esms__departement__name")
        .annotate(esms=Count("esms", distinct=True), grappes=Count("grappe", distinct=True))
        .order_by("esms__departement__code")
    )
    page = Paginator(analysis.lignes, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    requested = sum((c.montant_demande or Decimal(0) for c in dossiers), Decimal("0.00"))
    consumed = analysis.consommee()
    return {
        "instruction": analysis,
        "statuts": [
            (label, counts.get(value, 0))
            for value, label in StatutCandidature.choices
            if value != StatutCandidature.BROUILLON
        ],
        "nb_dossiers": len(dossiers),
        "demande_totale": requested,
        "consommee": consumed,
        "depassement": consumed - campagne.enveloppe if consumed > campagne.enveloppe else None,
        "departements": list(departements),
        "page": page,
        "hidden": hidden,
        "ties": analysis.ranking.ties if not hidden else [],
        "today": timezone.localdate(),
        "is_instructeur": request.user.pk in analysis.instructeur_ids,
    }


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
