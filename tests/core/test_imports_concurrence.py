"""Issue 22: simultaneous clicks on « Appliquer » apply an import once (core.imports), whatever
the import — usage file, invoices, cadre de réponse, FINESS file. Real concurrency needs real row
locks: PostgreSQL, threads, each with its own connection."""

import threading
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from amoa.models import ImportReponse, LignePrix
from finances.models import Facture, ImportFactures
from grappe.models import HistoryEntry
from indicateurs.enums import StatutImport
from indicateurs.models import ImportUsage, UsageHistorique, UsageMensuel
from tests.amoa.factories import PRIX_TYPE, editeur_consultation, filled_cadre, make_offre_editeur
from tests.finances.factories import engagement, money_grappe
from tests.finances.test_import import workbook
from tests.indicateurs.factories import csv_bytes

CLICKS = 4


def simultaneously(user, url, data=None, page=None):
    """POST url from CLICKS clients at once (each its own session and connection); then the
    message each got, read on `page` (default: url) once they are all done — the test client's
    capture of a rendered context is not per thread."""
    clients = []
    for _ in range(CLICKS):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(CLICKS)

    def click(client):
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data or {}).status_code)
        finally:
            connection.close()

    statuses = []
    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * CLICKS
    return [[str(m) for m in client.get(page or url).context["messages"]] for client in clients]


def requires_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Verrous de ligne entre connexions simultanées : vérifié sur PostgreSQL.")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_applies_of_a_usage_file_apply_it_once(cast):
    requires_postgresql()
    with time_machine.travel("2026-11-15 10:00 +0100", tick=False):
        rows = [
            [m.esms.finess_et, "2026-03", 100, 80, 75, 95, 90, 92]
            for m in cast.grappe.memberships.select_related("esms")
        ]
        client = Client()
        client.force_login(cast.owner)
        client.post(
            reverse("indicateurs:usages", args=[cast.grappe.pk]),
            {"fichier": _upload("usages.csv", csv_bytes(rows))},
        )
        record = ImportUsage.objects.get()
        assert record.statut == StatutImport.VERIFIE
        url = reverse("indicateurs:import_detail", args=[cast.grappe.pk, record.pk])
        with mock.patch("indicateurs.tasks.compute_indicators.delay") as recompute:
            outcomes = simultaneously(cast.owner, url, {"action": "appliquer"})
    said = sorted(messages[0] for messages in outcomes)
    assert said[-1].startswith("Import appliqué : 3 données créées")
    assert said[:-1] == ["Cet import a déjà été appliqué."] * (CLICKS - 1)
    assert UsageMensuel.objects.count() == 3
    assert UsageHistorique.objects.count() == 0
    assert HistoryEntry.objects.filter(action="Import de données d'usage appliqué").count() == 1
    # One recomputation: the month written and the two after it (first measure), once.
    assert sorted(call.args[0] for call in recompute.call_args_list) == [
        "2026-03",
        "2026-04",
        "2026-05",
    ]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_applies_of_an_invoices_file_apply_it_once(cast):
    requires_postgresql()

    contrat = engagement(money_grappe(cast.grappe))
    client = Client()
    client.force_login(cast.owner)
    client.post(
        reverse("finances:import_factures", args=[cast.grappe.pk]),
        {"fichier": workbook([contrat.pk, "F-1", "01/04/2026", 100, 20, None, None])},
    )
    record = ImportFactures.objects.get()
    url = reverse("finances:import_factures_detail", args=[cast.grappe.pk, record.pk])
    outcomes = simultaneously(cast.owner, url, {"action": "appliquer"})
    said = sorted(messages[0] for messages in outcomes)
    assert said[:-1] == ["Cet import a déjà été appliqué."] * (CLICKS - 1)
    assert said[-1].startswith("Import appliqué : 1 facture créée")
    assert Facture.objects.count() == 1
    assert HistoryEntry.objects.filter(action="Import de factures appliqué").count() == 1


def _upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_applies_of_a_cadre_de_reponse_apply_it_once(cast):
    requires_postgresql()
    dui = editeur_consultation(cast.grappe, created_by=cast.owner)
    offre = make_offre_editeur(dui, "Éditeur Alpha")
    client = Client()
    client.force_login(cast.owner)
    client.post(
        reverse("amoa:cadre_import", args=[cast.grappe.pk, dui.pk, offre.pk]),
        {"file": _upload("cadre.xlsx", filled_cadre(dui, prices=PRIX_TYPE))},
    )
    record = ImportReponse.objects.get()
    url = reverse("amoa:cadre_import_apply", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk])
    page = reverse("amoa:cadre_import_detail", args=[cast.grappe.pk, dui.pk, offre.pk, record.pk])
    said = sorted(messages[0] for messages in simultaneously(cast.owner, url, page=page))
    assert said[:-1] == ["Cet import a déjà été appliqué."] * (CLICKS - 1)
    assert said[-1] == "Le cadre de réponse de Éditeur Alpha est importé."
    assert LignePrix.objects.filter(offre=offre).count() == len(PRIX_TYPE)
    assert HistoryEntry.objects.filter(action="Cadre de réponse importé").count() == 1
