"""Step 11's milestone (choix de la solution) shows the éditeur chosen in the amoa app, so the
COPIL records its go / no go on it."""

import pytest
from django.urls import reverse

from amoa.models import Choix
from grappe.enums import RoleKind
from tests.amoa.factories import editeur_consultation, make_offre_editeur
from tests.grappe.factories import RoleFactory, UserFactory
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def jalon_choix(plan):
    return plan.jalons.get(etape__reference__numero=11)


def test_the_choice_milestone_shows_the_chosen_editeur(cast, plan, client_for):
    jalon = jalon_choix(plan)
    assert jalon.go_no_go
    client = client_for(cast.owner)
    decision_url = reverse("projets:jalon_decision", args=[cast.grappe.pk, jalon.pk])
    assert 'data-testid="choix-dui"' not in client.get(decision_url).content.decode()

    dui = editeur_consultation(cast.grappe)
    offre = make_offre_editeur(dui, "Médi-Logis")
    Choix.objects.create(consultation=dui, offre=offre, decision="Couverture complète.")
    page = client.get(decision_url).content.decode()
    assert 'data-testid="choix-dui"' in page
    assert "Médi-Logis" in page and "Couverture complète." in page
    assert reverse("amoa:rapport_choix", args=[cast.grappe.pk, dui.pk]) in page

    plan_page = client.get(reverse("projets:plan", args=[cast.grappe.pk])).content.decode()
    assert plan_page.count('data-testid="choix-dui"') == 1
    assert "Solution retenue par le comité de sélection" in plan_page

    # Another milestone does not show it.
    other = plan.jalons.exclude(pk=jalon.pk).filter(go_no_go=True).first()
    page = client.get(reverse("projets:jalon_decision", args=[cast.grappe.pk, other.pk]))
    assert 'data-testid="choix-dui"' not in page.content.decode()


def test_an_amoa_consultant_does_not_see_the_choice_on_the_plan(cast, plan, client_for):
    dui = editeur_consultation(cast.grappe)
    Choix.objects.create(
        consultation=dui, offre=make_offre_editeur(dui, "Médi-Logis"), decision="Choix."
    )
    consultant = RoleFactory(
        grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory(email="amoa@exemple.fr")
    ).user
    page = client_for(consultant).get(reverse("projets:plan", args=[cast.grappe.pk]))
    assert page.status_code == 200
    assert 'data-testid="choix-dui"' not in page.content.decode()
    assert 'data-testid="choix-dui"' in (
        client_for(cast.copil).get(reverse("projets:plan", args=[cast.grappe.pk])).content.decode()
    )
