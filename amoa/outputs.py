"""The grille d'analyse des offres (XLSX): one sheet per evaluator and a consolidated sheet."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core import exports
from core.money import euros_cell

BOLD = Font(bold=True)
# Notes and totals stay numbers, shown as a French spreadsheet writes them: « 7,44 », « 86,75 »
# (the scoring's two decimals), « 7,5 » for an evaluator's note (one decimal).
XLSX_NOTE = "0.00"
XLSX_NOTE_EVALUATEUR = "0.0"
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_title(name, used):
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "Évaluateur"
    title, n = base, 2
    while title in used:
        title = f"{base[:25]} ({n})"
        n += 1
    used.add(title)
    return title


def grille_xlsx(result):
    """Bytes of the workbook for an `amoa.services.Analyse`."""
    workbook = Workbook()
    consolidated = workbook.active
    consolidated.title = "Consolidation"
    weighted = [c for c in result.criteres if not c.is_indispensable]
    consultation = result.consultation
    # The prices the price criteria are computed from, as numbers in euros (core.money).
    if consultation.is_editeur:
        prices = [(f"Coût total sur {consultation.tco_annees} ans (€ HT)", "total_price")]
    else:
        prices = [("Prix global (€ HT)", "total_price"), ("Prix de journée (€ HT)", "day_rate")]
    header = ["Candidat", "Statut", *(label for label, _ in prices)]
    header += [f"{c.libelle} (/{c.echelle}, {c.poids} pts)" for c in weighted]
    header += ["Total / 100", "Rang", "Motif"]
    exports.append(consolidated, [result.consultation.titre])
    consolidated["A1"].font = Font(bold=True, size=13)
    consolidated.append(header)
    for cell in consolidated[2]:
        cell.font = BOLD
    status_labels = {
        "classee": "Classée",
        "eliminee": "Éliminée",
        "hors_delai": "Hors délai",
        "non_recevable": "Non recevable",
    }
    for offre, outcome, cells in result.rows():
        row = [offre.candidat.societe, status_labels[outcome.status]]
        row += [getattr(outcome.offer, name) for _, name in prices]
        for critere, cell in cells:
            if critere.is_indispensable:
                continue
            row.append(float(cell.note) if cell is not None and outcome.ranked else None)
        row += [
            float(outcome.total) if outcome.total is not None else None,
            outcome.rank,
            outcome.reason,
        ]
        line = exports.append(consolidated, row)
        for column in range(3, 3 + len(prices)):
            euros_cell(consolidated.cell(row=line, column=column), row[column - 1])
        # The weighted criteria's notes and the total, after the prices.
        for column in range(3 + len(prices), 3 + len(prices) + len(weighted) + 1):
            consolidated.cell(row=line, column=column).number_format = XLSX_NOTE
    for sentence in result.ranking.ties:
        consolidated.append([sentence])

    used = {"Consolidation"}
    by_evaluator = {}
    for note in result.notes:
        by_evaluator.setdefault(note.evaluation.evaluateur, []).append(note)
    for evaluator, notes in by_evaluator.items():
        _evaluator_sheet(workbook, used, evaluator, notes, result.offres)
    consolidated.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _evaluator_sheet(workbook, used, evaluator, notes, offres):
    """The sheet of one evaluator's notes, by offer then criterion."""
    name = evaluator.get_full_name() or evaluator.email
    sheet = workbook.create_sheet(_sheet_title(name, used))
    exports.append(sheet, [f"Évaluation de {name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Candidat", "Critère", "Note", "Sur", "Justification"])
    for cell in sheet[2]:
        cell.font = BOLD
    for note in sorted(notes, key=lambda n: (n.offre_id, n.critere.ordre)):
        offre = next(o for o in offres if o.pk == note.offre_id)
        exports.append(
            sheet,
            [
                offre.candidat.societe,
                note.critere.libelle,
                float(note.valeur),
                note.critere.echelle,
                note.justification,
            ],
        )
        sheet.cell(row=sheet.max_row, column=3).number_format = XLSX_NOTE_EVALUATEUR
        sheet.cell(row=sheet.max_row, column=5).alignment = WRAP
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["E"].width = 60
