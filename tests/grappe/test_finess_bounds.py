"""The FINESS file is read within a line cap (core.uploads): lines are cut one at a time and the
reading stops at the cap."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grappe import finess_import
from grappe.enums import StatutImport
from grappe.finess_import import FinessFileError, import_finess, split_lines
from grappe.forms.registre import FinessImportForm
from grappe.models import FinessImport
from tests.grappe.test_import_finess import EXTRACT_TEXT, HEADER, LINES

pytestmark = pytest.mark.django_db


def test_a_file_just_over_the_cap_is_refused_naming_it():
    # Blank lines count: a file of millions of them is no cheaper to go through.
    over = (HEADER + "\n" + "\n" * finess_import.MAX_LINES).encode()
    start = time.perf_counter()
    with pytest.raises(FinessFileError) as refused:
        import_finess(over, dry_run=True)
    assert time.perf_counter() - start < 2
    assert str(refused.value) == "Le fichier dépasse 500\xa0000 lignes, le maximum accepté."


def test_the_cap_is_counted_while_reading(monkeypatch):
    count = len(LINES) - 1  # lines after the comment line
    monkeypatch.setattr(finess_import, "MAX_LINES", count)
    assert import_finess(EXTRACT_TEXT.rstrip("\n").encode(), dry_run=True).lines == count
    monkeypatch.setattr(finess_import, "MAX_LINES", count - 1)
    with pytest.raises(FinessFileError, match=f"dépasse {count - 1} lignes"):
        import_finess(EXTRACT_TEXT.encode(), dry_run=True)


def test_lines_are_cut_like_split():
    for text in ("", "a", "a\n", "a\nb", "\n\n", "a\r\nb\r\n"):
        assert list(split_lines(text)) == text.split("\n")


def test_an_upload_over_the_cap_is_a_refused_import(cast, client_for, monkeypatch):
    monkeypatch.setattr(finess_import, "MAX_LINES", 3)
    response = client_for(cast.admin).post(
        reverse("grappe:finess_import"),
        {"file": SimpleUploadedFile("etalab.csv", EXTRACT_TEXT.encode(), content_type="text/csv")},
        follow=True,
    )
    record = FinessImport.objects.get()
    assert record.status == StatutImport.ECHEC
    assert record.error == "Le fichier dépasse 3 lignes, le maximum accepté."
    assert "Fichier refusé : Le fichier dépasse 3 lignes" in response.content.decode()


def test_the_form_states_the_cap():
    assert "200 Mo et 500\xa0000 lignes au plus" in FinessImportForm().fields["file"].help_text


def test_a_quoted_cell_over_the_csv_limit_rejects_its_line_only():
    long_line = 'structureet;"' + "x" * 200_000 + '";b'
    result = import_finess((EXTRACT_TEXT + long_line + "\n").encode(), dry_run=True)
    assert result.lines == len(LINES)
    assert result.rejected[-1]["line"] == len(LINES) + 1
