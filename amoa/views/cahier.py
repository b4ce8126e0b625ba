"""The cahier des charges of an AMOA consultation: the builder (one page, section by section), the
HTML preview and the PDF. The same context (amoa.cahier.cahier_context) feeds the preview and the
PDF; the PDF is refused while data is missing, and the preview highlights what is missing.

Readers of the consultation (amoa.perms.can_view_consultation) see the builder read-only, the
preview and the PDF; its editors (can_edit_consultation) change it. The grappe's AMOA consultants
are refused with the reason (amoa.views.common.grappe_for): they may be candidates.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from amoa import cahier as builder
from amoa.forms.cahier import CONSULTATION_FIELDS, CahierForm
from amoa.models import Consultation
from amoa.perms import can_edit_consultation
from amoa.services import moment, record_history
from amoa.views.common import consultation_for
from core.pdf import pdf_response, render_pdf
from core.text import plural

EDITORS_ONLY = (
    "Seuls le chef de projet et les administrateurs nationaux rédigent le cahier des charges."
)


def _field_value(consultation, name):
    """A consultation field as the history shows it."""
    value = getattr(consultation, name)
    if value in (None, ""):
        return ""
    if name == "offres_avant":
        return moment(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


@require_http_methods(["GET", "POST"])
def cahier_builder(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    can_edit = can_edit_consultation(request.user, grappe)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(EDITORS_ONLY)
    before = {name: _field_value(consultation, name) for name in CONSULTATION_FIELDS}
    form = CahierForm(request.POST or None, instance=consultation)
    if request.method == "POST":
        if form.is_valid():
            old_choices = form.choices
            new_choices = form.new_choices()
            consultation = form.save(commit=False)
            changes = {
                str(Consultation._meta.get_field(name).verbose_name).capitalize(): [
                    before[name],
                    _field_value(consultation, name),
                ]
                for name in CONSULTATION_FIELDS
                if before[name] != _field_value(consultation, name)
            }
            changes.update(builder.choices_changes(old_choices, new_choices))
            if changes:
                consultation.cahier = builder.serialise(new_choices)
                with transaction.atomic():
                    consultation.save()
                    record_history(
                        grappe,
                        request.user,
                        "Modification du cahier des charges AMOA",
                        consultation,
                        changes,
                    )
                messages.success(request, "Le cahier des charges est enregistré.")
            else:
                messages.info(request, "Aucune modification.")
            return redirect("amoa:cahier_apercu", pk=grappe.pk, consultation_id=consultation.pk)
        messages.error(
            request, "Le cahier des charges n'est pas enregistré : corrigez les erreurs signalées."
        )
        # Validation wrote the submitted values into the instance: read the saved one back.
        consultation = Consultation.objects.get(pk=consultation.pk)
        consultation.grappe = grappe
    if not can_edit:
        form.disable()
    context = builder.cahier_context(consultation)
    context.update(form=form, can_edit=can_edit)
    return render(request, "amoa/cahier_builder.html", context)


@require_GET
def cahier_apercu(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    context = builder.cahier_context(consultation)
    context.update(can_edit=can_edit_consultation(request.user, grappe))
    return render(request, "amoa/cahier_apercu.html", context)


@require_GET
def cahier_pdf(request, pk, consultation_id):
    grappe, consultation = consultation_for(request.user, pk, consultation_id)
    context = builder.cahier_context(consultation)
    if context["missing"]:
        count = len(context["missing"])
        messages.error(
            request,
            "Le cahier des charges ne peut pas encore être généré : "
            f"{plural(count, 'information manque', 'informations manquent')} "
            "(voir la liste ci-dessous).",
        )
        return redirect("amoa:cahier_apercu", pk=grappe.pk, consultation_id=consultation.pk)
    pdf = render_pdf(
        "amoa/pdf/cahier.html",
        context,
        request=request,
        grappe=grappe,
        title=f"Cahier des charges AMOA — {consultation.titre}",
    )
    return pdf_response(pdf, f"cahier-des-charges-amoa-{grappe.name}-{consultation.titre}")
