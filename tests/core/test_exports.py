"""core.exports: user text never becomes a formula in the files we write."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from core.exports import append, csv_row, is_formula_like

ATTACK = '=HYPERLINK("http://exemple.invalid","x")'


@pytest.mark.parametrize("text", [ATTACK, "+33 1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_recognised(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("value", ["Grappe des Flandres", "", None, 12, -3, 4.5, "a=b"])
def test_ordinary_values_are_left_alone(value):
    assert not is_formula_like(value)
    assert csv_row([value]) == [value]


def test_csv_row_prefixes_with_an_apostrophe():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow(csv_row([ATTACK, -3, "EHPAD"]))
    (row,) = csv.reader(io.StringIO(buffer.getvalue()), delimiter=";")
    assert row == ["'" + ATTACK, "-3", "EHPAD"]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_cells_are_text_and_numbers_stay_numbers(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Feuille") if write_only else workbook.active
    append(sheet, [ATTACK, -3, 2.5, "@cmd", "EHPAD"])
    output = io.BytesIO()
    workbook.save(output)
    cells = list(load_workbook(io.BytesIO(output.getvalue())).worksheets[0].iter_rows())[0]
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "s", "s"]
    assert [cell.value for cell in cells] == [ATTACK, -3, 2.5, "@cmd", "EHPAD"]
    assert cells[0].quotePrefix
