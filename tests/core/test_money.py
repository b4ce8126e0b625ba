"""Amounts of money, one way everywhere (core/money.py, {% load montants %})."""

from decimal import Decimal

import openpyxl
from django.template import Context, Template

from core.money import XLSX_EUROS, euros, euros_cell

NBSP = "\u00a0"


def test_amounts_to_the_cent_with_no_break_spaces():
    assert euros(Decimal("12500")) == f"12{NBSP}500,00{NBSP}€"
    assert euros(Decimal("12500"), ht=True) == f"12{NBSP}500,00{NBSP}€{NBSP}HT"
    assert euros(Decimal("1234567.891"), ht=True) == f"1{NBSP}234{NBSP}567,89{NBSP}€{NBSP}HT"
    assert euros(Decimal("0.005")) == f"0,01{NBSP}€"  # rounded half up, as an invoice is
    assert euros(850) == f"850,00{NBSP}€"
    assert euros(Decimal("-40")) == f"-40,00{NBSP}€"


def test_no_amount_is_an_empty_string_so_templates_may_default():
    assert euros(None) == "" and euros("", ht=True) == ""
    rendered = Template(
        '{% load montants %}{{ a|euros_ht|default:"—" }} / {{ b|euros_ht }} / {{ b|euros }}'
    ).render(Context({"a": None, "b": Decimal("15000")}))
    assert rendered == f"— / 15{NBSP}000,00{NBSP}€{NBSP}HT / 15{NBSP}000,00{NBSP}€"


def test_spreadsheet_amounts_stay_numbers_with_a_euro_format():
    sheet = openpyxl.Workbook().active
    cell = euros_cell(sheet["A1"], Decimal("12500.50"))
    assert cell.data_type == "n" and cell.value == Decimal("12500.50")
    assert cell.number_format == XLSX_EUROS == '#,##0.00\\ "€"'
    empty = euros_cell(sheet["A2"], None)
    assert empty.value is None and empty.number_format == XLSX_EUROS
