"""A grappe's finances: the page (budget and sums by poste and by OG, alerts, engagements,
invoices), engagements and their invoices written by the chef de projet and the AMOA consultant,
files served after the permission check. Every write is traced in the grappe's history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.money import euros
from core.uploads import file_response
from finances import services
from finances.forms import EngagementForm, FactureForm
from finances.models import Engagement, Facture
from finances.perms import can_edit_finances, can_view_finances
from grappe import perms as grappe_perms
from grappe.models import Grappe, HistoryEntry
from grappe.perms import is_og_direction

PAGE_SIZE = 25


def _grappe(request, pk, write=False):
    """The grappe, for a reader of its finances (or a writer with `write`): 404 to whoever may
    not see the grappe, 403 to its other people, told why."""
    grappe = get_object_or_404(Grappe.objects.select_related("region", "aap", "porteur"), pk=pk)
    user = request.user
    if not (grappe_perms.can_view_grappe(user, grappe) or is_og_direction(user, grappe)):
        raise Http404
    if not can_view_finances(user, grappe):
        raise PermissionDenied(
            "Les finances du projet sont réservées au chef de projet, à l'AMOA, au COPIL, aux "
            "directions des organismes gestionnaires coopérateurs et à l'ARS."
        )
    if write and not can_edit_finances(user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet, l'AMOA et l'administration nationale enregistrent les "
            "engagements et les factures."
        )
    return grappe


def _engagement(grappe, engagement_id):
    return get_object_or_404(
        Engagement.objects.select_related("og"), pk=engagement_id, grappe=grappe
    )


@require_safe
def finances_grappe(request, pk):
    grappe = _grappe(request, pk)
    synthese = services.synthese(grappe)
    engagements = Paginator(
        Engagement.objects.filter(grappe=grappe)
        .select_related("og")
        .annotate(nb_factures=Count("factures"), facture_ttc=Sum("factures__montant_ttc"))
        .order_by("-date", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("engagements"))
    factures = Paginator(
        Facture.objects.filter(engagement__grappe=grappe)
        .select_related("engagement")
        .order_by("-date", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("factures"))
    for facture in factures:
        facture.motif = synthese.regles.motif(facture, facture.engagement.poste)
    can_edit = can_edit_finances(request.user, grappe)
    return render(
        request,
        "finances/grappe.html",
        {
            "grappe": grappe,
            "synthese": synthese,
            "engagements": engagements,
            "factures": factures,
            "can_edit": can_edit,
            "propositions": services.propositions(grappe) if can_edit else [],
        },
    )


def _save_document(form, engagement):
    upload = form.cleaned_data.get("document")
    if upload and hasattr(upload, "content_type"):
        engagement.document_nom = form.upload_name
        engagement.document_type = form.upload_type
        engagement.document.save(form.upload_name, upload, save=False)


@require_http_methods(["GET", "POST"])
def engagement_form(request, pk, engagement_id=None):
    grappe = _grappe(request, pk, write=True)
    engagement = _engagement(grappe, engagement_id) if engagement_id else None
    propositions = {p["choix"]: p for p in services.propositions(grappe)} if not engagement else {}
    initial = {}
    if request.method == "GET" and request.GET.get("choix", "").isdigit():
        initial = propositions.get(int(request.GET["choix"]), {})
    form = EngagementForm(
        request.POST or None,
        request.FILES or None,
        instance=engagement,
        initial=initial,
        grappe=grappe,
        choix_ids=propositions,
    )
    if request.method == "POST" and form.is_valid():
        creating = engagement is None
        with transaction.atomic():
            engagement = form.save(commit=False)
            engagement.grappe = grappe
            if creating:
                engagement.created_by = request.user
                engagement.choix_id = form.cleaned_data.get("choix")
            _save_document(form, engagement)
            engagement.save()
            HistoryEntry.record(
                grappe,
                request.user,
                "Engagement enregistré" if creating else "Engagement modifié",
                engagement,
                {
                    "Poste": engagement.get_poste_display(),
                    "Organisme gestionnaire": str(engagement.og),
                    "Montant TTC": euros(engagement.montant_ttc),
                },
            )
        messages.success(request, f"Engagement « {engagement.objet} » enregistré.")
        return redirect(engagement)
    return render(
        request,
        "finances/engagement_form.html",
        {"grappe": grappe, "form": form, "engagement": engagement},
    )


@require_safe
def engagement_detail(request, pk, engagement_id):
    grappe = _grappe(request, pk)
    engagement = _engagement(grappe, engagement_id)
    regles = services.Regles.of(grappe)
    factures = list(engagement.factures.order_by("-date", "-pk"))
    for facture in factures:
        facture.motif = regles.motif(facture, engagement.poste)
    return render(
        request,
        "finances/engagement.html",
        {
            "grappe": grappe,
            "engagement": engagement,
            "factures": factures,
            "total_facture": sum((f.montant_ttc for f in factures), services.ZERO),
            "can_edit": can_edit_finances(request.user, grappe),
        },
    )


@require_safe
def engagement_document(request, pk, engagement_id):
    grappe = _grappe(request, pk)
    engagement = _engagement(grappe, engagement_id)
    if not engagement.document:
        raise Http404("Aucun document joint à cet engagement.")
    return file_response(engagement.document, engagement.document_nom, engagement.document_type)


@require_http_methods(["GET", "POST"])
def facture_form(request, pk, engagement_id, facture_id=None):
    grappe = _grappe(request, pk, write=True)
    engagement = _engagement(grappe, engagement_id)
    facture = (
        get_object_or_404(Facture, pk=facture_id, engagement=engagement) if facture_id else None
    )
    form = FactureForm(
        request.POST or None,
        request.FILES or None,
        instance=facture,
        engagement=engagement,
        initial={} if facture else {"taux_tva": engagement.taux_tva},
    )
    if request.method == "POST" and form.is_valid():
        creating = facture is None
        with transaction.atomic():
            facture = form.save(commit=False)
            facture.engagement = engagement
            if creating:
                facture.created_by = request.user
            upload = form.cleaned_data.get("fichier")
            if upload and hasattr(upload, "content_type"):
                facture.nom_fichier = form.upload_name
                facture.type_fichier = form.upload_type
                facture.taille = upload.size
                facture.fichier.save(form.upload_name, upload, save=False)
            facture.save()
            changes = {
                "Engagement": str(engagement),
                "Montant TTC": euros(facture.montant_ttc),
                "Payée le": f"{facture.payee_le:%d/%m/%Y}" if facture.payee_le else "non payée",
            }
            if facture.eligibilite_forcee:
                changes["Éligible malgré sa date"] = facture.motif_forcage
            HistoryEntry.record(
                grappe,
                request.user,
                "Facture enregistrée" if creating else "Facture modifiée",
                facture,
                changes,
            )
        messages.success(request, f"Facture n° {facture.numero} enregistrée.")
        return redirect(engagement)
    return render(
        request,
        "finances/facture_form.html",
        {"grappe": grappe, "engagement": engagement, "facture": facture, "form": form},
    )


@require_safe
def facture_fichier(request, pk, engagement_id, facture_id):
    grappe = _grappe(request, pk)
    engagement = _engagement(grappe, engagement_id)
    facture = get_object_or_404(Facture, pk=facture_id, engagement=engagement)
    return file_response(facture.fichier, facture.nom_fichier, facture.type_fichier)
