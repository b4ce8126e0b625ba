"""Issue 22, hostile inputs of the usage data (file, entry form, API): every input gets a French
answer, never a server error, and what passes the dry run is what the apply writes."""

import io
import zipfile

import pytest
import time_machine
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from grappe.models import HistoryEntry
from indicateurs import usage_import
from indicateurs.enums import StatutImport
from indicateurs.models import ImportUsage, UsageHistorique, UsageMensuel
from indicateurs.views import donnees
from tests.indicateurs.factories import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ";".join(usage_import.HEADER).encode()


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        yield


def rows_for(grappe, mois="2026-03", personnes=100, mssante=80):
    return [
        [m.esms.finess_et, mois, personnes, mssante, 75, 95, 90, 92]
        for m in grappe.memberships.select_related("esms")
    ]


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Usages"
    sheet.append(usage_import.HEADER[:8])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def truncated_sheet(data, member="xl/worksheets/sheet1.xml"):
    """The workbook with its sheet's XML cut in the middle (a download cut short, a damaged
    copy), its ZIP archive itself valid."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(
                info.filename, content[: len(content) // 2] if info.filename == member else content
            )
    return out.getvalue()


def refused(data, filename="usages.csv"):
    with pytest.raises(usage_import.FichierRefuse) as error:
        usage_import.read_rows(data, filename)
    return str(error.value)


def upload(client, grappe, data, name="usages.csv"):
    response = client.post(
        reverse("indicateurs:usages", args=[grappe.pk]),
        {"fichier": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert response.status_code == 302
    return ImportUsage.objects.latest("pk"), response["Location"]


# --- Reading -----------------------------------------------------------------------------------


def test_bytes_neither_utf8_nor_windows_1252_are_refused_by_name():
    message = refused(HEADER + b"\n\x81\x8d;2026-03\n")
    assert message.startswith("Le fichier n'est ni en UTF-8 ni en Windows-1252 (octet 0x81")
    assert "enregistrez-le en UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_are_refused_by_name_not_as_a_bad_header(encoding):
    message = refused((HEADER.decode() + "\n590000014;2026-03\n").encode(encoding))
    assert message.startswith(f"Le fichier est en UTF-{encoding[4:6]} : enregistrez-le en UTF-8")
    assert "En-tête" not in message


def test_a_field_over_the_csv_modules_limit_is_refused_in_french():
    message = refused(HEADER + b'\n"' + b"a" * 140_000 + b'";2026-03\n')
    assert message == (
        "La ligne 2 dépasse 10\xa0000 caractères : ce n'est pas un tableau ordinaire, il n'a pas "
        "été lu."
    )


def test_an_unclosed_quote_swallowing_the_file_is_refused_in_french():
    lines = b"590000014;2026-03;1;1;1;1;1;1\n" * 20_000
    message = refused(HEADER + b'\n"' + lines)
    assert message == (
        "Ligne 2 illisible : un champ y dépasse 131\xa0072 caractères ou un guillemet n'y est "
        "pas refermé."
    )


def test_a_workbook_with_its_sheet_cut_is_refused(cast):
    message = refused(truncated_sheet(xlsx(rows_for(cast.grappe))), "usages.xlsx")
    assert message.startswith("Classeur Excel illisible (endommagé ou tronqué)")


def test_a_formula_without_its_computed_value_names_its_cell(cast):
    rows = rows_for(cast.grappe)
    rows[1][2] = "=40*2"  # openpyxl writes the formula, no value: read, it looked empty
    message = refused(xlsx(rows), "usages.xlsx")
    assert message == (
        "Cellule C3 de la feuille « Usages » : formule sans valeur calculée — ouvrez et "
        "enregistrez le fichier dans un tableur, ou saisissez la valeur."
    )


# --- Counts and months ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1" * 30, "3000000000", "10000001", "9" * 5000, 10**30])
def test_counts_are_bounded_in_the_dry_run(cast, value):
    rows = [(2, dict(zip(usage_import.HEADER, rows_for(cast.grappe)[0], strict=False)))]
    rows[0][1]["messages_mssante"] = value
    rapport = usage_import.validate(rows, cast.owner, grappe=cast.grappe)
    assert not rapport.ok
    shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:30]}…"
    assert rapport.lignes[0].erreurs == [
        f"Ligne 2 : « messages_mssante » dépasse 10\xa0000\xa0000, le maximum accepté "
        f"(valeur « {shown} »)."
    ]


def test_a_count_at_the_bound_is_accepted():
    assert usage_import.parse_count("10000000") == (10_000_000, "")


def test_a_huge_count_is_refused_at_the_dry_run_and_nothing_is_ever_written(cast, client_for):
    client = client_for(cast.owner)
    rows = rows_for(cast.grappe)
    rows[0][3] = "1" * 30
    record, location = upload(client, cast.grappe, csv_bytes(rows))
    assert record.statut == StatutImport.REFUSE
    client.post(location, {"action": "appliquer"})
    record.refresh_from_db()
    assert record.statut == StatutImport.REFUSE
    assert not UsageMensuel.objects.exists()


def test_the_current_month_is_refused_until_it_is_over(cast):
    rows = [(2, dict(zip(usage_import.HEADER, rows_for(cast.grappe, "2026-11")[0], strict=False)))]
    rapport = usage_import.validate(rows, cast.owner, grappe=cast.grappe)
    assert rapport.lignes[0].erreurs == [
        "Ligne 2 : le mois 2026-11 n'est pas terminé : ses chiffres s'envoient à partir du 1er "
        "décembre 2026 (le mois écoulé ou un mois passé)."
    ]
    # Paris time: on 1 December at 00:30 in Paris (still 30 November in UTC) it is over.
    with time_machine.travel("2026-12-01 00:30 +0100", tick=False):
        assert usage_import.validate(rows, cast.owner, grappe=cast.grappe).ok


def test_the_api_refuses_the_current_month(cast):
    client = api_client(cast)
    response = client.post("/api/v1/usages/", [api_row(cast, mois="2026-11")], format="json")
    assert response.status_code == 400
    assert "n'est pas terminé" in response.json()["erreurs"][0]["erreurs"][0]


# --- Plausibility ------------------------------------------------------------------------------


def test_plausibility_ceilings_are_data_per_column():
    plafonds = {plafond.colonne: plafond for plafond in usage_import.plausibility()}
    assert plafonds["messages_mssante"].par == "personnes_accompagnees"
    assert plafonds["messages_mssante"].a_confirmer < plafonds["messages_mssante"].erreur


def test_an_implausible_value_must_be_confirmed_before_the_import_applies(cast, client_for):
    client = client_for(cast.owner)
    rows = rows_for(cast.grappe)
    rows[0][2:4] = [10, 500]  # 50 messages per person in the month: « à confirmer »
    record, location = upload(client, cast.grappe, csv_bytes(rows))
    assert record.statut == StatutImport.VERIFIE
    assert record.rapport["compte"]["a_confirmer"] == 1
    page = client.get(location).content.decode()
    assert (
        "Ligne 2 : « messages_mssante » (500) : 50 messages MSSanté par personne accompagnée "
        "dans le mois, plus de 20 : à confirmer." in page
    )
    assert 'data-testid="confirmer"' in page
    refused_page = client.post(location, {"action": "appliquer"}, follow=True).content.decode()
    assert "cochez la case de confirmation" in refused_page
    record.refresh_from_db()
    assert record.statut == StatutImport.VERIFIE
    assert not UsageMensuel.objects.exists()
    client.post(location, {"action": "appliquer", "confirme": "on"})
    record.refresh_from_db()
    assert record.statut == StatutImport.APPLIQUE
    assert UsageMensuel.objects.get(esms__finess_et=rows[0][0]).messages_mssante == 500


def test_a_value_past_the_error_ceiling_blocks_the_file(cast, client_for):
    rows = rows_for(cast.grappe)
    rows[0][2:4] = [10, 5000]  # the review's 50 000 % rate
    record, _ = upload(client_for(cast.owner), cast.grappe, csv_bytes(rows))
    assert record.statut == StatutImport.REFUSE
    assert record.rapport["lignes"][0]["erreurs"] == [
        "Ligne 2 : « messages_mssante » (5000) : 500 messages MSSanté par personne accompagnée "
        "dans le mois, plus de 200 : valeur invraisemblable, corrigez-la."
    ]


def test_the_entry_form_asks_for_confirmation(cast, client_for):
    client = client_for(cast.owner)
    membership = cast.grappe.memberships.first()
    data = {"esms": membership.pk, "mois": "2026-03", "personnes_accompagnees": 10}
    data["messages_mssante"] = 500
    url = reverse("indicateurs:saisie", args=[cast.grappe.pk])
    page = client.post(url, data).content.decode()
    assert "à confirmer. Si la valeur est juste, cochez « Je confirme ces valeurs »" in page
    assert not UsageMensuel.objects.exists()
    client.post(url, {**data, "confirme": "on"})
    assert UsageMensuel.objects.get().messages_mssante == 500


# --- API -----------------------------------------------------------------------------------------


def api_client(cast):
    client = APIClient()
    client.force_authenticate(cast.owner)
    return client


def api_row(cast, mois="2026-03", **counts):
    esms = cast.grappe.memberships.select_related("esms").first().esms
    return {
        "finess_et": esms.finess_et,
        "mois": mois,
        "personnes_accompagnees": 100,
        "messages_mssante": 80,
        **counts,
    }


def test_the_api_refuses_a_huge_count_with_a_400(cast):
    response = api_client(cast).post(
        "/api/v1/usages/", [api_row(cast, personnes_accompagnees=10**30)], format="json"
    )
    assert response.status_code == 400
    assert "dépasse 10\xa0000\xa0000" in response.json()["erreurs"][0]["erreurs"][0]
    assert not UsageMensuel.objects.exists()


def test_the_api_refuses_a_body_nested_too_deep(cast):
    response = api_client(cast).post(
        "/api/v1/usages/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON trop imbriqué : 20 niveaux au plus")


def test_the_api_refuses_a_body_too_large(cast):
    body = b"[" + b'"' + b"x" * 10_000_000 + b'"]'
    response = api_client(cast).post("/api/v1/usages/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Corps de la requête trop volumineux : 10\xa0Mo")


def test_brackets_inside_strings_do_not_count_as_nesting(cast):
    response = api_client(cast).post(
        "/api/v1/usages/", [api_row(cast, finess_et="[" * 50)], format="json"
    )
    assert response.status_code == 400
    assert "FINESS" in response.json()["erreurs"][0]["erreurs"][0]


def test_the_api_needs_confirme_for_an_implausible_value(cast):
    client = api_client(cast)
    row = api_row(cast, personnes_accompagnees=10, messages_mssante=500)
    response = client.post("/api/v1/usages/", [row], format="json")
    assert response.status_code == 400
    line = response.json()["erreurs"][0]
    assert line["a_confirmer"] == [
        "Ligne 1 : « messages_mssante » (500) : 50 messages MSSanté par personne accompagnée "
        "dans le mois, plus de 20 : à confirmer."
    ]
    assert line["erreurs"][-1].endswith("renvoyez la ligne avec « confirme »: true.")
    assert not UsageMensuel.objects.exists()
    response = client.post("/api/v1/usages/", [{**row, "confirme": True}], format="json")
    assert response.status_code == 201
    too_much = api_row(cast, personnes_accompagnees=10, messages_mssante=5000, confirme=True)
    assert client.post("/api/v1/usages/", [too_much], format="json").status_code == 400


def test_the_schema_documents_the_bounds_and_confirme(client):
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["UsageLigne"]["properties"]
    assert fields["messages_mssante"]["maximum"] == usage_import.MAX_COUNT
    assert fields["messages_mssante"]["minimum"] == 0
    assert fields["confirme"]["type"] == "boolean"


# --- Applying once -------------------------------------------------------------------------------


def test_a_second_apply_says_the_import_is_already_applied(cast, client_for):
    client = client_for(cast.owner)
    record, location = upload(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    client.post(location, {"action": "appliquer"})
    again = client.post(location, {"action": "appliquer"}, follow=True).content.decode()
    assert "Cet import a déjà été appliqué." in again
    assert UsageHistorique.objects.count() == 0
    assert HistoryEntry.objects.filter(action="Import de données d'usage appliqué").count() == 1


def test_an_apply_that_lost_the_race_writes_nothing(cast, client_for):
    """The request read the import « vérifié », another applied it before this one claimed it:
    the claim (a conditional UPDATE) finds it taken."""
    client = client_for(cast.owner)
    record, location = upload(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    client.post(location, {"action": "appliquer"})

    stale = ImportUsage.objects.get(pk=record.pk)
    stale.statut = StatutImport.VERIFIE  # as the losing request read it
    request = _request(cast.owner)
    donnees._apply_import(request, cast.grappe, stale)
    assert [str(m) for m in request._messages] == ["Cet import a déjà été appliqué."]
    assert UsageHistorique.objects.count() == 0
    assert HistoryEntry.objects.filter(action="Import de données d'usage appliqué").count() == 1


def _request(user):
    request = RequestFactory().post("/", {"action": "appliquer"})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_cut_workbook_uploaded_is_a_refused_import_page(cast, client_for):
    client = client_for(cast.owner)
    data = truncated_sheet(xlsx(rows_for(cast.grappe)))
    record, location = upload(client, cast.grappe, data, name="usages.xlsx")
    assert record.statut == StatutImport.REFUSE
    page = client.get(location)
    assert page.status_code == 200
    assert "Classeur Excel illisible (endommagé ou tronqué)" in page.content.decode()
