"""A usage file checked in the background: the import page shows the progress (htmx poll, under
the Content-Security-Policy) and reloads itself with the report once the check is over."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grappe.enums import RoleKind
from indicateurs import simulation, tasks
from indicateurs.models import ImportUsage
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms
from tests.indicateurs.factories import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_page_follows_a_background_check(page, live_server, login, capture, monkeypatch):
    grappe = GrappeFactory(name="Grappe du Ternois")
    esms = add_esms(grappe, 2)
    RoleFactory(
        grappe=grappe, user=UserFactory(email="porteur@exemple.fr"), kind=RoleKind.CHEF_PROJET
    )
    # Every file goes to the task, which a worker would run later: .delay only records it.
    queued = []
    monkeypatch.setattr(simulation, "INLINE_MAX_BYTES", 0)
    monkeypatch.setattr(tasks.verify_usage_import, "delay", queued.append)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    login("porteur@exemple.fr")
    page.goto(f"{live_server.url}/indicateurs/grappes/{grappe.pk}/usages/")
    page.get_by_label("Fichier des données d'usage").set_input_files(
        files=[
            {
                "name": "usages-mars.csv",
                "mimeType": "text/csv",
                "buffer": csv_bytes(
                    [[e.finess_et, "2026-03", 100, 80, 80, 95, 95, 95] for e in esms]
                ),
            }
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("statut-import")).to_have_text("En cours de vérification")
    expect(page.get_by_test_id("progression")).to_contain_text("attend son tour")

    # The worker starts: the poll shows its progress without reloading the page.
    (import_id,) = queued
    ImportUsage.objects.filter(pk=import_id).update(
        verification_debut=timezone.now(), lignes=2, lignes_verifiees=1
    )
    expect(page.get_by_test_id("avancement")).to_have_text("1 ligne vérifiée sur 2")
    capture("01-verification-en-cours")

    assert tasks.verify_usage_import(import_id) == "verifie"
    expect(page.get_by_test_id("statut-import")).to_have_text("Vérifié (simulation)")
    expect(page.get_by_test_id("appliquer")).to_be_visible()
    capture("02-rapport")
    assert not errors  # no CSP violation, no failed request
