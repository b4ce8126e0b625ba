"""Choosing the DUI (seed 003 steps 5–11): the grappe's grille hiérarchisée des
fonctionnalités and technical preferences, the market study, and for an éditeur consultation
the cadre de réponse (XLSX export, import per offer with a dry run), the coverage, the total
cost of ownership and the rapport de choix (PDF). The consultation, its offers, criteria,
evaluation and ranking are the AMOA call's pages (Consultation.objet = "editeur")."""

from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amoa import cadre, perms
from amoa.forms.dui import (
    DomaineForm,
    ExigenceForm,
    HebergementForm,
    ImportForm,
    PreferenceFormSet,
    SolutionForm,
)
from amoa.models import (
    Consultation,
    Exigence,
    GrilleFonctionnelle,
    ImportReponse,
    Offre,
    SolutionEtudiee,
)
from amoa.services import analyse, apply_parsed, dui_for, record_history
from amoa.views.common import consultation_for, grappe_for, offre_for, require
from core.imports import AlreadyApplied, applying
from core.pdf import pdf_response, render_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _grille(grappe):
    return GrilleFonctionnelle.objects.filter(grappe=grappe).first()


def _grille_or_404(grappe):
    grille = _grille(grappe)
    if grille is None:
        raise Http404
    return grille


def _editeur_consultation_for(user, pk, consultation_id):
    grappe, consultation = consultation_for(user, pk, consultation_id)
    if not consultation.is_editeur:
        raise Http404
    return grappe, consultation


# --- The grid -------------------------------------------------------------------------------


@require_safe
def grille(request, pk):
    grappe = grappe_for(request.user, pk)
    grille = _grille(grappe)
    rows = grille.tree() if grille else []
    counts = {}
    for _, _, exigences in rows:
        for exigence in exigences:
            counts[exigence.get_priorite_display()] = (
                counts.get(exigence.get_priorite_display(), 0) + 1
            )
    return render(
        request,
        "amoa/dui/grille.html",
        {
            "grappe": grappe,
            "grille": grille,
            "rows": rows,
            "counts": counts,
            "preferences": list(grille.preferences.all()) if grille else [],
            "consultations": Consultation.objects.filter(grappe=grappe, objet="editeur"),
            "can_edit": perms.can_edit_consultation(request.user, grappe),
        },
    )


@require_POST
def grille_create(request, pk):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    if _grille(grappe) is None:
        with transaction.atomic():
            grille = GrilleFonctionnelle.from_reference(grappe, request.user)
            record_history(
                grappe,
                request.user,
                "Grille des fonctionnalités créée",
                grille,
                {"Exigences": str(grille.exigences.count())},
            )
        messages.success(
            request,
            "La grille est créée à partir du modèle : adaptez-la aux besoins de la grappe "
            "(le modèle est maximaliste).",
        )
    return redirect("amoa:grille_fonctionnelle", grappe.pk)


@require_http_methods(["GET", "POST"])
def exigence_form(request, pk, exigence_id=None):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    grille = _grille_or_404(grappe)
    exigence = get_object_or_404(Exigence, pk=exigence_id, grille=grille) if exigence_id else None
    form = ExigenceForm(request.POST or None, instance=exigence, grille=grille)
    if request.method == "POST" and form.is_valid():
        exigence = form.save(commit=False)
        exigence.grille = grille
        exigence.save()
        record_history(
            grappe,
            request.user,
            "Exigence modifiée" if exigence_id else "Exigence ajoutée",
            exigence,
            {"Priorité": exigence.get_priorite_display(), "Exigence": exigence.libelle},
        )
        messages.success(request, f"L'exigence {exigence.code} est enregistrée.")
        return redirect("amoa:grille_fonctionnelle", grappe.pk)
    return render(
        request,
        "amoa/dui/form.html",
        {
            "grappe": grappe,
            "form": form,
            "title": f"Modifier l'exigence {exigence.code}" if exigence else "Nouvelle exigence",
            "back": "amoa:grille_fonctionnelle",
        },
    )


@require_POST
def exigence_delete(request, pk, exigence_id):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    grille = _grille_or_404(grappe)
    exigence = get_object_or_404(Exigence, pk=exigence_id, grille=grille)
    if exigence.reponses.exists():
        messages.error(
            request,
            f"L'exigence {exigence.code} a déjà des réponses d'éditeurs : elle est conservée.",
        )
        return redirect("amoa:grille_fonctionnelle", grappe.pk)
    record_history(grappe, request.user, "Exigence retirée", grille, {"Exigence": str(exigence)})
    exigence.delete()
    messages.success(request, "L'exigence est retirée de la grille.")
    return redirect("amoa:grille_fonctionnelle", grappe.pk)


@require_http_methods(["GET", "POST"])
def domaine_create(request, pk):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    grille = _grille_or_404(grappe)
    form = DomaineForm(request.POST or None, grille=grille)
    if request.method == "POST" and form.is_valid():
        domaine = form.save(commit=False)
        domaine.grille = grille
        domaine.save()
        record_history(
            grappe, request.user, "Domaine fonctionnel ajouté", domaine, {"Domaine": str(domaine)}
        )
        messages.success(request, f"Le domaine « {domaine} » est ajouté.")
        return redirect("amoa:grille_fonctionnelle", grappe.pk)
    return render(
        request,
        "amoa/dui/form.html",
        {
            "grappe": grappe,
            "form": form,
            "title": "Nouveau domaine fonctionnel",
            "back": "amoa:grille_fonctionnelle",
        },
    )


@require_http_methods(["GET", "POST"])
def preferences(request, pk):
    grappe = grappe_for(request.user, pk)
    can_edit = perms.can_edit_consultation(request.user, grappe)
    if request.method == "POST":
        require(can_edit)
    grille = _grille_or_404(grappe)
    form = HebergementForm(request.POST or None, instance=grille)
    formset = PreferenceFormSet(request.POST or None, instance=grille, prefix="preferences")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
            record_history(
                grappe,
                request.user,
                "Préférences techniques modifiées",
                grille,
                {"Hébergement": grille.get_hebergement_display()},
            )
        messages.success(request, "Les préférences techniques sont enregistrées.")
        return redirect("amoa:grille_fonctionnelle", grappe.pk)
    return render(
        request,
        "amoa/dui/preferences.html",
        {
            "grappe": grappe,
            "grille": grille,
            "form": form,
            "formset": formset,
            "can_edit": can_edit,
        },
    )


# --- The market study -----------------------------------------------------------------------


@require_safe
def etude_marche(request, pk):
    grappe = grappe_for(request.user, pk)
    solutions = list(SolutionEtudiee.objects.filter(grappe=grappe))
    return render(
        request,
        "amoa/dui/etude_marche.html",
        {
            "grappe": grappe,
            "retenues": [s for s in solutions if not s.elimine],
            "eliminees": [s for s in solutions if s.elimine],
            "can_edit": perms.can_edit_consultation(request.user, grappe),
        },
    )


@require_http_methods(["GET", "POST"])
def solution_form(request, pk, solution_id=None):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    solution = (
        get_object_or_404(SolutionEtudiee, pk=solution_id, grappe=grappe) if solution_id else None
    )
    form = SolutionForm(request.POST or None, instance=solution)
    if request.method == "POST":
        form.instance.grappe = grappe
    if request.method == "POST" and form.is_valid():
        solution = form.save()
        record_history(
            grappe,
            request.user,
            "Étude de marché modifiée" if solution_id else "Solution ajoutée à l'étude de marché",
            solution,
            {"Solution": str(solution), "Écartée": "oui" if solution.elimine else "non"},
        )
        messages.success(request, f"« {solution} » est enregistrée.")
        return redirect("amoa:etude_marche", grappe.pk)
    return render(
        request,
        "amoa/dui/form.html",
        {
            "grappe": grappe,
            "form": form,
            "title": f"Modifier « {solution} »" if solution else "Nouvelle solution étudiée",
            "back": "amoa:etude_marche",
        },
    )


@require_POST
def solution_delete(request, pk, solution_id):
    grappe = grappe_for(request.user, pk)
    require(perms.can_edit_consultation(request.user, grappe))
    solution = get_object_or_404(SolutionEtudiee, pk=solution_id, grappe=grappe)
    record_history(
        grappe,
        request.user,
        "Solution retirée de l'étude de marché",
        grappe,
        {"Solution": str(solution)},
    )
    solution.delete()
    messages.success(request, "La solution est retirée de l'étude de marché.")
    return redirect("amoa:etude_marche", grappe.pk)


# --- The cadre de réponse -------------------------------------------------------------------


@require_safe
def cadre_export(request, pk, consultation_id):
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    grille = _grille(grappe)
    if grille is None:
        messages.error(request, "Créez d'abord la grille des fonctionnalités de la grappe.")
        return redirect("amoa:grille_fonctionnelle", grappe.pk)
    content = cadre.export_xlsx(
        consultation,
        grille.tree(),
        [(p.theme, p.preference) for p in grille.preferences.all()]
        + [("Hébergement", grille.get_hebergement_display())],
    )
    response = HttpResponse(content, content_type=XLSX)
    name = slugify(f"cadre-de-reponse-{consultation.titre}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _exigences_by_code(grappe):
    grille = _grille(grappe)
    if grille is None:
        return {}
    return {e.code: e for e in grille.exigences.all()}


@require_http_methods(["GET", "POST"])
def cadre_import(request, pk, consultation_id, offre_id):
    """Upload a filled cadre de réponse: kept and checked (dry run); applied on confirmation."""
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    can_edit = perms.can_edit_consultation(request.user, grappe)
    if request.method == "POST":
        require(can_edit)
    offre = offre_for(consultation, offre_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        parsed = cadre.parse(content, _exigences_by_code(grappe))
        record = ImportReponse(
            offre=offre,
            original_name=form.original_name,
            rapport=parsed.report(),
            valide=parsed.ok,
            par=request.user,
        )
        record.file.save(form.original_name, ContentFile(content), save=False)
        record.save()
        return redirect("amoa:cadre_import_detail", grappe.pk, consultation.pk, offre.pk, record.pk)
    return render(
        request,
        "amoa/dui/cadre_import.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "offre": offre,
            "form": form,
            "imports": offre.imports.select_related("par"),
            "can_edit": can_edit,
        },
    )


@require_safe
def cadre_import_detail(request, pk, consultation_id, offre_id, import_id):
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    offre = offre_for(consultation, offre_id)
    record = get_object_or_404(ImportReponse, pk=import_id, offre=offre)
    return render(
        request,
        "amoa/dui/cadre_import_detail.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "offre": offre,
            "record": record,
            "rapport": record.rapport,
            "can_edit": perms.can_edit_consultation(request.user, grappe),
        },
    )


@require_POST
def cadre_import_apply(request, pk, consultation_id, offre_id, import_id):
    """Apply a checked import: the offer's answers and prices are replaced, all or nothing."""
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    require(perms.can_edit_consultation(request.user, grappe))
    offre = offre_for(consultation, offre_id)
    record = get_object_or_404(ImportReponse, pk=import_id, offre=offre)
    back = redirect("amoa:cadre_import_detail", grappe.pk, consultation.pk, offre.pk, record.pk)
    try:
        # Once, whatever the clicks (core.imports).
        with applying(
            ImportReponse.objects.filter(pk=record.pk, applique_le__isnull=True),
            applique_le=timezone.now(),
        ):
            with record.file.open("rb") as handle:
                parsed = cadre.parse(handle.read(), _exigences_by_code(grappe))
            if not parsed.ok:
                # The grid may have changed since the dry run: check again, write nothing.
                record.rapport, record.valide, record.applique_le = parsed.report(), False, None
                record.save(update_fields=["rapport", "valide", "applique_le"])
                messages.error(request, "Le fichier contient des erreurs : rien n'est enregistré.")
                return back
            apply_parsed(offre, parsed)
            record.rapport = parsed.report()
            record.save(update_fields=["rapport"])
            record_history(
                grappe,
                request.user,
                "Cadre de réponse importé",
                offre,
                {
                    "Fichier": record.original_name,
                    "Réponses": str(len(parsed.reponses)),
                    "Lignes de prix": str(len(parsed.lignes)),
                },
            )
    except AlreadyApplied as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, f"Le cadre de réponse de {offre.candidat} est importé.")
    return redirect("amoa:couverture", grappe.pk, consultation.pk)


# --- Coverage, TCO, rapport de choix --------------------------------------------------------


def _offres(consultation):
    offres = list(Offre.objects.filter(consultation=consultation).select_related("candidat"))
    for offre in offres:
        offre.consultation = consultation
    return offres


@require_safe
def couverture(request, pk, consultation_id):
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    offres = _offres(consultation)
    dui = dui_for(consultation, offres)
    columns = [(offre, dui.for_offre(offre)) for offre in offres]
    domain_rows = [
        (domaine, [(offre, read.per_domain.get(domaine)) for offre, read in columns])
        for domaine in dui.domaines
    ]
    detail = []
    for exigence in dui.exigences:
        detail.append(
            (exigence, [(offre, read.reponses.get(exigence.pk)) for offre, read in columns])
        )
    return render(
        request,
        "amoa/dui/couverture.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "dui": dui,
            "columns": columns,
            "domain_rows": domain_rows,
            "detail": detail,
            "can_edit": perms.can_edit_consultation(request.user, grappe),
        },
    )


@require_safe
def cout_total(request, pk, consultation_id):
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    offres = _offres(consultation)
    dui = dui_for(consultation, offres)
    return render(
        request,
        "amoa/dui/tco.html",
        {
            "grappe": grappe,
            "consultation": consultation,
            "dui": dui,
            "columns": [(offre, dui.for_offre(offre)) for offre in offres],
            "years": range(dui.years + 1),
        },
    )


@require_safe
def rapport_choix(request, pk, consultation_id):
    grappe, consultation = _editeur_consultation_for(request.user, pk, consultation_id)
    require(perms.can_see_scores(request.user, consultation))
    pdf = render_pdf(
        "amoa/pdf/rapport_choix_dui.html",
        rapport_choix_context(grappe, consultation),
        request=request,
        grappe=grappe,
        title="Rapport de choix de la solution DUI",
    )
    return pdf_response(pdf, f"rapport-de-choix-{consultation.titre}", inline=False)


def rapport_choix_context(grappe, consultation):
    result = analyse(consultation)
    dui = result.dui
    columns = [(offre, dui.for_offre(offre)) for offre in result.offres]
    solutions = list(SolutionEtudiee.objects.filter(grappe=grappe))
    return {
        "grappe": grappe,
        "consultation": consultation,
        "result": result,
        "ranking": result.ranking,
        "rows": result.rows(),
        "criteres": result.criteres,
        "dui": dui,
        "columns": columns,
        "domain_rows": [
            (domaine, [(offre, read.per_domain.get(domaine)) for offre, read in columns])
            for domaine in dui.domaines
        ],
        "retenues": [s for s in solutions if not s.elimine],
        "eliminees": [s for s in solutions if s.elimine],
        "choix": result.choix,
        "decision": result.decision(),
        "auditions": [o.audition for o in result.offres if hasattr(o, "audition")],
    }
