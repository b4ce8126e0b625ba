"""Issue 22: every reader of uploaded data — usage CSV and XLSX, cadre de réponse, FINESS file,
invoices workbook, usage API — answers any input with a French error or a report, never an
exception, and its dry run writes nothing. Fed the hostile cases of the review, random bytes and
damaged copies of valid files (seeded: the same inputs every run)."""

import io
import random
import re
import zipfile

import pytest
import time_machine
from openpyxl import Workbook
from rest_framework.test import APIClient

from amoa import cadre
from amoa.models import LignePrix, ReponseExigence
from core.uploads import UploadRefused
from finances import facture_import
from finances.models import Facture
from grappe import finess_import
from grappe.models import Esms, OrganismeGestionnaire
from indicateurs import usage_import
from indicateurs.models import UsageMensuel
from tests.amoa.factories import PRIX_TYPE, editeur_consultation, filled_cadre
from tests.finances.factories import engagement, money_grappe

pytestmark = pytest.mark.django_db

SEED = 22
# A French sentence (a refusal, a report's message): an accent, a guillemet or a little word —
# not the English of an exception.
FRENCH = re.compile(
    r"[àâçéèêîôûù«»]|\b(le|la|les|de|du|des|un|une|est|pas|ni|au|aucun|ce|ligne|fichier)\b",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        yield


def xlsx(rows, title="Feuille"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cut_sheets(data):
    """Copies of a workbook with one of its sheets' XML cut in the middle."""
    source = zipfile.ZipFile(io.BytesIO(data))
    copies = []
    for member in (n for n in source.namelist() if n.startswith("xl/worksheets/sheet")):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                content = source.read(info.filename)
                target.writestr(
                    info.filename,
                    content[: len(content) // 2] if info.filename == member else content,
                )
        copies.append(out.getvalue())
    return copies


def damaged(data, rng, count):
    """Copies of `data` with a few bytes overwritten, or cut short."""
    copies = []
    for _ in range(count):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            copy[rng.randrange(len(copy))] = rng.randrange(256)
        copies.append(bytes(copy[: rng.randint(len(copy) // 2, len(copy))]))
    return copies


def hostile_texts(header):
    """The review's cases for a text reader: bytes neither UTF-8 nor Windows-1252, UTF-16, a
    field past the csv module's limit, an unclosed quote, NUL bytes, nothing at all."""
    head = header.encode()
    return [
        head + b"\n\x81\x8d;2026-03\n",
        (header + "\n590000014;2026-03\n").encode("utf-16"),
        (header + "\n590000014;2026-03\n").encode("utf-16-le"),
        head + b'\n"' + b"a" * 140_000 + b'";x\n',
        head + b'\n"' + b"590000014;2026-03;1\n" * 10_000,
        head + b"\n\x00\x00\x00",
        b"",
        b"\n\n\n",
    ]


def random_inputs(rng, valid):
    return [
        *(rng.randbytes(rng.randint(0, 3000)) for _ in range(15)),
        b"PK\x03\x04" + rng.randbytes(500),
        *damaged(valid, rng, 25),
    ]


def assert_french(message):
    assert isinstance(message, str) and message.strip(), message
    assert FRENCH.search(message), message


# --- Usage file ----------------------------------------------------------------------------------


def check_usage(data, filename, user, grappe):
    try:
        rows = usage_import.read_rows(data, filename)
    except usage_import.FichierRefuse as refusal:
        assert_french(str(refusal))
        return
    rapport = usage_import.validate(rows, user, grappe=grappe)
    for line in rapport.lignes:
        for message in line.erreurs + line.avertissements + line.a_confirmer:
            assert_french(message)


def test_the_usage_file_reader(cast):
    rng = random.Random(SEED)
    header = ";".join(usage_import.HEADER)
    finess = cast.grappe.memberships.select_related("esms").first().esms.finess_et
    good = [finess, "2026-03", 100, 80, 75, 95, 90, 92]
    valid_csv = f"{header}\n{';'.join(map(str, good))}\n".encode()
    valid_xlsx = xlsx([usage_import.HEADER[:8], good])
    formula = xlsx([usage_import.HEADER[:8], [*good[:2], "=40*2", *good[3:]]])
    huge = xlsx([usage_import.HEADER[:8], [*good[:2], "1" * 30, *good[3:]]])
    current = xlsx([usage_import.HEADER[:8], [finess, "2026-11", *good[2:]]])
    for data in [*hostile_texts(header), *random_inputs(rng, valid_csv)]:
        check_usage(data, "usages.csv", cast.owner, cast.grappe)
    for data in [
        formula,
        huge,
        current,
        *cut_sheets(valid_xlsx),
        *random_inputs(rng, valid_xlsx),
    ]:
        check_usage(data, "usages.xlsx", cast.owner, cast.grappe)
    assert not UsageMensuel.objects.exists()


# --- Cadre de réponse ----------------------------------------------------------------------------


def test_the_cadre_de_reponse_reader(cast):
    rng = random.Random(SEED)
    dui = editeur_consultation(cast.grappe, created_by=cast.owner)
    exigences = {e.code: e for e in dui.grappe.grille_fonctionnelle.exigences.all()}
    valid = filled_cadre(dui, prices=PRIX_TYPE)

    def price(value):
        def tweak(workbook):
            workbook[cadre.SHEET_PRIX].cell(row=cadre.HEADER_ROW + 1, column=4).value = value

        return filled_cadre(dui, prices=PRIX_TYPE, tweak=tweak)

    cases = [price("=40*2"), price("1" * 30), price("NaN"), price("1e999999999")]
    for data in [*cases, *cut_sheets(valid), *random_inputs(rng, valid)]:
        parsed = cadre.parse(data, exigences)
        for item in parsed.errors + parsed.warnings:
            assert_french(item["message"])
    assert not ReponseExigence.objects.exists() and not LignePrix.objects.exists()


# --- Invoices ------------------------------------------------------------------------------------


def test_the_invoices_reader(cast):
    rng = random.Random(SEED)
    grappe = money_grappe(cast.grappe)
    contrat = engagement(grappe)
    header = list(facture_import.COLUMNS)
    good = [contrat.pk, "F-1", "01/04/2026", 100, 20, None, None]
    valid = xlsx([header, good])
    cases = [
        xlsx([header, [contrat.pk, "F-1", "01/04/2026", "=40*2", 20]]),
        xlsx([header, [contrat.pk, "F-1", "01/04/2026", "1" * 30, 20]]),
        xlsx([header, [contrat.pk, "F-1", "01/04/2026", "1e999999999", "NaN"]]),
        xlsx([header, ["²", "F-1", "01/04/2026", 100, 20]]),
        xlsx([header, ["9" * 5000, "F-1", "99/99/9999", 100, 20]]),
    ]
    for data in [*cases, *cut_sheets(valid), *random_inputs(rng, valid)]:
        try:
            rapport = facture_import.validate(facture_import.read_rows(data), grappe)
        except UploadRefused as refusal:
            assert_french(str(refusal))
            continue
        if rapport.get("fichier"):
            assert_french(rapport["fichier"])
        for ligne in rapport["lignes"]:
            for message in ligne["erreurs"]:
                assert_french(message)
    assert not Facture.objects.exists()


# --- FINESS file ---------------------------------------------------------------------------------


def test_the_finess_reader():
    rng = random.Random(SEED)
    valid = (
        b"finess;etalab;100;2026-01-01\n"
        b"structureet;590000014;590000006;EHPAD TEST;;;;1;RUE;DE LA PAIX;;;350;59;NORD;"
        b"59000 LILLE;;;500;EHPAD;4401;;;;;;;;2000-01-01;2000-01-01;2026-01-01;\n"
    )
    before = (Esms.objects.count(), OrganismeGestionnaire.objects.count())
    for data in [*hostile_texts("finess;etalab;100"), *random_inputs(rng, valid)]:
        try:
            result = finess_import.import_finess(data, dry_run=True)
        except finess_import.FinessFileError as refusal:
            assert_french(str(refusal))
            continue
        for item in result.rejected + result.warnings:
            assert_french(item["reason"])
    assert (Esms.objects.count(), OrganismeGestionnaire.objects.count()) == before


# --- API -----------------------------------------------------------------------------------------


def test_the_usage_api(cast):
    rng = random.Random(SEED)
    client = APIClient()
    client.force_authenticate(cast.owner)
    finess = cast.grappe.memberships.select_related("esms").first().esms.finess_et
    bodies = [
        b"[" * 100_000,
        b"{" * 50_000,
        b'[{"finess_et": "' + finess.encode() + b'", "mois": "2026-03", '
        b'"personnes_accompagnees": 1' + b"0" * 30 + b"}]",
        b'[{"mois": "2026-03", "messages_mssante": 1' + b"0" * 5000 + b"}]",
        b'[{"finess_et": "' + finess.encode() + b'", "mois": "2026-11"}]',
        b'[{"finess_et": [], "mois": {}, "messages_mssante": 1e400}]',
        b'[{"finess_et": "' + finess.encode() + b'", "mois": "2026-03", '
        b'"personnes_accompagnees": 10, "messages_mssante": 5000, "confirme": true}]',
        b"\xff\xfe[\x00]\x00",
        b"NaN",
        *(rng.randbytes(rng.randint(0, 500)) for _ in range(15)),
    ]
    for body in bodies:
        response = client.post("/api/v1/usages/", body, content_type="application/json")
        assert response.status_code == 400, (body[:80], response.content[:300])
        assert_french(response.json()["detail"])
    assert not UsageMensuel.objects.exists()
