"""The demo (seed_demo) shows every dashboard with data: the grappe's, its region's, the national
view, and the monthly PDF. Since issue 16 the main grappe has no usage data (its DUI is chosen,
not deployed): the grappe's dashboard is the Amiénois's, whose targets were just met."""

import pytest
from django.urls import reverse

from demo.stages import LATER
from grappe.demo import PEOPLE
from grappe.models import Grappe
from users.models import User

pytestmark = pytest.mark.django_db


def test_demo_dashboards(client):
    name = next(spec.name for stage, spec, _ in LATER if stage == "cibles_atteintes")
    grappe = Grappe.objects.get(name=name)

    client.force_login(User.objects.get(email=_email("admin")))
    response = client.get(reverse("indicateurs:tableau_grappe", args=[grappe.pk]))
    assert response.status_code == 200
    context = response.context
    assert context["has_data"]
    assert len(context["courbes"]) == 5
    assert len(context["esms_rows"]) == 15
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
    # The region holds several grappes with data: its filters and colours show something.
    assert sum(1 for row in rows.values() if row["dernier_mois"] is not None) >= 4
    assert response.context["courbes"]

    client.force_login(User.objects.get(email=_email("admin")))
    response = client.get(reverse("indicateurs:tableau_national"))
    row = next(r for r in response.context["rows"] if r["region"].pk == grappe.region_id)
    assert row["dernier_mois"] is not None and row["nb_grappes"] >= 1


def _email(key):
    return PEOPLE[key][0]
