"""A grappe's finances: the page (budget and sums by poste and by OG, alerts, engagements,
invoices), engagements and their invoices written by the chef de projet and the AMOA consultant,
files served after the permission check. Every write is traced in the grappe's history."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from core import exports
from core.imports import ALREADY_APPLIED, AlreadyApplied, applying
from core.money import euros, euros_cell
from core.pdf import pdf_response, render_pdf
from core.text import number
from core.uploads import UploadRefused, clean_filename, delete_on_commit, file_response
from finances import facture_import, services
from finances.charts import postes_svg
from finances.forms import (
    CleForm,
    EngagementForm,
    FactureForm,
    FinancementsPropresForm,
    ImportFacturesForm,
    ReversementForm,
    parts_formset,
)
from finances.models import (
    CleRepartition,
    Engagement,
    Facture,
    FinancementPropre,
    ImportFactures,
    ModeRepartition,
    PartCle,
    Reversement,
    StatutImportFactures,
)
from finances.perms import can_edit_finances, can_view_finances
from grappe import perms as grappe_perms
from grappe.models import Grappe, HistoryEntry
from grappe.perms import is_og_direction
from indicateurs.models import Tranche

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
            "engagements, les factures et la répartition de la subvention."
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
            "graphique": postes_svg(synthese.postes),
            "reversements": Reversement.objects.filter(grappe=grappe)
            .select_related("og", "tranche")
            .order_by("-date", "-pk"),
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


@require_http_methods(["GET", "POST"])
def engagement_supprimer(request, pk, engagement_id):
    """Delete an engagement entered by mistake. One with invoices is refused: its invoices go
    first, one by one, so that no invoice disappears unseen."""
    grappe = _grappe(request, pk, write=True)
    engagement = _engagement(grappe, engagement_id)
    nb_factures = engagement.factures.count()
    if request.method == "POST" and not nb_factures:
        with transaction.atomic():
            HistoryEntry.record(
                grappe,
                request.user,
                "Engagement supprimé",
                grappe,
                {
                    "Engagement": f"{engagement.objet} ({engagement.fournisseur})",
                    "Poste": engagement.get_poste_display(),
                    "Montant TTC": euros(engagement.montant_ttc),
                    "Date": f"{engagement.date:%d/%m/%Y}",
                },
            )
            delete_on_commit(engagement.document)
            engagement.delete()
        messages.success(request, f"Engagement « {engagement.objet} » supprimé.")
        return redirect("finances:grappe", grappe.pk)
    return render(
        request,
        "finances/supprimer.html",
        {
            "grappe": grappe,
            "titre": f"Supprimer l'engagement « {engagement.objet} »",
            "objet": f"{engagement.objet} — {engagement.fournisseur}, "
            f"{euros(engagement.montant_ttc)} TTC, du {engagement.date:%d/%m/%Y}",
            "refus": (
                f"Cet engagement porte {nb_factures} facture{'s' if nb_factures > 1 else ''} : "
                "supprimez-les d'abord (ou corrigez-les) depuis sa page."
                if nb_factures
                else ""
            ),
            "retour": engagement.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def facture_supprimer(request, pk, engagement_id, facture_id):
    grappe = _grappe(request, pk, write=True)
    engagement = _engagement(grappe, engagement_id)
    facture = get_object_or_404(Facture, pk=facture_id, engagement=engagement)
    if request.method == "POST":
        with transaction.atomic():
            HistoryEntry.record(
                grappe,
                request.user,
                "Facture supprimée",
                engagement,
                {
                    "Facture": facture.numero,
                    "Date": f"{facture.date:%d/%m/%Y}",
                    "Montant TTC": euros(facture.montant_ttc),
                    "Fichier": facture.nom_fichier or "—",
                },
            )
            delete_on_commit(facture.fichier)
            facture.delete()
        messages.success(request, f"Facture n° {facture.numero} supprimée.")
        return redirect(engagement)
    return render(
        request,
        "finances/supprimer.html",
        {
            "grappe": grappe,
            "titre": f"Supprimer la facture n° {facture.numero}",
            "objet": f"Facture n° {facture.numero} du {facture.date:%d/%m/%Y}, "
            f"{euros(facture.montant_ttc)} TTC — {engagement.objet}",
            "retour": engagement.get_absolute_url(),
        },
    )


@require_safe
def facture_fichier(request, pk, engagement_id, facture_id):
    grappe = _grappe(request, pk)
    engagement = _engagement(grappe, engagement_id)
    facture = get_object_or_404(Facture, pk=facture_id, engagement=engagement)
    if not facture.fichier:
        raise Http404  # an imported invoice, its PDF not attached yet
    return file_response(facture.fichier, facture.nom_fichier, facture.type_fichier)


# --- Importing invoices (dry run, then atomic; like indicateurs' usage import) -------------


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
def import_factures_modele(request, pk):
    grappe = _grappe(request, pk, write=True)
    response = HttpResponse(facture_import.template_xlsx(grappe), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="modele-factures-{slugify(grappe.name)}.xlsx"'
    )
    return response


@require_http_methods(["GET", "POST"])
def import_factures(request, pk):
    """Upload a workbook: kept, checked (dry run), nothing written; and the past imports."""
    grappe = _grappe(request, pk, write=True)
    form = ImportFacturesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        name = clean_filename(upload.name)
        record = ImportFactures(grappe=grappe, nom_original=name, created_by=request.user)
        record.fichier.save(name, upload, save=False)
        upload.seek(0)
        _verify(record, upload.read())
        record.save()
        if record.statut == StatutImportFactures.VERIFIE:
            messages.info(
                request,
                "Fichier vérifié : rien n'a encore été écrit. Relisez le rapport puis appliquez "
                "l'import.",
            )
        else:
            messages.error(request, "Fichier refusé : corrigez les erreurs et renvoyez-le.")
        return redirect("finances:import_factures_detail", pk=grappe.pk, import_id=record.pk)
    imports = Paginator(
        ImportFactures.objects.filter(grappe=grappe).select_related("created_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "finances/import_factures.html",
        {
            "grappe": grappe,
            "form": form,
            "page": imports,
            "engagements": Engagement.objects.filter(grappe=grappe).order_by("pk"),
            "colonnes": facture_import.COLUMNS,
        },
    )


def _verify(record, data):
    """The dry run of the file's bytes, into the record (not saved)."""
    try:
        rapport = facture_import.validate(facture_import.read_rows(data), record.grappe)
    except UploadRefused as exc:
        rapport = {"fichier": str(exc), "lignes": []}
    record.rapport = rapport
    record.lignes = len(rapport["lignes"])
    record.lignes_en_erreur = sum(1 for ligne in rapport["lignes"] if ligne["erreurs"])
    record.statut = (
        StatutImportFactures.VERIFIE
        if facture_import.is_ok(rapport)
        else StatutImportFactures.REFUSE
    )


@require_http_methods(["GET", "POST"])
def import_factures_detail(request, pk, import_id):
    grappe = _grappe(request, pk, write=True)
    record = get_object_or_404(
        ImportFactures.objects.select_related("created_by"), pk=import_id, grappe=grappe
    )
    if request.method == "POST":
        if record.statut == StatutImportFactures.APPLIQUE:
            messages.error(request, ALREADY_APPLIED)
        elif request.POST.get("action") != "appliquer" or record.statut != (
            StatutImportFactures.VERIFIE
        ):
            messages.error(request, "Cet import ne peut pas (ou plus) être appliqué.")
        else:
            _apply_import(request, grappe, record)
        return redirect("finances:import_factures_detail", pk=grappe.pk, import_id=record.pk)
    return render(
        request,
        "finances/import_factures_detail.html",
        {
            "grappe": grappe,
            "record": record,
            "rapport": record.rapport or {},
            "lignes": facture_import.shown(record.rapport or {}),
            "can_apply": record.statut == StatutImportFactures.VERIFIE,
        },
    )


def _apply_import(request, grappe, record):
    """Re-read the kept file and check it again (invoices may have been entered since the dry
    run), then write every line in one transaction, or nothing; once, whatever the clicks
    (core.imports)."""
    try:
        with applying(
            ImportFactures.objects.filter(pk=record.pk, statut=StatutImportFactures.VERIFIE),
            statut=StatutImportFactures.APPLIQUE,
            applied_at=timezone.now(),
        ):
            record.refresh_from_db()
            with record.fichier.open("rb") as handle:
                _verify(record, handle.read())
            if record.statut != StatutImportFactures.VERIFIE:
                record.applied_at = None
                record.save()
                messages.error(
                    request, "Les données ont changé depuis la vérification : import refusé."
                )
                return
            created = facture_import.apply(record.rapport, grappe, request.user)
            record.statut = StatutImportFactures.APPLIQUE
            record.factures_creees = len(created)
            record.save()
            HistoryEntry.record(
                grappe,
                request.user,
                "Import de factures appliqué",
                record.nom_original,
                {
                    "Factures créées": len(created),
                    "Montant TTC": euros(sum((f.montant_ttc for f in created), services.ZERO)),
                    "Numéros": ", ".join(f.numero for f in created)[:500],
                },
            )
    except AlreadyApplied as exc:
        messages.error(request, exc.message)
        return
    messages.success(
        request,
        f"Import appliqué : {len(created)} facture{'s' if len(created) > 1 else ''} "
        "créée" + ("s" if len(created) > 1 else "") + ". Joignez leur PDF depuis la page de "
        "chaque facture.",
    )


# --- Sharing the subsidy ----------------------------------------------------------------------


def _ogs_cooperateurs(grappe):
    return sorted(
        {membership.og for membership in grappe.active_og_memberships()},
        key=lambda og: (og.raison_sociale, og.finess_ej),
    )


@require_http_methods(["GET", "POST"])
def cle_repartition(request, pk):
    """The key sharing each tranche among the coopérateur OGs (writers only)."""
    grappe = _grappe(request, pk, write=True)
    cle = CleRepartition.objects.filter(grappe=grappe).first() or CleRepartition(grappe=grappe)
    ogs = _ogs_cooperateurs(grappe)
    data = request.POST if request.method == "POST" else None
    form = CleForm(data, instance=cle)
    formset = parts_formset(cle, ogs, data)
    if request.method == "POST" and form.is_valid():
        saisie = form.cleaned_data["mode"] == ModeRepartition.SAISIE
        if not saisie or formset.is_valid():
            with transaction.atomic():
                cle = form.save(commit=False)
                cle.updated_by = request.user
                cle.updated_at = timezone.now()
                cle.save()
                changes = {"Clé": cle.get_mode_display()}
                if saisie:
                    for row in formset.forms:
                        values = row.cleaned_data
                        og, pourcentage = values.get("og"), values.get("pourcentage")
                        if og is None:
                            continue
                        if pourcentage is None:
                            PartCle.objects.filter(cle=cle, og=og).delete()
                            continue
                        PartCle.objects.update_or_create(
                            cle=cle, og=og, defaults={"pourcentage": pourcentage}
                        )
                        changes[og.raison_sociale or og.finess_ej] = f"{number(pourcentage)} %"
                HistoryEntry.record(
                    grappe,
                    request.user,
                    "Clé de répartition de la subvention modifiée",
                    cle,
                    changes,
                )
            messages.success(request, f"Clé de répartition enregistrée : {cle.get_mode_display()}.")
            return redirect(reverse("finances:grappe", args=[grappe.pk]) + "#repartition")
    return render(
        request,
        "finances/cle_form.html",
        {"grappe": grappe, "form": form, "formset": formset, "ogs": ogs},
    )


@require_http_methods(["GET", "POST"])
def reversement_form(request, pk):
    """Record what the porteur transferred to a coopérateur OG of a paid tranche (writers only).
    Checked under a lock on the grappe's paid tranches: two transfers at once cannot both take
    what remains owed."""
    grappe = _grappe(request, pk, write=True)
    if request.method == "POST":
        with transaction.atomic():
            list(
                Tranche.objects.select_for_update()
                .versees()
                .filter(grappe=grappe)
                .values_list("pk", flat=True)
            )
            partage = services.repartition(grappe)
            form = ReversementForm(request.POST, grappe=grappe, partage=partage)
            if form.is_valid():
                reversement = form.save(commit=False)
                reversement.grappe = grappe
                reversement.created_by = request.user
                reversement.save()
                og = reversement.og
                HistoryEntry.record(
                    grappe,
                    request.user,
                    "Reversement enregistré",
                    reversement,
                    {
                        "Organisme gestionnaire": og.raison_sociale or og.finess_ej,
                        "Tranche": str(reversement.tranche.numero),
                        "Montant": euros(reversement.montant),
                        "Date": f"{reversement.date:%d/%m/%Y}",
                        "Référence": reversement.reference or "—",
                    },
                )
        if form.is_valid():
            messages.success(
                request,
                f"Reversement de {euros(reversement.montant)} à "
                f"{og.raison_sociale or og.finess_ej} enregistré.",
            )
            return redirect(reverse("finances:grappe", args=[grappe.pk]) + "#repartition")
    else:
        partage = services.repartition(grappe)
        initial = {"date": timezone.localdate()}
        for key in ("tranche", "og"):
            if request.GET.get(key, "").isdigit():
                initial[key] = int(request.GET[key])
        if "tranche" in initial and "og" in initial:
            reste = partage.reste(initial["tranche"], initial["og"])
            if reste > 0:
                initial["montant"] = reste
        form = ReversementForm(initial=initial, grappe=grappe, partage=partage)
    return render(
        request,
        "finances/reversement_form.html",
        {"grappe": grappe, "form": form, "partage": partage},
    )


@require_http_methods(["GET", "POST"])
def reversement_supprimer(request, pk, reversement_id):
    """Delete a transfer recorded by mistake: what remains owed to the OG grows back."""
    grappe = _grappe(request, pk, write=True)
    reversement = get_object_or_404(
        Reversement.objects.select_related("og", "tranche"), pk=reversement_id, grappe=grappe
    )
    og = reversement.og.raison_sociale or reversement.og.finess_ej
    description = (
        f"{euros(reversement.montant)} à {og} sur la tranche {reversement.tranche.numero}, "
        f"virés le {reversement.date:%d/%m/%Y}"
    )
    if request.method == "POST":
        with transaction.atomic():
            HistoryEntry.record(
                grappe,
                request.user,
                "Reversement supprimé",
                grappe,
                {"Reversement": description, "Référence": reversement.reference or "—"},
            )
            reversement.delete()
        messages.success(request, f"Reversement supprimé : {description}.")
        return redirect(reverse("finances:grappe", args=[grappe.pk]) + "#repartition")
    return render(
        request,
        "finances/supprimer.html",
        {
            "grappe": grappe,
            "titre": "Supprimer un reversement",
            "objet": description,
            "retour": reverse("finances:grappe", args=[grappe.pk]) + "#repartition",
        },
    )


# --- The OGs' own funding ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def financements_propres(request, pk):
    """What each OG puts of its own money into each poste, beside the subsidy (writers only).
    A blank amount removes the line."""
    grappe = _grappe(request, pk, write=True)
    existing = {
        (item.og_id, item.poste): item
        for item in FinancementPropre.objects.filter(grappe=grappe).select_related("og")
    }
    ogs = sorted(
        set(_ogs_cooperateurs(grappe)) | {item.og for item in existing.values()},
        key=lambda og: (og.raison_sociale, og.finess_ej),
    )
    form = FinancementsPropresForm(
        request.POST or None,
        ogs=ogs,
        montants={key: item.montant for key, item in existing.items()},
    )
    if request.method == "POST" and form.is_valid():
        changes = {}
        with transaction.atomic():
            for (og, poste), montant in form.montants().items():
                item = existing.get((og.pk, poste.value))
                before = item.montant if item else None
                if montant == before or (not montant and item is None):
                    continue
                if not montant:
                    item.delete()
                elif item is None:
                    FinancementPropre.objects.create(
                        grappe=grappe, og=og, poste=poste, montant=montant
                    )
                else:
                    item.montant = montant
                    item.save(update_fields=["montant"])
                name = og.raison_sociale or og.finess_ej
                changes[f"{name} — {poste.label}"] = (
                    f"{euros(before) or '—'} → {euros(montant) if montant else '—'}"
                )
            if changes:
                HistoryEntry.record(
                    grappe, request.user, "Financements propres modifiés", grappe, changes
                )
        messages.success(
            request,
            "Financements propres enregistrés."
            if changes
            else "Aucun changement : les financements propres restent tels quels.",
        )
        return redirect("finances:grappe", grappe.pk)
    return render(
        request,
        "finances/financements_propres.html",
        {"grappe": grappe, "form": form},
    )


# --- The financial statement for the ARS and the export ----------------------------------------


@require_safe
def bilan_pdf(request, pk):
    """The bilan financier for the ARS: per poste, the subsidy, the justified expenses and the
    invoices; the shares of the paid tranches transferred to each OG; dated today."""
    grappe = _grappe(request, pk)
    context = {"grappe": grappe, **services.bilan(grappe)}
    pdf = render_pdf(
        "finances/pdf/bilan.html",
        context,
        request=request,
        grappe=grappe,
        title=f"Bilan financier — {grappe.name}",
    )
    return pdf_response(pdf, f"bilan-financier-{grappe.name}-{context['arrete_le']:%Y-%m-%d}")


BOLD = Font(bold=True)
POSTE_COLUMNS = (
    ("subvention", "Subvention"),
    ("propre", "Financements propres"),
    ("budget", "Budget"),
    ("engage", "Engagé TTC"),
    ("facture", "Facturé TTC"),
    ("paye", "Payé TTC"),
    ("justifie", "Justifié TTC"),
)


def _og_name(og):
    return og.raison_sociale or og.finess_ej


def _row(sheet, values, money=()):
    """Append a formula-safe row; the columns in `money` (1-based) become € number cells."""
    line = exports.append(sheet, values)
    for column in money:
        euros_cell(sheet.cell(row=line, column=column), values[column - 1])
    return line


def _header(sheet, values):
    exports.append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


@require_safe
def export_xlsx(request, pk):
    """The finances as a spreadsheet: postes and totals, engagements, invoices (eligibility and
    why not), the sharing of the paid tranches. Amounts are numbers with the € format."""
    grappe = _grappe(request, pk)
    data = services.bilan(grappe)
    synthese = data["synthese"]
    workbook = Workbook()
    postes = workbook.active
    postes.title = "Postes"
    money = range(2, 2 + len(POSTE_COLUMNS))
    _header(postes, ["Poste", *(label for _, label in POSTE_COLUMNS), "Éligible à l'appel"])
    for ligne in synthese.postes:
        values = [ligne.libelle, *(getattr(ligne, key) for key, _ in POSTE_COLUMNS)]
        _row(postes, [*values, "oui" if ligne.eligible else "non"], money)
    line = _row(postes, ["Total", *(getattr(synthese.totaux, k) for k, _ in POSTE_COLUMNS)], money)
    for cell in postes[line]:
        cell.font = BOLD

    engagements = workbook.create_sheet("Engagements")
    _header(
        engagements,
        ["Date", "Poste", "Organisme gestionnaire", "Fournisseur", "Objet", "Montant HT",
         "TVA (%)", "Montant TTC"],
    )  # fmt: skip
    for item in data["engagements"]:
        line = _row(
            engagements,
            [item.date, item.get_poste_display(), _og_name(item.og), item.fournisseur,
             item.objet, item.montant_ht, item.taux_tva, item.montant_ttc],
            (6, 8),
        )  # fmt: skip
        engagements.cell(row=line, column=1).number_format = "DD/MM/YYYY"

    factures = workbook.create_sheet("Factures")
    _header(
        factures,
        ["Date", "Numéro", "Poste", "Fournisseur", "Engagement", "Montant HT", "Montant TTC",
         "Payée le", "Éligible", "Motif"],
    )  # fmt: skip
    for item in data["factures"]:
        if item.motif:
            motif = item.motif
        elif item.eligibilite_forcee:
            motif = f"Éligible par exception : {item.motif_forcage}"
        else:
            motif = ""
        line = _row(
            factures,
            [item.date, item.numero, item.engagement.get_poste_display(),
             item.engagement.fournisseur, item.engagement.objet, item.montant_ht,
             item.montant_ttc, item.payee_le, "oui" if item.eligible else "non", motif],
            (6, 7),
        )  # fmt: skip
        for column in (1, 8):
            factures.cell(row=line, column=column).number_format = "DD/MM/YYYY"

    repartition = workbook.create_sheet("Répartition")
    _header(
        repartition,
        ["Tranche", "Reçue le", "Montant payé", "Organisme gestionnaire", "Part", "Reversé",
         "Reste dû"],
    )  # fmt: skip
    for ligne in synthese.repartition.tranches:
        tranche = ligne.tranche
        for part in ligne.parts:
            name = _og_name(part.og) + (" (porteur)" if part.porteur else "")
            line = _row(
                repartition,
                [tranche.numero, tranche.paye_le, tranche.montant_paye, name, part.part,
                 part.reverse, part.reste],
                (3, 5, 6, 7),
            )  # fmt: skip
            repartition.cell(row=line, column=2).number_format = "DD/MM/YYYY"
    for sheet in workbook.worksheets:
        sheet.freeze_panes = "A2"

    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"finances-{slugify(grappe.name)}-{data['arrete_le']:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
