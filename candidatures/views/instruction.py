"""The ARS instruction of a campaign's filed dossiers (rules in candidatures/instruction.py):
the designation of the instructors, each instructor's blind grid per dossier, a manager's
conflict-of-interest declaration, the consensus, the requests for missing pieces, the selection
committee's decision and its letter.

A filed dossier is the campaign's managers' to instruct: to anybody else it does not exist
(404), except its decision letter, which the grappe's readers download once decided."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from candidatures import instruction as services
from candidatures import perms
from candidatures.forms import (
    ConflitInstructionForm,
    ConsensusInstructionForm,
    DecisionForm,
    DemandePiecesForm,
    GrilleForm,
    InstructeursForm,
)
from candidatures.instruction import InstructionRefused
from candidatures.models import Campagne, Candidature, ConflitInstruction, GrilleInstruction
from core.pdf import pdf_response, render_pdf

REFUSED = (
    "Seuls les agents de l'ARS de la région de l'appel et l'administration nationale le gèrent."
)


def _campagne(request, pk):
    campagne = get_object_or_404(Campagne.objects.select_related("aap__region"), pk=pk)
    if not perms.can_manage_campagne(request.user, campagne):
        raise PermissionDenied(REFUSED)
    return campagne


def _dossier(request, pk, candidature_id):
    """The campaign and one of its filed dossiers: 404 to whoever does not follow its
    instruction (they learn nothing of the dossiers), and for a draft."""
    campagne = get_object_or_404(Campagne.objects.select_related("aap__region"), pk=pk)
    if not perms.can_follow_instruction(request.user, campagne):
        raise Http404
    candidature = get_object_or_404(
        Candidature.objects.select_related("grappe__porteur"),
        pk=candidature_id,
        campagne=campagne,
        statut__in=services.DEPOSEES,
    )
    candidature.campagne = campagne
    return campagne, candidature


def _errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# ---------------------------------------------------------------------------------------------
# Instructors
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def instructeurs(request, pk):
    campagne = _campagne(request, pk)
    form = InstructeursForm(
        request.POST or None,
        eligibles=services.eligible_instructeurs(campagne),
        initial={"instructeurs": [i.user_id for i in campagne.instructeurs.all()]},
    )
    if request.method == "POST" and form.is_valid():
        kept = services.designer(campagne, form.cleaned_data["instructeurs"], request.user)
        if kept:
            messages.warning(
                request,
                "Les instructeurs qui ont déjà soumis une grille restent désignés : leurs notes "
                "comptent dans le classement.",
            )
        messages.success(request, "Les instructeurs de la campagne sont enregistrés.")
        return redirect(campagne)
    return render(
        request,
        "candidatures/instruction/instructeurs.html",
        {"campagne": campagne, "form": form},
    )


# ---------------------------------------------------------------------------------------------
# A dossier: the instructor's grid, the conflict declaration
# ---------------------------------------------------------------------------------------------


def _dossier_context(request, campagne, candidature):
    """What every instruction page of a dossier shows."""
    return {
        "campagne": campagne,
        "candidature": candidature,
        "grappe": candidature.grappe,
        "depot": candidature.dernier_depot(),
        "demandes": list(candidature.demandes_pieces.select_related("demandee_par", "depot")),
        "decisions": list(candidature.decisions.select_related("par")),
        "closed": services.closed_reason(candidature),
        "can_manage": perms.can_manage_campagne(request.user, campagne),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
def grille(request, pk, candidature_id):
    campagne, candidature = _dossier(request, pk, candidature_id)
    criteres = list(campagne.criteres.all())
    mine = GrilleInstruction.objects.filter(
        candidature=candidature, instructeur=request.user
    ).first()
    notes = {n.critere_id: n for n in mine.notes.all()} if mine else {}
    refusal = services.grille_refusal(candidature, request.user, mine)
    form = GrilleForm(
        request.POST if request.method == "POST" else None,
        criteres=criteres,
        grille=mine,
        notes=notes,
    )
    if request.method == "POST":
        if refusal:
            raise InstructionRefused(refusal)
        submit = "soumettre" in request.POST
        if form.is_valid() and submit:
            # The notes saved earlier count with the ones posted now.
            merged = {pk: (n.valeur, n.commentaire) for pk, n in notes.items()}
            merged.update({c.pk: value for c, value in form.values().items()})
            for error in services.submission_errors(criteres, merged):
                form.add_error(None, error)
        if form.is_valid():
            services.save_grille(
                candidature,
                request.user,
                form.values(),
                form.cleaned_data["commentaire"],
                submit=submit,
            )
            if submit:
                messages.success(
                    request,
                    "Votre grille est soumise et verrouillée : vous voyez maintenant les notes "
                    "des autres instructeurs sur ce dossier.",
                )
            else:
                messages.success(request, "Vos notes sont enregistrées (brouillon, non soumis).")
            return redirect("candidatures:instruction", campagne.pk, candidature.pk)
    if refusal:
        for field in form.fields.values():
            field.disabled = True
    visible = services.can_see_notes(request.user, candidature)
    context = {
        **_dossier_context(request, campagne, candidature),
        "form": form,
        "grille": mine,
        "refusal": refusal,
        "is_instructeur": perms.is_instructeur(request.user, campagne),
        "conflit": ConflitInstruction.objects.filter(
            candidature=candidature, instructeur=request.user
        ).first(),
        "conflit_form": ConflitInstructionForm(),
        "conflit_refusal": services.conflit_refusal(candidature, request.user),
        "visible": visible,
    }
    if visible:
        context.update(_notes_context(campagne, candidature))
    return render(request, "candidatures/instruction/grille.html", context)


def _notes_context(campagne, candidature):
    """The others' notes, the means and the consensus on the dossier, per criterion."""
    analysis = services.analyse(campagne)
    ligne = analysis.by_id[candidature.pk]
    means = services.moyennes(analysis, candidature)
    grilles = list(
        candidature.grilles.filter(soumise_le__isnull=False, instructeur_id__in=ligne.soumis)
        .select_related("instructeur")
        .prefetch_related("notes")
    )
    rows = []
    for critere in analysis.criteres:
        cells = []
        for grid in grilles:
            note = next((n for n in grid.notes.all() if n.critere_id == critere.pk), None)
            cells.append((grid, note))
        result = ligne.result.notes.get(str(critere.pk)) if ligne.result else None
        rows.append(
            {
                "critere": critere,
                "cells": cells,
                "mean": means[critere.pk],
                "consensus": ligne.consensus.get(critere.pk),
                "result": result,
            }
        )
    users = {i.user_id: i.user for i in analysis.instructeurs}
    return {
        "ligne": ligne,
        "rows": rows,
        "grilles": grilles,
        "en_attente": [users[pk] for pk in ligne.en_attente if pk in users],
    }


@require_POST
def conflit(request, pk, candidature_id):
    campagne, candidature = _dossier(request, pk, candidature_id)
    refusal = services.conflit_refusal(candidature, request.user)
    if refusal:
        raise InstructionRefused(refusal)
    form = ConflitInstructionForm(request.POST)
    if form.is_valid():
        services.declare_conflit(candidature, request.user, form.cleaned_data["motif"])
        messages.success(
            request,
            f"Conflit d'intérêts déclaré avec le dossier de {candidature.grappe} : vous ne le "
            "notez pas, vous ne voyez pas ses notes et vous n'en décidez pas.",
        )
    else:
        _errors(request, form)
    return redirect("candidatures:instruction", campagne.pk, candidature.pk)


# ---------------------------------------------------------------------------------------------
# Consensus
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def consensus(request, pk, candidature_id):
    campagne, candidature = _dossier(request, pk, candidature_id)
    refusal = services.consensus_refusal(candidature, request.user)
    if refusal and (
        request.method == "POST" or not services.can_see_notes(request.user, candidature)
    ):
        raise InstructionRefused(refusal)
    form = ConsensusInstructionForm(request.POST or None, campagne=campagne)
    if request.method == "POST" and form.is_valid():
        critere = form.cleaned_data["critere"]
        mean = services.moyennes(services.analyse(campagne), candidature)[critere.pk]
        try:
            services.set_consensus(
                candidature,
                critere,
                form.cleaned_data["valeur"],
                form.cleaned_data["motif"],
                request.user,
                mean=mean,
            )
        except ValueError as error:
            form.add_error("motif", str(error))
        else:
            messages.success(request, f"Note de consensus enregistrée : {critere.libelle}.")
            return redirect("candidatures:consensus", campagne.pk, candidature.pk)
    return render(
        request,
        "candidatures/instruction/consensus.html",
        {
            **_dossier_context(request, campagne, candidature),
            **_notes_context(campagne, candidature),
            "form": form,
            "refusal": refusal,
        },
    )


# ---------------------------------------------------------------------------------------------
# Requests for missing pieces
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def demande_pieces(request, pk, candidature_id):
    campagne, candidature = _dossier(request, pk, candidature_id)
    refusal = services.demande_refusal(candidature, request.user)
    form = DemandePiecesForm(request.POST or None)
    if request.method == "POST":
        if refusal:
            raise InstructionRefused(refusal)
        if form.is_valid():
            services.demander_pieces(
                candidature,
                form.cleaned_data["message"],
                form.cleaned_data["echeance"],
                request.user,
            )
            messages.success(
                request,
                "La demande est envoyée aux chefs de projet de la grappe : le dossier est "
                "incomplet jusqu'à son nouveau dépôt.",
            )
            return redirect("candidatures:instruction", campagne.pk, candidature.pk)
    return render(
        request,
        "candidatures/instruction/demande_pieces.html",
        {**_dossier_context(request, campagne, candidature), "form": form, "refusal": refusal},
    )


# ---------------------------------------------------------------------------------------------
# The selection committee's decision and its letter
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def decision(request, pk, candidature_id):
    campagne, candidature = _dossier(request, pk, candidature_id)
    analysis = services.analyse(campagne)
    ligne = analysis.by_id[candidature.pk]
    candidature = ligne.candidature
    candidature.campagne = campagne
    refusal = services.decision_refusal(candidature, request.user, ligne)
    form = DecisionForm(
        request.POST or None,
        candidature=candidature,
        possibles=services.decisions_possibles(ligne),
    )
    if request.method == "POST":
        if refusal:
            raise InstructionRefused(refusal)
        if form.is_valid():
            _, warning = services.decider(
                candidature,
                form.cleaned_data["decision"],
                form.cleaned_data["motif"],
                request.user,
                form.cleaned_data["date"],
            )
            if warning:
                messages.warning(request, warning)
            messages.success(
                request,
                "La décision est enregistrée ; les chefs de projet de la grappe en sont "
                "informés et la lettre de décision est disponible.",
            )
            return redirect(campagne)
    return render(
        request,
        "candidatures/instruction/decision.html",
        {
            **_dossier_context(request, campagne, candidature),
            "form": form,
            "refusal": refusal,
            "ligne": ligne,
            "sans_reponse": services.sans_reponse(ligne),
            "hidden": candidature.pk in analysis.masques_pour(request.user),
            "consommee": analysis.consommee(),
            "si_retenu": services.depassement(analysis, candidature, "retenue"),
            "montant": services.montant_engage(candidature),
        },
    )


def letter_context(candidature):
    """The letter's context (shared by any page that would show it)."""
    decision = candidature.decisions.select_related("par").first()
    return {
        "candidature": candidature,
        "campagne": candidature.campagne,
        "grappe": candidature.grappe,
        "decision": decision,
        "depot": candidature.dernier_depot(),
        "nb_criteres": candidature.campagne.criteres.count(),
    }


@require_safe
def lettre_decision(request, pk, candidature_id):
    campagne = get_object_or_404(Campagne.objects.select_related("aap__region"), pk=pk)
    candidature = get_object_or_404(
        Candidature.objects.select_related("grappe__porteur"),
        pk=candidature_id,
        campagne=campagne,
        statut__in=services.DEPOSEES,
    )
    candidature.campagne = campagne
    if not perms.can_read_decision(request.user, candidature):
        raise Http404
    context = letter_context(candidature)
    if context["decision"] is None:
        raise PermissionDenied(
            "La lettre de décision est disponible une fois la décision du comité de sélection "
            "enregistrée."
        )
    pdf = render_pdf(
        "candidatures/pdf/decision.html",
        context,
        request=request,
        grappe=candidature.grappe,
        title=f"Décision — {campagne.aap.name}",
    )
    return pdf_response(pdf, f"decision-{candidature.grappe.name}")
