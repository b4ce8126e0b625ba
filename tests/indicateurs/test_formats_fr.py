"""French number formatting in what leaves the product: e-mails, PDFs and exports read « 85,2 % »
and « 341 500,00 € », never « 85.17 % » or « 341500.00 € »; spreadsheet cells stay numbers."""

import csv
import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from indicateurs.enums import StatutTranche
from indicateurs.services import notify_tranche_due
from tests.indicateurs.factories_tableaux import TrancheFactory
from tests.indicateurs.test_tableaux_grappe import data, frozen_now  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# A number written the English way: « 341500.00 », « 85.17 ».
ENGLISH_DECIMAL = re.compile(r"\d\.\d")


def test_the_tranche_e_mail_writes_its_share_and_amount_the_french_way(cast):
    tranche = TrancheFactory(
        grappe=cast.grappe,
        numero=2,
        pourcentage=Decimal("40.50"),
        montant=Decimal("341500.00"),
        statut=StatutTranche.DUE,
        mois_declenchement=datetime.date(2026, 5, 1),
        declenchement={"indicateurs": []},
    )
    assert notify_tranche_due(tranche.pk) == 1
    (message,) = mail.outbox
    assert f"la tranche 2 de la subvention (40,5{NBSP}%, 341{NBSP}500,00{NBSP}€) est due" in (
        message.body
    )
    assert not ENGLISH_DECIMAL.search(re.sub(r"https?://\S+", "", message.body))


def test_the_tranche_e_mail_stays_french_without_an_active_language():
    """A worker may render the message with no language active: the figures do not turn
    English (« 341500.00 € »)."""
    tranche = SimpleNamespace(
        numero=2,
        pourcentage=Decimal("50.00"),
        montant=Decimal("341500.00"),
        mois_declenchement=datetime.date(2026, 5, 1),
        declenchement={},
    )
    context = {
        "tranche": tranche,
        "grappe": SimpleNamespace(name="Grappe des Flandres"),
        "recipient": SimpleNamespace(get_short_name="Camille"),
        "url": "https://grappe.exemple.fr/",
    }
    with translation.override(None):
        body = render_to_string("emails/tranche_due.txt", context)
    assert f"(50{NBSP}%, 341{NBSP}500,00{NBSP}€)" in body
    assert "&" not in body  # plain text: nothing HTML-escaped


@pytest.mark.parametrize(
    "template", ["emails/rappel_etape_fin.txt", "emails/rappel_etape_retard.txt"]
)
def test_step_reminders_write_the_progress_with_a_no_break_space(template):
    etape = SimpleNamespace(
        ordre=4,
        titre="Étude de l'existant",
        planned_start=datetime.date(2026, 5, 1),
        planned_end=datetime.date(2026, 6, 30),
        progress=40,
    )
    item = {
        "grappe": SimpleNamespace(name="Grappe des Flandres"),
        "etape": etape,
        "days": 3,
        "reason": "fin prévue dépassée",
        "link": "https://grappe.exemple.fr/",
    }
    body = render_to_string(
        template,
        {
            "items": [item],
            "plan_links": [],
            "today": datetime.date(2026, 7, 2),
            "recipient": SimpleNamespace(get_full_name="Camille Martin", email="c@exemple.fr"),
        },
    )
    assert f"avancement 40{NBSP}%" in body


def test_csv_export_writes_decimals_with_a_comma(cast, client_for, data):  # noqa: F811
    response = client_for(cast.owner).get(
        reverse("indicateurs:tableau_grappe_csv", args=[cast.grappe.pk])
    )
    content = response.content.decode("utf-8").lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert header[6:10] == ["Numérateur", "Dénominateur", "Valeur (%)", "Cible (%)"]
    for row in rows:
        for cell in row[6:10]:
            assert not ENGLISH_DECIMAL.search(cell), row
    assert {row[9] for row in rows} <= {"70,00", "90,00", "70", "90"}


def test_xlsx_export_keeps_numbers_with_a_number_format(cast, client_for, data):  # noqa: F811
    response = client_for(cast.owner).get(
        reverse("indicateurs:tableau_grappe_xlsx", args=[cast.grappe.pk])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Valeurs"]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    for row in rows:
        numerateur, denominateur, valeur, cible = row[6:10]
        for cell in (numerateur, denominateur, valeur, cible):
            assert cell.value is None or isinstance(cell.value, int | float), cell.value
        assert (numerateur.number_format, denominateur.number_format) == ("#,##0", "#,##0")
        assert valeur.number_format == "0.0#"
        assert cible.number_format == "General"
