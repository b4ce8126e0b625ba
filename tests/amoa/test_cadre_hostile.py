"""Issue 22, hostile cadres de réponse: a damaged workbook, a formula without its value, amounts
the database would refuse — a French error in the dry run, never a server error at apply — and
an import applied once whatever the clicks."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amoa import cadre
from amoa.models import ImportReponse, LignePrix, ReponseExigence
from grappe.models import HistoryEntry
from tests.amoa.factories import (
    PRIX_TYPE,
    exigences,
    filled_cadre,
    set_cell,
)

pytestmark = pytest.mark.django_db

FIRST = cadre.HEADER_ROW + 1


def cut_sheet(data, index):
    """The workbook with the XML of its sheet number `index` cut in the middle."""
    member = f"xl/worksheets/sheet{index}.xml"
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = content[: len(content) // 2]
            target.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize("index", [1, 2])
def test_a_cut_sheet_is_one_french_error(dui, index):
    parsed = cadre.parse(cut_sheet(filled_cadre(dui, prices=PRIX_TYPE), index), exigences(dui))
    assert not parsed.ok and not parsed.reponses and not parsed.lignes
    (error,) = parsed.errors
    assert error["message"].startswith(
        "Fichier refusé : classeur Excel illisible (endommagé ou tronqué) : ouvrez-le et "
        "enregistrez-le à nouveau dans un tableur"
    )


def test_a_formula_without_its_value_names_its_cell(dui):
    content = filled_cadre(dui, prices=PRIX_TYPE, tweak=set_cell("Prix", FIRST, 4, "=40*2"))
    (error,) = cadre.parse(content, exigences(dui)).errors
    assert error["message"] == (
        f"Fichier refusé : cellule D{FIRST} de la feuille « Prix » : formule sans valeur "
        "calculée — ouvrez et enregistrez le fichier dans un tableur, ou saisissez la valeur."
    )


@pytest.mark.parametrize(
    ("sheet", "column", "value"),
    [
        ("Prix", 4, "1" * 30),
        ("Prix", 4, "NaN"),
        ("Prix", 4, "1e999999999"),
        ("Prix", 3, "Infinity"),
        ("Prix", 3, "1e999999999"),
    ],
)
def test_amounts_and_years_out_of_range_are_refused_in_the_dry_run(dui, sheet, column, value):
    content = filled_cadre(dui, prices=PRIX_TYPE, tweak=set_cell(sheet, FIRST, column, value))
    parsed = cadre.parse(content, exigences(dui))
    assert [error["ligne"] for error in parsed.errors] == [FIRST]
    assert "invalide" in parsed.errors[0]["message"]


def test_a_development_cost_too_large_is_refused(dui):
    code = next(iter(exigences(dui)))
    answers = {code: ("Non couvert mais développable", "01/01/2027", "9" * 20)}
    parsed = cadre.parse(filled_cadre(dui, answers=answers), exigences(dui))
    (error,) = parsed.errors
    assert error["message"].endswith(
        "n'est pas un montant (0 à 9\xa0999\xa0999\xa0999,99\xa0€\xa0HT)."
    )


def test_amounts_are_read_to_the_cent(dui):
    prices = [("Licences", "Licence", None, "1234,565")]
    parsed = cadre.parse(filled_cadre(dui, prices=prices), exigences(dui))
    assert parsed.ok, parsed.errors
    assert parsed.lignes[0]["montant"] == Decimal("1234.57")


def test_a_second_apply_says_the_import_is_already_applied(cast, dui, offre, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    content = filled_cadre(dui, prices=PRIX_TYPE)
    client.post(url, {"file": SimpleUploadedFile("cadre.xlsx", content)})
    record = ImportReponse.objects.get()
    apply_url = reverse(
        "amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk]
    )
    client.post(apply_url)
    again = client.post(apply_url, follow=True).content.decode()
    assert "Cet import a déjà été appliqué." in again
    assert HistoryEntry.objects.filter(action="Cadre de réponse importé").count() == 1
    assert LignePrix.objects.filter(offre=offre).count() == len(PRIX_TYPE)
    assert ReponseExigence.objects.filter(offre=offre).count() == len(exigences(dui))


def test_a_cut_cadre_uploaded_is_a_refused_import_page(cast, dui, offre, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    content = cut_sheet(filled_cadre(dui, prices=PRIX_TYPE), 1)
    page = client.post(url, {"file": SimpleUploadedFile("cadre.xlsx", content)}, follow=True)
    assert page.status_code == 200
    assert "classeur Excel illisible (endommagé ou tronqué)" in page.content.decode()
    record = ImportReponse.objects.get()
    assert not record.valide
    apply_url = reverse(
        "amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk]
    )
    assert client.post(apply_url).status_code == 302
    assert not ReponseExigence.objects.exists()
