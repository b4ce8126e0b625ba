"""Usage data in (file import with a dry run, manual entry), the payment tranches and the record
of their payment by the ARS. Every view starts from get_grappe_for (404 for grappes the user
cannot see), then checks indicateurs.perms (403 for readers on write actions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from core.imports import ALREADY_APPLIED, AlreadyApplied, applying
from core.months import parse_month
from grappe.models import HistoryEntry
from grappe.shortcuts import get_grappe_for
from indicateurs import paiements, perms, simulation, usage_import
from indicateurs.enums import SourceUsage, StatutImport
from indicateurs.forms.donnees import ConfirmationForm, PaiementForm, SaisieForm, UsageImportForm
from indicateurs.models import USAGE_FIELDS, ImportUsage, Tranche, UsageMensuel
from indicateurs.services import ensure_tranches

PAGE_SIZE = 20


def _check_feed(user, grappe):
    if not perms.can_feed_usage(user, grappe):
        raise PermissionDenied("Seule l'équipe projet de la grappe transmet les données d'usage.")


@require_safe
def modele(request, format):
    """The import template (CSV or XLSX), same header for both. With ?grappe=<id> (a grappe the
    user sees), pre-filled: one line per ESMS the grappe holds in the month to send."""
    if format not in ("csv", "xlsx"):
        raise Http404
    filename = "modele-usages"
    filled = None
    if "grappe" in request.GET:
        pk = request.GET["grappe"]
        if not pk.isdigit():
            raise Http404
        grappe = get_grappe_for(request.user, pk)
        filled = usage_import.prefill(grappe)
        filename += f"-{slugify(grappe.name)}-{filled.mois:%Y-%m}"
    rows = usage_import.template_rows(filled)
    if format == "csv":
        response = HttpResponse(usage_import.template_csv(rows), content_type="text/csv")
    else:
        response = HttpResponse(
            usage_import.template_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response


@require_http_methods(["GET", "POST"])
def usages(request, pk):
    """Upload a file (dry run first) and the list of past imports."""
    grappe = get_grappe_for(request.user, pk)
    can_feed = perms.can_feed_usage(request.user, grappe)
    form = UsageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _check_feed(request.user, grappe)
        if form.is_valid():
            # Checked here if small, else by a Celery task whose progress the import page shows.
            record = simulation.submit(grappe, form.cleaned_data["fichier"], request.user)
            _announce(request, record)
            return redirect("indicateurs:import_detail", pk=grappe.pk, import_id=record.pk)
    imports = Paginator(
        ImportUsage.objects.filter(grappe=grappe).select_related("envoye_par"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "indicateurs/usages.html",
        {
            "grappe": grappe,
            "form": form,
            "page": imports,
            "can_feed": can_feed,
            # What the pre-filled template holds, said next to its links.
            "prefill": usage_import.prefill(grappe) if can_feed else None,
        },
    )


def _announce(request, record):
    if record.statut == StatutImport.VERIFIE:
        messages.info(
            request,
            "Fichier vérifié : rien n'a encore été écrit. Relisez le rapport puis appliquez "
            "l'import.",
        )
    elif record.statut == StatutImport.EN_VERIFICATION:
        messages.info(
            request,
            "Fichier reçu : sa vérification est en cours, cette page se met à jour toute seule. "
            "Rien n'est écrit avant que vous appliquiez l'import.",
        )
    elif record.statut == StatutImport.ECHEC:
        messages.error(request, record.rapport.get("echec", "La vérification a échoué."))
    else:
        messages.error(request, "Fichier refusé : corrigez les erreurs et renvoyez-le.")


@require_http_methods(["GET", "POST"])
def import_detail(request, pk, import_id):
    grappe = get_grappe_for(request.user, pk)
    record = get_object_or_404(
        ImportUsage.objects.select_related("envoye_par"), pk=import_id, grappe=grappe
    )
    can_feed = perms.can_feed_usage(request.user, grappe)
    if request.method == "POST":
        _check_feed(request.user, grappe)
        if record.statut == StatutImport.APPLIQUE:
            messages.error(request, ALREADY_APPLIED)
        elif request.POST.get("action") != "appliquer" or record.statut != StatutImport.VERIFIE:
            messages.error(request, "Cet import ne peut pas (ou plus) être appliqué.")
        else:
            _apply_import(request, grappe, record)
        return redirect("indicateurs:import_detail", pk=grappe.pk, import_id=record.pk)
    simulation.expire_if_lost(record)
    rapport = record.rapport or {}
    return render(
        request,
        "indicateurs/import_detail.html",
        {
            "grappe": grappe,
            "record": record,
            "rapport": rapport,
            "compte": rapport.get("compte", {}),
            "can_apply": can_feed and record.statut == StatutImport.VERIFIE,
            "confirm_form": ConfirmationForm(),
        },
    )


@require_safe
def import_progression(request, pk, import_id):
    """The progress of a dry run, polled by the import page (htmx); once the run is over, the
    HX-Refresh header has htmx reload the page, which then shows the report."""
    grappe = get_grappe_for(request.user, pk)
    record = get_object_or_404(ImportUsage, pk=import_id, grappe=grappe)
    simulation.expire_if_lost(record)
    response = render(
        request, "indicateurs/_import_progression.html", {"grappe": grappe, "record": record}
    )
    if record.statut != StatutImport.EN_VERIFICATION:
        response["HX-Refresh"] = "true"
    return response


def _apply_import(request, grappe, record):
    """Re-read the kept file and re-validate (the data may have changed since the dry run),
    once: the import is claimed first (core.imports), a concurrent apply finds it taken."""
    confirmed = ConfirmationForm(request.POST).confirmed()
    try:
        with applying(
            ImportUsage.objects.filter(pk=record.pk, statut=StatutImport.VERIFIE),
            statut=StatutImport.APPLIQUE,
            applique_le=timezone.now(),
        ):
            rapport = _recheck(record, request.user, grappe, confirmed)
            if rapport is None or not rapport.ok:
                record.statut, record.applique_le = StatutImport.REFUSE, None
                record.rapport = rapport.as_dict() if rapport else record.rapport
                record.save(update_fields=["statut", "applique_le", "rapport"])
                messages.error(
                    request, "Les données ont changé depuis la vérification : import refusé."
                )
                return
            if not rapport.applicable:
                # Back to « vérifié », unwritten: the claim is rolled back with this.
                transaction.set_rollback(True)
                messages.error(request, CONFIRM_FIRST)
                return
            created, replaced = _write(request.user, grappe, record, rapport)
    except AlreadyApplied as exc:
        messages.error(request, exc.message)
        return
    messages.success(
        request,
        f"Import appliqué : {usage_import.applied_summary(created, replaced)}. Les indicateurs "
        "des mois concernés sont recalculés.",
    )


def _write(user, grappe, record, rapport):
    """Write an applicable report of the import (claimed), with its audit trail."""
    created, replaced = usage_import.apply(
        rapport, user=user, source=SourceUsage.FICHIER, import_usage=record
    )
    record.rapport = rapport.as_dict()
    record.save(update_fields=["rapport"])
    HistoryEntry.record(
        grappe,
        user,
        "Import de données d'usage appliqué",
        record.nom_original,
        {
            "Lignes": len(rapport.lignes),
            "Créées": created,
            "Remplacées": replaced,
            "Mois": ", ".join(record.rapport["mois"]),
            **({"Valeurs confirmées": rapport.a_confirmer} if rapport.a_confirmer else {}),
        },
    )
    return created, replaced


CONFIRM_FIRST = (
    "Des valeurs sont « à confirmer » : vérifiez-les dans le rapport, cochez la case de "
    "confirmation puis appliquez l'import. Rien n'a été écrit."
)


def _recheck(record, user, grappe, confirmed):
    """The report of the kept file as it reads now, or None if it cannot be read any more."""
    with record.fichier.open("rb") as handle:
        data = handle.read()
    try:
        rows = usage_import.read_rows(data, record.nom_original)
    except usage_import.FichierRefuse as exc:
        record.rapport = {"fichier": str(exc)}
        return None
    return usage_import.validate(rows, user, grappe=grappe, confirmed=confirmed)


@require_http_methods(["GET", "POST"])
def saisie(request, pk):
    """Manual entry of one ESMS's month (small grappes); same rules as the import."""
    grappe = get_grappe_for(request.user, pk)
    _check_feed(request.user, grappe)
    initial = {}
    if request.method == "GET" and request.GET.get("esms") and request.GET.get("mois"):
        membership = grappe.memberships.filter(
            left_on__isnull=True, esms_id=request.GET.get("esms")
        ).first()
        month = parse_month(request.GET.get("mois"))
        if membership and month:
            initial = {"esms": membership, "mois": f"{month:%Y-%m}"}
            existing = (
                UsageMensuel.objects.filter(esms_id=membership.esms_id, mois=month)
                .held_by(grappe)
                .first()
            )
            if existing:
                initial.update({name: getattr(existing, name) for name in USAGE_FIELDS})
    form = SaisieForm(request.POST or None, grappe=grappe, initial=initial)
    if request.method == "POST" and form.is_valid():
        rapport = usage_import.validate(
            [(1, form.row())], request.user, grappe=grappe, confirmed=form.cleaned_data["confirme"]
        )
        rapport.refuse_unconfirmed(SaisieForm.CONFIRM_HINT)
        line = rapport.lignes[0]
        for message in line.erreurs:
            form.add_error(None, message.removeprefix("Ligne 1 : "))
        if rapport.ok:
            created, replaced = usage_import.apply(
                rapport, user=request.user, source=SourceUsage.SAISIE
            )
            esms = form.cleaned_data["esms"].esms
            HistoryEntry.record(
                grappe,
                request.user,
                "Données d'usage saisies" if created else "Données d'usage corrigées",
                esms,
                {"Mois": line.mois, **{name: line.valeurs[name] for name in USAGE_FIELDS}},
            )
            for message in line.avertissements:
                messages.warning(request, message.removeprefix("Ligne 1 : "))
            messages.success(
                request,
                f"Données de {esms.name} pour {line.mois} "
                + ("enregistrées." if created else "remplacées (les précédentes sont gardées)."),
            )
            return redirect("indicateurs:saisie", pk=grappe.pk)
    recent = (
        UsageMensuel.objects.filter(
            esms__memberships__grappe=grappe, esms__memberships__left_on__isnull=True
        )
        .held_by(grappe)
        .select_related("esms")
        .order_by("-mois", "esms__raison_sociale")[:30]
    )
    return render(
        request,
        "indicateurs/saisie.html",
        {"grappe": grappe, "form": form, "recent": recent, "fields": USAGE_FIELDS},
    )


@require_safe
def tranches(request, pk):
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_indicateurs(request.user, grappe):
        raise PermissionDenied
    ensure_tranches_for_page(grappe)
    rows = list(grappe.tranches.prefetch_related("paiements").order_by("numero"))
    can_pay = perms.can_record_payment(request.user, grappe)
    return render(
        request,
        "indicateurs/tranches.html",
        {
            "grappe": grappe,
            "tranches": rows,
            "can_pay": can_pay,
            "payable": {t.pk for t in rows if t.is_payable},
        },
    )


def ensure_tranches_for_page(grappe):
    """Tranches appear as soon as the convention amount is known (not only at the next run)."""
    if grappe.convention_amount is not None:
        ensure_tranches(type(grappe).objects.filter(pk=grappe.pk))


@require_http_methods(["GET", "POST"])
def paiement(request, pk, tranche_id):
    """Record one payment of a tranche (indicateurs.paiements): the whole of what remains to
    pay, or a part of it with its reason."""
    grappe = get_grappe_for(request.user, pk)
    tranche = get_object_or_404(Tranche, pk=tranche_id, grappe=grappe)
    if not perms.can_record_payment(request.user, grappe):
        raise PermissionDenied("Seuls les agents de l'ARS de la région enregistrent un paiement.")
    if not tranche.is_payable:
        messages.error(request, "Cette tranche n'est pas à payer.")
        return redirect("indicateurs:tranches", pk=grappe.pk)
    form = PaiementForm(
        request.POST or None,
        tranche=tranche,
        initial={"paye_le": timezone.localdate(), "montant_paye": tranche.reste_a_payer},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            paiements.enregistrer(
                tranche,
                request.user,
                paye_le=data["paye_le"],
                montant=data["montant_paye"],
                reference=data["reference_paiement"],
                motif=data["motif_ecart_paiement"],
            )
        except paiements.PaiementRefuse as refus:
            messages.error(request, f"{refus} Rien n'a été enregistré.")
        else:
            messages.success(request, f"Paiement de la tranche {tranche.numero} enregistré.")
        return redirect("indicateurs:tranches", pk=grappe.pk)
    return render(
        request,
        "indicateurs/paiement.html",
        {"grappe": grappe, "tranche": tranche, "form": form, "paiements": tranche.paiements.all()},
    )
