"""Offers: record one (candidate, financial offer, days per step, consultants), upload its
pieces (checked by content, served only through a permission check), indispensable criteria."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amoa import perms, services
from amoa.enums import TypeCritere, TypePiece
from amoa.forms.consultations import (
    ConsultantFormSet,
    EtapeFormSet,
    IndispensableForm,
    OffreForm,
    PieceForm,
)
from amoa.models import Candidat, Offre, PieceOffre, ResultatIndispensable
from amoa.services import moment, record_history
from amoa.views.common import consultation_for, offre_for, require
from core.money import euros
from core.uploads import delete_on_commit, file_response


def _formsets(request, offre, candidat):
    data = request.POST if request.method == "POST" else None
    return (
        EtapeFormSet(data, instance=offre, prefix="etapes"),
        ConsultantFormSet(data, instance=candidat, prefix="consultants"),
    )


@require_http_methods(["GET", "POST"])
def offre_form(request, pk, consultation_id, offre_id=None):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    offre = offre_for(consultation, offre_id) if offre_id else Offre(consultation=consultation)
    candidat = offre.candidat if offre_id else Candidat(consultation=consultation)
    form = OffreForm(request.POST or None, instance=offre, consultation=consultation)
    etapes, consultants = _formsets(request, offre, candidat)
    if request.method == "POST" and all(
        [form.is_valid(), etapes.is_valid(), consultants.is_valid()]
    ):
        with transaction.atomic():
            if not offre_id:
                offre.created_by = request.user
            offre = form.save()
            etapes.instance = offre
            etapes.save()
            consultants.instance = offre.candidat
            consultants.save()
            record_history(
                grappe,
                request.user,
                "Offre AMOA modifiée" if offre_id else "Offre AMOA enregistrée",
                offre,
                {
                    "Reçue le": moment(offre.received_at),
                    "Prix global": euros(offre.prix_total_ht, ht=True),
                    "Prix de journée": euros(offre.prix_jour_ht, ht=True),
                },
            )
        if offre.hors_delai:
            messages.warning(
                request,
                "Offre reçue après la date limite : elle est conservée mais ne sera pas classée.",
            )
        messages.success(request, f"L'offre de {offre.candidat} est enregistrée.")
        return redirect(offre)
    return render(
        request,
        "amoa/offre_form.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "offre": offre if offre_id else None,
            "form": form,
            "etapes": etapes,
            "consultants": consultants,
        },
    )


@require_http_methods(["GET", "POST"])
def offre_detail(request, pk, consultation_id, offre_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    offre = get_object_or_404(
        Offre.objects.filter(consultation=consultation)
        .with_details()
        .prefetch_related("indispensables__critere"),
        pk=offre_id,
    )
    offre.consultation = consultation
    can_edit = perms.can_edit_consultation(request.user, grappe)
    form = PieceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(can_edit)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            piece = PieceOffre(
                offre=offre,
                type=form.cleaned_data["type"],
                original_name=form.original_name,
                size=upload.size,
                content_type=form.content_type,
                uploaded_by=request.user,
            )
            piece.file.save(form.original_name, upload, save=False)
            piece.save()
            record_history(
                grappe,
                request.user,
                "Pièce d'offre déposée",
                offre,
                {piece.get_type_display(): piece.original_name},
            )
            messages.success(request, f"« {piece.original_name} » est déposé.")
            return redirect(offre)
    present = {piece.type for piece in offre.pieces.all()}
    labels = dict(TypePiece.choices)
    checklist = [(labels[code], code in present) for code in consultation.pieces_requises()]
    visible = perms.can_see_scores(request.user, consultation)
    indispensables = {r.critere_id: r for r in offre.indispensables.all()}
    criteres = [
        (critere, indispensables.get(critere.pk))
        for critere in consultation.criteres.filter(kind=TypeCritere.INDISPENSABLE)
    ]
    return render(
        request,
        "amoa/offre_detail.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "offre": offre,
            "form": form,
            "checklist": checklist,
            "criteres_indispensables": criteres,
            "indispensable_form": IndispensableForm(consultation=consultation),
            "can_edit": can_edit,
            "visible": visible,
            "can_decide": visible
            and perms.can_decide(request.user, grappe)
            and not services.closed_reason(consultation),
        },
    )


@require_safe
def piece_download(request, pk, consultation_id, offre_id, piece_id):
    """The file, only to those who may see the consultation; 404 to everyone else."""
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    offre = offre_for(consultation, offre_id)
    piece = get_object_or_404(PieceOffre, pk=piece_id, offre=offre)
    return file_response(piece.file, piece.original_name, piece.content_type)


@require_POST
def piece_delete(request, pk, consultation_id, offre_id, piece_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    offre = offre_for(consultation, offre_id)
    piece = get_object_or_404(PieceOffre, pk=piece_id, offre=offre)
    name = piece.original_name
    with transaction.atomic():
        delete_on_commit(piece.file)
        piece.delete()
        record_history(grappe, request.user, "Pièce d'offre supprimée", offre, {"Fichier": name})
    messages.success(request, f"« {name} » est supprimé.")
    return redirect(offre)


@require_POST
def indispensable(request, pk, consultation_id, offre_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_decide(request.user, grappe))
    # An elimination is the committee's finding: hidden from, and not set by, a blind
    # evaluator; frozen with the ranking once the choice is recorded.
    require(perms.can_see_scores(request.user, consultation))
    services.ensure_open(consultation)
    offre = offre_for(consultation, offre_id)
    form = IndispensableForm(request.POST, consultation=consultation)
    if form.is_valid():
        critere = form.cleaned_data["critere"]
        ResultatIndispensable.objects.update_or_create(
            offre=offre,
            critere=critere,
            defaults={
                "satisfait": form.cleaned_data["satisfait"],
                "motif": form.cleaned_data["motif"],
                "par": request.user,
                "le": timezone.now(),
            },
        )
        verdict = "satisfait" if form.cleaned_data["satisfait"] else "non satisfait"
        record_history(
            grappe,
            request.user,
            "Critère indispensable vérifié",
            offre,
            {critere.libelle: verdict, "Motif": form.cleaned_data["motif"]},
        )
        messages.success(request, f"{critere.libelle} : {verdict}.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(offre)
