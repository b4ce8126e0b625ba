"""Journey: the grappe's AMOA consultant runs the project with the chef de projet — updates a
step of the plan, deposits the AMOA's own planning, records a risk — and never sees the grappe's
AMOA call for tenders, to which they may be a candidate (amoa.perms, grappe.perms.is_amoa_only)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amoa.perms import HIDDEN_FROM_CONSULTANT
from core.pdf import render_pdf
from grappe.enums import RoleKind
from grappe.models import HistoryEntry
from projets.enums import StatutEtape, StatutRisque, StatutVersion, TypeReunion
from projets.models import Etape, Livrable, Risque
from tests.amoa.factories import ConsultationFactory
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory
from tests.projets.factories import plan_for
from tests.projets.helpers_comptes_rendus import meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RISQUE = "Indisponibilité des référents métier pendant l'été"


def planning_amoa_pdf(grappe):
    return render_pdf(
        "projets/pdf/demo_livrable.html",
        {"html": "<h1>Planning de l'AMOA</h1><p>Ateliers de cadrage en décembre et janvier.</p>"},
        grappe=grappe,
        title="Planning de l'AMOA",
    )


def test_amoa_consultant_updates_the_plan_deposits_and_records_a_risk_without_the_call(
    page, live_server, login, capture
):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=7)
    grappe = GrappeFactory(name="Grappe du Cambrésis")
    chef = UserFactory(email="cheffe@exemple.fr", first_name="Camille", last_name="Martin")
    RoleFactory(grappe=grappe, user=chef, kind=RoleKind.CHEF_PROJET)
    consultant = UserFactory(email="amoa@exemple.fr", first_name="Lucas", last_name="Petit")
    RoleFactory(grappe=grappe, user=consultant, kind=RoleKind.AMOA)
    plan = plan_for(grappe, start_on=start, user=chef)
    etape = Etape.objects.get(plan=plan, ordre=1)
    livrable = Livrable.objects.get(plan=plan, reference__code="planning_amoa")
    consultation = ConsultationFactory(grappe=grappe, titre="AMOA du Cambrésis")
    meeting(grappe, day=today + datetime.timedelta(days=14), titre="COPIL n° 1 — lancement")
    meeting(
        grappe,
        day=today + datetime.timedelta(days=21),
        titre="Comité de sélection — audition des candidats AMOA",
        kind=TypeReunion.SELECTION,
    )
    content = planning_amoa_pdf(grappe)

    # The consultant lands on the home, their grappe's deliverables in view; the header has no
    # "Consultation AMOA" entry.
    login("amoa@exemple.fr")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("section-amoa")).to_contain_text("Grappe du Cambrésis")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_text("Consultant AMOA — Grappe du Cambrésis")).to_be_visible()
    expect(nav.get_by_role("link", name="Projet")).to_be_visible()
    expect(nav.get_by_role("link", name="Consultation AMOA")).to_have_count(0)
    expect(page.get_by_role("link", name="Consultation AMOA")).to_have_count(0)
    capture("01-accueil-du-consultant")

    # Step 1 of the plan, late for want of an actual start: started a week ago, 40 % done.
    nav.get_by_role("link", name="Projet").click()
    expect(page.get_by_test_id("statut-1")).to_have_text(StatutEtape.EN_RETARD.label)
    page.get_by_test_id("etape-1").get_by_role("link", name=re.compile(r"^Modifier")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier l'étape")
    page.get_by_label("Début réel").fill(start.isoformat())
    page.get_by_label("Avancement (%)").fill("40")
    capture("02-modification-etape-1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Étape 1 — {etape.titre}")
    expect(page.get_by_test_id("statut")).to_have_text(StatutEtape.EN_COURS.label)
    expect(page.get_by_role("progressbar", name="Avancement")).to_have_attribute(
        "aria-valuenow", "40"
    )
    capture("03-etape-1-en-cours")
    etape.refresh_from_db()
    assert (etape.actual_start, etape.progress) == (start, 40)

    # The AMOA's own deliverable: its planning, deposited (no COPIL validation for it).
    page.goto(f"{live_server.url}/projet/grappes/{grappe.pk}/livrables/")
    page.get_by_role("region", name="Livrables de la mission AMOA").get_by_role(
        "link", name="Planning de l'AMOA"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning de l'AMOA")
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Attendu")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "Planning AMOA.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_label("Commentaire de dépôt").fill("Planning des ateliers de cadrage.")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_role("alert").first).to_have_text("La version 1 est déposée.")
    expect(page.get_by_test_id("statut-livrable")).to_have_text("Déposée")
    expect(page.get_by_role("button", name="Soumettre au COPIL")).to_have_count(0)
    capture("04-planning-amoa-depose")
    version = livrable.versions.get()
    assert version.status == StatutVersion.DEPOSEE
    assert version.uploaded_by == consultant

    # A risk in the register, owned by the chef de projet.
    page.goto(f"{live_server.url}/projet/grappes/{grappe.pk}/risques/")
    page.get_by_role("link", name="Ajouter un risque").click()
    page.get_by_label("Risque").fill(RISQUE)
    page.get_by_label("Catégorie").select_option(label="Planning")
    page.get_by_label("Probabilité").select_option(value="3")
    page.get_by_label("Impact").select_option(value="4")
    page.get_by_label("Responsable").select_option(label="Camille Martin")
    page.get_by_label("Mesures de maîtrise").fill("Ateliers planifiés avant le 30 juin.")
    capture("05-saisie-du-risque")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_have_text(
        f"Le risque « {RISQUE} » est ajouté au registre."
    )
    expect(page.get_by_test_id("registre")).to_contain_text(RISQUE)
    capture("06-registre-des-risques")
    risque = Risque.objects.get(plan=plan)
    assert (risque.titre, risque.criticite, risque.owner) == (RISQUE, 12, chef)
    assert risque.statut == StatutRisque.OUVERT
    assert [row.user for row in risque.historique.all()] == [consultant]
    assert list(
        HistoryEntry.objects.filter(grappe=grappe, user=consultant)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "Modification d'une étape du plan",
        "Dépôt d'une version de livrable",
        "Ajout d'un risque",
    ]

    # The selection committee's meeting is not among the grappe's meetings for them…
    page.goto(f"{live_server.url}/projet/grappes/{grappe.pk}/reunions/")
    expect(page.get_by_test_id("reunions-a-venir")).to_contain_text("COPIL n° 1 — lancement")
    expect(page.get_by_text("Comité de sélection — audition")).to_have_count(0)
    capture("07-reunions-sans-comite-de-selection")

    # …and the AMOA call's pages answer 403 with the reason, whatever the address.
    amoa = f"{live_server.url}/amoa/grappes/{grappe.pk}/"
    for path in (
        "consultations/",
        f"consultations/{consultation.pk}/",
        f"consultations/{consultation.pk}/classement/",
        f"consultations/{consultation.pk}/rapport-analyse.pdf",
    ):
        response = page.goto(f"{amoa}{path}")
        assert response.status == 403, path
        expect(page.get_by_text(HIDDEN_FROM_CONSULTANT)).to_be_visible()
        if path == "consultations/":
            capture("08-consultation-amoa-non-visible")
