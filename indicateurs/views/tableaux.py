"""Indicator dashboards: the grappe's (charts, heat map, tranches, exports, monthly PDF), the ARS
region's (every grappe of the region, trend, PDF) and the national one (one row per region).

Pages and PDFs share their context builder (indicateurs/tableaux.py), so both show the same figures.
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core import exports
from core.months import parse_month
from core.pdf import pdf_response, render_pdf
from grappe.models import ArsAgent, Region
from grappe.shortcuts import get_grappe_for
from indicateurs import perms, tableaux


def _grappe_for_dashboard(request, pk):
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_indicateurs(request.user, grappe):
        raise PermissionDenied
    return grappe


def _region_for_dashboard(request, code):
    region = get_object_or_404(Region, code=code)
    if not perms.can_view_region(request.user, region):
        raise PermissionDenied
    return region


# ---------------------------------------------------------------------------------------------
# Grappe
# ---------------------------------------------------------------------------------------------


@require_safe
def tableau_grappe(request, pk):
    grappe = _grappe_for_dashboard(request, pk)
    context = tableaux.grappe_context(grappe, parse_month(request.GET.get("mois")))
    return render(request, "indicateurs/tableau_grappe.html", context)


@require_safe
def tableau_grappe_pdf(request, pk):
    grappe = _grappe_for_dashboard(request, pk)
    context = tableaux.grappe_context(grappe, parse_month(request.GET.get("mois")))
    suffix = f"{context['mois']:%Y-%m}" if context["mois"] else "sans-donnees"
    pdf = render_pdf(
        "indicateurs/pdf/tableau_grappe.html",
        context,
        request=request,
        grappe=grappe,
        title=f"Indicateurs d'usage — {grappe.name}",
    )
    return pdf_response(pdf, f"indicateurs-{grappe.name}-{suffix}")


def _export_name(grappe, extension):
    return f"indicateurs-{slugify(grappe.name)}-{timezone.localdate():%Y-%m-%d}.{extension}"


# Numérateur, dénominateur (counts), valeur (%, one or two decimals: Taux.arrondi), cible (%,
# « 70 » or « 72,5 »: General drops the useless zeros).
XLSX_NUMBER_FORMATS = {6: "#,##0", 7: "#,##0", 8: "0.0#", 9: "General"}


def _decimal_comma(value):
    return "" if value is None else str(value).replace(".", ",")


@require_safe
def tableau_grappe_csv(request, pk):
    grappe = _grappe_for_dashboard(request, pk)
    buffer = io.StringIO()
    # Semicolons, decimal commas and a BOM: the file opens as is in a French spreadsheet.
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(tableaux.EXPORT_HEADER)
    for row in tableaux.export_rows(grappe):
        row[8:10] = [_decimal_comma(cell) for cell in row[8:10]]
        writer.writerow(exports.csv_row(["" if cell is None else cell for cell in row]))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(grappe, "csv")}"'
    return response


@require_safe
def tableau_grappe_xlsx(request, pk):
    grappe = _grappe_for_dashboard(request, pk)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Valeurs")
    sheet.append(tableaux.EXPORT_HEADER)
    for row in tableaux.export_rows(grappe):
        # Numbers stay numbers in the spreadsheet (percentages as decimals of %), with a number
        # format the reader's French spreadsheet shows as « 1 234 » and « 94,9 ».
        row[8] = float(row[8]) if row[8] is not None else None
        row[9] = float(row[9]) if row[9] is not None else None
        for index, number_format in XLSX_NUMBER_FORMATS.items():
            cell = WriteOnlyCell(sheet, value=row[index])
            cell.number_format = number_format
            row[index] = cell
        exports.append(sheet, row)
    info = workbook.create_sheet("Grappe")
    exports.append(info, ["Grappe", grappe.name])
    info.append(["Région", grappe.region.name])
    info.append(["Extraction du", timezone.localdate().strftime("%d/%m/%Y")])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(grappe, "xlsx")}"'
    return response


# ---------------------------------------------------------------------------------------------
# Region
# ---------------------------------------------------------------------------------------------


@require_safe
def tableau_ars(request):
    """The header's "Tableau de bord ARS": the agent's (first) region; the national view for
    the admin."""
    if request.user.is_staff:
        return redirect("indicateurs:tableau_national")
    agent = (
        ArsAgent.objects.filter(user=request.user).select_related("region").order_by("region__name")
    ).first()
    if agent is None:
        raise PermissionDenied
    return redirect("indicateurs:tableau_region", agent.region.code)


@require_safe
def tableau_region(request, code):
    region = _region_for_dashboard(request, code)
    context = tableaux.region_context(region, request.GET)
    context["autres_regions"] = list(
        Region.objects.filter(ars_agents__user=request.user).exclude(pk=region.pk)
    )
    context["is_admin"] = request.user.is_staff
    return render(request, "indicateurs/tableau_region.html", context)


@require_safe
def tableau_region_pdf(request, code):
    region = _region_for_dashboard(request, code)
    context = tableaux.region_context(region, request.GET, paginate=False)
    suffix = f"{context['mois']:%Y-%m}" if context["mois"] else "sans-donnees"
    pdf = render_pdf(
        "indicateurs/pdf/tableau_region.html",
        context,
        request=request,
        title=f"Indicateurs d'usage — {region.name}",
    )
    return pdf_response(pdf, f"indicateurs-{region.name}-{suffix}")


# ---------------------------------------------------------------------------------------------
# National
# ---------------------------------------------------------------------------------------------


@require_safe
def tableau_national(request):
    if not perms.can_view_national(request.user):
        raise PermissionDenied
    return render(request, "indicateurs/tableau_national.html", tableaux.national_context())
