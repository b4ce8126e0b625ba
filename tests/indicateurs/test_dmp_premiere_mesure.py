"""The DMP rate's first measure counts distinct persons over its three months (seed 000 §2.3):
the period's count when sent, else the sum of the months as an upper bound that never meets a
target (issue 18, item 5). Figures computed by hand below."""

from datetime import date

import pytest
import time_machine

from indicateurs import usage_import
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Tranche, UsageMensuel, ValeurIndicateur
from indicateurs.services import compute_month, grappe_indicateurs
from indicateurs.taux import Taux
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import csv_bytes, in_service, usage

pytestmark = pytest.mark.django_db

M1, M2, M3 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-04-10 10:00 +0200", tick=False):
        yield


@pytest.fixture
def grappe():
    grappe = GrappeFactory(convention_amount=200_000, convention_signed_on=date(2025, 12, 1))
    add_esms(grappe, 2)
    in_service(grappe, M1)
    return grappe


def feed(grappe, periode=(None, None)):
    """Each ESMS: 100 persons, every target met each month; the same 50 persons' DMP fed every
    month (50 a month, 150 summed over the 3 months, 50 distinct)."""
    first, second = [m.esms for m in grappe.memberships.order_by("pk")]
    for esms, distinct in zip((first, second), periode, strict=True):
        for mois in (M1, M2, M3):
            usage(
                esms,
                mois,
                personnes=100,
                mssante=80,
                dmp=50,
                actifs=95,
                pp=95,
                evt=95,
                dmp_periode=distinct if mois == M3 else None,
            )
    return first, second


def dmp(niveau, **scope):
    return ValeurIndicateur.objects.get(indicateur__code="dmp", mois=M3, niveau=niveau, **scope)


def test_the_period_count_is_the_first_measure(grappe):
    first, _ = feed(grappe, periode=(75, 80))
    compute_month(M3)
    value = dmp(Niveau.GRAPPE, grappe=grappe)
    # (75 + 80) distinct persons over 200: 77.5 %, met; not an upper bound.
    assert (value.numerateur, value.denominateur, value.majorant) == (155, 200, False)
    assert value.atteinte is True
    assert Tranche.objects.get(grappe=grappe, numero=2).statut == StatutTranche.DUE


def test_without_it_the_sum_is_an_upper_bound_and_no_tranche_falls_due(grappe):
    first, _ = feed(grappe, periode=(75, None))
    compute_month(M3)
    # The second ESMS sent no period count: 50 × 3 = 150 summed, an upper bound.
    esms_value = dmp(Niveau.ESMS, esms=first)
    assert (esms_value.numerateur, esms_value.majorant) == (75, False)
    value = dmp(Niveau.GRAPPE, grappe=grappe)
    assert (value.numerateur, value.denominateur, value.majorant) == (225, 200, True)
    assert value.atteinte is None  # 112.5 % summed: above 70 %, yet not met
    assert Tranche.objects.get(grappe=grappe, numero=2).statut == StatutTranche.PREVUE
    taux = Taux.de(value, value.indicateur)
    assert taux.texte() == "≤ 112,5 %"
    api = {item["code"]: item for item in grappe_indicateurs(grappe, M3)["indicateurs"]}
    assert (api["dmp"]["majorant"], api["dmp"]["atteinte"]) == (True, None)
    assert api["mssante"]["majorant"] is False
    region = dmp(Niveau.REGION, region=grappe.region)
    assert region.majorant is True

    # The real figure arrives: the measure is assessed, the tranche falls due.
    UsageMensuel.objects.filter(esms__in=[m.esms for m in grappe.memberships.all()]).filter(
        mois=M3, dmp_alimentes_periode__isnull=True
    ).update(dmp_alimentes_periode=60)
    compute_month(M3)
    value = dmp(Niveau.GRAPPE, grappe=grappe)
    assert (value.numerateur, value.majorant, value.atteinte) == (135, False, False)  # 67.5 %


def test_months_after_the_first_measure_ignore_the_period_count(grappe):
    first, second = feed(grappe, periode=(75, 80))
    for esms in (first, second):
        usage(esms, "2026-04", personnes=100, mssante=80, dmp=72, actifs=95, pp=95, evt=95)
    compute_month(date(2026, 4, 1))
    value = ValeurIndicateur.objects.get(
        indicateur__code="dmp", mois=date(2026, 4, 1), niveau=Niveau.GRAPPE
    )
    assert (value.numerateur, value.majorant, value.premiere_mesure) == (144, False, False)


def test_the_import_checks_the_period_count_and_keeps_it(grappe):
    first, _ = feed(grappe, periode=(75, 80))
    header = ["finess_et", "mois", *usage_import.MONTHLY_FIELDS, "dmp_alimentes_periode"]
    data = (";".join(header) + "\n" + f"{first.finess_et};2026-03;100;80;50;95;95;95;40\n").encode()
    rapport = usage_import.validate(usage_import.read_rows(data))
    assert rapport.lignes[0].erreurs == [
        "Ligne 2 : « dmp_alimentes_periode » (40) est inférieur à « dmp_alimentes » (50) : les "
        "personnes du mois font partie de celles des trois mois."
    ]
    # A later file without the column replaces the month's counts, not its period count.
    rapport = usage_import.validate(
        usage_import.read_rows(csv_bytes([[first.finess_et, "2026-03", 100, 80, 55, 95, 95, 95]]))
    )
    assert rapport.ok, [line.erreurs for line in rapport.lignes]
    usage_import.apply(rapport, recompute=False)
    row = UsageMensuel.objects.get(esms=first, mois=M3)
    assert (row.dmp_alimentes, row.dmp_alimentes_periode) == (55, 75)


def test_a_kept_period_count_is_checked_against_the_new_months_count(grappe):
    first, _ = feed(grappe, periode=(75, 80))
    rows = [[first.finess_et, "2026-03", 100, 80, 90, 95, 95, 95]]  # 90 fed this month > 75
    rapport = usage_import.validate(usage_import.read_rows(csv_bytes(rows)))
    assert rapport.lignes[0].erreurs == [
        "Ligne 2 : « dmp_alimentes » (90) dépasse le nombre de personnes des trois mois déjà "
        "enregistré pour ce mois (« dmp_alimentes_periode » : 75) : envoyez aussi ce nombre, "
        "corrigé."
    ]
