"""The demo (seed_demo) shows every dashboard with data: the grappe's, its region's, the national
view, and the monthly PDF."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from grappe.demo import GRAPPE_NAME
from grappe.models import Grappe
from users.models import User

pytestmark = pytest.mark.django_db


def test_demo_dashboards(client):
    call_command("seed_demo", verbosity=0)
    grappe = Grappe.objects.get(name=GRAPPE_NAME)

    client.force_login(User.objects.get(email="cheffe.projet@demo.grappe.fr"))
    response = client.get(reverse("indicateurs:tableau_grappe", args=[grappe.pk]))
    assert response.status_code == 200
    context = response.context
    assert context["has_data"]
    assert len(context["courbes"]) == 5
    assert len(context["esms_rows"]) == 16
    # The lagging ESMS of the demo is the furthest from the targets.
    assert context["esms_rows"][0]["atteintes"] <= context["esms_rows"][-1]["atteintes"]
    assert {t.numero for t in context["tranches"]} == {1, 2}
    codes = {
        cell.statut["code"]
        for heatmap_row in context["esms_rows"]
        for cell in heatmap_row["cellules"]
    }
    assert "atteinte" in codes and codes - {"atteinte"}
    pdf = client.get(reverse("indicateurs:tableau_grappe_pdf", args=[grappe.pk]))
    assert pdf.content.startswith(b"%PDF")

    client.force_login(User.objects.get(email=_email("ars")))
    response = client.get(reverse("indicateurs:tableau_ars"), follow=True)
    assert response.status_code == 200
    rows = {row["grappe"].pk: row for row in response.context["rows"]}
    assert rows[grappe.pk]["dernier_mois"] is not None
    assert response.context["courbes"]

    client.force_login(User.objects.get(email=_email("admin")))
    response = client.get(reverse("indicateurs:tableau_national"))
    row = next(r for r in response.context["rows"] if r["region"].pk == grappe.region_id)
    assert row["dernier_mois"] is not None and row["nb_grappes"] >= 1


def _email(key):
    from grappe.demo import PEOPLE

    return PEOPLE[key][0]
