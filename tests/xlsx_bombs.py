"""Hostile XLSX files for the bounded-reading tests (core.uploads): decompression bombs, rows too
wide, shared strings too large. Written with zipfile directly, streamed, so that building a 64 MB
bomb costs a fraction of a second and never holds its XML in memory."""

import io
import random
import zipfile

import openpyxl
import pytest
from openpyxl.reader import excel

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MB = 1024 * 1024


def _parts(shared_strings):
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    )
    relations = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        relations += (
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    return {
        "[Content_Types].xml": (
            f'<?xml version="1.0"?><Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Usages" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">{relations}'
            "</Relationships>"
        ),
    }


def workbook(rows, *, dimension="A1:H1", shared_strings=None):
    """XLSX bytes whose only sheet holds `rows`, an iterable of <row> XML strings (streamed into
    the archive); shared_strings: an iterable of <si> XML strings, or None."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _parts(shared_strings is not None).items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w") as strings:
                strings.write(f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode())
                for item in shared_strings:
                    strings.write(item.encode())
                strings.write(b"</sst>")
    return buffer.getvalue()


def row(*values):
    cells = "".join(
        f"<c><v>{value}</v></c>"
        if isinstance(value, int)
        else f'<c t="inlineStr"><is><t>{value}</t></is></c>'
        for value in values
    )
    return f"<row>{cells}</row>"


def decompression_bomb(header, megabytes=64):
    """A valid-looking usage workbook (its header, then rows) padded with `megabytes` MB of
    whitespace: a few dozen KB that inflate to more than the bound (the finding's 313 KB
    inflated to 200 000 rows)."""
    padding = " " * MB
    body = (
        row("590000014", "2026-03", 1, 1, 1, 1, 1, 1)[:-6] + padding + "</row>"
        for _ in range(megabytes)
    )
    return workbook([row(*header), *body])


def wide_row(cells, seed=1):
    """One row of `cells` random numbers: it compresses like ordinary data (no ratio to catch)
    but openpyxl would build every cell before handing the row out."""
    rnd = random.Random(seed)
    return workbook(
        [
            "<row>"
            + "".join(f"<c><v>{rnd.randrange(10**6)}</v></c>" for _ in range(cells))
            + "</row>"
        ]
    )


def big_shared_strings(count, seed=1):
    """`count` distinct short shared strings (openpyxl parses them all before the first row)."""
    rnd = random.Random(seed)
    return workbook(
        [row(1)],
        shared_strings=(f"<si><t>{rnd.randrange(10**9)}</t></si>" for _ in range(count)),
    )


@pytest.fixture
def no_workbook_parsing(monkeypatch):
    """Fails the test if openpyxl starts parsing a workbook (load_workbook or its ExcelReader)."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl a commencé à lire le classeur")

    monkeypatch.setattr(excel.ExcelReader, "read", refuse)
    monkeypatch.setattr(excel, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
