"""Importing invoices from a workbook: dry run with a per-line report, then one atomic write."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from finances.models import Facture, ImportFactures, StatutImportFactures
from grappe.models import HistoryEntry
from tests.finances.factories import engagement, facture, money_grappe
from tests.grappe.factories import GrappeFactory

pytestmark = pytest.mark.django_db

D = Decimal
HEADER = ["engagement", "numero", "date", "montant_ht", "taux_tva", "echeance", "payee_le"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def grappe(cast):
    return money_grappe(cast.grappe)


@pytest.fixture
def contrat(grappe):
    return engagement(grappe)


def workbook(*rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("factures.xlsx", buffer.getvalue(), content_type=XLSX)


def upload(client, grappe, file):
    return client.post(reverse("finances:import_factures", args=[grappe.pk]), {"fichier": file})


def apply_url(record):
    return reverse("finances:import_factures_detail", args=[record.grappe_id, record.pk])


def test_a_good_file_creates_the_invoices_only_when_applied(cast, grappe, contrat, client_for):
    client = client_for(cast.owner)
    response = upload(
        client,
        grappe,
        workbook(
            [contrat.pk, "F-1", "01/04/2026", "1 000,50", 20, None, None],
            [contrat.pk, "F-2", datetime.datetime(2026, 5, 2), 99.99, 5.5, "31/05/2026", None],
            [contrat.pk, "F-3", "03/05/2026", 0, 20, None, "04/05/2026"],  # an avoir-like 0 €
        ),
    )
    record = ImportFactures.objects.get()
    assert response.status_code == 302
    assert response["Location"] == apply_url(record)
    assert record.statut == StatutImportFactures.VERIFIE
    assert record.lignes == 3 and record.lignes_en_erreur == 0
    assert record.fichier.name.endswith(".xlsx")  # the file is kept
    assert record.created_by == cast.owner
    assert not Facture.objects.exists()  # the dry run writes nothing

    page = client.get(apply_url(record)).content.decode()
    assert "OK" in page and "Appliquer" in page
    assert "01/04/2026" in page  # dates shown the French way

    response = client.post(apply_url(record), {"action": "appliquer"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.statut == StatutImportFactures.APPLIQUE
    assert record.applied_at is not None and record.factures_creees == 3
    first, second, third = Facture.objects.order_by("numero")
    assert (first.engagement, first.date, first.montant_ht, first.montant_ttc) == (
        contrat,
        datetime.date(2026, 4, 1),
        D("1000.50"),
        D("1200.60"),
    )
    assert (second.montant_ht, second.taux_tva, second.echeance) == (
        D("99.99"),
        D("5.50"),
        datetime.date(2026, 5, 31),
    )
    assert (third.montant_ttc, third.payee_le) == (D("0.00"), datetime.date(2026, 5, 4))
    assert not first.fichier  # the PDF is attached later, on the invoice's page
    assert first.created_by == cast.owner
    entry = HistoryEntry.objects.get(grappe=grappe, action="Import de factures appliqué")
    assert entry.changes["Factures créées"] == 3

    # An invoice without its file: the engagement's page says so, the file URL is a 404.
    detail = client.get(contrat.get_absolute_url()).content.decode()
    assert "à joindre" in detail
    fichier = reverse("finances:facture_fichier", args=[grappe.pk, contrat.pk, first.pk])
    assert client.get(fichier).status_code == 404


def test_one_bad_line_writes_nothing_and_each_line_is_reported(cast, grappe, contrat, client_for):
    facture(contrat, "F-DEJA", "10.00")
    other_grappe_engagement = engagement(GrappeFactory())
    client = client_for(cast.owner)
    upload(
        client,
        grappe,
        workbook(
            [contrat.pk, "F-1", "01/04/2026", 100, 20, None, None],  # line 2: good
            [contrat.pk, "F-2", "32/13/2026", 100, 20, None, None],  # line 3: bad date
            [9999, "F-3", "01/04/2026", 100, 20, None, None],  # 4: unknown engagement
            [contrat.pk, "F-1", "02/04/2026", 100, 20, None, None],  # 5: duplicate in file
            [contrat.pk, "F-DEJA", "02/04/2026", 100, 20, None, None],  # 6: already recorded
            [other_grappe_engagement.pk, "F-4", "01/04/2026", 100, 20, None, None],  # 7
            [contrat.pk, "F-5", "01/04/2026", "10,123", 20, None, None],  # 8: below the cent
            [contrat.pk, "F-6", "01/04/2026", 100, 120, None, None],  # 9: VAT over 100 %
            [contrat.pk, "F-7", "10/04/2026", 100, 20, None, "01/04/2026"],  # 10: paid before
        ),
    )
    record = ImportFactures.objects.get()
    assert record.statut == StatutImportFactures.REFUSE
    assert record.fichier  # kept, refused or not
    errors = {ligne["ligne"]: " ".join(ligne["erreurs"]) for ligne in record.rapport["lignes"]}
    assert errors[2] == ""
    assert "« 32/13/2026 » n'est pas une date valide (JJ/MM/AAAA)" in errors[3]
    assert "Engagement n° 9999 inconnu" in errors[4]
    assert "figure déjà ligne 2 du fichier" in errors[5]
    assert "La facture n° F-DEJA est déjà enregistrée sur cet engagement." in errors[6]
    assert f"Engagement n° {other_grappe_engagement.pk} inconnu" in errors[7]
    assert "Montant HT" in errors[8] and "2 chiffres après la virgule" in errors[8]
    assert "Taux de TVA" in errors[9] and "100" in errors[9]
    assert "Le paiement ne peut précéder la facture." in errors[10]
    assert record.lignes == 9 and record.lignes_en_erreur == 8
    assert list(Facture.objects.values_list("numero", flat=True)) == ["F-DEJA"]

    page = client.get(apply_url(record)).content.decode()
    assert "n&#x27;est pas une date valide" in page
    assert 'name="action" value="appliquer"' not in page
    # Forcing the apply does nothing either.
    client.post(apply_url(record), {"action": "appliquer"})
    assert Facture.objects.count() == 1
    record.refresh_from_db()
    assert record.statut == StatutImportFactures.REFUSE


def test_a_missing_column_refuses_the_whole_file(cast, grappe, contrat, client_for):
    upload(
        client_for(cast.owner),
        grappe,
        workbook([contrat.pk, "F-1"], header=["engagement", "numero"]),
    )
    record = ImportFactures.objects.get()
    assert record.statut == StatutImportFactures.REFUSE
    assert "colonnes manquantes" in record.rapport["fichier"]
    assert "« date »" in record.rapport["fichier"]


def test_a_file_that_is_not_xlsx_is_refused(cast, grappe, client_for):
    response = upload(
        client_for(cast.owner),
        grappe,
        SimpleUploadedFile("factures.xlsx", b"numero;date\nF-1;01/04/2026\n"),
    )
    assert response.status_code == 200
    assert "Envoyez un classeur Excel (.xlsx)" in response.content.decode()
    assert not ImportFactures.objects.exists()


def test_applying_twice_is_refused(cast, grappe, contrat, client_for):
    client = client_for(cast.owner)
    upload(client, grappe, workbook([contrat.pk, "F-1", "01/04/2026", 100, 20, None, None]))
    record = ImportFactures.objects.get()
    client.post(apply_url(record), {"action": "appliquer"})
    response = client.post(apply_url(record), {"action": "appliquer"}, follow=True)
    assert "Cet import a déjà été appliqué." in response.content.decode()
    assert Facture.objects.count() == 1
    assert HistoryEntry.objects.filter(action="Import de factures appliqué").count() == 1


def test_apply_checks_again_and_refuses_what_changed(cast, grappe, contrat, client_for):
    client = client_for(cast.owner)
    upload(client, grappe, workbook([contrat.pk, "F-1", "01/04/2026", 100, 20, None, None]))
    record = ImportFactures.objects.get()
    facture(contrat, "F-1", "100.00")  # typed on the invoice page in the meantime
    client.post(apply_url(record), {"action": "appliquer"})
    record.refresh_from_db()
    assert record.statut == StatutImportFactures.REFUSE
    assert Facture.objects.count() == 1


def test_the_template_has_the_header_an_example_and_the_engagements(
    cast, grappe, contrat, client_for
):
    response = client_for(cast.owner).get(
        reverse("finances:import_factures_modele", args=[grappe.pk])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Factures"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == contrat.pk
    listing = list(book["Engagements"].iter_rows(values_only=True))
    assert listing[1][:3] == (contrat.pk, contrat.fournisseur, contrat.objet)


def test_the_template_file_imports_as_is(cast, grappe, contrat, client_for):
    client = client_for(cast.owner)
    content = client.get(reverse("finances:import_factures_modele", args=[grappe.pk])).content
    upload(client, grappe, SimpleUploadedFile("modele.xlsx", content, content_type=XLSX))
    assert ImportFactures.objects.get().statut == StatutImportFactures.VERIFIE


def test_only_the_writers_import(cast, grappe, contrat, client_for):
    url = reverse("finances:import_factures", args=[grappe.pk])
    assert client_for(cast.owner).get(url).status_code == 200
    assert client_for(cast.copil).get(url).status_code == 403
    assert client_for(cast.ars).get(url).status_code == 403
    assert client_for(cast.stranger).get(url).status_code == 404
    response = client_for(cast.copil).post(
        url, {"fichier": workbook([contrat.pk, "F-1", "01/04/2026", 100, 20, None, None])}
    )
    assert response.status_code == 403
    assert not ImportFactures.objects.exists()


def test_another_grappes_import_is_not_found(cast, grappe, contrat, client_for):
    client = client_for(cast.owner)
    upload(client, grappe, workbook([contrat.pk, "F-1", "01/04/2026", 100, 20, None, None]))
    record = ImportFactures.objects.get()
    other = GrappeFactory()
    record.grappe = other
    record.save(update_fields=["grappe"])
    url = reverse("finances:import_factures_detail", args=[grappe.pk, record.pk])
    assert client.get(url).status_code == 404


def test_the_finances_page_links_to_the_import_for_writers_only(cast, grappe, client_for):
    url = reverse("finances:grappe", args=[grappe.pk])
    assert 'data-testid="import-factures"' in client_for(cast.owner).get(url).content.decode()
    assert 'data-testid="import-factures"' not in client_for(cast.copil).get(url).content.decode()
