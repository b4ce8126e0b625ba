"""The FINESS registry: search the imported ESMS, import the open-data FINESS files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from core.text import plural
from grappe import perms
from grappe.enums import StatutImport, StatutLigneImport
from grappe.finess import FINESS_PATTERN, normalize_finess
from grappe.finess_import import queue_apply, record_upload, run_recorded
from grappe.forms.registre import FinessImportForm, RegistreSearchForm
from grappe.models import Esms, FinessImport, HistoryEntry
from grappe.tasks import apply_finess_import

PAGE_SIZE = 25


def search_filter(query):
    condition = (
        Q(raison_sociale__icontains=query)
        | Q(raison_sociale_longue__icontains=query)
        | Q(og__raison_sociale__icontains=query)
        | Q(commune__icontains=query)
    )
    number = normalize_finess(query)
    if FINESS_PATTERN.fullmatch(number):
        condition |= Q(finess_et=number) | Q(og__finess_ej=number)
    elif number.isdigit():
        condition |= (
            Q(code_postal__startswith=number)
            | Q(finess_et__startswith=number)
            | Q(og__finess_ej__startswith=number)
        )
    return condition


def registre(request):
    if not perms.can_browse_registre(request.user):
        raise PermissionDenied("Le registre est réservé aux équipes projet des grappes.")
    form = RegistreSearchForm(request.GET)
    esms = Esms.objects.select_related("og", "categorie", "departement")
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        if query:
            esms = esms.filter(search_filter(query))
        if data["departement"]:
            esms = esms.filter(departement=data["departement"])
        if data["categorie"]:
            esms = esms.filter(categorie=data["categorie"])
        if data["esms_only"]:
            esms = esms.filter(categorie__agregat_code__startswith="4")
    else:
        esms = esms.none()
    page = Paginator(esms.order_by("raison_sociale", "finess_et"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "grappe/registre.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_import": perms.can_import_finess(request.user),
        },
    )


def check_import_permission(user):
    if not perms.can_import_finess(user):
        raise PermissionDenied("L'import FINESS est réservé aux administrateurs nationaux.")


def finess_import(request):
    check_import_permission(request.user)
    form = FinessImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        finess_import = record_upload(
            upload,
            name=upload.name,
            user=request.user,
            include_all=form.cleaned_data["include_all"],
        )
        run_recorded(finess_import, dry_run=True)
        if finess_import.status == StatutImport.ECHEC:
            messages.error(request, f"Fichier refusé : {finess_import.error}")
        else:
            messages.info(
                request,
                "Simulation terminée : rien n'a encore été écrit. Vérifiez le rapport puis "
                "appliquez l'import.",
            )
        return redirect("grappe:finess_import_detail", import_id=finess_import.pk)
    imports = Paginator(FinessImport.objects.select_related("user"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "grappe/finess_import.html", {"form": form, "page": imports})


def finess_import_detail(request, import_id):
    check_import_permission(request.user)
    finess_import = get_object_or_404(FinessImport.objects.select_related("user"), pk=import_id)
    if request.method == "POST":
        if request.POST.get("action") != "apply":
            messages.error(request, "Action inconnue.")
            return redirect("grappe:finess_import_detail", import_id=finess_import.pk)
        finess_import, error = queue_apply(finess_import.pk)
        if error:
            messages.error(request, error)
        else:
            # National action: in the audit trail without a grappe.
            HistoryEntry.record(
                None,
                request.user,
                "Application d'un import FINESS",
                finess_import,
                {"Fichier": finess_import.original_name},
            )
            # Runs inline without Redis (make run), on a worker in production.
            apply_finess_import.delay(finess_import.pk)
            finess_import.refresh_from_db()
            if finess_import.status == StatutImport.APPLIQUE:
                created = finess_import.counts.get(StatutLigneImport.CREEE, 0)
                updated = finess_import.counts.get(StatutLigneImport.MISE_A_JOUR, 0)
                messages.success(
                    request,
                    f"Import appliqué : {plural(created, 'fiche créée', 'fiches créées')}, "
                    f"{plural(updated, 'mise à jour', 'mises à jour')}.",
                )
            elif finess_import.status == StatutImport.ECHEC:
                messages.error(request, finess_import.error)
            else:
                messages.info(
                    request,
                    "L'import est en cours d'application : cette page se met à jour toute seule.",
                )
        return redirect("grappe:finess_import_detail", import_id=finess_import.pk)
    counts = finess_import.counts or {}
    rows = [(statut.label, counts.get(statut.value, 0)) for statut in StatutLigneImport]
    rejected_total = counts.get(StatutLigneImport.REJETEE, 0)
    return render(
        request,
        "grappe/finess_import_detail.html",
        {
            "finess_import": finess_import,
            "rows": rows,
            "counts": counts,
            "rejected_total": rejected_total,
            "rejected_truncated": rejected_total > len(finess_import.rejected or []),
            "can_apply": finess_import.status == StatutImport.SIMULATION,
        },
    )
