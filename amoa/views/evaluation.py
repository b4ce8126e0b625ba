"""Evaluation by the comité de sélection: each evaluator's grid (they see the others' scores only
once they submitted theirs), conflicts of interest, the consolidated view with consensus, and
the auditions of the shortlisted candidates."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amoa import perms
from amoa.enums import TypeCritere
from amoa.forms.evaluation import AuditionForm, ConflitForm, ConsensusForm, GrilleForm
from amoa.models import (
    Audition,
    Consensus,
    DeclarationConflit,
    Evaluation,
    Note,
    Offre,
)
from amoa.services import analyse, record_history
from amoa.views.common import consultation_for, require

SHORTLIST = 3


def _grid_context(request, consultation):
    conflicts = set(
        DeclarationConflit.objects.filter(
            consultation=consultation, evaluateur=request.user
        ).values_list("candidat_id", flat=True)
    )
    offres = [
        offre
        for offre in Offre.objects.filter(consultation=consultation).select_related("candidat")
        if offre.candidat_id not in conflicts
    ]
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
    form = GrilleForm(request.POST or None, offres=offres, criteres=criteres, notes=notes)
    if request.method == "POST" and form.is_valid():
        submit = "soumettre" in request.POST
        with transaction.atomic():
            if grid.pk is None:
                grid.save()
            changed = 0
            for offre, critere, note_name, text_name in form.cells:
                value = form.cleaned_data.get(note_name)
                text = form.cleaned_data.get(text_name, "")
                existing = notes.get((offre.pk, critere.pk))
                if value is None:
                    if existing:
                        existing.delete()
                        changed += 1
                    continue
                if existing and existing.valeur == value and existing.justification == text:
                    continue
                Note.objects.update_or_create(
                    evaluation=grid,
                    offre=offre,
                    critere=critere,
                    defaults={"valeur": value, "justification": text},
                )
                changed += 1
            if submit and not grid.soumise:
                grid.soumise_le = timezone.now()
                grid.save(update_fields=["soumise_le"])
            record_history(
                grappe,
                request.user,
                "Évaluation soumise" if submit else "Notes d'évaluation enregistrées",
                consultation,
                {"Notes modifiées": changed},
            )
        if submit:
            messages.success(
                request,
                "Votre évaluation est soumise : vous voyez maintenant les notes des autres "
                "évaluateurs.",
            )
            return redirect("amoa:consolidation", grappe.pk, consultation.pk)
        messages.success(request, "Vos notes sont enregistrées.")
        return redirect("amoa:evaluation", grappe.pk, consultation.pk)
    conflits = DeclarationConflit.objects.filter(
        consultation=consultation, evaluateur=request.user
    ).select_related("candidat")
    return render(
        request,
        "amoa/evaluation.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "form": form,
            "grid": grid,
            "criteres": criteres,
            "conflits": conflits,
            "conflit_form": ConflitForm(consultation=consultation),
        },
    )


@require_POST
def conflit(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_score(request.user, grappe))
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
    context = {
        "grappe": grappe,
        "consultation": consultation,
        "visible": visible,
        "can_decide": perms.can_decide(request.user, grappe),
    }
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
                    str(previous.valeur) if previous else "",
                    str(form.cleaned_data["valeur"]),
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
                    "Date": timezone.localtime(audition.date).strftime("%d/%m/%Y %H:%M"),
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
