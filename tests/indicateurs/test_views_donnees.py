import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grappe.models import HistoryEntry
from indicateurs import usage_import
from indicateurs.enums import StatutImport, StatutTranche
from indicateurs.models import (
    PERSONNES_ACCOMPAGNEES_AIDE,
    ImportUsage,
    Tranche,
    UsageHistorique,
    UsageMensuel,
    ValeurIndicateur,
)
from tests.grappe.factories import add_esms
from tests.helpers import READ, check, text
from tests.indicateurs.factories import csv_bytes, usage

DEFINITION = "personnes accompagnées pouvant bénéficier d'un projet d'accueil et d'accompagnement"

pytestmark = pytest.mark.django_db

FEED = {**READ, "member": 403, "copil": 403, "ars": 403}
PAY = {**READ, "owner": 403, "member": 403, "copil": 403}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False) as traveller:
        yield traveller


def rows_for(grappe, mois="2026-03", mssante=80):
    return [
        [m.esms.finess_et, mois, 100, mssante, 75, 95, 90, 92]
        for m in grappe.memberships.select_related("esms")
    ]


def upload(client, grappe, data, name="usages.csv"):
    return client.post(
        reverse("indicateurs:usages", args=[grappe.pk]),
        {"fichier": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.fixture
def funded(cast):
    cast.grappe.convention_amount = Decimal("300000")
    cast.grappe.save()
    return cast


def test_usages_page_permissions(cast, client_for):
    url = reverse("indicateurs:usages", args=[cast.grappe.pk])
    for name, user in cast.users().items():
        check(client_for(user).get(url), name, READ[name])


def test_upload_permissions(cast, client_for):
    for name, user in cast.users().items():
        response = upload(client_for(user), cast.grappe, csv_bytes(rows_for(cast.grappe)))
        expected = {200: 302}.get(FEED[name], FEED[name])
        check(response, name, expected)
    assert ImportUsage.objects.count() == 2  # owner and admin
    assert not UsageMensuel.objects.exists()  # dry runs only


def test_upload_report_then_apply(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.owner)
    response = upload(client, cast.grappe, csv_bytes(rows_for(cast.grappe)))
    record = ImportUsage.objects.get()
    assert response["Location"] == reverse(
        "indicateurs:import_detail", args=[cast.grappe.pk, record.pk]
    )
    assert record.statut == StatutImport.VERIFIE
    assert record.envoye_par == cast.owner
    with record.fichier.open("rb") as handle:
        assert handle.read().startswith(b"finess_et;mois")
    page = client.get(response["Location"])
    assert 'data-testid="appliquer"' in text(page)
    assert "Lignes lues" in text(page)
    # A reader of the grappe sees the report but cannot apply it.
    check(client_for(cast.copil).post(response["Location"], {"action": "appliquer"}), "copil", 403)
    client = client_for(cast.owner)
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(response["Location"], {"action": "appliquer"}, follow=True)
    assert "Import appliqué : 3 données créées, 0 remplacée." in text(applied)
    # Times as French typography writes them.
    assert "appliqué le 15/11/2026 à 10\xa0h\xa000" in text(applied)
    record.refresh_from_db()
    assert record.statut == StatutImport.APPLIQUE
    assert record.applique_le is not None
    assert UsageMensuel.objects.filter(import_usage=record).count() == 3
    assert HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Import de données d'usage appliqué"
    ).exists()
    # The recomputation ran (eager Celery without Redis).
    assert ValeurIndicateur.objects.filter(
        mois=date(2026, 3, 1), esms=cast.grappe.memberships.first().esms
    ).exists()
    # Applying twice is refused.
    client.post(response["Location"], {"action": "appliquer"})
    assert UsageHistorique.objects.count() == 0


def test_upload_with_errors_is_refused_and_lists_them(cast, client_for):
    rows = rows_for(cast.grappe)
    rows[-1][1] = "2027-02"
    client = client_for(cast.owner)
    response = upload(client, cast.grappe, csv_bytes(rows))
    record = ImportUsage.objects.get()
    assert record.statut == StatutImport.REFUSE
    page = text(client.get(response["Location"]))
    assert "Ligne 4 : le mois 2027-02 est dans le futur." in page
    assert 'data-testid="appliquer"' not in page
    client.post(response["Location"], {"action": "appliquer"})
    assert not UsageMensuel.objects.exists()


def test_unreadable_file(cast, client_for):
    client = client_for(cast.owner)
    response = upload(client, cast.grappe, b"a;b\n1;2\n")
    assert "En-tête incorrect" in text(client.get(response["Location"]))


def test_esms_of_another_grappe_is_refused_on_this_page(cast, client_for):
    (other,) = add_esms(cast.other_grappe, 1)
    client = client_for(cast.admin)
    response = upload(client, cast.grappe, csv_bytes([[other.finess_et, "2026-03", 1]]))
    assert "n'était pas dans la grappe" in text(client.get(response["Location"]))


def test_import_list_query_count_does_not_grow(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.owner)
    url = reverse("indicateurs:usages", args=[cast.grappe.pk])
    for _ in range(3):
        ImportUsage.objects.create(
            grappe=cast.grappe, nom_original="a.csv", statut="verifie", envoye_par=cast.owner
        )
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for _ in range(15):
        ImportUsage.objects.create(
            grappe=cast.grappe, nom_original="b.csv", statut="verifie", envoye_par=cast.member
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_template_downloads(cast, client_for):
    client = client_for(cast.owner)
    blank = client.get(reverse("indicateurs:modele", args=["csv"]))
    assert blank.content.decode("utf-8-sig").startswith("finess_et;mois;personnes_accompagnees")
    xlsx = client.get(reverse("indicateurs:modele", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("indicateurs:modele", args=["pdf"])).status_code == 404


def prefilled(client, grappe, format="xlsx"):
    return client.get(reverse("indicateurs:modele", args=[format]), {"grappe": grappe.pk})


def test_prefilled_template_holds_the_grappe_esms_and_the_month_to_send(cast, client_for):
    memberships = list(cast.grappe.memberships.select_related("esms").order_by("esms__finess_et"))
    # One ESMS left in September: not the grappe's in October; its name is formula-like.
    gone = memberships[0]
    gone.left_on = date(2026, 9, 20)
    gone.save()
    kept = memberships[1]
    kept.esms.raison_sociale = '=HYPERLINK("http://exemple.invalid")'
    kept.esms.save()
    client = client_for(cast.owner)
    response = prefilled(client, cast.grappe)
    assert response.status_code == 200
    assert (
        'filename="modele-usages-grappe-des-flandres-2026-10.xlsx"'
        in (response["Content-Disposition"])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (*usage_import.HEADER, usage_import.NAME_COLUMN)
    held = sorted(memberships[1:], key=lambda m: (m.esms.raison_sociale, m.esms.finess_et))
    # Nothing sent yet: the elapsed month, one line per ESMS held then, counts to type.
    assert [row[:2] for row in rows[1:]] == [(m.esms.finess_et, "2026-10") for m in held]
    assert all(row[2:9] == (None,) * 7 for row in rows[1:])
    assert kept.esms.name in {row[9] for row in rows[1:]}
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    # Typed and sent back, it is a valid import.
    for index in range(2, sheet.max_row + 1):
        for column in range(3, 9):
            sheet.cell(index, column, 10)
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    rapport = usage_import.validate(
        usage_import.read_rows(buffer.getvalue(), "modele.xlsx"), cast.owner, grappe=cast.grappe
    )
    assert rapport.ok and len(rapport.lignes) == 2

    # The CSV holds the same lines.
    content = prefilled(client, cast.grappe, "csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert lines[0] == [*usage_import.HEADER, usage_import.NAME_COLUMN]
    assert lines[1] == usage_import.HELP_ROW  # the help line, skipped by the import
    assert [line[:9] for line in lines[2:]] == [
        [m.esms.finess_et, "2026-10", *[""] * 7] for m in held
    ]
    assert "'" + kept.esms.raison_sociale in {line[9] for line in lines[2:]}  # formula-safe


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (["2026-07", "2026-08"], "2026-09"),  # the month after the latest sent
        (["2026-10"], "2026-10"),  # up to date: the elapsed month at most
    ],
)
def test_prefilled_template_month(cast, client_for, sent, expected):
    esms = cast.grappe.memberships.first().esms
    for mois in sent:
        usage(esms, mois)
    response = prefilled(client_for(cast.owner), cast.grappe)
    assert f"-{expected}.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {expected}


def test_prefilled_template_is_for_the_grappes_one_sees(cast, client_for):
    check(prefilled(client_for(cast.stranger), cast.grappe), "stranger", 404)
    check(prefilled(client_for(cast.copil), cast.grappe), "copil", 200)
    response = client_for(cast.owner).get(
        reverse("indicateurs:modele", args=["csv"]), {"grappe": "x"}
    )
    assert response.status_code == 404


def test_usages_page_offers_the_prefilled_template(cast, client_for):
    page = text(client_for(cast.owner).get(reverse("indicateurs:usages", args=[cast.grappe.pk])))
    assert "Modèle pré-rempli pour octobre 2026 (3 ESMS de la grappe)" in page
    link = reverse("indicateurs:modele", args=["xlsx"]) + f"?grappe={cast.grappe.pk}"
    assert f'href="{link}"' in page
    # Readers, who send nothing, are not offered it.
    page = text(client_for(cast.copil).get(reverse("indicateurs:usages", args=[cast.grappe.pk])))
    assert "pré-rempli" not in page


def test_templates_say_what_the_persons_accompanied_count(cast, client_for):
    """Seed 000 §2.3: the denominator of the MSSanté and DMP rates, in the human help only; the
    column names stay, and the templates stay importable as they are."""
    assert DEFINITION in PERSONNES_ACCOMPAGNEES_AIDE
    client = client_for(cast.owner)
    for response in (
        client.get(reverse("indicateurs:modele", args=["csv"])),
        prefilled(client, cast.grappe, "csv"),
    ):
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert lines[0][:9] == usage_import.HEADER
        help_row = dict(zip(lines[0], lines[1], strict=False))
        assert help_row["finess_et"].startswith("# ")
        assert DEFINITION in help_row["personnes_accompagnees"]
    for response in (
        client.get(reverse("indicateurs:modele", args=["xlsx"])),
        prefilled(client, cast.grappe),
    ):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]][:9] == usage_import.HEADER
        assert DEFINITION in sheet["C1"].comment.text
        assert sheet["C1"].value == "personnes_accompagnees"
    rows = usage_import.read_rows(client.get(reverse("indicateurs:modele", args=["csv"])).content)
    assert [(number, row["finess_et"]) for number, row in rows] == [(3, "590000014")]


def test_saisie_says_what_the_persons_accompanied_count(cast, client_for):
    url = reverse("indicateurs:saisie", args=[cast.grappe.pk])
    page = text(client_for(cast.owner).get(url))
    assert "Nombre de " + DEFINITION + " (dénominateur des taux, dont MSSanté et DMP)" in page
    assert "Messages MSSanté" in page


def test_saisie_permissions(cast, client_for):
    url = reverse("indicateurs:saisie", args=[cast.grappe.pk])
    for name, user in cast.users().items():
        check(client_for(user).get(url), name, FEED[name])


def test_saisie_creates_then_replaces_with_history(cast, client_for):
    membership = cast.grappe.memberships.first()
    client = client_for(cast.owner)
    url = reverse("indicateurs:saisie", args=[cast.grappe.pk])
    data = {
        "esms": membership.pk,
        "mois": "2026-03",
        "personnes_accompagnees": 40,
        "messages_mssante": 30,
        "dmp_alimentes": "",
        "dossiers_actifs": 38,
        "dossiers_actifs_avec_pp": 30,
        "dossiers_actifs_avec_evenement": 35,
    }
    assert client.post(url, data).status_code == 302
    row = UsageMensuel.objects.get()
    assert (row.messages_mssante, row.dmp_alimentes, row.source) == (30, None, "saisie")
    page = client.get(url, {"esms": membership.esms_id, "mois": "2026-03"})
    assert page.context["form"].initial["messages_mssante"] == 30
    assert client.post(url, {**data, "messages_mssante": 33}).status_code == 302
    row.refresh_from_db()
    assert row.messages_mssante == 33
    assert UsageHistorique.objects.get().valeurs["messages_mssante"] == 30
    # Same validation rules as the import.
    response = client.post(url, {**data, "dossiers_actifs_avec_pp": 50})
    assert response.status_code == 200
    assert "« dossiers_actifs_avec_pp » (50) dépasse « dossiers_actifs » (38)" in text(response)
    response = client.post(url, {**data, "mois": "2030-01"})
    assert "dans le futur" in text(response)


def test_tranches_page_permissions(funded, client_for):
    url = reverse("indicateurs:tranches", args=[funded.grappe.pk])
    for name, user in funded.users().items():
        check(client_for(user).get(url), name, READ[name])
    assert Tranche.objects.filter(grappe=funded.grappe).count() == 2


def test_payment_permissions_and_record(funded, client_for):
    client_for(funded.owner).get(reverse("indicateurs:tranches", args=[funded.grappe.pk]))
    tranche = Tranche.objects.get(grappe=funded.grappe, numero=2)
    Tranche.objects.filter(pk=tranche.pk).update(
        statut=StatutTranche.DUE, mois_declenchement=date(2026, 6, 1)
    )
    url = reverse("indicateurs:paiement", args=[funded.grappe.pk, tranche.pk])
    for name, user in funded.users().items():
        check(client_for(user).get(url), name, PAY[name])
    for name, user in funded.users().items():
        if PAY[name] != 200:
            check(client_for(user).post(url, {}), name, PAY[name])
    client = client_for(funded.ars)
    response = client.post(
        url,
        {"paye_le": "2026-07-10", "montant_paye": "150000.00", "reference_paiement": "ARS-2026-42"},
    )
    assert response.status_code == 302
    tranche.refresh_from_db()
    assert tranche.statut == StatutTranche.PAYEE
    assert tranche.paye_le == date(2026, 7, 10)
    assert tranche.montant_paye == Decimal("150000.00")
    (paiement,) = tranche.paiements.all()
    assert (paiement.par, paiement.reference) == (funded.ars, "ARS-2026-42")
    entry = HistoryEntry.objects.get(action="Paiement de la tranche 2 enregistré")
    assert entry.changes["Référence"] == "ARS-2026-42"
    # Once paid, it cannot be paid again.
    client.post(url, {"paye_le": "2026-07-11", "montant_paye": "1", "reference_paiement": "X"})
    tranche.refresh_from_db()
    assert tranche.paiements.count() == 1 and tranche.montant_paye == Decimal("150000.00")


def test_the_signature_tranche_is_payable_once_the_convention_is_signed(funded, client_for):
    funded.grappe.convention_signed_on = date(2026, 6, 1)
    funded.grappe.save(update_fields=["convention_signed_on"])
    client = client_for(funded.ars)
    page = client.get(reverse("indicateurs:tranches", args=[funded.grappe.pk]))
    tranche = Tranche.objects.get(grappe=funded.grappe, numero=1)
    assert tranche.statut == StatutTranche.DUE
    assert tranche.pk in page.context["payable"]
    url = reverse("indicateurs:paiement", args=[funded.grappe.pk, tranche.pk])
    # The date input shows today's date (ISO), ready to be confirmed.
    assert f'value="{timezone.localdate().isoformat()}"' in text(client.get(url))
    client.post(
        url, {"paye_le": "2026-07-10", "montant_paye": "150000", "reference_paiement": "T1"}
    )
    tranche.refresh_from_db()
    assert tranche.statut == StatutTranche.PAYEE
    assert list(tranche.paiements.values_list("reference", flat=True)) == ["T1"]


def test_an_unsigned_conventions_tranches_are_not_payable(funded, client_for):
    assert funded.grappe.convention_signed_on is None
    client = client_for(funded.ars)
    client.get(reverse("indicateurs:tranches", args=[funded.grappe.pk]))
    tranche = Tranche.objects.get(grappe=funded.grappe, numero=1)
    url = reverse("indicateurs:paiement", args=[funded.grappe.pk, tranche.pk])
    response = client.post(
        url, {"paye_le": "2026-07-10", "montant_paye": "1", "reference_paiement": "X"}, follow=True
    )
    assert "Cette tranche n'est pas à payer." in text(response)
    tranche.refresh_from_db()
    assert tranche.statut == StatutTranche.PREVUE


def test_a_planned_targets_tranche_is_not_payable(funded, client_for):
    client = client_for(funded.ars)
    client.get(reverse("indicateurs:tranches", args=[funded.grappe.pk]))
    tranche = Tranche.objects.get(grappe=funded.grappe, numero=2)
    url = reverse("indicateurs:paiement", args=[funded.grappe.pk, tranche.pk])
    client.post(url, {"paye_le": "2026-07-10", "montant_paye": "1", "reference_paiement": "X"})
    tranche.refresh_from_db()
    assert tranche.statut == StatutTranche.PREVUE


def test_saisie_recent_list_uses_stored_values(cast, client_for):
    esms = cast.grappe.memberships.first().esms
    usage(esms, "2026-02", personnes=12, mssante=7)
    response = client_for(cast.owner).get(reverse("indicateurs:saisie", args=[cast.grappe.pk]))
    assert esms.name in text(response)
