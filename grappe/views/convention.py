"""The convention de coopération of a grappe: written by its editors (chef de projet, AMOA, national
admin), read by everyone who sees the grappe, printed as a PDF for signature.

Empty sections are proposed a model text (grappe/convention_defaults.py). The perimeter of the
project (each OG, its FINESS juridique, its ESMS' FINESS géographiques) is never typed: the page
and the PDF render it from the grappe's live data.
"""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods

from core.history import form_changes, snapshot
from core.pdf import pdf_response, render_pdf
from grappe import perms
from grappe.convention_defaults import convention_defaults
from grappe.forms.convention import ConventionForm
from grappe.models import ConventionCooperation, HistoryEntry
from grappe.shortcuts import get_grappe_for

EDITORS_ONLY = (
    "Seuls le chef de projet, l'AMOA et les administrateurs nationaux rédigent la convention."
)


@dataclass
class PerimeterRow:
    og: object
    is_porteur: bool
    esms: list = field(default_factory=list)


def perimeter(grappe):
    """The coopérateurs, the porteur first, each with the grappe's active ESMS it runs."""
    rows = {
        om.og_id: PerimeterRow(om.og, om.og_id == grappe.porteur_id)
        for om in grappe.active_og_memberships()
    }
    for membership in grappe.active_memberships():
        esms = membership.esms
        if esms.og_id not in rows:  # an ESMS whose OG left by mistake: still in the perimeter
            rows[esms.og_id] = PerimeterRow(esms.og, esms.og_id == grappe.porteur_id)
        rows[esms.og_id].esms.append(esms)
    return sorted(rows.values(), key=lambda row: (not row.is_porteur, row.og.name.lower()))


# A sub-heading inside a section: a short line, alone, followed by text, without final punctuation.
HEADING_END = re.compile(r"[.;:,!?…»)]$")
BULLET = re.compile(r"^\s*[-•–]\s+")


def text_blocks(text):
    """Split a section's plain text into sub-headings, paragraphs and bullet lists for the PDF."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if BULLET.match(line):
                item = BULLET.sub("", line)
                if blocks and blocks[-1]["kind"] == "liste" and blocks[-1]["open"]:
                    blocks[-1]["items"].append(item)
                else:
                    blocks.append({"kind": "liste", "items": [item], "open": True})
                continue
            is_heading = (
                index == 0 and len(lines) > 1 and len(line) <= 90 and not HEADING_END.search(line)
            )
            blocks.append({"kind": "titre" if is_heading else "texte", "text": line})
        if blocks and blocks[-1]["kind"] == "liste":
            blocks[-1]["open"] = False
    return blocks


def get_convention(grappe):
    """The saved convention, or a new empty one (not saved)."""
    try:
        return grappe.convention
    except ConventionCooperation.DoesNotExist:
        return ConventionCooperation(grappe=grappe)


def article_list(convention):
    return [
        {
            "number": number,
            "name": name,
            "title": capfirst(convention._meta.get_field(name).verbose_name),
            "text": getattr(convention, name),
            "blocks": text_blocks(getattr(convention, name)),
        }
        for number, name in enumerate(ConventionCooperation.SECTIONS, start=1)
    ]


def convention_context(grappe, convention):
    rows = perimeter(grappe)
    return {
        "grappe": grappe,
        "convention": convention,
        "perimeter": rows,
        "esms_count": sum(len(row.esms) for row in rows),
        "porteur_row": next((row for row in rows if row.is_porteur), None),
        "articles": article_list(convention),
        "missing": [capfirst(label) for label in convention.missing_sections()],
    }


@require_http_methods(["GET", "POST"])
def convention_edit(request, pk):
    grappe = get_grappe_for(request.user, pk)
    can_edit = perms.can_edit_grappe(request.user, grappe)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(EDITORS_ONLY)
    convention = get_convention(grappe)
    form = None
    prefilled = []
    if can_edit:
        defaults = convention_defaults(grappe)
        initial = {
            name: defaults[name]
            for name in ConventionCooperation.SECTIONS
            if not getattr(convention, name).strip()
        }
        prefilled = list(initial)
        before = snapshot(convention, ConventionForm._meta.fields)
        created = convention.pk is None
        form = ConventionForm(
            request.POST or None,
            instance=convention,
            initial=None if request.method == "POST" else initial,
        )
        if request.method == "POST" and form.is_valid():
            changes = form_changes(form, before, resume_textes=True)
            if changes:
                with transaction.atomic():
                    form.save()
                    action = (
                        "Rédaction de la convention de coopération"
                        if created
                        else "Modification de la convention de coopération"
                    )
                    HistoryEntry.record(grappe, request.user, action, grappe, changes)
                messages.success(request, "La convention de coopération est enregistrée.")
                missing = convention.missing_sections()
                if missing:
                    messages.warning(
                        request,
                        "Sections encore à compléter avant de générer la convention : "
                        + ", ".join(str(label) for label in missing)
                        + ".",
                    )
            else:
                messages.info(request, "Aucune modification.")
            return redirect("grappe:convention", pk=grappe.pk)
        if request.method == "POST":
            # Validation wrote the submitted texts into the instance: show the saved state.
            convention = ConventionCooperation.objects.filter(
                grappe=grappe
            ).first() or ConventionCooperation(grappe=grappe)
    context = convention_context(grappe, convention)
    context.update(form=form, can_edit=can_edit, prefilled=prefilled)
    return render(request, "grappe/convention_form.html", context)


@require_GET
def convention_pdf(request, pk):
    grappe = get_grappe_for(request.user, pk)
    convention = get_convention(grappe)
    pdf = render_pdf(
        "grappe/pdf/convention.html",
        convention_context(grappe, convention),
        request=request,
        grappe=grappe,
        title=f"Convention de coopération — {grappe.name}",
    )
    return pdf_response(pdf, f"convention-de-cooperation-{grappe.name}")
