"""What later apps show on a milestone of the plan comes through projets.extensions
(register_milestone_extra), by the step's number in the plan type: projets never imports them.
amoa registers the éditeur the comité de sélection chose on step 11's (test_views_plan_dui)."""

import pytest
from django.urls import reverse

from amoa.jalons import choix_editeur
from amoa.models import Choix
from projets import extensions
from tests.amoa.factories import editeur_consultation, make_offre_editeur
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def test_amoa_registers_its_choice_on_step_11():
    assert extensions.milestone_extra_providers[11] == [choix_editeur]


def test_the_extras_of_a_step_are_its_providers_answers(cast, monkeypatch):
    def provider(user, grappe):
        # A provider answers None for whoever may not read it.
        return {"template": "x.html", "context": {}} if user == cast.owner else None

    monkeypatch.setattr(extensions, "milestone_extra_providers", {})
    extensions.register_milestone_extra(3, provider)
    extensions.register_milestone_extra(3, provider)  # registered once
    assert extensions.milestone_extras(3, cast.owner, cast.grappe) == [
        {"template": "x.html", "context": {}}
    ]
    assert extensions.milestone_extras(3, cast.copil, cast.grappe) == []
    assert extensions.milestone_extras(4, cast.owner, cast.grappe) == []


def test_a_registered_extra_shows_on_its_milestone_only(cast, plan, client_for, monkeypatch):
    dui = editeur_consultation(cast.grappe)
    Choix.objects.create(
        consultation=dui, offre=make_offre_editeur(dui, "Médi-Logis"), decision="Choix."
    )
    jalon, other = plan.jalons.filter(go_no_go=True).exclude(etape__reference__numero=11)[:2]
    monkeypatch.setattr(extensions, "milestone_extra_providers", {})
    extensions.register_milestone_extra(jalon.etape.reference.numero, choix_editeur)
    client = client_for(cast.owner)

    def shown(url_name, *args):
        page = client.get(reverse(f"projets:{url_name}", args=[cast.grappe.pk, *args]))
        return page.content.decode().count('data-testid="choix-dui"')

    assert shown("jalon_decision", jalon.pk) == 1
    assert shown("jalon_decision", other.pk) == 0
    assert shown("plan") == 1
