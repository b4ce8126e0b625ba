"""The home of a chef de projet: « Votre projet », what to do now on the grappe they lead."""

import datetime
import html as html_lib
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.sections import porteur
from grappe.enums import RoleKind
from grappe.navigation import user_context
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Indicateur, Tranche, ValeurIndicateur
from projets.enums import StatutCompteRendu, StatutRisque, StatutVersion
from projets.models import Risque
from tests.accueil import helpers
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory
from tests.projets.factories import (
    CompteRenduFactory,
    LivrableVersionFactory,
    RisqueFactory,
    plan_for,
)
from tests.projets.helpers_comptes_rendus import at, meeting

pytestmark = pytest.mark.django_db


def section_html(response, key="porteur"):
    return helpers.section_html(response, key)


TODAY = datetime.date(2026, 3, 3)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-03-03 09:00 +0100", tick=False) as traveller:
        yield traveller


def started_plan(grappe):
    """The plan from 05/01/2026: steps 1 and 2 done, step 3 (ends 08/03, go / no go milestone)
    under way, step 4 (from 09/03) to come — nothing late on 03/03."""
    plan = plan_for(grappe)
    etapes = {etape.ordre: etape for etape in plan.etapes.all()}
    for numero in (1, 2):
        etape = etapes[numero]
        etape.actual_start, etape.actual_end = etape.planned_start, etape.planned_end
        etape.save()
    etapes[3].actual_start = etapes[3].planned_start
    etapes[3].save()
    return plan, etapes


def part(html, testid):
    """The text of the part `testid` of the section (up to the next part), unescaped."""
    return html_lib.unescape(html.split(f'data-testid="{testid}"')[1].split('data-testid="')[0])


def home(client_for, user):
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response


def test_a_grappe_without_plan_says_so_and_links_to_create_it(cast, client_for):
    response = home(client_for, cast.owner)
    keys = [section.key for section in response.context["sections"]]
    assert "porteur" in keys
    assert response.context["sections"][keys.index("porteur")].titre == (
        "Votre projet : Grappe des Flandres"
    )
    html = section_html(response)
    assert "Le plan projet de la grappe n'est pas encore créé" in html
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) in html
    # What does not need the plan still shows, with its empty states.
    assert "Aucune réunion prévue." in html
    assert "Aucun compte rendu à rédiger." in html
    assert "Rien n'attend l'avis du COPIL." in html
    assert "Aucune valeur d'indicateur mesurée pour l'instant." in html


def test_current_step_next_milestone_and_no_late_step(cast, client_for):
    plan, etapes = started_plan(cast.grappe)
    html = section_html(home(client_for, cast.owner))
    en_cours = part(html, "etapes-en-cours")
    assert reverse("projets:etape", args=[cast.grappe.pk, etapes[3].pk]) in en_cours
    assert "En cours" in en_cours
    jalon = plan.jalons.get(etape=etapes[3])
    prochain = part(html, "prochain-jalon")
    assert jalon.titre in prochain and "prévu le 08/03/2026" in prochain
    assert reverse("projets:jalon_decision", args=[cast.grappe.pk, jalon.pk]) in prochain
    assert "Aucune étape en retard." in part(html, "retards")
    assert "Aucun risque ouvert." in part(html, "risques")


def test_a_late_step_is_listed_with_its_link(cast, client_for):
    plan, etapes = started_plan(cast.grappe)
    etapes[2].actual_end = None  # step 2 should have ended on 22/02
    etapes[2].save()
    retards = part(section_html(home(client_for, cast.owner)), "retards")
    assert "Aucune étape en retard." not in retards
    assert str(etapes[2]) in retards
    assert reverse("projets:etape_edit", args=[cast.grappe.pk, etapes[2].pk]) in retards
    assert reverse("projets:etape", args=[cast.grappe.pk, etapes[3].pk]) not in retards


def test_this_week_lists_what_falls_due_in_seven_days(cast, client_for):
    plan, etapes = started_plan(cast.grappe)
    next_week = meeting(cast.grappe, day=datetime.date(2026, 3, 9), titre="COPIL de mars")
    later = meeting(cast.grappe, day=datetime.date(2026, 3, 13), titre="Atelier paramétrage")
    html = section_html(home(client_for, cast.owner))
    semaine = part(html, "cette-semaine")
    assert "COPIL de mars" in semaine
    assert reverse("projets:reunion", args=[cast.grappe.pk, next_week.pk]) in semaine
    assert "Atelier paramétrage" not in semaine  # in 10 days
    assert reverse("projets:reunion", args=[cast.grappe.pk, later.pk]) not in semaine
    # Step 3 ends and its go / no go milestone falls on Sunday 08/03; its deliverables too.
    assert f"Fin prévue de l'étape {etapes[3]}" in semaine
    assert "Jalon : " in semaine and "08/03/2026" in semaine
    livrable = etapes[3].livrables.first()
    assert f"Livrable attendu : {livrable.titre}" in semaine
    # The next meeting is next week's, with its link.
    prochaine = part(html, "prochaine-reunion")
    assert "COPIL de mars" in prochaine and "09/03/2026 à 14:00" in prochaine


def test_minutes_owed_and_documents_awaiting_the_copil(cast, client_for):
    plan, etapes = started_plan(cast.grappe)
    past = meeting(cast.grappe, day=datetime.date(2026, 2, 26), titre="COTECH de février")
    submitted = meeting(cast.grappe, day=datetime.date(2026, 2, 20), titre="COPIL de février")
    cr = CompteRenduFactory(
        reunion=submitted,
        statut=StatutCompteRendu.SOUMIS,
        redige_par=cast.owner,
        submitted_by=cast.owner,
        submitted_at=at(datetime.date(2026, 2, 27), 10),
        first_submitted_at=at(datetime.date(2026, 2, 27), 10),
    )
    livrable = etapes[3].livrables.filter(validation_copil=True).first()
    LivrableVersionFactory(
        livrable=livrable,
        status=StatutVersion.SOUMISE,
        uploaded_by=cast.owner,
        submitted_by=cast.owner,
        submitted_at=at(datetime.date(2026, 3, 2), 9),
    )
    html = section_html(home(client_for, cast.owner))
    dus = part(html, "comptes-rendus-dus")
    # 8 working days after Thursday 26/02: Tuesday 10/03.
    assert "COTECH de février" in dus and "au plus tard le 10/03/2026" in dus
    assert reverse("projets:compte_rendu_create", args=[cast.grappe.pk, past.pk]) in dus
    assert "COPIL de février" not in dus  # transmitted
    copil = part(html, "attente-copil")
    assert reverse("projets:compte_rendu", args=[cast.grappe.pk, submitted.pk, cr.pk]) in copil
    assert "soumis le 27/02/2026" in copil
    url = reverse("projets:livrable", args=[cast.grappe.pk, livrable.pk])
    assert f"{url}#version-1" in copil and "avis attendu au plus tard le 08/03/2026" in copil
    semaine = part(html, "cette-semaine")
    assert "Compte rendu à transmettre : COTECH de février" in semaine
    assert f"Avis du COPIL attendu : {livrable.titre}" in semaine


def test_indicators_tranches_and_top_risks(cast, client_for):
    plan, _ = started_plan(cast.grappe)
    mssante = Indicateur.objects.get(code="mssante")
    for mois, numerateur in ((datetime.date(2026, 1, 1), 40), (datetime.date(2026, 2, 1), 55)):
        ValeurIndicateur.objects.create(
            indicateur=mssante,
            mois=mois,
            niveau=Niveau.GRAPPE,
            grappe=cast.grappe,
            numerateur=numerateur,
            denominateur=100,
            valeur=Decimal(numerateur),
            cible=Decimal("70"),
            atteinte=False,
        )
    Tranche.objects.create(
        grappe=cast.grappe,
        numero=1,
        pourcentage=Decimal("50"),
        montant=Decimal("150000"),
        statut=StatutTranche.PAYEE,
        paye_le=datetime.date(2026, 2, 10),
    )
    Tranche.objects.create(grappe=cast.grappe, numero=2, pourcentage=Decimal("50"))
    for titre, probabilite, impact, statut in [
        ("Départ du référent DUI", 2, 2, StatutRisque.OUVERT),
        ("Retard de l'éditeur", 4, 4, StatutRisque.OUVERT),
        ("Désaccord entre OG", 3, 3, StatutRisque.EN_TRAITEMENT),
        ("Budget dépassé", 4, 3, StatutRisque.OUVERT),
        ("Risque clos très critique", 4, 4, StatutRisque.CLOS),
    ]:
        RisqueFactory(plan=plan, titre=titre, probabilite=probabilite, impact=impact, statut=statut)
    html = section_html(home(client_for, cast.owner))
    indicateurs = part(html, "indicateurs")
    assert "Février 2026" in indicateurs
    assert "55,0 %" in indicateurs and "cible 70 %" in indicateurs
    assert "40,0 %" not in indicateurs  # not the latest month
    assert reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk]) in indicateurs
    tranches = part(html, "tranches")
    assert "Tranche 1" in tranches and "Payée" in tranches and "10/02/2026" in tranches
    assert "Tranche 2" in tranches and "Prévue" in tranches
    assert reverse("indicateurs:tranches", args=[cast.grappe.pk]) in tranches
    risques = part(html, "risques")
    shown = ("Retard de l'éditeur", "Budget dépassé", "Désaccord entre OG")
    positions = [risques.index(titre) for titre in shown]
    assert positions == sorted(positions)
    assert "Départ du référent DUI" not in risques
    assert "Risque clos très critique" not in risques
    top = Risque.objects.get(titre="Retard de l'éditeur")
    assert reverse("projets:risque_edit", args=[cast.grappe.pk, top.pk]) in risques


@pytest.mark.parametrize("who", ["member", "copil", "ars", "admin", "stranger"])
def test_no_porteur_section_for_other_people_and_no_query(cast, client_for, who):
    started_plan(cast.grappe)
    user = getattr(cast, who)
    ties = user_context(user)
    with CaptureQueriesContext(connection) as queries:
        result = porteur.section(user, ties, TODAY)
    if who == "stranger":  # chef de projet of the other grappe: their own project only
        assert result.titre == f"Votre projet : {cast.other_grappe.name}"
        return
    assert result is None
    assert len(queries) == 0
    response = home(client_for, user)
    assert "porteur" not in [section.key for section in response.context["sections"]]


def populate(grappe):
    """The same state on each grappe: a started plan, meetings, a risk, minutes owed."""
    plan, _ = started_plan(grappe)
    meeting(grappe, day=datetime.date(2026, 3, 9), titre="COPIL de mars")
    meeting(grappe, day=datetime.date(2026, 2, 26), titre="COTECH de février")
    RisqueFactory(plan=plan, titre="Retard", impact=3)
    Tranche.objects.create(grappe=grappe, numero=1, pourcentage=Decimal("50"))


def test_a_fixed_number_of_queries_whatever_the_number_of_grappes(db, client_for):
    def chef_of(count):
        user = UserFactory()
        for _ in range(count):
            grappe = GrappeFactory()
            RoleFactory(grappe=grappe, user=user, kind=RoleKind.CHEF_PROJET)
            populate(grappe)
        return user

    one, three = chef_of(1), chef_of(3)
    # The section alone: 12 queries (grappes, steps, milestones ahead, versions and minutes
    # submitted, meetings to come, meetings owing minutes and their versions, deliverables due
    # this week, the indicators' latest months, tranches, risks — no indicator value measured
    # here, so no query for the values).
    for user in (one, three):
        ties = user_context(user)
        with CaptureQueriesContext(connection) as queries:
            result = porteur.section(user, ties, TODAY)
        assert len(result.context["projets"]) == (1 if user is one else 3)
        assert len(queries) == 12, [q["sql"] for q in queries.captured_queries]
    counts = []
    for user in (one, three):
        client = client_for(user)  # the log-in's queries out of the count
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert [s.key for s in response.context["sections"]] == ["porteur"]
        counts.append(len(queries))
    assert counts[0] == counts[1]
