"""The financing convention of a retained dossier: the ARS prepares it (amount granted, the
reason of a gap with the request), records its signature (the grappe's tranches follow), and
everyone concerned downloads it as a PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from candidatures import instruction, perms
from candidatures.conventions import ConventionRefusee, echeancier, preparer, signer
from candidatures.enums import StatutCandidature
from candidatures.forms import ConventionForm, SignatureForm
from candidatures.models import Campagne, Candidature, Convention
from core.pdf import pdf_response, render_pdf


def _retained(request, pk, candidature_id, *, manage=True):
    """The campaign and one of its retained dossiers. Managers only for `manage`; otherwise the
    grappe's readers too (perms.can_read_decision). 404 to everyone else."""
    campagne = get_object_or_404(Campagne.objects.select_related("aap__region"), pk=pk)
    candidature = get_object_or_404(
        Candidature.objects.select_related("grappe__porteur", "grappe__region"),
        pk=candidature_id,
        campagne=campagne,
        statut=StatutCandidature.RETENUE,
    )
    candidature.campagne = campagne
    allowed = (
        perms.can_manage_campagne(request.user, campagne)
        if manage
        else perms.can_read_decision(request.user, candidature)
    )
    if not allowed:
        raise Http404
    if manage and instruction.in_conflict(request.user, candidature):
        raise PermissionDenied(instruction.CONFLICT_REFUSAL)
    return campagne, candidature


def _context(campagne, candidature, convention):
    return {
        "campagne": campagne,
        "candidature": candidature,
        "grappe": candidature.grappe,
        "convention": convention,
        "echeancier": echeancier(convention) if convention else [],
    }


@require_http_methods(["GET", "POST"])
def convention(request, pk, candidature_id):
    campagne, candidature = _retained(request, pk, candidature_id)
    existing = Convention.objects.filter(candidature=candidature).first()
    initial = {"montant_accorde": candidature.montant_demande}
    if existing:
        initial = {"montant_accorde": existing.montant_accorde, "motif_ecart": existing.motif_ecart}
    form = ConventionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if existing and existing.signee:
            messages.error(request, "La convention est signée : elle ne se modifie plus.")
            return redirect(request.path)
        if form.is_valid():
            try:
                preparer(
                    candidature,
                    form.cleaned_data["montant_accorde"],
                    form.cleaned_data["motif_ecart"],
                    request.user,
                )
            except ConventionRefusee as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "La convention de financement est préparée.")
                return redirect(request.path)
    context = _context(campagne, candidature, existing)
    context.update(form=form, signature_form=SignatureForm())
    return render(request, "candidatures/convention.html", context)


@require_POST
def convention_signer(request, pk, candidature_id):
    campagne, candidature = _retained(request, pk, candidature_id)
    existing = get_object_or_404(Convention, candidature=candidature)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            signer(existing, form.cleaned_data["signee_le"], request.user)
        except ConventionRefusee as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                "La signature est enregistrée : le montant devient celui de la convention de la "
                "grappe et la tranche de signature est due.",
            )
    return redirect("candidatures:convention", pk=campagne.pk, candidature_id=candidature.pk)


@require_safe
def convention_pdf(request, pk, candidature_id):
    campagne, candidature = _retained(request, pk, candidature_id, manage=False)
    existing = Convention.objects.filter(candidature=candidature).first()
    if existing is None:
        raise Http404("La convention n'est pas encore préparée.")
    if not existing.signee and not perms.can_manage_campagne(request.user, campagne):
        raise PermissionDenied("La convention est en préparation par l'ARS.")
    pdf = render_pdf(
        "candidatures/pdf/convention.html",
        _context(campagne, candidature, existing),
        request=request,
        grappe=candidature.grappe,
        title=f"Convention de financement — {candidature.grappe}",
    )
    return pdf_response(pdf, f"convention-financement-{candidature.grappe.name}")
