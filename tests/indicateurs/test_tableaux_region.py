"""The ARS region dashboard (table of the region's grappes, filters, sorting, paging, trend,
project step, PDF), the national view and the "Tableau de bord ARS" entry point."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import month_range
from grappe.models import Region
from indicateurs.enums import StatutTranche
from indicateurs.tableaux import region_alertes, region_context
from projets.models import Etape
from tests.grappe.factories import GrappeFactory, add_esms, ars_agent
from tests.helpers import check, text
from tests.indicateurs.factories_tableaux import (
    grappe_values,
    indicateurs,
    month,
    region_values,
    tranches,
)
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db

REGION = {
    "owner": 403,
    "member": 403,
    "copil": 403,
    "ars": 200,
    "ars_other": 403,
    "stranger": 403,
    "admin": 200,
    "anonymous": "login",
}
NATIONAL = {**REGION, "ars": 403}
MONTHS = [month(2026, m) for m in (3, 4, 5)]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


def region_url(code="32", query="", name="tableau_region"):
    return reverse(f"indicateurs:{name}", args=[code]) + query


@pytest.fixture
def region_data(cast):
    """Hauts-de-France (32): the cast's grappe meets every target in May; "Grappe de l'Artois"
    misses MSSanté; "Grappe du Hainaut" has no data yet. The cast's grappe has a plan."""
    indicateurs()
    grappe_values(
        cast.grappe,
        MONTHS,
        {"mssante": [50, 60, 75], "dmp": 80, "dui_actifs": 95, "dui_pp": 95, "dui_evenement": 95},
    )
    artois = GrappeFactory(name="Grappe de l'Artois")
    add_esms(artois, 5)
    grappe_values(
        artois,
        MONTHS[:2],
        {"mssante": 30, "dmp": 80, "dui_actifs": 95, "dui_pp": 95, "dui_evenement": 95},
    )
    hainaut = GrappeFactory(name="Grappe du Hainaut")
    tranches(cast.grappe, StatutTranche.PAYEE, StatutTranche.DUE)
    tranches(artois, StatutTranche.PAYEE, StatutTranche.PREVUE)
    plan_for(cast.grappe, start_on=datetime.date(2026, 1, 5))
    return {"flandres": cast.grappe, "artois": artois, "hainaut": hainaut}


@pytest.mark.parametrize("view", ["tableau_region", "tableau_region_pdf"])
def test_region_permissions(cast, client_for, region_data, view):
    for name, user in cast.users().items():
        check(client_for(user).get(region_url(name=view)), f"{view} {name}", REGION[name])


def test_national_permissions(cast, client_for, region_data):
    for name, user in cast.users().items():
        response = client_for(user).get(reverse("indicateurs:tableau_national"))
        check(response, name, NATIONAL[name])


def test_unknown_region_404(cast, client_for):
    assert client_for(cast.admin).get(region_url("99")).status_code == 404


def test_ars_entry_point(cast, client_for):
    response = client_for(cast.ars).get(reverse("indicateurs:tableau_ars"))
    assert response.status_code == 302
    assert response["Location"] == region_url("32")
    response = client_for(cast.admin).get(reverse("indicateurs:tableau_ars"))
    assert response["Location"] == reverse("indicateurs:tableau_national")
    assert client_for(cast.owner).get(reverse("indicateurs:tableau_ars")).status_code == 403


def test_region_table(cast, client_for, region_data):
    response = client_for(cast.ars).get(region_url())
    assert response.status_code == 200
    page = text(response)
    rows = {row["grappe"].name: row for row in response.context["rows"]}
    assert list(rows) == ["Grappe de l'Artois", "Grappe des Flandres", "Grappe du Hainaut"]
    flandres, artois, hainaut = (
        rows["Grappe des Flandres"],
        rows["Grappe de l'Artois"],
        rows["Grappe du Hainaut"],
    )
    # Each grappe at its latest month with data (Artois stopped in April).
    assert flandres["dernier_mois"] == month(2026, 5)
    assert artois["dernier_mois"] == month(2026, 4)
    assert hainaut["dernier_mois"] is None
    assert flandres["atteintes"] == 5 and flandres["toutes_atteintes"]
    assert artois["atteintes"] == 4
    assert artois["cellules"][0].statut["code"] == "loin"
    assert flandres["grappe"].nb_esms == 3 and artois["grappe"].nb_esms == 5
    # The project step from projets: the plan started in January, steps are late in June.
    late = Etape.objects.late(datetime.date(2026, 6, 15)).filter(plan__grappe=cast.grappe).count()
    assert late > 0
    assert flandres["grappe"].retards == late
    assert flandres["grappe"].etape_titre
    assert "Pas de plan projet" in page
    # Tranches, drill-down link, legend.
    assert "T2 : Due" in page
    drill = reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk])
    assert f'href="{drill}?mois=2026-05"' in page
    assert 'data-testid="legende"' in page
    statuses = {row["statut"]: row for row in response.context["tranches_par_statut"]}
    assert statuses["payee"]["nombre"] == 2 and statuses["due"]["nombre"] == 1
    # A grappe of another region is not listed.
    assert cast.other_grappe.name not in page


def test_region_trend_from_region_rows_or_grappe_sums(cast, client_for, region_data):
    response = client_for(cast.ars).get(region_url())
    # No region-level rows: the trend sums the grappes' numerators and denominators.
    courbes = response.context["courbes"]
    assert len(courbes) == 5
    assert courbes[0]["table"] == [
        ("mars 2026", "40,0 %"),
        ("avril 2026", "45,0 %"),
        ("mai 2026", "75,0 %"),
    ]
    assert '<g class="cible">' in str(courbes[0]["svg"])
    region_values(Region.objects.get(code="32"), MONTHS, 66)
    response = client_for(cast.ars).get(region_url())
    assert response.context["courbes"][0]["table"][0] == ("mars 2026", "66,0 %")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?cibles=atteintes", ["Grappe des Flandres"]),
        ("?cibles=non_atteintes", ["Grappe de l'Artois"]),
        ("?cibles=sans_donnees", ["Grappe du Hainaut"]),
        ("?tranche=due", ["Grappe des Flandres"]),
        ("?tranche=prevue", ["Grappe de l'Artois"]),
        ("?q=hain", ["Grappe du Hainaut"]),
        ("?q=grappe&cibles=non_atteintes&tranche=payee", ["Grappe de l'Artois"]),
        ("?cibles=inconnu", ["Grappe de l'Artois", "Grappe des Flandres", "Grappe du Hainaut"]),
        # In April, the Flandres did not meet MSSanté (60 %).
        ("?mois=2026-04&cibles=atteintes", []),
    ],
)
def test_region_filters(cast, client_for, region_data, query, expected):
    response = client_for(cast.ars).get(region_url(query=query))
    assert [row["grappe"].name for row in response.context["rows"]] == expected
    if not expected:
        assert 'data-testid="aucune-grappe"' in response.content.decode()


@pytest.mark.parametrize(
    "tri, expected",
    [
        ("esms", ["Grappe du Hainaut", "Grappe des Flandres", "Grappe de l'Artois"]),
        ("-esms", ["Grappe de l'Artois", "Grappe des Flandres", "Grappe du Hainaut"]),
        ("-atteintes", ["Grappe des Flandres", "Grappe de l'Artois", "Grappe du Hainaut"]),
        ("-mois", ["Grappe des Flandres", "Grappe de l'Artois", "Grappe du Hainaut"]),
        ("-retards", ["Grappe des Flandres", "Grappe de l'Artois", "Grappe du Hainaut"]),
        ("-nom", ["Grappe du Hainaut", "Grappe des Flandres", "Grappe de l'Artois"]),
        ("nimporte", ["Grappe de l'Artois", "Grappe des Flandres", "Grappe du Hainaut"]),
    ],
)
def test_region_sort(cast, client_for, region_data, tri, expected):
    response = client_for(cast.ars).get(region_url(query=f"?tri={tri}"))
    assert [row["grappe"].name for row in response.context["rows"]] == expected


def test_sort_links_keep_filters_and_toggle(cast, client_for, region_data):
    response = client_for(cast.ars).get(region_url(query="?tri=esms&cibles=atteintes&page=1"))
    page = response.content.decode()
    # Clicking the current sort reverses it; filters stay, the page number goes.
    assert "?tri=-esms&amp;cibles=atteintes" in page
    assert "?tri=nom&amp;cibles=atteintes" in page


def test_region_pagination(cast, client_for, region_data):
    for index in range(30):
        GrappeFactory(name=f"Grappe supplémentaire {index:02d}")
    response = client_for(cast.ars).get(region_url(query="?q=supplémentaire"))
    assert len(response.context["rows"]) == 25
    assert response.context["nb_resultats"] == 30
    page = response.content.decode()
    assert "Page 1 sur 2" in page
    assert "?q=suppl%C3%A9mentaire&amp;page=2" in page
    response = client_for(cast.ars).get(region_url(query="?q=supplémentaire&page=2"))
    assert [row["grappe"].name for row in response.context["rows"]][0] == (
        "Grappe supplémentaire 25"
    )


def _many_grappes(count):
    for index in range(count):
        grappe = GrappeFactory(name=f"Grappe {index:03d}")
        add_esms(grappe, 2)
        grappe_values(grappe, MONTHS, 80)
        tranches(grappe)
        plan_for(grappe)


@pytest.mark.parametrize("count", [2, 20])
def test_region_query_count_independent_of_grappes(
    cast, client_for, django_assert_max_num_queries, count
):
    indicateurs()
    _many_grappes(count)
    client = client_for(cast.ars)
    # Session, user, region, permission, indicators, months (region rows, then grappe rows as
    # there are no region rows here), the page's grappes (their summaries as subqueries, their
    # number by a window), their values, their tranches, the tranches by status, region trend
    # (+ its fallback), other regions of the agent, navigation, the finances column's grappes
    # (finances.tableaux; no sum of invoices here: no call): the same for 2 and 20 grappes.
    with django_assert_max_num_queries(17):
        response = client.get(region_url())
    assert len(response.context["rows"]) == count + 1
    with django_assert_max_num_queries(16):
        response = client.get(region_url(name="tableau_region_pdf"))
    assert response.content.startswith(b"%PDF")


def test_region_without_grappes(client_for):
    user = ars_agent("84")
    Region.objects.get(code="84").grappes.all().delete()
    response = client_for(user).get(region_url("84"))
    assert 'data-testid="tableau-vide"' in response.content.decode()


def test_national_view(cast, client_for, region_data):
    response = client_for(cast.admin).get(reverse("indicateurs:tableau_national"))
    page = text(response)
    rows = {row["region"].code: row for row in response.context["rows"]}
    hdf = rows["32"]
    assert hdf["nb_grappes"] == 3
    assert hdf["nb_esms"] == 8
    assert hdf["dernier_mois"] == month(2026, 5)
    # The region's latest month: only the Flandres reported in May.
    assert hdf["cellules"][0]["texte"] == "75,0 %"
    assert hdf["cellules"][0]["grappes_atteintes"] == 1
    # Prévue, due, à revoir, partiellement payée, payée (StatutTranche's order).
    assert [t["nombre"] for t in hdf["tranches"]] == [1, 1, 0, 0, 2]
    assert rows["84"]["nb_grappes"] == 1 and rows["84"]["dernier_mois"] is None
    assert f'href="{region_url("32")}"' in page


def test_national_query_count(cast, client_for, django_assert_max_num_queries):
    indicateurs()
    _many_grappes(5)
    client = client_for(cast.admin)
    # 13: no region rows here, so the grappe rows' fallback (latest months, sums) is read too.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("indicateurs:tableau_national"))
    assert response.status_code == 200


def test_region_table_fits_and_its_charts_labels_do_not_overlap(cast, client_for):
    """Issue 21: at 1 280 px the table was cut off (« ∅ non calculable » on one line in each
    indicator column) and the months under the trend charts overlapped."""
    indicateurs()
    months = month_range(month(2026, 5), 24)
    grappe_values(cast.grappe, months, {"mssante": 75, "dmp": None, "dui_actifs": 95, "dui_pp": 95})
    response = client_for(cast.ars).get(region_url())
    page = response.content.decode()
    table = page.split('data-testid="grappes-region"')[0].rsplit("<div", 1)[1]
    assert 'class="table-responsive"' in table
    assert 'class="table table-sm align-middle small"' in page
    cells = {c.indicateur.code: c for c in response.context["rows"][0]["cellules"]}
    row = page.split(f'data-grappe="{cast.grappe.pk}"')[1].split("</tr>")[0]
    # A figure stays on one line; « non calculable » may wrap.
    assert [cells[code].texte for code in ("mssante", "dmp", "dui_evenement")] == [
        "75,0 %",
        "non calculable",
        "non calculable",
    ]
    assert row.count("white-space:nowrap") == 3
    # The ESMS count, secondary, is left out of narrow screens (not of the PDF).
    assert '<th scope="col" class="num text-end d-none d-xl-table-cell">ESMS</th>' in page
    # 24 months under a 380 px chart: one label every 5 months, back from the latest.
    svg = str(response.context["courbes"][0]["svg"])
    labels = svg.split('<g class="axe-mois">')[1].split("</g>")[0]
    assert [label.split(">")[-1] for label in labels.split("</text>")[:-1]] == [
        "sept. 24",
        "févr. 25",
        "juil. 25",
        "déc. 25",
        "mai 26",
    ]


def test_region_queries_are_the_same_for_3_and_30_grappes(cast):
    """Issue 17: filters, sort and paging run in SQL on the monthly summaries, so neither the
    page nor the home's alerts read more when the region grows."""

    indicateurs()
    region = cast.grappe.region
    today = datetime.date(2026, 6, 15)
    requests = [
        {},
        {"cibles": "non_atteintes", "tri": "-retards"},
        {"tranche": StatutTranche.PAYEE, "tri": "atteintes", "q": "Grappe"},
        {"cibles": "sans_donnees", "tri": "esms"},
        {"tri": "-mois", "page": "99"},
    ]

    def counts():
        result = []
        for params in requests:
            with CaptureQueriesContext(connection) as queries:
                region_context(region, params, today)
            result.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            region_alertes(region, today, {cast.grappe.pk: 1}, limit=10)
        return [*result, len(queries)]

    _many_grappes(2)
    three = counts()
    for index in range(27):
        grappe = GrappeFactory(name=f"Grappe bis {index:03d}")
        add_esms(grappe, 1)
        grappe_values(grappe, MONTHS, 40 if index % 2 else 95)
        tranches(grappe, StatutTranche.PAYEE, StatutTranche.DUE)
        plan_for(grappe, start_on=datetime.date(2026, 1, 5))
    assert counts() == three
    context = region_context(region, {"tri": "-mois", "page": "99"}, today)
    assert (context["page"].number, context["page"].paginator.num_pages) == (2, 2)
    assert len(context["rows"]) == 5 and context["nb_resultats"] == context["nb_grappes"] == 30
    assert region_context(region, {"page": "x"}, today)["page"].number == 1


def test_sorts_and_filters_read_the_summaries(cast):
    """The rows the summaries select and order are those the values give: far from the targets
    (40 % everywhere) sorts after the grappes meeting them (95 %), and only they are « non
    atteintes »."""
    indicateurs()
    for index, rate in enumerate([95, 40, 95, 40]):
        grappe = GrappeFactory(name=f"Grappe {'ABCD'[index]}")
        add_esms(grappe, 1)
        grappe_values(grappe, MONTHS, rate)
    today = datetime.date(2026, 6, 15)
    region = cast.grappe.region
    context = region_context(region, {"tri": "-atteintes"}, today)
    names = [row["grappe"].name for row in context["rows"]]
    assert names[:2] == ["Grappe A", "Grappe C"]
    assert set(names[2:4]) == {"Grappe B", "Grappe D"}
    missing = region_context(region, {"cibles": "non_atteintes"}, today)
    assert [row["grappe"].name for row in missing["rows"]] == ["Grappe B", "Grappe D"]
    assert all(not row["toutes_atteintes"] and row["avec_donnees"] for row in missing["rows"])
    met = region_context(region, {"cibles": "atteintes"}, today)
    assert [row["grappe"].name for row in met["rows"]] == ["Grappe A", "Grappe C"]
    alertes = region_alertes(region, today, limit=1)
    # Every target far (5 « loin ») on B and D: B first by name, D counted.
    assert [row["grappe"].name for row in alertes["rows"]] == ["Grappe B"]
    assert alertes["nb_risques"] == 2
