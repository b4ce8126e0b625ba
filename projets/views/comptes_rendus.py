"""Meeting minutes pages: start, write (synthèse and the discussion of each agenda point), read
(with avis, validation trail and versions), submit, give an avis, PDF, new version, and the
grappe's library of diffused minutes.

The workflow lives in projets.comptes_rendus; these views check who may do what (projets.perms)
and turn refusals into French messages. Attendance, decisions and actions are edited on the
meeting page (projets.views.reunions): here they are read only.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from approbations import engine
from core.pdf import pdf_response
from grappe.shortcuts import get_grappe_for
from projets import comptes_rendus as workflow
from projets import perms
from projets.comptes_rendus import (
    DIFFUSE,
    MODIFICATIONS,
    SOUMIS,
    CompteRenduOuvert,
    ValidationRefusee,
)
from projets.enums import COMPTE_RENDU_BADGES, AvisCompteRendu
from projets.forms.comptes_rendus import AvisCompteRenduForm, CompteRenduForm, DiscussionFormSet
from projets.models import CompteRendu
from projets.validation import approvals_label, copil_rule
from projets.views.reunions import reunion_for

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _cr_for(reunion, cr_id):
    cr = get_object_or_404(
        CompteRendu.objects.select_related("redige_par"), pk=cr_id, reunion=reunion
    )
    cr.reunion = reunion
    return cr


def _detail_url(cr):
    return reverse("projets:compte_rendu", args=[cr.reunion.grappe_id, cr.reunion_id, cr.pk])


def _edit_url(cr):
    return reverse("projets:compte_rendu_edit", args=[cr.reunion.grappe_id, cr.reunion_id, cr.pk])


# ---------------------------------------------------------------------------------------------
# Start the minutes of a meeting
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def compte_rendu_create(request, pk, reunion_id):
    """The meeting's minutes: its current version when there is one (everybody who sees the
    grappe lands there), otherwise the page where an editor starts writing them."""
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    can_edit = perms.can_edit_plan(request.user, grappe)
    if request.method != "POST":
        latest = workflow.latest_version(reunion)
        if latest is not None:
            latest.reunion = reunion
            if can_edit and latest.is_editable:
                return redirect(_edit_url(latest))
            return redirect(_detail_url(latest))
        if not can_edit:
            raise PermissionDenied
        context = {
            "grappe": grappe,
            "reunion": reunion,
            "deadline": workflow.deadline_status(reunion),
            "content": workflow.for_display(workflow.snapshot(reunion)),
            "held": reunion.starts_at <= timezone.now(),
        }
        return render(request, "projets/compte_rendu_form.html", context)
    if not can_edit:
        raise PermissionDenied
    try:
        cr = workflow.create_draft(reunion, request.user)
    except CompteRenduOuvert as refus:
        messages.info(request, refus.message)
        cr = refus.compte_rendu
        cr.reunion = reunion
        return redirect(_edit_url(cr) if cr.is_editable else _detail_url(cr))
    messages.success(
        request,
        "Le compte rendu est créé (brouillon). Rédigez la synthèse et les échanges de chaque "
        "point, puis soumettez-le à la validation du COPIL.",
    )
    return redirect(_edit_url(cr))


# ---------------------------------------------------------------------------------------------
# Write
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def compte_rendu_edit(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    cr = _cr_for(reunion, cr_id)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    if not cr.is_editable:
        messages.warning(
            request,
            f"La version {cr.numero} est « {cr.get_statut_display().lower()} » : elle ne peut "
            "plus être modifiée."
            + (" Pour la corriger, créez une nouvelle version." if cr.locked else ""),
        )
        return redirect(_detail_url(cr))
    data = request.POST if request.method == "POST" else None
    form = CompteRenduForm(data, instance=cr, prefix="cr")
    formset = DiscussionFormSet(
        data, queryset=reunion.points.order_by("ordre", "pk"), prefix="points"
    )
    if data is not None:
        if form.is_valid() and formset.is_valid():
            discussions = {
                point_form.instance.pk: point_form.cleaned_data.get("discussion", "")
                for point_form in formset.forms
                if point_form.instance.pk  # never a point of another meeting
            }
            try:
                workflow.save_draft(cr, request.user, form.cleaned_data["synthese"], discussions)
                if "soumettre" in request.POST:
                    workflow.submit(cr, request.user)
            except ValidationRefusee as refus:
                messages.error(request, refus.message)
                return redirect(_detail_url(cr))
            if "soumettre" in request.POST:
                messages.success(request, _submitted_message(cr))
            else:
                messages.success(request, "Le brouillon du compte rendu est enregistré.")
            return redirect(_detail_url(cr))
        messages.error(request, "Le compte rendu n'a pas été enregistré : corrigez le formulaire.")
        if not formset.management_form.is_valid():
            # A truncated or forged post: show the points again rather than fail.
            formset = DiscussionFormSet(
                None, queryset=reunion.points.order_by("ordre", "pk"), prefix="points"
            )
    avis = list(engine.current_answers(cr))
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "compte_rendu": cr,
        "form": form,
        "formset": formset,
        "point_forms": [(point_form, point_form.instance) for point_form in formset.forms],
        "content": workflow.content_of(cr, reunion),
        "deadline": workflow.deadline_status(reunion, cr),
        "requested_changes": [a for a in avis if a.decision == AvisCompteRendu.MODIFICATIONS],
        "avis": avis,
        "badge": COMPTE_RENDU_BADGES[cr.statut],
    }
    return render(request, "projets/compte_rendu_form.html", context)


def _submitted_message(cr):
    return (
        f"La version {cr.numero} du compte rendu est soumise à la validation du COPIL : ses "
        "membres votants sont prévenus par e-mail."
    )


# ---------------------------------------------------------------------------------------------
# Read
# ---------------------------------------------------------------------------------------------


def _detail_response(request, grappe, reunion, cr_id, avis_form=None):
    user = request.user
    versions = list(
        CompteRendu.objects.filter(reunion=reunion)
        .select_related("redige_par", "submitted_by")
        .order_by("-numero")
    )
    cr = next((version for version in versions if version.pk == cr_id), None)
    if cr is None:
        raise Http404
    for version in versions:
        version.reunion = reunion
    latest = versions[0]
    avis = list(engine.current_answers(cr))
    rule = copil_rule(grappe).for_document(cr)
    approvals, changes = rule.count(
        ((a.user_id, a.decision) for a in avis),
        approve=AvisCompteRendu.APPROUVE,
        reject=AvisCompteRendu.MODIFICATIONS,
    )
    can_edit = perms.can_edit_plan(user, grappe)
    can_give_avis = perms.can_give_avis(user, grappe)
    mine = next((a for a in avis if a.user_id == user.pk), None)
    content = workflow.content_of(cr, reunion)
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "compte_rendu": cr,
        "versions": versions,
        "latest": latest,
        "content": content,
        "validation": content.get("validation") if cr.locked else None,
        "previous_rounds": workflow.previous_rounds(cr, content),
        "deadline": workflow.deadline_status(reunion, cr),
        "trail": workflow.trail(cr),
        "avis": avis,
        "mine": mine,
        "rule": rule,
        "rule_label": workflow.rule_label(rule),
        "approvals": approvals_label(approvals, rule.required),
        "badge": COMPTE_RENDU_BADGES[cr.statut],
        "badges": COMPTE_RENDU_BADGES,
        "can_edit": can_edit,
        "can_modify": can_edit and cr.is_editable,
        "can_submit": can_edit and cr.is_editable and cr.pk == latest.pk,
        "can_decide": cr.statut == SOUMIS and rule.may_decide(user) and mine is None,
        # A voting member who wrote or submitted the minutes does not validate them.
        "own": cr.statut == SOUMIS and can_give_avis and user.pk in rule.authors,
        "can_new_version": can_edit and cr.locked and cr.pk == latest.pk,
        "avis_form": avis_form or AvisCompteRenduForm(),
    }
    return render(request, "projets/compte_rendu_detail.html", context)


@require_safe
def compte_rendu_detail(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    return _detail_response(request, grappe, reunion, cr_id)


@require_POST
def compte_rendu_submit(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    cr = _cr_for(reunion, cr_id)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    try:
        workflow.submit(cr, request.user)
    except ValidationRefusee as refus:
        messages.error(request, refus.message)
    else:
        messages.success(request, _submitted_message(cr))
    return redirect(_detail_url(cr))


AVIS_MESSAGES = {
    AvisCompteRendu.APPROUVE: "Votre approbation de la version {numero} est enregistrée.",
    AvisCompteRendu.MODIFICATIONS: (
        "Votre demande de modifications sur la version {numero} est enregistrée."
    ),
}


@require_POST
def compte_rendu_avis(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    cr = _cr_for(reunion, cr_id)
    if not perms.can_give_avis(request.user, grappe):
        raise PermissionDenied
    form = AvisCompteRenduForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Votre avis n'a pas été enregistré : corrigez le formulaire.")
        return _detail_response(request, grappe, reunion, cr.pk, avis_form=form)
    decision = form.cleaned_data["decision"]
    try:
        workflow.record_avis(cr, request.user, decision, form.cleaned_data["comment"])
    except ValidationRefusee as refus:
        messages.error(request, refus.message)
        return redirect(_detail_url(cr))
    messages.success(request, AVIS_MESSAGES[decision].format(numero=cr.numero))
    cr.refresh_from_db(fields=["statut"])
    if cr.statut == DIFFUSE:
        messages.success(
            request,
            "La règle du COPIL est atteinte : le compte rendu est validé, verrouillé, et diffusé "
            "aux membres de la grappe et du comité de suivi.",
        )
    elif cr.statut == MODIFICATIONS:
        messages.warning(
            request, "Le compte rendu retourne à son rédacteur avec votre commentaire."
        )
    return redirect(_detail_url(cr))


@require_safe
def compte_rendu_pdf(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_plan(request.user, grappe):
        raise Http404
    reunion = reunion_for(request.user, grappe, reunion_id)
    cr = _cr_for(reunion, cr_id)
    pdf = workflow.render_compte_rendu_pdf(cr, request=request)
    return pdf_response(pdf, workflow.pdf_filename(cr).removesuffix(".pdf"))


@require_POST
def compte_rendu_new_version(request, pk, reunion_id, cr_id):
    grappe = get_grappe_for(request.user, pk)
    reunion = reunion_for(request.user, grappe, reunion_id)
    cr = _cr_for(reunion, cr_id)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    try:
        draft = workflow.new_version(cr, request.user)
    except ValidationRefusee as refus:
        messages.error(request, refus.message)
        return redirect(_detail_url(cr))
    draft.reunion = reunion
    messages.success(
        request,
        f"La version {draft.numero} est créée : corrigez-la puis soumettez-la au COPIL. La "
        f"version {cr.numero} reste consultable.",
    )
    return redirect(_edit_url(draft))


# ---------------------------------------------------------------------------------------------
# The grappe's library of diffused minutes
# ---------------------------------------------------------------------------------------------


@require_safe
def bibliotheque(request, pk):
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_plan(request.user, grappe):
        raise Http404
    diffused = (
        CompteRendu.objects.filter(reunion__grappe=grappe, statut=DIFFUSE)
        .visible_to(request.user, grappe)
        .select_related("reunion", "reunion__comite")
        .order_by("-reunion__starts_at", "-reunion_id", "-numero")
    )
    rows, seen = [], set()
    for cr in diffused:
        if cr.reunion_id in seen:
            continue  # an older diffused version, replaced by a correction
        seen.add(cr.reunion_id)
        rows.append(cr)
    return render(request, "projets/bibliotheque.html", {"grappe": grappe, "rows": rows})
