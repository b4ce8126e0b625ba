"""Issue 22, core.uploads: text files decoded or refused by the name of their encoding, CSV read
within bounds, formulas without a computed value refused naming their cell; core.parsers: the
API's JSON within bounds."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from core.parsers import nesting
from core.uploads import UploadRefused, decode_text, open_xlsx, read_csv


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("é;1\n".encode(), ("é;1\n", "utf-8")),
        ("\ufeffé;1\n".encode(), ("é;1\n", "utf-8-sig")),
        ("é;1\n".encode("cp1252"), ("é;1\n", "cp1252")),
    ],
)
def test_decode_text_reads_utf8_then_windows_1252(data, expected):
    assert decode_text(data) == expected


def test_decode_text_falls_back_as_asked():
    assert decode_text(b"\x81", ("cp1252", "latin-1")) == ("\x81", "latin-1")


@pytest.mark.parametrize(
    ("data", "start"),
    [
        ("a;b\n".encode("utf-16"), "le fichier est en UTF-16 : enregistrez-le en UTF-8"),
        ("a;b\n".encode("utf-16-be"), "le fichier est en UTF-16 : enregistrez-le en UTF-8"),
        ("a;b\n".encode("utf-32"), "le fichier est en UTF-32 : enregistrez-le en UTF-8"),
        (b"a;b\x00;c\n" * 10 + b"z" * 100, "le fichier contient des octets nuls"),
        (b"a;\x81\x8d", "le fichier n'est ni en UTF-8 ni en Windows-1252 (octet 0x81"),
    ],
)
def test_decode_text_refuses_by_name(data, start):
    with pytest.raises(UploadRefused) as refused:
        decode_text(data)
    assert refused.value.reason.startswith(start)


def test_read_csv_guesses_the_separator_and_numbers_the_rows():
    assert list(read_csv("a,b\n1,2\n", max_rows=5)) == [(1, ["a", "b"]), (2, ["1", "2"])]
    assert list(read_csv("a;b\n1,5;2\n", max_rows=5))[1] == (2, ["1,5", "2"])


def test_read_csv_bounds_lines_and_fields():
    with pytest.raises(UploadRefused, match="la ligne 2 dépasse 10\xa0000 caractères"):
        list(read_csv("a;b\n" + "x" * 10_001 + "\n", max_rows=5))
    with pytest.raises(UploadRefused, match="ligne 2 illisible : un champ y dépasse"):
        list(read_csv('a;b\n"' + "x;y\n" * 40_000, max_rows=50_000))


def workbook_with(cell_xml):
    """A workbook whose sheet's first cell is `cell_xml` (written as a spreadsheet would)."""
    workbook = Workbook()
    workbook.active["A1"] = "placeholder"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b'<c r="A1"')
                end = content.index(b"</c>", start) + 4
                content = content[:start] + cell_xml + content[end:]
            target.writestr(info.filename, content)
    return out.getvalue()


def first_cell(data):
    with open_xlsx(data) as workbook:
        return next(workbook.rows(0, max_rows=1, max_col=1))[1][0]


def test_a_formula_with_its_computed_value_reads_as_the_value():
    assert first_cell(workbook_with(b'<c r="A1"><f>40*2</f><v>80</v></c>')) == 80
    # A formula whose result is the empty text (t="str"): a value, not a missing one.
    assert first_cell(workbook_with(b'<c r="A1" t="str"><f>""</f><v></v></c>')) is None


def test_a_formula_without_its_computed_value_is_refused_naming_its_cell():
    with pytest.raises(UploadRefused) as refused:
        first_cell(workbook_with(b'<c r="A1"><f>40*2</f><v /></c>'))
    assert refused.value.sentence == (
        "Cellule A1 de la feuille « Sheet » : formule sans valeur calculée — ouvrez et "
        "enregistrez le fichier dans un tableur, ou saisissez la valeur."
    )


def test_nesting_ignores_brackets_in_strings():
    assert nesting(b'[{"a": "[[[{{{", "b": [1, 2]}]') == 3
    assert nesting(b'["\\"[[["]') == 1
    assert nesting(b"[" * 1000) == 1000
