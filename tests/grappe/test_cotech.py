"""The comité technique (COTECH) among the bodies that meet (seed 001: « la comitologie :
COSTRAT (COFIL), COTECH » ; seed 000: « comptes-rendus des comités de pilotage et comités
techniques qui devront être validés par le COPIL avant diffusion »)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grappe.enums import TypeComite
from projets.enums import TypeReunion
from projets.models import Reunion
from tests.helpers import text
from tests.projets.test_views_reunions import form_data

pytestmark = pytest.mark.django_db


def test_cotech_is_a_kind_of_meeting():
    assert TypeReunion.COTECH.label == "Comité technique (COTECH)"
    # After the comité de suivi, before the comité de sélection and the workshops.
    assert TypeReunion.values.index("cotech") == TypeReunion.values.index("suivi") + 1


def test_chef_de_projet_plans_a_cotech(cast, client_for):
    client = client_for(cast.owner)
    create = reverse("projets:reunion_create", args=[cast.grappe.pk])
    assert "Comité technique (COTECH)" in text(client.get(create))
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = form_data(cast, kind=TypeReunion.COTECH, titre="COTECH n°1", date=day.isoformat())
    response = client.post(create, data)
    assert response.status_code == 302
    reunion = Reunion.objects.get(titre="COTECH n°1")
    assert reunion.kind == TypeReunion.COTECH
    # The grappe's comité technique is the body that meets.
    assert reunion.comite == cast.grappe.comite(TypeComite.COTECH)
    page = text(client.get(reverse("projets:reunion", args=[cast.grappe.pk, reunion.pk])))
    assert "Comité technique (COTECH)" in page


def test_every_grappe_has_a_cotech_whose_page_opens(cast, client_for):
    assert cast.grappe.comite(TypeComite.COTECH) is not None
    url = reverse("grappe:comite", args=[cast.grappe.pk, "cotech"])
    response = client_for(cast.owner).get(url)
    assert response.status_code == 200
    assert "Comité technique (COTECH)" in text(response)
