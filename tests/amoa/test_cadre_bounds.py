"""The cadre de réponse is read within bounds (core.uploads): a decompression bomb is refused
before openpyxl parses it, each sheet has a row cap."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amoa import cadre
from amoa.forms.dui import ImportForm
from amoa.models import ImportReponse
from tests.amoa.factories import (
    PRIX_TYPE,
    exigences,
    filled_cadre,
    make_offre_editeur,
)
from tests.helpers import text
from tests.xlsx_bombs import decompression_bomb, no_workbook_parsing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("no_workbook_parsing")
def test_a_bomb_is_refused_quickly_without_parsing(dui):
    bomb = decompression_bomb(cadre.EXIGENCE_COLUMNS)
    start = time.perf_counter()
    parsed = cadre.parse(bomb, exigences(dui))
    assert time.perf_counter() - start < 0.5
    assert not parsed.ok and not parsed.reponses
    (error,) = parsed.errors
    assert error["message"].startswith("Fichier refusé : une fois décompressé, le classeur ferait")


@pytest.mark.usefixtures("no_workbook_parsing")
def test_an_uploaded_bomb_is_kept_as_a_refused_import(cast, dui, client_for):
    offre = make_offre_editeur(dui, "Éditeur Alpha")
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    bomb = SimpleUploadedFile("cadre.xlsx", decompression_bomb(cadre.EXIGENCE_COLUMNS))
    response = client_for(cast.owner).post(url, {"file": bomb}, follow=True)
    assert not ImportReponse.objects.get().valide
    assert "Fichier refusé : une fois décompressé" in text(response)


def test_each_sheet_has_a_row_cap(dui, monkeypatch):
    content = filled_cadre(dui, prices=PRIX_TYPE)
    count = len(exigences(dui))
    assert count > len(PRIX_TYPE)
    monkeypatch.setattr(cadre, "MAX_ROWS", count)
    assert cadre.parse(content, exigences(dui)).ok
    monkeypatch.setattr(cadre, "MAX_ROWS", count - 1)
    parsed = cadre.parse(content, exigences(dui))
    assert parsed.errors == [
        {
            "feuille": "",
            "ligne": None,
            "message": f"Fichier refusé : le fichier dépasse {count - 1} lignes, le maximum "
            "accepté.",
        }
    ]
    assert not parsed.reponses


def test_the_form_states_the_cap():
    assert "2\xa0000 lignes par feuille au plus" in ImportForm().fields["file"].help_text
