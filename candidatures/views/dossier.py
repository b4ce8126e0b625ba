"""A grappe's dossier in answer to the call of its AAP: the checklist, the sections, the pieces,
the filing and its accusé de réception, the national admin's derogation."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from approbations.engine import ApprobationRefusee
from approbations.enums import Decision
from candidatures import engagements, perms
from candidatures.enums import StatutCandidature
from candidatures.forms import DerogationForm, PieceJointeForm, SectionsForm
from candidatures.models import SECTIONS, Campagne, Candidature, Convention, PieceJointe, sha256_of
from candidatures.services import (
    DepotRefuse,
    checklist,
    deposer,
    derogation_covers,
    fingerprint,
    funded_elsewhere,
    snapshot,
)
from core.uploads import file_response
from grappe import perms as grappe_perms
from grappe.funding import simulate_funding
from grappe.models import Grappe, HistoryEntry


def _grappe_dossier(request, pk):
    """The grappe, the campaign of its AAP and its dossier: 404 for a grappe the user may not
    see, 403 for its region's ARS agents while the dossier is the grappe's (never filed)."""
    grappe = get_object_or_404(Grappe.objects.select_related("region", "aap", "porteur"), pk=pk)
    user = request.user
    if not (grappe_perms.can_view_grappe(user, grappe) or perms.is_og_direction(user, grappe)):
        raise Http404  # strangers learn nothing, not even that the grappe exists
    campagne = (
        Campagne.objects.select_related("aap").filter(aap_id=grappe.aap_id).first()
        if grappe.aap_id
        else None
    )
    dossier = (
        Candidature.objects.filter(grappe=grappe, campagne=campagne).first() if campagne else None
    )
    if not perms.can_view_candidature(request.user, grappe, dossier):
        raise PermissionDenied(
            "Le dossier de candidature est celui de la grappe tant qu'il n'est pas déposé."
        )
    return grappe, campagne, dossier


def _editor(request, grappe):
    if not perms.can_edit_candidature(request.user, grappe):
        raise PermissionDenied(
            "Seuls le chef de projet et l'administration nationale préparent le dossier."
        )


def frozen_reason(dossier):
    """Why the dossier cannot be written now, in French; "" when it can: a filed dossier is
    frozen, a closed call takes no more drafting (a request for missing pieces reopens it)."""
    if not dossier.editable:
        return (
            f"La candidature est « {dossier.get_statut_display().lower()} » : le dossier ne se "
            "modifie plus."
        )
    closed = timezone.now() >= dossier.campagne.cloture
    if dossier.statut == StatutCandidature.BROUILLON and closed:
        return "L'appel est clos : le dossier ne se modifie plus."
    return ""


def _writable(request, pk):
    """(grappe, dossier) for a change by the porteur, or a redirect with the reason."""
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    _editor(request, grappe)
    if dossier is None:
        raise Http404("La grappe n'a pas de dossier sur cet appel.")
    reason = frozen_reason(dossier)
    if reason:
        messages.error(request, reason)
        return grappe, None
    return grappe, dossier


@require_http_methods(["GET", "POST"])
def candidature(request, pk):
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    can_edit = perms.can_edit_candidature(request.user, grappe)
    if request.method == "POST":
        _editor(request, grappe)
        _start(request, grappe, campagne, dossier)
        return redirect("candidatures:candidature", pk=grappe.pk)
    context = {
        "grappe": grappe,
        "campagne": campagne,
        "dossier": dossier,
        "can_edit": can_edit,
        "statut": campagne.statut() if campagne else None,
        # An OG's direction may read the dossier without seeing the grappe's pages.
        "grappe_visible": grappe_perms.can_view_grappe(request.user, grappe),
    }
    if dossier is not None:
        contenu = snapshot(dossier)
        points = checklist(dossier, contenu=contenu)
        reason = frozen_reason(dossier)
        ogs, outdated = engagements.etat(dossier, fingerprint(contenu))
        mine = [row for row in ogs if request.user in row["directions"]]
        context.update(
            engagements=ogs,
            engagements_outdated=outdated,
            can_engage=bool(mine) and not reason,
            engagement_mine=mine[0] if mine else None,
        )
        context.update(
            points=points,
            fileable=can_edit and not reason and all(point.ok for point in points),
            writable=can_edit and not reason,
            frozen=reason,
            funding=simulate_funding(grappe) if dossier.editable else None,
            pieces=_pieces_rows(dossier),
            depose=_filed_content(dossier),
            depots=list(dossier.depots.select_related("deposee_par").order_by("-numero")),
            piece_form=PieceJointeForm(campagne=campagne) if can_edit and not reason else None,
            can_derogate=perms.can_grant_derogation(request.user)
            and bool(funded := funded_elsewhere(grappe))
            and not derogation_covers(dossier, funded),
            derogation_form=DerogationForm(),
            decision=dossier.decisions.order_by("-created_at", "-pk").first(),
            convention=Convention.objects.filter(candidature=dossier).first(),
        )
    return render(request, "candidatures/candidature.html", context)


def _start(request, grappe, campagne, dossier):
    if campagne is None:
        messages.error(request, "Aucun appel ouvert par l'ARS sur l'appel à projets de la grappe.")
    elif dossier is None:
        if timezone.now() >= campagne.cloture:
            messages.error(request, "L'appel est clos : un dossier ne peut plus être commencé.")
            return
        if timezone.now() < campagne.ouverture:
            # The ARS may still change the call's pieces and criteria until it opens.
            opening = timezone.localtime(campagne.ouverture)
            messages.error(
                request,
                f"L'appel ouvre le {opening:%d/%m/%Y à %H:%M} : le dossier se commence à partir "
                "de son ouverture.",
            )
            return
        Candidature.objects.get_or_create(
            grappe=grappe, campagne=campagne, defaults={"created_by": request.user}
        )
        HistoryEntry.record(grappe, request.user, "Dossier de candidature commencé", campagne)
        messages.success(request, "Le dossier de candidature est commencé.")


def _filed_content(dossier):
    """What the ARS instructs once the dossier is filed: the sections and pieces of its latest
    filing, frozen (the files found by the SHA-256 the filing recorded), not today's drafts.
    None while the dossier is being written."""
    depot = dossier.dernier_depot()
    if dossier.editable or depot is None:
        return None
    sections = depot.contenu.get("sections", {})
    by_hash = {j.sha256: j for j in dossier.pieces_jointes.all()}
    return {
        "depot": depot,
        "sections": [(title, sections.get(name, "")) for name, title, _ in SECTIONS],
        "pieces": [(row, by_hash.get(row["sha256"])) for row in depot.contenu.get("pieces", [])],
    }


def _pieces_rows(dossier):
    """(required piece, its current file or None) in the call's order."""
    current = dossier.pieces_courantes()
    return [(piece, current.get(piece.pk)) for piece in dossier.campagne.pieces.all()]


@require_http_methods(["GET", "POST"])
def candidature_sections(request, pk):
    grappe, dossier = _writable(request, pk)
    if dossier is None:
        return redirect("candidatures:candidature", pk=grappe.pk)
    form = SectionsForm(request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        changed = [str(form.fields[name].label) for name in form.changed_data]
        with transaction.atomic():
            # Only the sections, and only while still writable: a filing that landed meanwhile
            # (a double click) must not be undone by this form's stale copy of the dossier.
            current = Candidature.objects.select_for_update().get(pk=dossier.pk)
            if not current.editable:
                messages.error(request, frozen_reason(current))
                return redirect("candidatures:candidature", pk=grappe.pk)
            for name in form.changed_data:
                setattr(current, name, form.cleaned_data[name])
            current.save(update_fields=[*form.changed_data, "updated_at"])
        dossier = current
        if changed:
            HistoryEntry.record(
                grappe,
                request.user,
                "Dossier de candidature rédigé",
                dossier.campagne,
                {"Sections modifiées": ", ".join(changed)},
            )
        engagements.new_round_if_changed(dossier, fingerprint(snapshot(dossier)))
        messages.success(request, "Les sections du dossier sont enregistrées.")
        return redirect("candidatures:candidature", pk=grappe.pk)
    return render(
        request,
        "candidatures/candidature_sections.html",
        {"grappe": grappe, "campagne": dossier.campagne, "dossier": dossier, "form": form},
    )


@require_POST
def piece_upload(request, pk):
    grappe, dossier = _writable(request, pk)
    if dossier is None:
        return redirect("candidatures:candidature", pk=grappe.pk)
    form = PieceJointeForm(request.POST, request.FILES, campagne=dossier.campagne)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Pièce non jointe : {error}")
        return redirect("candidatures:candidature", pk=grappe.pk)
    upload = form.cleaned_data["file"]
    piece = form.cleaned_data["piece"]
    with transaction.atomic():
        jointe = PieceJointe(
            candidature=dossier,
            piece=piece,
            original_name=form.original_name,
            size=upload.size,
            content_type=form.content_type,
            sha256=sha256_of(upload),
            uploaded_by=request.user,
        )
        jointe.file.save(form.original_name, upload, save=False)
        jointe.save()
        HistoryEntry.record(
            grappe,
            request.user,
            "Pièce jointe au dossier de candidature",
            dossier.campagne,
            {"Pièce": piece.libelle, "Fichier": jointe.original_name, "SHA-256": jointe.sha256},
        )
        engagements.new_round_if_changed(dossier, fingerprint(snapshot(dossier)))
    messages.success(request, f"« {piece.libelle} » est jointe au dossier.")
    return redirect("candidatures:candidature", pk=grappe.pk)


@require_safe
def piece_download(request, pk, piece_id):
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    if dossier is None:
        raise Http404
    jointe = get_object_or_404(PieceJointe, pk=piece_id, candidature=dossier)
    return file_response(jointe.file, jointe.original_name, jointe.content_type)


@require_POST
def candidature_deposer(request, pk):
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    _editor(request, grappe)
    if dossier is None:
        raise Http404("La grappe n'a pas de dossier sur cet appel.")
    try:
        depot = deposer(dossier, request.user)
    except DepotRefuse as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Dossier déposé le {timezone.localtime(depot.deposee_le):%d/%m/%Y à %H:%M:%S} : "
            "l'accusé de réception vous est envoyé par courriel et reste téléchargeable ici.",
        )
    return redirect("candidatures:candidature", pk=grappe.pk)


@require_safe
def accuse_download(request, pk, numero):
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    if dossier is None:
        raise Http404
    depot = get_object_or_404(dossier.depots, numero=numero)
    if not depot.accuse:
        raise Http404("Accusé de réception introuvable.")
    filename = f"accuse-reception-{grappe.pk}-v{depot.numero}.pdf"
    return file_response(depot.accuse, filename, "application/pdf")


@require_POST
def derogation(request, pk):
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    if not perms.can_grant_derogation(request.user):
        raise PermissionDenied("Seule l'administration nationale accorde cette dérogation.")
    if dossier is None:
        raise Http404("La grappe n'a pas de dossier sur cet appel.")
    form = DerogationForm(request.POST)
    funded = funded_elsewhere(grappe)
    if not form.is_valid():
        messages.error(request, "Motivez la dérogation : le motif est obligatoire.")
    elif not funded:
        messages.error(request, "Aucun ESMS de la grappe n'est financé par un autre appel.")
    elif derogation_covers(dossier, funded):
        messages.error(request, "La dérogation est déjà accordée.")
    elif not dossier.editable:
        messages.error(request, "Le dossier est déposé : la dérogation se décide avant.")
    else:
        dossier.derogation_motif = form.cleaned_data["motif"].strip()
        dossier.derogation_par = request.user
        dossier.derogation_le = timezone.now()
        dossier.derogation_esms = sorted({esms.finess_et for esms, *_ in funded})
        dossier.save(
            update_fields=[
                "derogation_motif",
                "derogation_par",
                "derogation_le",
                "derogation_esms",
            ]
        )
        HistoryEntry.record(
            grappe,
            request.user,
            "Dérogation à la non-redondance des financements",
            campagne,
            {"Motif": dossier.derogation_motif, "ESMS": ", ".join(dossier.derogation_esms)},
        )
        engagements.new_round_if_changed(dossier, fingerprint(snapshot(dossier)))
        messages.success(request, "La dérogation est accordée et tracée.")
    return redirect("candidatures:candidature", pk=grappe.pk)


@require_POST
def engagement(request, pk):
    """A direction of a coopérateur OG approves the dossier for its OG, or declines with a
    reason (candidatures.engagements)."""
    grappe, campagne, dossier = _grappe_dossier(request, pk)
    if dossier is None:
        raise Http404("La grappe n'a pas de dossier sur cet appel.")
    if not any(request.user.pk == p.user_id for p in engagements.directions(grappe)):
        raise PermissionDenied(engagements.WORDING.voter_refusal)
    decision = request.POST.get("decision", "")
    try:
        engagements.engager(dossier, request.user, decision, request.POST.get("comment", ""))
    except ApprobationRefusee as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            "Votre organisme s'engage sur le dossier."
            if decision == Decision.APPROUVE
            else "Le refus d'engagement de votre organisme est enregistré.",
        )
    return redirect("candidatures:candidature", pk=grappe.pk)
