"""The consultations of a grappe: list, create/edit, the consultation page, the criteria."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from amoa import perms, services
from amoa.enums import Mission
from amoa.forms.consultations import ConsultationForm, CritereFormSet
from amoa.models import CANDIDATS_CONSEILLES, Consultation, enveloppes_aap
from amoa.services import analyse, record_history
from amoa.views.common import cahier_url, consultation_for, grappe_for, require
from core.history import form_changes
from grappe.enums import TypeComite
from grappe.models import MEMBER_ROLE_ORDER, ComiteMember


@require_safe
def consultation_list(request, pk):
    grappe = grappe_for(request.user, pk)
    consultations = (
        Consultation.objects.filter(grappe=grappe)
        .annotate(nb_offres=Count("offres", distinct=True))
        .select_related("created_by")
    )
    return render(
        request,
        "amoa/consultation_list.html",
        {
            "grappe": grappe,
            "consultations": consultations,
            "can_edit": perms.can_edit_consultation(request.user, grappe),
        },
    )


def _enveloppes(grappe):
    """{"lignes": [(mission label, amount)], "motif": why there are none} for the form."""
    labels = dict(Mission.choices)
    enveloppes, reason = enveloppes_aap(grappe)
    return {
        "lignes": [(labels[code], amount) for code, amount in enveloppes.items()],
        "motif": reason,
    }


@require_http_methods(["GET", "POST"])
def consultation_create(request, pk):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    initial = {"objet": request.GET.get("objet")} if request.GET.get("objet") else None
    form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consultation = form.save(commit=False)
            consultation.grappe = grappe
            consultation.created_by = request.user
            consultation.save()
            consultation.ensure_default_criteres()
            record_history(
                grappe,
                request.user,
                "Consultation AMOA créée"
                if not consultation.is_editeur
                else "Consultation des éditeurs DUI créée",
                consultation,
                {"Missions": ", ".join(consultation.mission_labels())}
                if not consultation.is_editeur
                else {"Coût total sur": f"{consultation.tco_annees} ans"},
            )
        if consultation.is_editeur:
            messages.success(
                request,
                "La consultation des éditeurs est créée avec les critères proposés "
                "(indispensables, coût total, couverture fonctionnelle…) : ajustez leurs "
                "pondérations.",
            )
        else:
            messages.success(
                request,
                "La consultation est créée avec les sept critères du modèle de cahier des "
                "charges : ajustez leurs pondérations.",
            )
        return redirect(consultation)
    return render(
        request,
        "amoa/consultation_form.html",
        {"grappe": grappe, "form": form, "enveloppes": _enveloppes(grappe)},
    )


@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    form = ConsultationForm(request.POST or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        changes = form_changes(form)
        form.save()
        record_history(grappe, request.user, "Consultation AMOA modifiée", consultation, changes)
        messages.success(request, "La consultation est enregistrée.")
        return redirect(consultation)
    return render(
        request,
        "amoa/consultation_form.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "form": form,
            "enveloppes": _enveloppes(grappe),
        },
    )


@require_safe
def consultation_detail(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    result = analyse(consultation)
    comite = (
        ComiteMember.objects.filter(comite__grappe=grappe, comite__kind=TypeComite.SELECTION)
        .select_related("user", "og")
        .order_by(MEMBER_ROLE_ORDER, "user__last_name")
    )
    statuses = {r.offer.id: r for r in result.ranking.results}
    # A blind evaluator sees neither the eliminations nor the choice (amoa.perms.is_blind).
    visible = perms.can_see_scores(request.user, consultation)
    return render(
        request,
        "amoa/consultation_detail.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "visible": visible,
            "criteres": result.criteres,
            "weights_error": consultation.weights_error(result.criteres),
            "offres": [(offre, statuses.get(offre.pk)) for offre in result.offres],
            "comite": comite,
            # Under the SAD every referenced éditeur is consulted (seed 002): no advice.
            "trop_de_candidats": len(result.offres) > CANDIDATS_CONSEILLES
            and not consultation.consulte_tout_le_sad,
            "closed": result.choix is not None,
            "candidats_conseilles": CANDIDATS_CONSEILLES,
            "can_edit": perms.can_edit_consultation(request.user, grappe),
            "can_score": perms.can_score(request.user, grappe),
            "cahier_url": cahier_url(consultation),
            "choix": result.choix if visible else None,
            "decision": result.decision() if visible else None,
        },
    )


@require_http_methods(["GET", "POST"])
def criteres(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    # Once the ranking is frozen by the choice, the weights it was computed with stay.
    closed = services.closed_reason(consultation)
    can_edit = perms.can_edit_consultation(request.user, grappe)
    if request.method == "POST":
        require(can_edit)
        services.ensure_open(consultation)
    can_edit = can_edit and not closed
    queryset = consultation.criteres.all()
    formset = CritereFormSet(request.POST or None, queryset=queryset, prefix="criteres")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for form in formset.forms:
                if form.cleaned_data and not form.cleaned_data.get("DELETE"):
                    form.instance.consultation = consultation
            formset.save()
            record_history(
                grappe,
                request.user,
                "Critères de sélection modifiés",
                consultation,
                {c.libelle: f"{c.poids} points" for c in consultation.criteres.all()},
            )
        messages.success(request, "Les critères sont enregistrés.")
        return redirect("amoa:criteres", grappe.pk, consultation.pk)
    return render(
        request,
        "amoa/criteres.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "formset": formset,
            "criteres": list(queryset),
            "can_edit": can_edit,
            "closed": closed,
        },
    )
