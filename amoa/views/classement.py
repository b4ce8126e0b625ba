"""The ranking, its outputs (grille XLSX, rapport d'analyse PDF, letters to the candidates) and
the committee's choice, with the chosen AMOA's consultants given the AMOA role. Recording the
choice freezes the ranking; reopening the consultation clears both (amoa/services.py)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amoa import perms, services
from amoa.forms.evaluation import ChoixForm, ReouvertureForm
from amoa.models import Choix
from amoa.outputs import grille_xlsx
from amoa.services import analyse, record_history
from amoa.views.common import consultation_for, require
from core.pdf import pdf_response, render_pdf
from grappe.enums import RoleKind
from grappe.models import Role
from users.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scores_visible(request, consultation):
    """Evaluators who have not submitted their grid see no scores (404 on the files)."""
    return perms.can_see_scores(request.user, consultation)


def _choix(consultation):
    return (
        Choix.objects.filter(consultation=consultation)
        .select_related("offre__candidat", "par")
        .first()
    )


def _ranked_offres(result):
    by_id = {offre.pk: offre for offre in result.offres}
    return [by_id[r.offer.id] for r in result.ranking.ranked]


@require_http_methods(["GET", "POST"])
def classement(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    visible = _scores_visible(request, consultation)
    can_edit = perms.can_edit_consultation(request.user, grappe)
    context = {
        "grappe": grappe,
        "consultation": consultation,
        "visible": visible,
        "can_edit": can_edit,
    }
    if not visible:
        if request.method == "POST":
            require(False)
        return render(request, "amoa/classement.html", context)
    result = analyse(consultation)
    form = ChoixForm(request.POST or None, ranked_offres=_ranked_offres(result))
    if request.method == "POST":
        require(can_edit)
        if result.choix is not None:
            # The ranking is frozen: a new choice needs the consultation reopened first.
            raise services.ScoringClosed(services.closed_reason(consultation))
        if form.is_valid():
            choix = form.save(commit=False)
            choix.consultation = consultation
            services.record_choice(choix, request.user)
            messages.success(
                request,
                f"Le choix de {choix.offre.candidat} est enregistré : le classement est figé.",
            )
            return redirect("amoa:classement", grappe.pk, consultation.pk)
    context.update(
        {
            "result": result,
            "ranking": result.ranking,
            "rows": result.rows(),
            "criteres": result.criteres,
            "choix": result.choix,
            "decision": result.decision(),
            "form": form,
            "reopen_form": ReouvertureForm()
            if perms.can_reopen_consultation(request.user, grappe)
            else None,
        }
    )
    return render(request, "amoa/classement.html", context)


@require_POST
def consultation_reopen(request, pk, consultation_id):
    """Clear the recorded choice and its frozen ranking (traced): the scoring may change
    again, and a new choice be recorded."""
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_reopen_consultation(request.user, grappe))
    form = ReouvertureForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("motif", []):
            messages.error(request, error)
    elif services.reopen_consultation(consultation, request.user, form.cleaned_data["motif"]):
        messages.success(
            request,
            "La consultation est rouverte : le choix et le classement figé sont annulés "
            "(ils restent dans l'historique). Les évaluations soumises restent verrouillées.",
        )
    else:
        messages.info(request, "Aucun choix n'est enregistré : la consultation est déjà ouverte.")
    return redirect("amoa:classement", grappe.pk, consultation.pk)


@require_safe
def grille(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(_scores_visible(request, consultation))
    content = grille_xlsx(analyse(consultation))
    response = HttpResponse(content, content_type=XLSX)
    name = slugify(f"grille-analyse-{consultation.titre}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _justifications(result):
    """[(offre, [(critere, consensus or None, [notes])])] for the qualitative criteria."""
    by_cell = {}
    for note in result.notes:
        by_cell.setdefault((note.offre_id, note.critere_id), []).append(note)
    blocks = []
    for offre in result.offres:
        rows = []
        for critere in result.criteres:
            notes = by_cell.get((offre.pk, critere.pk), [])
            consensus = result.consensus.get((offre.pk, critere.pk))
            if critere.is_qualitatif and (notes or consensus):
                rows.append((critere, consensus, notes))
        if rows:
            blocks.append((offre, rows))
    return blocks


def _report_context(grappe, consultation, result):
    return {
        "decision": result.decision(),
        "justifications": _justifications(result),
        "grappe": grappe,
        "consultation": consultation,
        "result": result,
        "ranking": result.ranking,
        "rows": result.rows(),
        "criteres": result.criteres,
        "choix": result.choix,
        "auditions": [o.audition for o in result.offres if hasattr(o, "audition")],
    }


@require_safe
def rapport(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(_scores_visible(request, consultation))
    result = analyse(consultation)
    title = "Rapport d'analyse des offres et de choix"
    pdf = render_pdf(
        "amoa/pdf/rapport.html",
        _report_context(grappe, consultation, result),
        request=request,
        grappe=grappe,
        title=title,
    )
    return pdf_response(pdf, f"rapport-analyse-{consultation.titre}", inline=False)


@require_safe
def lettre(request, pk, consultation_id, offre_id):
    """The letter to a candidate: awarded, or not retained with its rank and the reasons."""
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    choix = _choix(consultation)
    if choix is None:
        messages.error(request, "Enregistrez d'abord le choix du comité de sélection.")
        return redirect("amoa:classement", grappe.pk, consultation.pk)
    result = analyse(consultation)
    offre = next((o for o in result.offres if o.pk == offre_id), None)
    if offre is None:
        raise Http404
    outcome = result.result(offre)
    retenue = offre.pk == choix.offre_id
    winner = result.ranking.for_offer(choix.offre_id)
    title = "Notification d'attribution" if retenue else "Information des candidats non retenus"
    pdf = render_pdf(
        "amoa/pdf/lettre.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "offre": offre,
            "outcome": outcome,
            "retenue": retenue,
            "choix": choix,
            "winner": winner,
            "nb_classees": len(result.ranking.ranked),
        },
        request=request,
        grappe=grappe,
        title=title,
    )
    return pdf_response(pdf, f"lettre-{offre.candidat.societe}")


@require_POST
def roles_amoa(request, pk, consultation_id):
    """Give the chosen AMOA's consultants the AMOA role on the grappe (accounts created when
    needed, without a password: they set one through « mot de passe oublié »)."""
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    choix = _choix(consultation)
    if choix is None:
        messages.error(request, "Enregistrez d'abord le choix du comité de sélection.")
        return redirect("amoa:classement", grappe.pk, consultation.pk)
    consultants = [c for c in choix.offre.candidat.consultants.all() if c.email]
    if not consultants:
        messages.error(request, "Aucun consultant avec une adresse e-mail dans l'offre retenue.")
        return redirect("amoa:classement", grappe.pk, consultation.pk)
    granted = []
    with transaction.atomic():
        for consultant in consultants:
            email = consultant.email.lower()
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                first, _, last = consultant.nom.partition(" ")
                user = User(email=email, first_name=first, last_name=last)
                user.set_unusable_password()
                user.save()
            _, created = Role.objects.get_or_create(
                grappe=grappe, user=user, kind=RoleKind.AMOA, esms=None
            )
            if created:
                granted.append(consultant.nom)
        record_history(
            grappe,
            request.user,
            "Rôle AMOA donné aux consultants retenus",
            choix.offre.candidat,
            {"Consultants": ", ".join(granted) or "déjà en place"},
        )
    if granted:
        messages.success(request, "Rôle « Consultant AMOA » donné à : " + ", ".join(granted) + ".")
    else:
        messages.info(request, "Les consultants retenus ont déjà le rôle « Consultant AMOA ».")
    return redirect("amoa:classement", grappe.pk, consultation.pk)
