import io
from datetime import date
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from core import months
from grappe.enums import RoleKind
from indicateurs import perms, usage_import
from indicateurs.enums import SourceUsage
from indicateurs.models import UsageHistorique, UsageMensuel
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms, finess_number
from tests.indicateurs.factories import csv_bytes, usage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        yield


def good_row(esms, mois="2026-03", *counts):
    counts = counts or (100, 80, 75, 95, 90, 92, "")
    return [esms.finess_et, mois, *counts]


def check(data, user=None, filename="usages.csv", grappe=None):
    return usage_import.validate(usage_import.read_rows(data, filename), user, grappe=grappe)


def all_errors(rapport):
    return [m for line in rapport.lignes for m in line.erreurs]


def all_warnings(rapport):
    return [m for line in rapport.lignes for m in line.avertissements]


@pytest.fixture
def esms(cast):
    return [m.esms for m in cast.grappe.memberships.select_related("esms")]


@pytest.mark.parametrize(
    ("sep", "encoding", "bom"),
    [(";", "utf-8", False), (";", "utf-8", True), (",", "utf-8", False), (";", "cp1252", False)],
)
def test_separators_and_encodings(esms, sep, encoding, bom):
    data = csv_bytes([good_row(esms[0]), good_row(esms[1], "2026-04")], sep, encoding, bom)
    rapport = check(data)
    assert rapport.ok, all_errors(rapport)
    assert [line.valeurs["messages_mssante"] for line in rapport.lignes] == [80, 80]


def test_windows_1252_file_with_accents_and_extra_column(esms):
    header = ";".join([*usage_import.HEADER, "commentaire"])
    line = ";".join([*map(str, good_row(esms[0])), "Résidence Les Genêts"])
    data = f"{header}\r\n{line}\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rapport = check(data)
    assert rapport.ok, all_errors(rapport)
    assert rapport.lignes[0].valeurs["personnes_accompagnees"] == 100


def test_xlsx_first_sheet(esms):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(usage_import.HEADER)
    sheet.append([esms[0].finess_et, "2026-03", 100, 80, 75, 95, 90, 92])
    sheet.append([esms[1].finess_et, "2026-03", 100, 80.0, None, 95, 90, 92])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rapport = check(buffer.getvalue(), filename="usages.xlsx")
    assert rapport.ok, all_errors(rapport)
    assert rapport.lignes[1].valeurs["dmp_alimentes"] is None
    assert rapport.lignes[1].valeurs["messages_mssante"] == 80


def test_templates_are_importable_files():
    rows = usage_import.template_rows()
    assert usage_import.read_rows(usage_import.template_csv(rows))[0][1]["mois"] == "2026-01"
    assert usage_import.read_rows(usage_import.template_xlsx(rows))[0][1]["mois"] == "2026-01"


def test_bad_header_names_the_missing_columns_in_french():
    with pytest.raises(usage_import.FichierRefuse) as one:
        usage_import.read_rows(";".join(usage_import.HEADER[:-2]).encode() + b"\n")
    assert "En-tête incorrect : colonne manquante « dossiers_actifs_avec_evenement »." in str(
        one.value
    )
    with pytest.raises(usage_import.FichierRefuse) as two:
        usage_import.read_rows(b"finess_et;mois;personnes_accompagnees\n")
    assert "En-tête incorrect : colonnes manquantes « messages_mssante », « dmp_alimentes »" in (
        str(two.value)
    )


def test_bad_header_refuses_the_file():
    with pytest.raises(usage_import.FichierRefuse, match="messages_mssante"):
        usage_import.read_rows(b"finess_et;mois;personnes_accompagnees\n")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["590000015", "2026-03", 1, 1, 1, 1, 1, 1], "Ligne 2 : FINESS « 590000015 » invalide"),
        (["12345", "2026-03", 1, 1, 1, 1, 1, 1], "9 caractères"),
        (["__known__", "03/2026", 1, 1, 1, 1, 1, 1], "Ligne 2 : mois « 03/2026 » mal formé"),
        (["__known__", "2026-13", 1, 1, 1, 1, 1, 1], "mal formé"),
        (["__known__", "2026-12", 1, 1, 1, 1, 1, 1], "le mois 2026-12 est dans le futur"),
        (["__known__", "2026-03", -1, 1, 1, 1, 1, 1], "« personnes_accompagnees » est négatif"),
        (["__known__", "2026-03", 10, 2.5, 1, 1, 1, 1], "« messages_mssante » n'est pas un nombre"),
        (["__known__", "2026-03", 10, "abc", 1, 1, 1, 1], "n'est pas un nombre entier"),
        (["__known__", "2026-03", 10, 1, 1, 5, 6, 1], "« dossiers_actifs_avec_pp » (6) dépasse"),
        (["__known__", "2026-03", 10, 1, 1, 5, 1, 7], "« dossiers_actifs_avec_evenement » (7)"),
    ],
)
def test_each_blocking_rule(esms, row, message):
    row = [esms[0].finess_et if cell == "__known__" else cell for cell in row]
    rapport = check(csv_bytes([row]))
    assert not rapport.ok
    assert any(message in error for error in all_errors(rapport)), all_errors(rapport)


def test_unknown_finess(esms):
    rapport = check(csv_bytes([good_row(esms[0]), [finess_number("59", 999999), "2026-03"]]))
    assert any("Ligne 3 : FINESS" in e and "inconnu" in e for e in all_errors(rapport))


def test_esms_outside_the_users_grappes(cast, esms):
    outsider = add_esms(cast.other_grappe, 1)[0]
    data = csv_bytes([good_row(esms[0]), good_row(outsider)])
    rapport = check(data, user=cast.owner)
    assert all_errors(rapport) == [
        f"Ligne 3 : l'ESMS {outsider.finess_et} n'était pas, à la fin du mois 2026-03, dans "
        "une grappe que vous alimentez."
    ]
    # A reader of the grappe (COPIL member) feeds nothing.
    assert len(all_errors(check(csv_bytes([good_row(esms[0])]), user=cast.copil))) == 1
    # The command (user None) runs as national admin.
    assert check(data).ok


def test_duplicate_finess_month_in_file(esms):
    rapport = check(csv_bytes([good_row(esms[0]), good_row(esms[1]), good_row(esms[0])]))
    assert any("Ligne 4 : doublon de la ligne 2" in e for e in all_errors(rapport))


def test_warnings_do_not_block(esms):
    usage(esms[0], "2026-02", personnes=100, mssante=10)
    rows = [
        good_row(esms[0], "2026-03", 100, 80, 120, 95, 90, 92),  # dmp > personnes, ×8 mssante
        good_row(esms[1], "2026-03", 100, 10, 10, 150, 90, 92),  # actifs > personnes
    ]
    rapport = check(csv_bytes(rows))
    assert rapport.ok
    warnings = all_warnings(rapport)
    assert any("« dmp_alimentes » (120) dépasse « personnes_accompagnees »" in w for w in warnings)
    assert any("« messages_mssante » passe de 10 à 80" in w for w in warnings)
    assert any("Ligne 3 : « dossiers_actifs » (150) dépasse" in w for w in warnings)


def test_jump_against_previous_month_in_the_same_file(esms):
    rows = [good_row(esms[0], "2026-02", 100, 10, 10, 95, 90, 92), good_row(esms[0], "2026-03")]
    assert any("passe de 10 à 80" in w for w in all_warnings(check(csv_bytes(rows))))


def test_missing_values_stay_missing_not_zero(esms):
    rapport = check(csv_bytes([[esms[0].finess_et, "2026-03", 100, "", "", "", "", ""]]))
    usage_import.apply(rapport, recompute=False)
    row = UsageMensuel.objects.get()
    assert row.personnes_accompagnees == 100
    assert row.messages_mssante is None


def test_apply_refuses_a_report_with_errors(esms):
    rapport = check(csv_bytes([good_row(esms[0]), ["bad", "2026-03"]]))
    with pytest.raises(ValueError):
        usage_import.apply(rapport)
    assert not UsageMensuel.objects.exists()


def test_resending_replaces_and_keeps_history(cast, esms):
    first = check(csv_bytes([good_row(esms[0]), good_row(esms[1])]))
    assert usage_import.apply(first, user=cast.owner, recompute=False) == (2, 0)
    second = check(csv_bytes([good_row(esms[0], "2026-03", 100, 85, 75, 95, 90, 92)]))
    assert usage_import.apply(second, user=cast.owner, source=SourceUsage.API, recompute=False) == (
        0,
        1,
    )
    row = UsageMensuel.objects.get(esms=esms[0])
    assert row.messages_mssante == 85
    assert row.source == SourceUsage.API
    history = UsageHistorique.objects.get()
    assert history.usage == row
    assert history.valeurs["messages_mssante"] == 80
    assert history.source == SourceUsage.FICHIER
    assert history.replaced_by == cast.owner


def test_validation_and_apply_use_a_bounded_number_of_queries(esms, django_assert_max_num_queries):
    extra = add_esms(esms[0].memberships.first().grappe, 30)
    rows = [good_row(e, mois) for e in esms + extra for mois in ("2026-02", "2026-03")]
    data = csv_bytes(rows)
    with django_assert_max_num_queries(6):
        rapport = check(data)
    assert rapport.ok
    with django_assert_max_num_queries(8):
        usage_import.apply(rapport, recompute=False)
    assert UsageMensuel.objects.count() == len(rows)


def test_apply_schedules_the_recomputation_of_touched_months(
    esms, django_capture_on_commit_callbacks
):
    rapport = check(csv_bytes([good_row(esms[0], "2026-02"), good_row(esms[1], "2026-03")]))
    with (
        mock.patch("indicateurs.tasks.compute_indicators.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        usage_import.apply(rapport)
    grappe_id = esms[0].memberships.first().grappe_id
    # The touched months and the two after each (their first measure may include them).
    assert sorted(call.args for call in delay.call_args_list) == [
        (f"2026-{month:02d}", grappe_id) for month in (2, 3, 4, 5)
    ]


def test_recomputation_stops_at_the_current_month(esms, django_capture_on_commit_callbacks):
    # The elapsed month (the current one is not sent before it is over): it and the current one.
    rapport = check(csv_bytes([good_row(esms[0], "2026-10")]))
    with (
        mock.patch("indicateurs.tasks.compute_indicators.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        usage_import.apply(rapport)
    assert [call.args[0] for call in delay.call_args_list] == ["2026-10", "2026-11"]


def test_command_dry_run_writes_nothing_and_apply_is_atomic(esms, tmp_path, capsys):
    good = tmp_path / "bon.csv"
    good.write_bytes(csv_bytes([good_row(esms[0]), good_row(esms[1])]))
    call_command("import_usage", str(good), "--dry-run")
    assert "Simulation : 2 lignes, 0 erreur, 0 avertissement." in capsys.readouterr().out
    assert not UsageMensuel.objects.exists()
    # A bad last line: nothing is written.
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(csv_bytes([good_row(esms[0]), good_row(esms[1]), good_row(esms[2], "2027-01")]))
    with pytest.raises(CommandError, match="Import refusé"):
        call_command("import_usage", str(bad))
    assert "ERREUR Ligne 4 : le mois 2027-01 est dans le futur." in capsys.readouterr().out
    assert not UsageMensuel.objects.exists()
    call_command("import_usage", str(good))
    assert "Import appliqué : 2 données créées, 0 remplacée. 2 lignes, 0 erreur" in (
        capsys.readouterr().out
    )
    assert UsageMensuel.objects.count() == 2
    assert UsageMensuel.objects.first().import_usage.nom_original == "bon.csv"


def test_feeders_are_scoped_to_their_grappes(cast):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory()).user
    second = GrappeFactory()
    (far,) = add_esms(second, 1)
    assert perms.fed_grappe_ids(amoa) == {cast.grappe.pk}
    assert perms.fed_grappe_ids(cast.admin) is None  # all
    holders = usage_import.month_holders([far.pk])[far.pk]
    assert usage_import.holder_of(holders, date(2026, 3, 1)) == second.pk
    assert months.parse_month("2026-3") == date(2026, 3, 1)
