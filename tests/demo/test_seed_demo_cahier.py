"""The demo consultation's cahier des charges: built from the demo grappe with the seed's
defaults, and the demo gives all the data it needs: the PDF is generated."""

import html

import pytest
from django.urls import reverse

from amoa import cahier as builder
from amoa.demo import TITRE
from amoa.models import Consultation
from grappe.demo import GRAPPE_NAME
from users.models import User

pytestmark = pytest.mark.django_db


def test_demo_consultation_has_a_full_cahier_des_charges(client):
    consultation = Consultation.objects.get(grappe__name=GRAPPE_NAME, titre=TITRE)
    client.force_login(User.objects.get(email="cheffe.projet@demo.grappe.fr"))
    args = [consultation.grappe_id, consultation.pk]

    response = client.get(reverse("amoa:cahier_apercu", args=args))
    assert response.status_code == 200
    # The demo gives every piece of data the cahier des charges needs.
    assert [item.message for item in response.context["missing"]] == []
    page = html.unescape(response.content.decode())
    # The registry fills the context: 3 OG, 16 ESMS, a multi-OG grappe.
    assert "grappe multi-OG : elle réunit 3 organismes gestionnaires coopérateurs et 16" in page
    esms_table = page.split('data-testid="cdc-esms"')[1].split("</table>")[0]
    assert esms_table.count("<tr><td>") == 16
    # Every seed item is kept by default.
    marche = page.split('data-testid="cdc-mission-marche"')[1].split("</section>")[0]
    for item in builder.PERIMETRE_MARCHE.items:
        assert item.label in marche
    assert builder.PHRASE_DELAI in page

    assert client.get(reverse("amoa:cahier", args=args)).status_code == 200
    pdf = client.get(reverse("amoa:cahier_pdf", args=args))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
