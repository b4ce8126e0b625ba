"""Follow-up of a grappe's plan: the timeline (Gantt) and its baselines, the risk register and the
progress report (a page and a PDF made from the same context)."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.history import form_changes
from core.pdf import pdf_response, render_pdf
from core.text import plural
from grappe import perms as grappe_perms
from grappe.models import HistoryEntry
from grappe.shortcuts import get_grappe_for
from projets import perms
from projets.charts import STATUS_COLOURS, gantt_svg, heatmap_svg, niveau_criticite, sparkline_svg
from projets.enums import CategorieRisque, StatutEtape, StatutRisque, StatutVersion
from projets.extensions import report_sections, usage_rows
from projets.forms.suivi import BaselineForm, RisqueForm
from projets.models import (
    Baseline,
    BaselineEtape,
    LivrableVersion,
    PhaseReference,
    Plan,
    Risque,
    RisqueHistorique,
)
from projets.reference import risques_cooperation

# Starting point of the cooperation risks proposed for an empty register (to be adjusted).
PROBABILITE_TYPE = 2
IMPACT_TYPE = 3
TOP_RISQUES = 5

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _grappe_and_plan(request, pk):
    """The grappe (404 if invisible to the user) and its plan (None if not created yet)."""
    grappe = get_grappe_for(request.user, pk)
    plan = Plan.objects.filter(grappe=grappe).first()
    if plan is not None:
        grappe.plan = plan  # cache the reverse one-to-one for rapport_context()
    return grappe, plan


def _sans_plan(request, grappe, page_title):
    return render(
        request,
        "projets/suivi_sans_plan.html",
        {
            "grappe": grappe,
            "page_title": page_title,
            "can_edit": perms.can_edit_plan(request.user, grappe),
        },
    )


def _phase_titles():
    return dict(PhaseReference.objects.values_list("numero", "titre"))


def ecart_label(days):
    """Slippage as shown to users: "+10 j" late, "−3 j" early, "0 j", "—" unknown."""
    if days is None:
        return "—"
    if days > 0:
        return f"+{days} j"
    if days < 0:
        return f"−{-days} j"
    return "0 j"


def _baseline_dates(baseline):
    if baseline is None:
        return {}
    return {row.etape_id: (row.planned_start, row.planned_end) for row in baseline.etapes.all()}


def _current_end_label(etape, today):
    """The end the slippage is measured to, and what it is."""
    if etape.actual_end:
        return "réelle"
    if etape.current_end(today) != etape.planned_end:
        return f"pas encore terminée, fin prévue le {etape.planned_end:%d/%m/%Y}"
    return "prévue"


def _etape_rows(etapes, today, baseline_dates, phases):
    """The steps as the planning and the report show them. `etapes` come from
    EtapeQuerySet.with_missing_deliverables (the status says which deliverables are missing)."""
    rows = []
    for etape in etapes:
        status = etape.status(today)
        reference = baseline_dates.get(etape.pk)
        ecart = etape.slippage_days(reference[1], today) if reference else None
        rows.append(
            {
                "etape": etape,
                "phase": f"{etape.phase} — {phases[etape.phase]}"
                if etape.phase in phases
                else str(etape.phase),
                "status": status,
                "status_label": etape.status_label(today),
                "colour": STATUS_COLOURS[status],
                "reference": reference,
                "ecart": ecart,
                "ecart_label": ecart_label(ecart),
                "current_end": etape.current_end(today),
                "current_end_label": _current_end_label(etape, today),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Timeline and baselines
# ---------------------------------------------------------------------------------------------


def _timeline_response(request, grappe, plan, form=None):
    today = timezone.localdate()
    can_edit = perms.can_edit_plan(request.user, grappe)
    etapes = list(plan.etapes.with_missing_deliverables().order_by("phase", "ordre", "pk"))
    jalons = list(plan.jalons.all())
    baselines = list(plan.baselines.select_related("created_by"))
    selected = baselines[0] if baselines else None
    wanted = request.GET.get("reference", "")
    if wanted.isdigit():
        selected = next((b for b in baselines if b.pk == int(wanted)), selected)
    dates = _baseline_dates(selected)
    phases = _phase_titles()
    if can_edit and form is None:
        form = BaselineForm(plan=plan)
    context = {
        "grappe": grappe,
        "plan": plan,
        "today": today,
        "rows": _etape_rows(etapes, today, dates, phases),
        "jalons": jalons,
        "baselines": baselines,
        "baseline": selected,
        "phases": phases,
        "gantt": gantt_svg(etapes, jalons, today, dates, phases=phases),
        "can_edit": can_edit,
        "form": form if can_edit else None,
    }
    return render(request, "projets/timeline.html", context)


@require_safe
def timeline(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    if plan is None:
        return _sans_plan(request, grappe, "Planning")
    return _timeline_response(request, grappe, plan)


@require_POST
def baseline_create(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    if plan is None:
        return _sans_plan(request, grappe, "Planning")
    form = BaselineForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "La référence n'a pas été enregistrée : corrigez le formulaire.")
        return _timeline_response(request, grappe, plan, form=form)
    with transaction.atomic():
        baseline = Baseline.objects.create(
            plan=plan, name=form.cleaned_data["name"], created_by=request.user
        )
        rows = BaselineEtape.objects.bulk_create(
            BaselineEtape(
                baseline=baseline,
                etape=etape,
                planned_start=etape.planned_start,
                planned_end=etape.planned_end,
            )
            for etape in plan.etapes.all()
        )
        HistoryEntry.record(
            grappe,
            request.user,
            "Enregistrement d'une référence du planning",
            baseline,
            {"Étapes copiées": str(len(rows))},
        )
    messages.success(
        request,
        f"La référence « {baseline.name} » est enregistrée : les dates prévues de "
        f"{plural(len(rows), 'étape')} y sont copiées, les glissements se calculent désormais "
        "par rapport à elle.",
    )
    return redirect(f"{reverse('projets:timeline', args=[grappe.pk])}?reference={baseline.pk}")


# ---------------------------------------------------------------------------------------------
# Risk register
# ---------------------------------------------------------------------------------------------

STATUT_ORDER = Case(
    When(statut=StatutRisque.OUVERT, then=Value(0)),
    When(statut=StatutRisque.EN_TRAITEMENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
SORTS = {
    "criticite": ("Criticité", ["-criticite_tri", "-probabilite", "titre"]),
    "titre": ("Risque", ["titre"]),
    "categorie": ("Catégorie", ["categorie", "-criticite_tri", "titre"]),
    "statut": ("Statut", ["statut_tri", "-criticite_tri", "titre"]),
    "revue": ("Prochaine revue", [F("review_on").asc(nulls_last=True), "-criticite_tri", "titre"]),
}


def _with_criticite(queryset):
    return queryset.annotate(criticite_tri=F("probabilite") * F("impact"), statut_tri=STATUT_ORDER)


@require_http_methods(["GET", "HEAD", "POST"])
def risque_list(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    can_edit = perms.can_edit_plan(request.user, grappe)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if plan is None:
            return _sans_plan(request, grappe, "Registre des risques")
        if request.POST.get("action") == "proposer_types":
            return _propose_cooperation_risks(request, grappe, plan)
        return redirect("projets:risques", pk=grappe.pk)
    if plan is None:
        return _sans_plan(request, grappe, "Registre des risques")

    today = timezone.localdate()
    statut = request.GET.get("statut", "")
    categorie = request.GET.get("categorie", "")
    tri = request.GET.get("tri", "")
    if tri not in SORTS:
        tri = "criticite"
    risques = _with_criticite(plan.risques.select_related("owner").prefetch_related("historique"))
    if statut in StatutRisque.values:
        risques = risques.filter(statut=statut)
    else:
        statut = ""
    if categorie in CategorieRisque.values:
        risques = risques.filter(categorie=categorie)
    else:
        categorie = ""
    risques = list(risques.order_by(*SORTS[tri][1]))
    rows = []
    for risque in risques:
        history = [row.criticite for row in risque.historique.all()]
        rows.append(
            {
                "risque": risque,
                "niveau": niveau_criticite(risque.criticite),
                "sparkline": sparkline_svg(history) if len(history) > 1 else "",
                "revue_depassee": bool(
                    risque.review_on
                    and risque.review_on < today
                    and risque.statut != StatutRisque.CLOS
                ),
            }
        )
    actifs = [risque for risque in risques if risque.statut != StatutRisque.CLOS]
    register_empty = not risques and not statut and not categorie and not plan.risques.exists()
    context = {
        "grappe": grappe,
        "plan": plan,
        "rows": rows,
        "heatmap": heatmap_svg(actifs),
        "nb_actifs": len(actifs),
        "statut": statut,
        "categorie": categorie,
        "tri": tri,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "statut_choices": StatutRisque.choices,
        "categorie_choices": CategorieRisque.choices,
        "can_edit": can_edit,
        "register_empty": register_empty,
        "nb_types": len(risques_cooperation()),
        "probabilite_type": PROBABILITE_TYPE,
        "impact_type": IMPACT_TYPE,
    }
    return render(request, "projets/risques.html", context)


def _propose_cooperation_risks(request, grappe, plan):
    if plan.risques.exists():
        messages.warning(
            request,
            "Le registre contient déjà des risques : les risques de coopération types ne sont "
            "proposés que pour un registre vide.",
        )
        return redirect("projets:risques", pk=grappe.pk)
    with transaction.atomic():
        risques = Risque.objects.bulk_create(
            Risque(
                plan=plan,
                titre=item["titre"],
                categorie=item["categorie"],
                description=item["description"],
                mitigation=item["mitigation"],
                probabilite=PROBABILITE_TYPE,
                impact=IMPACT_TYPE,
                statut=StatutRisque.OUVERT,
            )
            for item in risques_cooperation()
        )
        now = timezone.now()
        RisqueHistorique.objects.bulk_create(
            RisqueHistorique(
                risque=risque,
                probabilite=risque.probabilite,
                impact=risque.impact,
                statut=risque.statut,
                recorded_at=now,
                user=request.user,
            )
            for risque in risques
        )
        HistoryEntry.record(
            grappe,
            request.user,
            "Ajout des risques de coopération types",
            "Registre des risques",
            {
                "Risques ajoutés": str(len(risques)),
                "Cotation de départ": f"probabilité {PROBABILITE_TYPE} × impact {IMPACT_TYPE}",
            },
        )
    messages.success(
        request,
        f"{len(risques)} risques de coopération types sont ajoutés au registre, cotés par défaut "
        f"avec une probabilité de {PROBABILITE_TYPE} et un impact de {IMPACT_TYPE} "
        f"(criticité {PROBABILITE_TYPE * IMPACT_TYPE}) : c'est un point de départ, ajustez la "
        "cotation, le responsable et les mesures de chacun à la situation de la grappe.",
    )
    return redirect("projets:risques", pk=grappe.pk)


def _record_historique(risque, user):
    RisqueHistorique.objects.create(
        risque=risque,
        probabilite=risque.probabilite,
        impact=risque.impact,
        statut=risque.statut,
        user=user,
    )


def _cotation(probabilite, impact):
    return f"{probabilite * impact} (probabilité {probabilite} × impact {impact})"


@require_http_methods(["GET", "HEAD", "POST"])
def risque_create(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    if plan is None:
        return _sans_plan(request, grappe, "Ajouter un risque")
    form = RisqueForm(
        request.POST or None,
        plan=plan,
        today=timezone.localdate(),
        hidden_comites=grappe_perms.hidden_comite_kinds(request.user, grappe),
        instance=Risque(plan=plan),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            risque = form.save()
            _record_historique(risque, request.user)
            HistoryEntry.record(
                grappe,
                request.user,
                "Ajout d'un risque",
                risque,
                {
                    "Criticité": _cotation(risque.probabilite, risque.impact),
                    "Statut": risque.get_statut_display(),
                },
            )
        messages.success(request, f"Le risque « {risque.titre} » est ajouté au registre.")
        return redirect("projets:risques", pk=grappe.pk)
    return render(
        request,
        "projets/risque_form.html",
        {"grappe": grappe, "plan": plan, "form": form, "risque": None},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def risque_edit(request, pk, risque_id):
    grappe, plan = _grappe_and_plan(request, pk)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    if plan is None:
        return _sans_plan(request, grappe, "Modifier un risque")
    risque = get_object_or_404(plan.risques.select_related("owner"), pk=risque_id)
    form = RisqueForm(
        request.POST or None,
        plan=plan,
        today=timezone.localdate(),
        hidden_comites=grappe_perms.hidden_comite_kinds(request.user, grappe),
        instance=risque,
    )
    if request.method == "POST" and form.is_valid():
        changes = form_changes(form)
        before = (form.initial["probabilite"], form.initial["impact"])
        with transaction.atomic():
            risque = form.save()
            if {"probabilite", "impact", "statut"} & set(form.changed_data):
                _record_historique(risque, request.user)
                if (risque.probabilite, risque.impact) != before:
                    changes["Criticité"] = [
                        _cotation(*before),
                        _cotation(risque.probabilite, risque.impact),
                    ]
            if changes:
                HistoryEntry.record(
                    grappe, request.user, "Modification d'un risque", risque, changes
                )
        if changes:
            messages.success(request, f"Le risque « {risque.titre} » est mis à jour.")
        else:
            messages.info(request, "Aucune modification à enregistrer.")
        return redirect("projets:risques", pk=grappe.pk)
    history = list(risque.historique.select_related("user"))
    return render(
        request,
        "projets/risque_form.html",
        {
            "grappe": grappe,
            "plan": plan,
            "form": form,
            "risque": risque,
            "niveau": niveau_criticite(risque.criticite),
            "history": [(row, niveau_criticite(row.criticite)) for row in history],
            "sparkline": sparkline_svg([row.criticite for row in history]),
        },
    )


# ---------------------------------------------------------------------------------------------
# Progress report (page and PDF)
# ---------------------------------------------------------------------------------------------


def _avancement(etapes):
    counted = [etape for etape in etapes if not etape.skipped]
    if not counted:
        return None
    return round(
        sum(100 if etape.actual_end else etape.progress for etape in counted) / len(counted)
    )


STATUS_ORDER = [
    StatutEtape.A_VENIR,
    StatutEtape.EN_COURS,
    StatutEtape.EN_RETARD,
    StatutEtape.TERMINEE,
    StatutEtape.SANS_OBJET,
]


def rapport_context(grappe, today, user=None):
    """Everything the progress report shows, for the page and the PDF alike. `user`: who reads
    it, for the sections of later apps that not every reader of the grappe may see."""
    plan = grappe.plan
    phases_titles = _phase_titles()
    etapes = list(plan.etapes.with_missing_deliverables().order_by("phase", "ordre", "pk"))
    jalons = list(plan.jalons.select_related("etape"))
    baseline = plan.baselines.select_related("created_by").first()
    dates = _baseline_dates(baseline)
    rows = _etape_rows(etapes, today, dates, phases_titles)

    phases = []
    for numero in sorted({etape.phase for etape in etapes} | set(phases_titles)):
        phase_rows = [row for row in rows if row["etape"].phase == numero]
        counts = Counter(row["status"] for row in phase_rows)
        phases.append(
            {
                "numero": numero,
                "titre": phases_titles.get(numero, ""),
                "nb_etapes": len(phase_rows),
                "rows": phase_rows,
                "counts": [counts.get(status, 0) for status in STATUS_ORDER],
                "avancement": _avancement([row["etape"] for row in phase_rows]),
            }
        )
    totals = Counter(row["status"] for row in rows)

    versions = list(
        LivrableVersion.objects.filter(livrable__plan=plan, status=StatutVersion.SOUMISE)
        .select_related("livrable__etape", "uploaded_by")
        .order_by("submitted_at", "pk")
    )
    risques = list(
        _with_criticite(
            plan.risques.exclude(statut=StatutRisque.CLOS).select_related("owner")
        ).order_by("-criticite_tri", "-probabilite", "titre")[:TOP_RISQUES]
    )
    return {
        "grappe": grappe,
        "plan": plan,
        "today": today,
        "generated_at": timezone.localtime(),
        "status_order": STATUS_ORDER,
        "phases": phases,
        "totals": [totals.get(status, 0) for status in STATUS_ORDER],
        "nb_etapes": len(rows),
        "avancement": _avancement(etapes),
        "baseline": baseline,
        "glissements": sorted(
            (row for row in rows if row["ecart"] and row["ecart"] > 0),
            key=lambda row: (-row["ecart"], row["etape"].ordre),
        ),
        "jalons": jalons,
        "versions": versions,
        "risques": [(risque, niveau_criticite(risque.criticite)) for risque in risques],
        "gantt": gantt_svg(etapes, jalons, today, dates, phases=phases_titles),
        "indicateurs_usage": usage_rows(grappe, today),
        "sections": report_sections(grappe, today, user),
    }


@require_safe
def rapport(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    if plan is None:
        return _sans_plan(request, grappe, "Rapport d'avancement")
    return render(
        request, "projets/rapport.html", rapport_context(grappe, timezone.localdate(), request.user)
    )


@require_safe
def rapport_pdf(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    if plan is None:
        return _sans_plan(request, grappe, "Rapport d'avancement")
    today = timezone.localdate()
    pdf = render_pdf(
        "projets/pdf/rapport.html",
        rapport_context(grappe, today, request.user),
        request=request,
        grappe=grappe,
        title=f"Rapport d'avancement — {grappe.name}",
    )
    return pdf_response(pdf, f"rapport-avancement-{grappe.name}-{today:%Y-%m-%d}")
