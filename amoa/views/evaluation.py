"""Evaluation by the comité de sélection: each evaluator's grid (they see the others' scores only
once they submitted theirs; submitted only complete, then locked until the president or the
admin reopens it — rules in amoa/services.py), conflicts of interest, the consolidated view
with consensus, and the auditions of the shortlisted candidates."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amoa import perms, services
from amoa.enums import TypeCritere
from amoa.forms.evaluation import (
    AuditionForm,
    ConflitForm,
    ConsensusForm,
    GrilleForm,
    ReouvertureGrilleForm,
)
from amoa.models import (
    Audition,
    Consensus,
    DeclarationConflit,
    Evaluation,
    Note,
    Offre,
)
from amoa.services import analyse, moment, record_history
from amoa.views.common import consultation_for, require
from core import text

SHORTLIST = 3


def _grid_context(request, consultation):
    conflicts = set(
        DeclarationConflit.objects.filter(
            consultation=consultation, evaluateur=request.user
        ).values_list("candidat_id", flat=True)
    )
    offres = [
        offre
        for offre in Offre.objects.filter(consultation=consultation)
        .select_related("candidat")
        .prefetch_related("pieces")
        if offre.candidat_id not in conflicts
    ]
    for offre in offres:
        offre.consultation = consultation
    criteres = list(consultation.criteres.filter(kind=TypeCritere.QUALITATIF))
    # Created on the first save, not by merely opening the page.
    evaluation = Evaluation.objects.filter(
        consultation=consultation, evaluateur=request.user
    ).first() or Evaluation(consultation=consultation, evaluateur=request.user)
    notes = {(n.offre_id, n.critere_id): n for n in evaluation.notes.all()} if evaluation.pk else {}
    return offres, criteres, evaluation, notes


@require_http_methods(["GET", "POST"])
def evaluation(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_score(request.user, grappe))
    offres, criteres, grid, notes = _grid_context(request, consultation)
    refusal = services.grid_refusal(consultation, grid)
    data = request.POST if request.method == "POST" else None
    form = GrilleForm(data, offres=offres, criteres=criteres, notes=notes)
    if refusal:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        # A submitted grid or a frozen ranking: refused whatever the post carries.
        if refusal:
            raise services.ScoringClosed(refusal)
        submit = "soumettre" in request.POST
        if form.is_valid() and submit:
            for error in services.submission_errors(offres, criteres, form.values()):
                form.add_error(None, error)
        if form.is_valid():
            return _save_grid(request, grappe, consultation, form, submit)
    conflits = DeclarationConflit.objects.filter(
        consultation=consultation, evaluateur=request.user
    ).select_related("candidat")
    required = {offre.pk for offre in services.required_offres(offres)}
    return render(
        request,
        "amoa/evaluation.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "form": form,
            "grid": grid,
            "refusal": refusal,
            "required": required,
            "criteres": criteres,
            "conflits": conflits,
            "conflit_form": ConflitForm(consultation=consultation),
        },
    )


def _save_grid(request, grappe, consultation, form, submit):
    changes = form.changes()
    if not changes and not submit:
        messages.info(request, "Aucune note modifiée.")
        return redirect("amoa:evaluation", grappe.pk, consultation.pk)
    with transaction.atomic():
        services.save_grid(consultation, request.user, changes, submit=submit)
        record_history(
            grappe,
            request.user,
            "Évaluation soumise" if submit else "Notes d'évaluation enregistrées",
            consultation,
            {"Notes modifiées": len(changes)},
        )
    if submit:
        messages.success(
            request,
            "Votre évaluation est soumise et verrouillée : vous voyez maintenant les notes des "
            "autres évaluateurs.",
        )
        return redirect("amoa:consolidation", grappe.pk, consultation.pk)
    messages.success(request, "Vos notes sont enregistrées (brouillon, non soumis).")
    return redirect("amoa:evaluation", grappe.pk, consultation.pk)


@require_POST
def reopen_grid(request, pk, consultation_id):
    """Unlock an evaluator's submitted grid: the comité de sélection's president or the admin."""
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_reopen_grid(request.user, grappe))
    services.ensure_open(consultation)
    form = ReouvertureGrilleForm(request.POST, consultation=consultation)
    if form.is_valid():
        grid = form.cleaned_data["evaluation"]
        grid.consultation = consultation
        services.reopen_grid(grid, request.user, form.cleaned_data["motif"])
        messages.success(
            request,
            f"L'évaluation de {services.person(grid.evaluateur)} est rouverte : ses notes ne "
            "comptent plus dans le classement jusqu'à une nouvelle soumission.",
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("amoa:consolidation", grappe.pk, consultation.pk)


@require_POST
def conflit(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_score(request.user, grappe))
    # Declaring a conflict deletes notes: not on a submitted grid nor a frozen ranking.
    grid = Evaluation.objects.filter(consultation=consultation, evaluateur=request.user).first()
    refusal = services.grid_refusal(consultation, grid or Evaluation())
    if refusal:
        raise services.ScoringClosed(refusal)
    form = ConflitForm(request.POST, consultation=consultation)
    if form.is_valid():
        candidat = form.cleaned_data["candidat"]
        with transaction.atomic():
            DeclarationConflit.objects.update_or_create(
                evaluateur=request.user,
                candidat=candidat,
                defaults={"consultation": consultation, "motif": form.cleaned_data["motif"]},
            )
            # Scores already given to that candidate no longer count.
            Note.objects.filter(
                evaluation__consultation=consultation,
                evaluation__evaluateur=request.user,
                offre__candidat=candidat,
            ).delete()
            record_history(
                grappe,
                request.user,
                "Conflit d'intérêts déclaré",
                candidat,
                {"Nature du lien": form.cleaned_data["motif"]},
            )
        messages.success(
            request, f"Conflit d'intérêts déclaré : vous ne notez pas l'offre de {candidat}."
        )
    else:
        messages.error(request, "Choisissez le candidat et décrivez la nature du lien.")
    return redirect("amoa:evaluation", grappe.pk, consultation.pk)


@require_safe
def consolidation(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    visible = perms.can_see_scores(request.user, consultation)
    closed = services.closed_reason(consultation)
    context = {
        "grappe": grappe,
        "consultation": consultation,
        "visible": visible,
        "closed": closed,
        "can_decide": perms.can_decide(request.user, grappe) and not closed,
    }
    if perms.can_reopen_grid(request.user, grappe) and not closed:
        context["reopen_form"] = ReouvertureGrilleForm(consultation=consultation)
    if visible:
        result = analyse(consultation)
        qualitatifs = [c for c in result.criteres if c.is_qualitatif]
        by_cell = {}
        for note in result.notes:
            by_cell.setdefault((note.offre_id, note.critere_id), []).append(note)
        submitted = set(
            Evaluation.objects.filter(
                consultation=consultation, soumise_le__isnull=False
            ).values_list("evaluateur_id", flat=True)
        )
        blocks = []
        for offre in result.offres:
            outcome = result.result(offre)
            rows = []
            for critere in qualitatifs:
                rows.append(
                    {
                        "critere": critere,
                        "result": outcome.notes.get(critere.code),
                        "notes": by_cell.get((offre.pk, critere.pk), []),
                        "consensus": result.consensus.get((offre.pk, critere.pk)),
                    }
                )
            blocks.append((offre, outcome, rows))
        context.update(
            {
                "blocks": blocks,
                "evaluateurs": result.evaluateurs,
                "submitted": submitted,
                "consensus_form": ConsensusForm(consultation=consultation),
            }
        )
    return render(request, "amoa/consolidation.html", context)


@require_POST
def consensus(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_decide(request.user, grappe))
    require(perms.can_see_scores(request.user, consultation))
    services.ensure_open(consultation)
    form = ConsensusForm(request.POST, consultation=consultation)
    if form.is_valid():
        offre, critere = form.cleaned_data["offre"], form.cleaned_data["critere"]
        previous = Consensus.objects.filter(offre=offre, critere=critere).first()
        Consensus.objects.update_or_create(
            offre=offre,
            critere=critere,
            defaults={
                "valeur": form.cleaned_data["valeur"],
                "motif": form.cleaned_data["motif"],
                "par": request.user,
                "le": timezone.now(),
            },
        )
        record_history(
            grappe,
            request.user,
            "Note de consensus fixée",
            offre,
            {
                critere.libelle: [
                    text.number(previous.valeur) if previous else "",
                    text.number(form.cleaned_data["valeur"]),
                ],
                "Motif": form.cleaned_data["motif"],
            },
        )
        messages.success(
            request, f"Consensus enregistré : {critere.libelle} pour {offre.candidat}."
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("amoa:consolidation", grappe.pk, consultation.pk)


@require_http_methods(["GET", "POST"])
def auditions(request, pk, consultation_id, audition_id=None):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    can_edit = perms.can_edit_consultation(request.user, grappe)
    instance = (
        get_object_or_404(Audition, pk=audition_id, offre__consultation=consultation)
        if audition_id
        else None
    )
    form = AuditionForm(request.POST or None, instance=instance, consultation=consultation)
    if request.method == "POST":
        require(can_edit)
        if form.is_valid():
            audition = form.save(commit=False)
            if not audition.created_by_id:
                audition.created_by = request.user
            audition.save()
            record_history(
                grappe,
                request.user,
                "Audition modifiée" if instance else "Audition enregistrée",
                audition.offre,
                {
                    "Date": moment(audition.date),
                    "Questions préparées": audition.questions,
                    "Synthèse": audition.synthese,
                },
            )
            messages.success(request, f"L'audition de {audition.offre.candidat} est enregistrée.")
            return redirect("amoa:auditions", grappe.pk, consultation.pk)
    result = analyse(consultation) if perms.can_see_scores(request.user, consultation) else None
    shortlist = list(result.ranking.ranked[:SHORTLIST]) if result else []
    listed = Audition.objects.filter(offre__consultation=consultation).select_related(
        "offre__candidat"
    )
    return render(
        request,
        "amoa/auditions.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "auditions": listed,
            "form": form,
            "editing": instance,
            "shortlist": shortlist,
            "can_edit": can_edit,
            "can_score": perms.can_score(request.user, grappe),
        },
    )
