"""The reference plan guide ("Que faire à cette étape ?") and a grappe's own plan: its phases and
steps with their computed status, adding and editing steps, and the COPIL's go / no go decisions
on milestones, which open the next phase.

Permissions: the guide is for everybody signed in; a grappe's plan is read by whoever sees the
grappe (404 otherwise) and changed by its editors (projets.perms, 403 otherwise)."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.history import form_changes
from core.text import plural
from grappe import perms as grappe_perms
from grappe.enums import TypeComite
from grappe.models import HistoryEntry
from grappe.shortcuts import get_grappe_for
from projets import perms
from projets.enums import DecisionJalon, StatutEtape
from projets.extensions import milestone_extras
from projets.forms.plan import (
    EtapeAddForm,
    EtapeForm,
    JalonDecisionForm,
    MiseEnServiceForm,
    PlanCreateForm,
    blocking_jalon,
    phase_gate_message,
)
from projets.models import (
    Etape,
    EtapeReference,
    Jalon,
    LivrableReference,
    PhaseReference,
    Plan,
)
from projets.services import (
    instantiate_plan,
    mise_en_service,
    record_jalon_decision,
    record_mise_en_service,
)

STATUS_BADGES = {
    StatutEtape.A_VENIR: "text-bg-light border",
    StatutEtape.EN_COURS: "text-bg-primary",
    StatutEtape.TERMINEE: "text-bg-success",
    StatutEtape.EN_RETARD: "text-bg-danger",
    StatutEtape.SANS_OBJET: "text-bg-secondary",
}
DECISION_BADGES = {
    DecisionJalon.GO: "text-bg-success",
    DecisionJalon.NO_GO: "text-bg-danger",
    DecisionJalon.AJOURNE: "text-bg-warning",
}

# ---------------------------------------------------------------------------------------------
# The guide text: plain French text, one paragraph per line, "- " items and "  - " sub-items
# ---------------------------------------------------------------------------------------------


def guide_blocks(text):
    """The reference text as blocks the template renders (and autoescapes):
    {"kind": "paragraph", "text": …} and {"kind": "list", "entries": [{"text": …, "children":
    [text, …]}]}. A blank line ends a list."""
    blocks = []
    current = None
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        if not line.strip():
            current = None
        elif line.startswith(("  - ", "- ")):
            if current is None:
                current = {"kind": "list", "entries": []}
                blocks.append(current)
            if line.startswith("- "):
                current["entries"].append({"text": line[2:].strip(), "children": []})
            else:
                if not current["entries"]:
                    current["entries"].append({"text": "", "children": []})
                current["entries"][-1]["children"].append(line[4:].strip())
        else:
            current = None
            blocks.append({"kind": "paragraph", "text": line.strip()})
    return blocks


def guide_for(reference):
    """[(rubrique label, blocks)] for the "Que faire à cette étape ?" block."""
    return [(label, guide_blocks(text)) for label, text in reference.rubriques()]


# ---------------------------------------------------------------------------------------------
# Reference plan (read-only, for everybody signed in)
# ---------------------------------------------------------------------------------------------


@require_safe
def reference_guide(request):
    etapes = EtapeReference.objects.select_related("jalon").prefetch_related(
        Prefetch("livrables", queryset=LivrableReference.objects.order_by("ordre", "pk"))
    )
    phases = PhaseReference.objects.prefetch_related(
        Prefetch("etapes", queryset=etapes.order_by("numero"))
    )
    phases = [
        {"phase": phase, "description": guide_blocks(phase.description), "etapes": phase.etapes}
        for phase in phases
    ]
    amoa = LivrableReference.objects.filter(etape__isnull=True).order_by("ordre", "pk")
    return render(
        request, "projets/reference_guide.html", {"phases": phases, "livrables_amoa": amoa}
    )


@require_safe
def reference_etape(request, numero):
    reference = get_object_or_404(
        EtapeReference.objects.select_related("phase", "jalon"), numero=numero
    )
    numeros = list(EtapeReference.objects.order_by("numero").values_list("numero", flat=True))
    index = numeros.index(reference.numero)
    return render(
        request,
        "projets/reference_etape.html",
        {
            "reference": reference,
            "livrables": reference.livrables.order_by("ordre", "pk"),
            "guide": guide_for(reference),
            "previous": numeros[index - 1] if index > 0 else None,
            "next": numeros[index + 1] if index + 1 < len(numeros) else None,
        },
    )


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _grappe_and_plan(request, pk):
    """The grappe (404 if invisible to the user) and its plan (None if not created yet)."""
    grappe = get_grappe_for(request.user, pk)
    return grappe, Plan.objects.filter(grappe=grappe).first()


def _editor(request, grappe):
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet, l'AMOA et l'administrateur modifient le plan."
        )


def _plan_or_redirect(request, pk):
    """For the editing views: the grappe, checked for edition, and its plan (None: no plan)."""
    grappe, plan = _grappe_and_plan(request, pk)
    _editor(request, grappe)
    if plan is None:
        messages.info(request, "Le plan projet n'est pas encore créé.")
    return grappe, plan


def _etape_for(plan, etape_id):
    return get_object_or_404(
        Etape.objects.select_related("plan", "reference__phase"), pk=etape_id, plan=plan
    )


def _phase_titles():
    titles = dict(PhaseReference.objects.values_list("numero", "titre"))
    return {numero: titles.get(numero, f"Phase {numero}") for numero in (1, 2, 3, 4)}


def _status(etape, today):
    status = etape.status(today)
    return {"value": status, "label": status.label, "badge": STATUS_BADGES[status]}


def _late_reason(etape, today):
    """Why a late step is late, in words (the status says "en retard", this says since when)."""
    if etape.planned_end and etape.planned_end < today and not etape.actual_end:
        return f"fin prévue le {etape.planned_end:%d/%m/%Y}"
    if etape.planned_start and etape.planned_start < today and not etape.actual_start:
        return f"début prévu le {etape.planned_start:%d/%m/%Y}"
    return ""


# ---------------------------------------------------------------------------------------------
# A grappe's plan
# ---------------------------------------------------------------------------------------------

# Step 15 (« Former les utilisateurs et déployer la solution »): its milestone is the DUI's mise
# en service, recorded per ESMS; the usage targets are measured from it (indicateurs).
ETAPE_MISE_EN_SERVICE = 15


def _reference_numero(jalon):
    etape = jalon.etape
    if etape is None:
        return None
    return etape.reference.numero if etape.reference_id else etape.ordre


def _is_mise_en_service(jalon):
    return _reference_numero(jalon) == ETAPE_MISE_EN_SERVICE


def _extras(jalon, user, grappe):
    """What later apps show on the milestone (projets.extensions.register_milestone_extra)."""
    return milestone_extras(_reference_numero(jalon), user, grappe)


def plan_context(grappe, plan, today):
    """Phases (with their gate), steps with computed status, milestones: the plan page's data in
    a fixed number of queries."""
    etapes = list(
        plan.etapes.with_missing_deliverables()
        .order_by("ordre")
        .prefetch_related(
            Prefetch("depends_on", queryset=Etape.objects.only("pk", "ordre", "titre", "plan_id"))
        )
    )
    jalons = list(plan.jalons.select_related("etape__reference").order_by("planned_on", "pk"))
    open_phases = plan.open_phases()
    titles = _phase_titles()
    jalons_by_etape = {}
    for jalon in jalons:
        jalons_by_etape.setdefault(jalon.etape_id, []).append(jalon)
    rows_by_phase = {}
    counts = Counter()
    for etape in etapes:
        status = _status(etape, today)
        counts[status["value"]] += 1
        rows_by_phase.setdefault(etape.phase, []).append(
            {
                "etape": etape,
                "status": status,
                "late": status["value"].is_late,
                "late_reason": _late_reason(etape, today) if status["value"].is_late else "",
                "note": etape.status_note(today),
                "depends_on": sorted(etape.depends_on.all(), key=lambda e: e.ordre),
                "jalons": jalons_by_etape.get(etape.pk, []),
            }
        )
    phases = []
    for numero, titre in titles.items():
        is_open = numero in open_phases
        gate = None if is_open else blocking_jalon(jalons, numero)
        phases.append(
            {
                "numero": numero,
                "titre": titre,
                "open": is_open,
                "gate": gate,
                "gate_message": "" if is_open else phase_gate_message(numero, gate),
                "rows": rows_by_phase.get(numero, []),
            }
        )
    jalon_rows = [
        {"jalon": jalon, "badge": DECISION_BADGES.get(jalon.decision, "text-bg-light border")}
        for jalon in jalons
    ]
    return {
        "grappe": grappe,
        "plan": plan,
        "today": today,
        "phases": phases,
        "jalons": jalon_rows,
        "late_count": counts[StatutEtape.EN_RETARD],
        "counts": [(status.label, counts[status]) for status in StatutEtape if counts[status]],
    }


@require_safe
def plan_detail(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    can_edit = perms.can_edit_plan(request.user, grappe)
    if plan is None:
        return render(
            request,
            "projets/plan_detail.html",
            {"grappe": grappe, "plan": None, "can_edit": can_edit, "form": PlanCreateForm()},
        )
    context = plan_context(grappe, plan, timezone.localdate())
    context.update(can_edit=can_edit, can_decide=perms.can_record_decision(request.user, grappe))
    for row in context["jalons"]:
        row["extras"] = _extras(row["jalon"], request.user, grappe)
    context["can_record_service"] = grappe_perms.can_decide_composition(request.user, grappe)
    for row in context["jalons"]:
        if _is_mise_en_service(row["jalon"]):
            row["mise_en_service"] = mise_en_service(grappe)
    return render(request, "projets/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
def plan_create(request, pk):
    grappe, plan = _grappe_and_plan(request, pk)
    _editor(request, grappe)
    if plan is not None:
        messages.info(request, "Le plan projet de la grappe existe déjà.")
        return redirect("projets:plan", pk=grappe.pk)
    form = PlanCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = instantiate_plan(grappe, form.cleaned_data["start_on"], request.user)
        except IntegrityError:
            # Two clicks at once: the one-plan-per-grappe constraint keeps the first.
            messages.info(request, "Le plan projet de la grappe existe déjà.")
            return redirect("projets:plan", pk=grappe.pk)
        messages.success(
            request,
            f"Le plan projet est créé : {plan.etapes.count()} étapes planifiées à partir du "
            f"{plan.start_on:%d/%m/%Y}. Ajustez les dates et les responsables de chaque étape.",
        )
        return redirect("projets:plan", pk=grappe.pk)
    return render(request, "projets/plan_create.html", {"grappe": grappe, "form": form})


@require_http_methods(["GET", "POST"])
def etape_add(request, pk):
    grappe, plan = _plan_or_redirect(request, pk)
    if plan is None:
        return redirect("projets:plan", pk=grappe.pk)
    titles = _phase_titles()
    form = EtapeAddForm(
        request.POST or None,
        instance=Etape(plan=plan),
        plan=plan,
        phase_titles=titles,
    )
    if request.method == "POST" and form.is_valid():
        position = form.cleaned_data["position"]
        with transaction.atomic():
            plan.etapes.filter(ordre__gte=position).update(ordre=F("ordre") + 1)
            etape = form.save(commit=False)
            etape.ordre = position
            etape.save()
            HistoryEntry.record(
                grappe,
                request.user,
                "Ajout d'une étape au plan projet",
                etape,
                {"Phase": str(etape.phase), "Position": str(position)},
            )
        messages.success(request, f"L'étape « {etape} » est ajoutée au plan.")
        return redirect("projets:etape", pk=grappe.pk, etape_id=etape.pk)
    return render(
        request, "projets/etape_form.html", {"grappe": grappe, "plan": plan, "form": form}
    )


@require_safe
def etape_detail(request, pk, etape_id):
    grappe, plan = _grappe_and_plan(request, pk)
    if plan is None:
        return redirect("projets:plan", pk=grappe.pk)
    etape = _etape_for(plan, etape_id)
    today = timezone.localdate()
    status = _status(etape, today)
    open_phases = plan.open_phases()
    gate_message = ""
    if etape.phase not in open_phases:
        jalons = plan.jalons.filter(go_no_go=True).select_related("etape")
        gate_message = phase_gate_message(etape.phase, blocking_jalon(jalons, etape.phase))
    return render(
        request,
        "projets/etape_detail.html",
        {
            "grappe": grappe,
            "plan": plan,
            "etape": etape,
            "status": status,
            "late_reason": _late_reason(etape, today) if status["value"].is_late else "",
            "note": etape.status_note(today),
            "phase_titre": _phase_titles()[etape.phase],
            "gate_message": gate_message,
            "depends_on": etape.depends_on.order_by("ordre"),
            "successors": etape.successors.order_by("ordre"),
            "livrables": etape.livrables.order_by("pk"),
            "jalons": [
                {"jalon": jalon, "badge": DECISION_BADGES.get(jalon.decision, "")}
                for jalon in etape.jalons.order_by("planned_on", "pk")
            ],
            "guide": guide_for(etape.reference) if etape.reference_id else None,
            "can_edit": perms.can_edit_plan(request.user, grappe),
            "can_decide": perms.can_record_decision(request.user, grappe),
        },
    )


def _etape_changes(form, before):
    """form_changes, with the dependencies by their step numbers and what the model derives on
    saving (the skip reason kept or cleared, the progress an actual end sets)."""
    changes = form_changes(form)
    etape = form.instance
    label = str(form.fields["depends_on"].label)
    if "depends_on" in form.changed_data:
        changes[label] = [
            ", ".join(str(e.ordre) for e in sorted(before["depends_on"], key=lambda e: e.ordre)),
            ", ".join(
                str(e.ordre) for e in sorted(form.cleaned_data["depends_on"], key=lambda e: e.ordre)
            ),
        ]
    if before["skip_reason"] != etape.skip_reason:
        changes[str(form.fields["skip_reason"].label)] = [before["skip_reason"], etape.skip_reason]
    if before["progress"] != etape.progress:
        changes[str(form.fields["progress"].label)] = [
            str(before["progress"]),
            str(etape.progress),
        ]
    return changes


@require_http_methods(["GET", "POST"])
def etape_edit(request, pk, etape_id):
    grappe, plan = _plan_or_redirect(request, pk)
    if plan is None:
        return redirect("projets:plan", pk=grappe.pk)
    etape = _etape_for(plan, etape_id)
    before = {
        "depends_on": list(etape.depends_on.all()),
        "skipped": etape.skipped,
        "skip_reason": etape.skip_reason,
        "progress": etape.progress,
    }
    etape_label = str(etape)
    form = EtapeForm(request.POST or None, instance=etape)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            etape = form.save()
            changes = _etape_changes(form, before)
            if changes:
                if etape.skipped and not before["skipped"]:
                    action = "Étape déclarée sans objet"
                elif before["skipped"] and not etape.skipped:
                    action = "Étape rétablie dans le plan"
                else:
                    action = "Modification d'une étape du plan"
                HistoryEntry.record(grappe, request.user, action, etape, changes)
        if changes:
            messages.success(request, f"L'étape « {etape} » est enregistrée.")
        else:
            messages.info(request, "Aucune modification.")
        return redirect("projets:etape", pk=grappe.pk, etape_id=etape.pk)
    return render(
        request,
        "projets/etape_form.html",
        {"grappe": grappe, "plan": plan, "etape": etape, "etape_label": etape_label, "form": form},
    )


@require_http_methods(["GET", "POST"])
def jalon_decision(request, pk, jalon_id):
    grappe, plan = _grappe_and_plan(request, pk)
    if not perms.can_record_decision(request.user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet, l'AMOA et l'administrateur enregistrent "
            "les décisions du COPIL."
        )
    if plan is None:
        return redirect("projets:plan", pk=grappe.pk)
    jalon = get_object_or_404(
        Jalon.objects.select_related("etape__reference"), pk=jalon_id, plan=plan, go_no_go=True
    )
    comite = grappe.comite(TypeComite.COPIL)
    voters = comite.voting_members().count() if comite else 0
    previous = jalon.decision_summary() if jalon.decision else ""
    jalon_titre = jalon.titre
    form = JalonDecisionForm(request.POST or None, instance=jalon, voters=voters)
    if request.method == "POST" and form.is_valid():
        changed, opened, closed = record_jalon_decision(form, previous, request.user)
        if not changed:
            messages.info(request, "Aucune modification de la décision.")
            return redirect("projets:plan", pk=grappe.pk)
        jalon = form.instance
        message = f"La décision « {jalon.get_decision_display()} » du COPIL est enregistrée."
        if opened:
            message += " " + " ".join(
                f"La phase {numero} est ouverte : ses étapes peuvent commencer."
                for numero in opened
            )
        if closed:
            message += " " + " ".join(
                f"La phase {numero} attend de nouveau le go du COPIL." for numero in closed
            )
        messages.success(request, message)
        return redirect("projets:plan", pk=grappe.pk)
    return render(
        request,
        "projets/jalon_form.html",
        {
            "grappe": grappe,
            "plan": plan,
            "jalon": jalon,
            "jalon_titre": jalon_titre,
            "previous": previous,
            "form": form,
            "extras": _extras(jalon, request.user, grappe),
            "voters": voters,
        },
    )


@require_http_methods(["GET", "POST"])
def mise_en_service_edit(request, pk):
    """The DUI's mise en service per ESMS (the step 15 milestone): the usage targets are
    measured from it, so each change is traced and the indicators recomputed."""
    grappe, plan = _grappe_and_plan(request, pk)
    if not grappe_perms.can_decide_composition(request.user, grappe):
        # The date starts the measurement the targets tranche depends on: the chef de projet
        # records it (the AMOA consultant, who may be paid from the grant, reads it).
        raise PermissionDenied(
            "Seuls le chef de projet et l'administrateur enregistrent la mise en service."
        )
    if plan is None:
        return redirect("projets:plan", pk=grappe.pk)
    memberships = (
        grappe.memberships.filter(left_on__isnull=True)
        .select_related("esms")
        .order_by("esms__raison_sociale")
    )
    form = MiseEnServiceForm(request.POST or None, memberships=memberships, plan=plan)
    if request.method == "POST" and form.is_valid():
        count = record_mise_en_service(plan, form.dates(), request.user)
        if count:
            messages.success(
                request,
                "Mise en service du DUI enregistrée "
                f"({plural(count, 'ESMS modifié', 'ESMS modifiés')}). Les indicateurs d'usage sont recalculés depuis la date la plus ancienne concernée.",
            )
        else:
            messages.info(request, "Aucune date de mise en service n'a changé.")
        return redirect("projets:plan", pk=grappe.pk)
    return render(
        request,
        "projets/mise_en_service_form.html",
        {"grappe": grappe, "plan": plan, "form": form, "etat": mise_en_service(grappe)},
    )
