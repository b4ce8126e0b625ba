"""The home of an OG's direction: the grappes asking for its ESMS, to decide."""

import pytest
from django.urls import reverse

from grappe.enums import FonctionOg
from grappe.models import JoinRequest, OgPerson
from tests.grappe.factories import EsmsFactory, UserFactory

pytestmark = pytest.mark.django_db


def direction_of(og):
    user = UserFactory(first_name="Odile", last_name="Direction")
    OgPerson.objects.create(og=og, user=user, fonction=FonctionOg.DIRECTION)
    return user


def test_a_direction_sees_the_requests_to_decide(cast, client_for):
    esms = EsmsFactory(raison_sociale="EHPAD LES GLYCINES")
    director = direction_of(esms.og)
    JoinRequest.objects.create(grappe=cast.grappe, esms=esms, requested_by=cast.owner)
    response = client_for(director).get(reverse("home"))
    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == ["adhesions"]
    content = response.content.decode()
    section = content.split('data-testid="section-adhesions"')[1]
    assert cast.grappe.name in section and "EHPAD LES GLYCINES" in section
    assert reverse("grappe:adhesions") in section


def test_no_request_no_section(cast, client_for):
    director = direction_of(EsmsFactory().og)
    response = client_for(director).get(reverse("home"))
    assert response.context["sections"] == []
    assert 'data-testid="bienvenue"' in response.content.decode()


def test_a_stranger_is_welcomed_with_how_to_start(db, client_for):
    response = client_for(UserFactory()).get(reverse("home"))
    assert response.status_code == 200
    assert "Vous n'êtes encore rattaché à aucune grappe." in response.content.decode()
