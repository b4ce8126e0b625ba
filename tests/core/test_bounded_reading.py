"""core.uploads, bounded reading of uploaded tables: a workbook is judged by its ZIP directory
before openpyxl opens it, then read as a metered stream of rows up to a row cap."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from core import uploads
from core.uploads import UploadRefused, capped, check_xlsx_archive, format_count, open_xlsx
from tests.xlsx_bombs import (
    big_shared_strings,
    decompression_bomb,
    no_workbook_parsing,  # noqa: F401 (fixture)
    row,
    wide_row,
    workbook,
)

HEADER = ["finess_et", "mois", "a", "b", "c", "d", "e", "f"]


def ordinary(rows=3):
    book = Workbook()
    book.active.append(HEADER)
    for i in range(rows):
        book.active.append([f"59000{i:04d}", "2026-03", 1, 2, 3, 4, 5, 6])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_all(data, max_rows=100):
    with open_xlsx(data) as book:
        return list(book.rows(0, max_rows=max_rows, max_col=8, header_rows=1))


@pytest.mark.usefixtures("no_workbook_parsing")
def test_a_decompression_bomb_is_refused_from_its_directory_without_parsing():
    bomb = decompression_bomb(HEADER)  # ~70 KB inflating to 64 MB
    assert len(bomb) < 200 * 1024
    start = time.perf_counter()
    with pytest.raises(UploadRefused) as refused, open_xlsx(bomb):
        pass
    assert time.perf_counter() - start < 0.5
    assert str(refused.value).startswith("Fichier refusé : une fois décompressé, le classeur ")
    assert "au plus" in str(refused.value)


@pytest.mark.usefixtures("no_workbook_parsing")
def test_a_member_inflating_more_than_a_hundred_times_is_refused():
    # 2 MB of zeros: under the total bound, but no sheet compresses like that.
    bomb = workbook([row(*HEADER), "<row>" + "0" * (2 * 1024 * 1024) + "</row>"])
    with pytest.raises(UploadRefused, match="se décompresse plus de 100 fois"):
        check_xlsx_archive(bomb)


@pytest.mark.usefixtures("no_workbook_parsing")
def test_not_a_zip_and_too_many_members_are_refused():
    with pytest.raises(UploadRefused, match="l'archive ZIP est invalide"):
        check_xlsx_archive(b"finess_et;mois\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(uploads.MAX_XLSX_MEMBERS + 1):
            archive.writestr(f"x/{number}.xml", "")
    with pytest.raises(UploadRefused, match="éléments"):
        check_xlsx_archive(buffer.getvalue())


def test_the_check_reads_a_file_object_and_leaves_its_position():
    upload = io.BytesIO(ordinary())
    upload.seek(3)
    check_xlsx_archive(upload)
    assert upload.tell() == 3


def test_an_ordinary_workbook_is_read_row_by_row():
    rows = read_all(ordinary(2))
    assert rows[0] == (1, tuple(HEADER))
    assert rows[2] == (3, ("590000001", "2026-03", 1, 2, 3, 4, 5, 6))


def test_the_row_cap_counts_while_streaming_and_names_the_cap():
    assert len(read_all(ordinary(10), max_rows=10)) == 11  # header + 10 rows
    with pytest.raises(UploadRefused) as refused:
        read_all(ordinary(11), max_rows=10)
    assert str(refused.value) == (
        "Fichier refusé : le fichier dépasse 10 lignes (en-tête non compris), le maximum accepté."
    )


def test_reading_stops_at_the_cap():
    # After the 6th data row, a cell points at a shared string that does not exist: parsing
    # that row would fail differently. The cap (5) is met on the 6th row and nothing further is
    # parsed.
    rows = [row(*HEADER)] + [row("590000014", "2026-03")] * 6
    data = workbook(
        [*rows, '<row><c t="s"><v>9</v></c></row>'], shared_strings=["<si><t>x</t></si>"]
    )
    with pytest.raises(UploadRefused, match="dépasse 5 lignes"):
        read_all(data, max_rows=5)
    with pytest.raises(UploadRefused, match="illisible"):
        read_all(data, max_rows=7)


def test_a_far_row_number_is_not_padded_beyond_the_cap():
    # openpyxl fills the missing rows before row 10⁹ with empty ones: the cap stops it.
    data = workbook([row(*HEADER), '<row r="1000000000"><c><v>1</v></c></row>'])
    start = time.perf_counter()
    with pytest.raises(UploadRefused, match="dépasse 1\xa0000 lignes"):
        read_all(data, max_rows=1000)
    assert time.perf_counter() - start < 1


def test_a_row_too_wide_is_refused_before_openpyxl_builds_it():
    # 100 000 cells (1.8 MB of XML compressing like ordinary data): openpyxl would build every
    # cell of the row before handing it out.
    data = wide_row(100_000)
    check_xlsx_archive(data)  # nothing suspicious in the directory
    with pytest.raises(UploadRefused, match="une ligne du classeur"):
        read_all(data)


def test_parts_read_whole_are_metered(monkeypatch):
    # openpyxl parses the shared strings whole before the first row.
    monkeypatch.setattr(uploads, "MAX_XLSX_LOADED", 100 * 1024)
    with pytest.raises(UploadRefused, match="lire d'un bloc plus de"):
        read_all(big_shared_strings(20_000))
    assert read_all(big_shared_strings(100))[0] == (
        1,
        (1, None, None, None, None, None, None, None),
    )


def test_a_sheet_without_dimensions_is_read_whole_at_load_so_metered(monkeypatch):
    # openpyxl reads such a sheet to its end before the first row to learn its size.
    monkeypatch.setattr(uploads, "MAX_XLSX_LOADED", 100 * 1024)
    rows = [row(*HEADER)] + [row("590000014", "2026-03", 1, 2, 3, 4, 5, 6)] * 2000
    assert len(read_all(workbook(rows), max_rows=2000)) == 2001
    with pytest.raises(UploadRefused) as refused:
        read_all(workbook(rows, dimension=None), max_rows=2000)
    assert "(élément « xl/worksheets/sheet1.xml »)" in str(refused.value)
    assert "enregistrez-le avec Excel ou LibreOffice" in str(refused.value)


def test_a_damaged_workbook_is_unreadable_not_a_crash():
    data = workbook(["<row><c><v>1</v></c>"])  # unclosed row
    with pytest.raises(UploadRefused, match="classeur Excel illisible"):
        read_all(data)


def test_capped_and_format_count():
    assert list(capped(iter(range(3)), 3)) == [0, 1, 2]
    with pytest.raises(UploadRefused, match="dépasse 3 lignes, le maximum"):
        list(capped(iter(range(4)), 3))
    assert format_count(40_000) == "40\xa0000"
    assert UploadRefused("le fichier est vide.").sentence == "Le fichier est vide."
