"""Indicators that do not apply to an ESMS's category (issue 18, item 7): the 2025 instruction
lifted the MSSanté and DMP targets for AHI establishments outside the SONS. Such an ESMS is
« non applicable » for them, out of the grappe's sums and of its coverage for them."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from grappe.models import Categorie
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Indicateur, Tranche, ValeurIndicateur
from indicateurs.services import compute_month, couvertures
from tests.grappe.factories import GrappeFactory, add_esms
from tests.indicateurs.factories import in_service, meeting, usage

pytestmark = pytest.mark.django_db

M1, M2, M3 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-04-10 10:00 +0200", tick=False):
        yield


def chrs():
    return Categorie.objects.get(code="214")


def test_the_reference_data_lifts_mssante_and_dmp_for_ahi_categories():
    for code in ("mssante", "dmp"):
        indicateur = Indicateur.objects.get(code=code)
        assert chrs() in indicateur.categories_exclues.all()
        assert "à confirmer" in indicateur.exclusion_source
    assert not Indicateur.objects.get(code="dui_actifs").categories_exclues.exists()


def grappe_with_a_chrs():
    grappe = GrappeFactory(convention_amount=100_000, convention_signed_on=date(2025, 12, 1))
    ehpad = add_esms(grappe, 2)
    (ahi,) = add_esms(grappe, 1, categorie=chrs())
    in_service(grappe, M1)
    return grappe, ehpad, ahi


def test_an_ahi_esms_is_outside_the_mssante_and_dmp_assessment(client_for, cast):
    grappe, ehpad, ahi = grappe_with_a_chrs()
    for mois in (M1, M2, M3):
        for esms in ehpad:
            meeting(esms, mois)
        # The CHRS uses its DUI (95 %) but sends no MSSanté nor DMP figure.
        usage(ahi, mois, personnes=40, actifs=38, pp=38, evt=38)
    compute_month(M3)
    values = ValeurIndicateur.objects.filter(mois=M3)
    assert not values.filter(esms=ahi, indicateur__code__in=["mssante", "dmp"]).exists()
    assert values.get(esms=ahi, indicateur__code="dui_actifs").numerateur == 38
    mssante = values.get(niveau=Niveau.GRAPPE, indicateur__code="mssante")
    # The two EHPAD only: 3 × 80 messages each over 100 persons each.
    assert (mssante.numerateur, mssante.denominateur) == (480, 200)
    actifs = values.get(niveau=Niveau.GRAPPE, indicateur__code="dui_actifs")
    assert (actifs.numerateur, actifs.denominateur) == (95 + 95 + 38, 240)
    # It reported all that applies to it: the month is assessed, the tranche falls due.
    assert couvertures(M3, [grappe.pk])[grappe.pk]["declarants"] == 3
    assert Tranche.objects.get(grappe=grappe, numero=2).statut == StatutTranche.DUE

    grappe.roles.create(kind="chef_projet", user=cast.owner)
    page = client_for(cast.owner).get(
        reverse("indicateurs:tableau_grappe", args=[grappe.pk]) + "?mois=2026-03"
    )
    rows = {row["esms"].pk: row for row in page.context["esms_rows"]}
    statuts = [cellule.statut["code"] for cellule in rows[ahi.pk]["cellules"]]
    assert statuts[:2] == ["non_applicable", "non_applicable"]
    assert "non applicable" in page.content.decode()


def test_an_ahi_esms_missing_its_dui_figures_still_counts_as_missing():
    grappe, ehpad, ahi = grappe_with_a_chrs()
    for mois in (M1, M2, M3):
        for esms in ehpad:
            meeting(esms, mois)
        usage(ahi, mois, personnes=40)
    compute_month(M3)
    coverage = couvertures(M3, [grappe.pk])[grappe.pk]
    assert (coverage["declarants"], coverage["manquants"]) == (2, [ahi.pk])
    assert Tranche.objects.get(grappe=grappe, numero=2).statut == StatutTranche.PREVUE


def test_an_esms_no_indicator_applies_to_is_not_counted():
    """Were its category excluded from every indicator, the ESMS would have no figure to send:
    it is left out of the coverage, which does not wait for it."""
    for indicateur in Indicateur.objects.all():
        indicateur.categories_exclues.add(chrs())
    grappe, ehpad, ahi = grappe_with_a_chrs()
    for mois in (M1, M2, M3):
        for esms in ehpad:
            meeting(esms, mois)
    compute_month(M3)
    coverage = couvertures(M3, [grappe.pk])[grappe.pk]
    assert (coverage["esms"], coverage["declarants"], coverage["manquants"]) == (2, 2, [])
    assert coverage["evaluable"] is True
    assert Tranche.objects.get(grappe=grappe, numero=2).statut == StatutTranche.DUE
