"""The cadre de réponse: XLSX export, filled by an éditeur, imported back (dry run with a
report per line, atomic apply, the uploaded file kept)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from amoa import cadre
from amoa.models import ImportReponse, LignePrix, ReponseExigence
from core.money import XLSX_EUROS
from grappe.models import HistoryEntry
from tests.amoa.factories import (
    PRIX_TYPE,
    exigences,
    filled_cadre,
    set_cell,
)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_export_lists_every_requirement_with_its_priority(cast, dui, client_for):
    response = client_for(cast.member).get(
        reverse("amoa:cadre_export", args=[cast.grappe.pk, dui.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[cadre.SHEET_EXIGENCES]
    header = [c.value for c in sheet[cadre.HEADER_ROW]]
    assert header[:6] == [
        "Référence",
        "Domaine",
        "Exigence",
        "Priorité",
        "Professions concernées",
        "Réponse",
    ]
    rows = list(sheet.iter_rows(min_row=cadre.HEADER_ROW + 1, values_only=True))
    grid = exigences(dui)
    assert {row[0] for row in rows} == set(grid)
    ins = next(row for row in rows if row[0] == "INS-01")
    assert ins[1] == "Identité nationale de santé (INS)"
    assert ins[3] == "Indispensable"
    prix = [c.value for c in workbook[cadre.SHEET_PRIX]["A"]][cadre.HEADER_ROW :]
    assert "Matériel nécessaire" in prix and "Maintenance" in prix
    # The amounts the éditeur types are shown in euros (core.money), and stay numbers.
    first = cadre.HEADER_ROW + 1
    assert sheet.cell(row=first, column=8).number_format == XLSX_EUROS
    assert workbook[cadre.SHEET_PRIX].cell(row=first, column=4).number_format == XLSX_EUROS


def test_round_trip_export_fill_parse(dui):
    grid = exigences(dui)
    content = filled_cadre(
        dui,
        answers={
            "FAC-01": ("Non couvert mais développable", "31/03/2027", 2500),
            "IND-03": ("Impossible", None, None),
            "AGE-03": (None, None, None),
        },
        prices=PRIX_TYPE,
    )
    parsed = cadre.parse(content, grid)
    assert parsed.ok, parsed.errors
    assert len(parsed.reponses) == len(grid) - 1
    by_code = {r["exigence"].code: r for r in parsed.reponses}
    assert by_code["FAC-01"]["couverture"] == "developpable"
    assert by_code["FAC-01"]["cout"] == Decimal(2500)
    assert str(by_code["FAC-01"]["echeance"]) == "2027-03-31"
    assert by_code["IND-03"]["couverture"] == "impossible"
    assert by_code["DOS-01"]["couverture"] == "couvert"
    assert [w["message"] for w in parsed.warnings] == ["AGE-03 : sans réponse."]
    assert [(li["nature"], li["annee"], li["montant"]) for li in parsed.lignes][-2:] == [
        ("hebergement", None, Decimal(2000)),
        ("materiel", 0, Decimal(5000)),
    ]


FIRST = cadre.HEADER_ROW + 1


@pytest.mark.parametrize(
    ("tweak", "sheet", "line", "message"),
    [
        (
            set_cell("Exigences", FIRST, 1, "ZZZ-99"),
            "Exigences",
            FIRST,
            "Référence inconnue « ZZZ-99 »",
        ),
        (
            set_cell("Exigences", FIRST, 6, "Peut-être"),
            "Exigences",
            FIRST,
            "réponse « Peut-être » invalide",
        ),
        (
            set_cell("Exigences", FIRST, 6, "Non couvert mais développable"),
            "Exigences",
            FIRST,
            "un développement doit indiquer son échéance et son coût",
        ),
        (
            set_cell("Exigences", FIRST + 1, 1, "DOS-01"),
            "Exigences",
            FIRST + 1,
            "apparaît deux fois",
        ),
        (set_cell("Prix", FIRST, 4, -10), "Prix", FIRST, "ne peut pas être négatif"),
        (set_cell("Prix", FIRST, 1, "Cadeaux"), "Prix", FIRST, "Nature « Cadeaux » inconnue"),
        (set_cell("Prix", FIRST, 3, "2030"), "Prix", FIRST, "Année « 2030 » invalide"),
        (set_cell("Prix", FIRST, 4, "beaucoup"), "Prix", FIRST, "Montant « beaucoup » invalide"),
    ],
)
def test_bad_rows_are_reported_with_their_line(dui, tweak, sheet, line, message):
    content = filled_cadre(dui, prices=PRIX_TYPE, tweak=tweak)
    parsed = cadre.parse(content, exigences(dui))
    assert not parsed.ok
    assert any(
        e["feuille"] == sheet and e["ligne"] == line and message in e["message"]
        for e in parsed.errors
    ), parsed.errors


def test_a_file_that_is_not_a_workbook_or_lacks_a_sheet_is_rejected(dui):
    parsed = cadre.parse(b"not a zip", exigences(dui))
    assert parsed.errors == [
        {
            "feuille": "",
            "ligne": None,
            "message": "Fichier refusé : ce n'est pas un classeur Excel (.xlsx) lisible : "
            "l'archive ZIP est invalide.",
        }
    ]

    def drop_prices(workbook):
        del workbook["Prix"]

    parsed = cadre.parse(filled_cadre(dui, tweak=drop_prices), exigences(dui))
    assert "La feuille « Prix » manque" in parsed.errors[0]["message"]


def upload(content, name="cadre-alpha.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_import_is_checked_then_applied_atomically_and_the_file_kept(cast, dui, offre, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    content = filled_cadre(dui, prices=PRIX_TYPE)
    response = client.post(url, {"file": upload(content)})
    record = ImportReponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "amoa:cadre_import_detail", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk]
    )
    # Dry run: the file is kept with its report, nothing else is written.
    assert record.valide and record.applique_le is None
    with record.file.open("rb") as handle:
        assert handle.read() == content
    assert not ReponseExigence.objects.exists() and not LignePrix.objects.exists()
    page = client.get(response["Location"])
    assert 'data-testid="import-valide"' in page.content.decode()

    apply_url = reverse(
        "amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk]
    )
    response = client.post(apply_url)
    assert response.status_code == 302
    assert ReponseExigence.objects.filter(offre=offre).count() == len(exigences(dui))
    assert LignePrix.objects.filter(offre=offre).count() == len(PRIX_TYPE)
    record.refresh_from_db()
    assert record.applique_le is not None
    assert HistoryEntry.objects.filter(action="Cadre de réponse importé").exists()

    # A second frame replaces the first one entirely.
    content = filled_cadre(dui, default="Impossible", prices=PRIX_TYPE[:1])
    client.post(url, {"file": upload(content, "v2.xlsx")})
    second = ImportReponse.objects.exclude(pk=record.pk).get()
    client.post(
        reverse("amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, second.pk])
    )
    assert set(ReponseExigence.objects.values_list("couverture", flat=True)) == {"impossible"}
    assert LignePrix.objects.filter(offre=offre).count() == 1


def test_a_bad_file_writes_nothing_and_shows_the_line(cast, dui, offre, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    content = filled_cadre(dui, prices=PRIX_TYPE, tweak=set_cell("Exigences", FIRST, 6, "Bof"))
    response = client.post(url, {"file": upload(content)}, follow=True)
    text = response.content.decode()
    assert 'data-testid="import-erreurs"' in text
    assert "réponse « Bof » invalide" in text
    assert f"<td>{FIRST}</td>" in text
    record = ImportReponse.objects.get()
    assert not record.valide
    response = client.post(
        reverse("amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk])
    )
    assert not ReponseExigence.objects.exists() and not LignePrix.objects.exists()
    record.refresh_from_db()
    assert record.applique_le is None


def test_only_xlsx_files_are_accepted(cast, dui, offre, client_for):
    url = reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk])
    response = client_for(cast.owner).post(
        url, {"file": SimpleUploadedFile("cadre.csv", b"a;b", content_type="text/csv")}
    )
    assert response.status_code == 200
    assert "Déposez le cadre de réponse au format XLSX." in response.content.decode()
    assert not ImportReponse.objects.exists()


def test_export_writes_user_text_as_text_never_as_a_formula(cast, dui, client_for):
    """A requirement, a consultation title typed like a formula come out as text cells
    (core.exports), and the file reads back as it was written."""
    attack = '=HYPERLINK("http://exemple.invalid","x")'
    exigence = exigences(dui)["INS-01"]
    exigence.libelle = attack
    exigence.save()
    dui.titre = "@Choix du DUI"
    dui.save()
    response = client_for(cast.owner).get(
        reverse("amoa:cadre_export", args=[cast.grappe.pk, dui.pk])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    sheet = workbook[cadre.SHEET_EXIGENCES]
    assert sheet["A1"].value == "Cadre de réponse — @Choix du DUI"
    ins = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "INS-01")
    assert ins[2] == attack
