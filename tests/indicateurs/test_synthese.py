"""The monthly summaries of the grappes (SyntheseGrappe, issue 17): written by the computation
with the grappe values, by the region table's own rules (tableaux.resume over Cellule),
rewritten by each recomputation and gone with the month's measured values; filled for the
months already computed by migration 0015."""

from datetime import date
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from indicateurs.models import SyntheseGrappe, UsageMensuel
from indicateurs.services import compute_month
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import in_service, meeting, usage
from tests.indicateurs.factories_tableaux import grappe_values, indicateurs, month

pytestmark = pytest.mark.django_db

M1, M2, M3, M4 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
FIELDS = ("grappe_id", "mois", "nb_indicateurs", "atteintes", "loin", "ecart_loin")
FLAGS = ("avec_donnees", "toutes_atteintes")

migration = import_module("indicateurs.migrations.0015_syntheses_existantes")


def rows():
    return sorted(SyntheseGrappe.objects.values_list(*FIELDS, *FLAGS))


@pytest.fixture
def esms(cast):
    """cast.grappe's 3 ESMS, meeting every target from January (its DUI in service then: M3 is
    its first measure, M4 a plain month)."""
    in_service(cast.grappe, M1)
    members = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3):
        for item in members:
            meeting(item, mois)
    return members


def april(members, dmp=30, pp=85):
    """Every ESMS alike in April: MSSanté 80 % (met), DMP `dmp` %, active files 95 % (met),
    with a personalised project `pp` of 95 files, with an event 95/95 (met)."""
    for item in members:
        usage(item, M4, personnes=100, mssante=80, dmp=dmp, actifs=95, pp=pp, evt=95)


def test_the_computation_writes_the_month_summary(cast, esms):
    april(esms)  # DMP 30 % for 70 %: « loin » by 40 points; 85/95 = 89.5 % for 90: « proche »
    compute_month(M4)
    synthese = SyntheseGrappe.objects.get(grappe=cast.grappe, mois=M4)
    assert (synthese.nb_indicateurs, synthese.atteintes, synthese.loin) == (5, 3, 1)
    assert synthese.ecart_loin == Decimal("40.00")
    assert synthese.avec_donnees and not synthese.toutes_atteintes


def test_recomputing_is_idempotent_and_follows_the_values(cast, esms):
    april(esms)
    compute_month(M4)
    first = rows()
    compute_month(M4)
    compute_month(M4, cast.grappe)
    assert rows() == first and len(first) == 1
    april(esms, dmp=80, pp=95)  # every target met now
    compute_month(M4, cast.grappe)
    synthese = SyntheseGrappe.objects.get(grappe=cast.grappe, mois=M4)
    assert (synthese.atteintes, synthese.loin, synthese.ecart_loin) == (5, 0, Decimal(0))
    assert synthese.toutes_atteintes


def test_no_measured_value_no_summary(cast, esms):
    april(esms)
    compute_month(M4)
    assert SyntheseGrappe.objects.filter(mois=M4).exists()
    UsageMensuel.objects.filter(mois=M4).delete()  # the month's figures withdrawn
    compute_month(M4)
    assert not SyntheseGrappe.objects.filter(mois=M4).exists()


def test_a_grappe_recomputation_leaves_the_others(cast, esms):
    april(esms)
    other = GrappeFactory(region=cast.grappe.region)
    grappe_values(other, [M4], 40)
    before = SyntheseGrappe.objects.get(grappe=other)
    compute_month(M4, cast.grappe)
    assert SyntheseGrappe.objects.get(grappe=other).pk == before.pk
    assert SyntheseGrappe.objects.filter(grappe=cast.grappe, mois=M4).exists()


def test_migration_fills_the_months_already_computed_and_reverses(cast):
    indicateurs()
    months = [month(2026, m) for m in (3, 4, 5)]
    grappe_values(cast.grappe, months, {"mssante": [50, 60, 75], "dmp": 80})
    lointaine = GrappeFactory(name="Grappe lointaine bis")
    add_esms(lointaine, 1)
    grappe_values(lointaine, months[:1], 95)
    expected = rows()
    assert len(expected) == 4
    SyntheseGrappe.objects.all().delete()

    migration.fill(apps, None)
    assert rows() == expected
    migration.fill(apps, None)  # run again (a migration replayed): the same rows
    assert rows() == expected

    migration.empty(apps, None)
    assert not SyntheseGrappe.objects.exists()
