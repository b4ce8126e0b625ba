"""Spreadsheets and CSV files the product writes: text typed by users (a candidate's, grappe's or
ESMS's name, a justification) never becomes a formula in the reader's spreadsheet (OWASP « CSV
injection »). Every export writes its rows through these functions; numbers stay numbers."""

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet reads as the start of a formula (or a DDE command) in a text field.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_row(row):
    """A CSV row: such text gets a leading apostrophe, which spreadsheets show as text."""
    return ["'" + value if is_formula_like(value) else value for value in row]


def xlsx_row(sheet, row):
    """Values for sheet.append(row): such text becomes an explicit text cell (with Excel's quote
    prefix, so it stays text when edited); everything else is left to openpyxl."""
    return [_text_cell(sheet, value) if is_formula_like(value) else value for value in row]


def append(sheet, row):
    """sheet.append(row), formula-safe. Returns the sheet's new last row number (normal sheets)."""
    sheet.append(xlsx_row(sheet, row))
    return None if isinstance(sheet, WriteOnlyWorksheet) else sheet.max_row


def _text_cell(sheet, value):
    cell = WriteOnlyCell(sheet) if isinstance(sheet, WriteOnlyWorksheet) else Cell(sheet)
    cell.value = value  # openpyxl types a leading "=" as a formula…
    cell.data_type = "s"  # …we keep it text
    cell.quotePrefix = True
    return cell
