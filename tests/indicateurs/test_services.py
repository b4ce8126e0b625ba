from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from grappe.models import Aap
from indicateurs.enums import Niveau, StatutCalcul
from indicateurs.models import CalculMensuel, Indicateur, ValeurIndicateur
from indicateurs.services import compute_month
from tests.grappe.factories import GrappeFactory, OrganismeGestionnaireFactory, add_esms
from tests.indicateurs.factories import in_service, meeting, usage

pytestmark = pytest.mark.django_db

M1, M2, M3, M4 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def value(niveau, code, mois, **scope):
    return ValeurIndicateur.objects.get(niveau=niveau, indicateur__code=code, mois=mois, **scope)


@pytest.fixture(autouse=True)
def _dui_in_service_from_january(request):
    """cast.grappe's DUI is in service from January: M3 is its first measure."""
    if "cast" in request.fixturenames:
        in_service(request.getfixturevalue("cast").grappe, M1)


@pytest.fixture
def grappe_3(cast):
    """cast.grappe with its 3 ESMS (same OG) and data from January on."""
    return cast.grappe, list(cast.grappe.memberships.select_related("esms").all())


def test_five_indicators_are_seeded_as_data():
    codes = dict(Indicateur.objects.values_list("code", "cible"))
    assert codes == {
        "mssante": Decimal(70),
        "dmp": Decimal(70),
        "dui_actifs": Decimal(90),
        "dui_pp": Decimal(90),
        "dui_evenement": Decimal(90),
    }
    dui_pp = Indicateur.objects.get(code="dui_pp")
    assert (dui_pp.numerateur, dui_pp.denominateur) == (
        "dossiers_actifs_avec_pp",
        "dossiers_actifs",
    )


def test_aggregates_are_sums_not_means_of_rates(cast):
    a, b, c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
        meeting(c, mois)
    # Month 4: a = 10/10 (100 %), b = 60/100 (60 %): mean 80 %, sum rate 70/110 = 63.64 %.
    usage(a, M4, personnes=10, mssante=10)
    usage(b, M4, personnes=100, mssante=60)
    usage(c, M4, personnes=None, mssante=None)
    compute_month(M4)
    assert value(Niveau.ESMS, "mssante", M4, esms=a).valeur == Decimal("100.00")
    grappe_value = value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe)
    assert (grappe_value.numerateur, grappe_value.denominateur) == (70, 110)
    assert grappe_value.valeur == Decimal("63.64")
    og_value = value(Niveau.OG, "mssante", M4, og=a.og, grappe=cast.grappe)
    assert og_value.valeur == Decimal("63.64")
    region_value = value(Niveau.REGION, "mssante", M4, region=cast.grappe.region)
    assert (region_value.numerateur, region_value.denominateur) == (70, 110)


def test_zero_or_missing_denominator_is_not_computable_never_zero(cast):
    a, b, c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3, M4):
        usage(a, mois, personnes=0, mssante=5)
        usage(b, mois, personnes=None, mssante=5)
    compute_month(M4)
    assert value(Niveau.ESMS, "mssante", M4, esms=a).valeur is None
    assert value(Niveau.ESMS, "mssante", M4, esms=b).valeur is None
    assert value(Niveau.ESMS, "mssante", M4, esms=c).valeur is None  # no data at all
    grappe_value = value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe)
    assert grappe_value.valeur is None
    assert grappe_value.atteinte is None


def test_missing_numerator_leaves_the_esms_out_of_both_sums(cast):
    a, b, _c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3):
        usage(a, mois, personnes=100, mssante=80)
    usage(a, M4, personnes=100, mssante=80)
    usage(b, M4, personnes=100, mssante=None)
    compute_month(M4)
    grappe_value = value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe)
    assert (grappe_value.numerateur, grappe_value.denominateur) == (80, 100)
    assert grappe_value.valeur == Decimal("80.00")


def test_first_measure_sums_three_months_over_the_third_month_denominator(cast):
    a, b, _c = [m.esms for m in cast.grappe.memberships.all()]
    usage(a, M1, personnes=100, mssante=20)
    usage(a, M2, personnes=100, mssante=20)
    usage(a, M3, personnes=50, mssante=20)
    usage(b, M3, personnes=50, mssante=10)
    for mois in (M1, M2):
        compute_month(mois)
        # Months 1 and 2 are not assessed at grappe level.
        assert not ValeurIndicateur.objects.filter(mois=mois, niveau=Niveau.GRAPPE).exists()
        assert ValeurIndicateur.objects.filter(mois=mois, niveau=Niveau.ESMS, esms=a).exists()
    compute_month(M3)
    first = value(Niveau.GRAPPE, "mssante", M3, grappe=cast.grappe)
    assert first.premiere_mesure is True
    assert (first.numerateur, first.denominateur) == (70, 100)
    assert value(Niveau.ESMS, "mssante", M3, esms=a).numerateur == 60
    usage(a, M4, personnes=100, mssante=30)
    compute_month(M4)
    monthly = value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe)
    assert monthly.premiere_mesure is False
    assert (monthly.numerateur, monthly.denominateur) == (30, 100)


def test_target_boundary_70_meets_70(cast):
    a, b, c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3):
        meeting(a, mois)
    usage(a, M4, personnes=1000, mssante=700, dmp=699)
    compute_month(M4)
    mssante = value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe)
    assert mssante.valeur == Decimal("70.00") and mssante.atteinte is True
    dmp = value(Niveau.GRAPPE, "dmp", M4, grappe=cast.grappe)
    assert dmp.valeur == Decimal("69.90") and dmp.atteinte is False


def test_recomputation_is_idempotent_and_records_runs(cast):
    a, _b, _c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
    compute_month(M4)
    before = list(ValeurIndicateur.objects.order_by("pk").values_list("niveau", "valeur"))
    compute_month(M4)
    compute_month(M4, cast.grappe)
    after = list(ValeurIndicateur.objects.order_by("pk").values_list("niveau", "valeur"))
    assert sorted(before, key=str) == sorted(after, key=str)
    runs = CalculMensuel.objects.filter(mois=M4)
    assert runs.count() == 3
    assert set(runs.values_list("statut", flat=True)) == {StatutCalcul.TERMINE}
    assert runs.first().lignes == len(after)


def test_a_run_left_en_cours_is_closed_by_the_next_run_of_the_month(cast):
    # A worker killed mid-run leaves its CalculMensuel "en cours" (tests/indicateurs/test_faults.py
    # kills one for real); the next run of the same month records it as interrupted.
    killed = CalculMensuel.objects.create(mois=M4, statut=StatutCalcul.EN_COURS)
    other_month = CalculMensuel.objects.create(mois=M3, statut=StatutCalcul.EN_COURS)
    run = compute_month(M4, cast.grappe)
    killed.refresh_from_db()
    assert killed.statut == StatutCalcul.ECHEC
    assert killed.ended_at is not None
    assert killed.erreur == (
        f"Interrompu avant la fin (processus arrêté) ; repris par le calcul n° {run.pk}."
    )
    other_month.refresh_from_db()
    assert other_month.statut == StatutCalcul.EN_COURS
    assert run.statut == StatutCalcul.TERMINE


def test_grappe_scope_keeps_other_grappes_and_recomputes_the_region(cast):
    other = OrganismeGestionnaireFactory()

    second = GrappeFactory(region=cast.grappe.region, porteur=other)
    (d,) = add_esms(second, 1)
    in_service(second, M1)
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3, M4):
        usage(a, mois, personnes=100, mssante=80)
        usage(d, mois, personnes=100, mssante=40)
    compute_month(M4)
    usage(a, M4, personnes=100, mssante=100)
    compute_month(M4, cast.grappe)
    assert value(Niveau.GRAPPE, "mssante", M4, grappe=second).valeur == Decimal("40.00")
    assert value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe).valeur == Decimal("100.00")
    region = value(Niveau.REGION, "mssante", M4, region=cast.grappe.region)
    assert (region.numerateur, region.denominateur) == (140, 200)


def test_indicator_not_applicable_to_the_project_type_is_skipped(cast):
    Indicateur.objects.filter(code="dmp").update(types_projet=["conformite"])
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
    compute_month(M4)
    codes = set(
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, mois=M4).values_list(
            "indicateur__code", flat=True
        )
    )
    assert codes == {"mssante", "dui_actifs", "dui_pp", "dui_evenement"}


def test_query_count_does_not_grow_with_esms(cast, django_assert_max_num_queries):
    esms = [m.esms for m in cast.grappe.memberships.all()] + add_esms(cast.grappe, 20)
    for e in esms:
        for mois in (M1, M2, M3, M4):
            meeting(e, mois)
    with django_assert_max_num_queries(40):
        compute_month(M4)
    assert ValeurIndicateur.objects.filter(mois=M4, niveau=Niveau.ESMS).count() == 23 * 5


def test_first_measure_does_not_sum_stock_indicators(cast):
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3):
        usage(a, mois, personnes=100, mssante=30, actifs=50, pp=40)
    compute_month(M3)
    mssante = value(Niveau.GRAPPE, "mssante", M3, grappe=cast.grappe)
    assert (mssante.numerateur, mssante.premiere_mesure) == (90, True)
    # Active files are a stock: month 3's count, not three months added up.
    actifs = value(Niveau.GRAPPE, "dui_actifs", M3, grappe=cast.grappe)
    assert (actifs.numerateur, actifs.denominateur, actifs.premiere_mesure) == (50, 100, True)
    dui_pp = value(Niveau.GRAPPE, "dui_pp", M3, grappe=cast.grappe)
    assert dui_pp.valeur == Decimal("80.00")


def test_first_measure_and_later_months_in_the_same_run(cast):
    """One run mixes a grappe at its first measure (3-month window for flow indicators) and a
    grappe past it (the month alone): each gets its own rule."""
    a = cast.grappe.memberships.first().esms
    older = GrappeFactory(region=cast.grappe.region)
    (d,) = add_esms(older, 1)
    in_service(older, "2025-12")
    for mois in (date(2025, 12, 1), M1, M2, M3):
        usage(d, mois, personnes=100, mssante=30)
    for mois in (M1, M2, M3):
        usage(a, mois, personnes=100, mssante=30)
    compute_month(M3)
    first = value(Niveau.GRAPPE, "mssante", M3, grappe=cast.grappe)
    assert (first.numerateur, first.denominateur, first.premiere_mesure) == (90, 100, True)
    later = value(Niveau.GRAPPE, "mssante", M3, grappe=older)
    assert (later.numerateur, later.denominateur, later.premiere_mesure) == (30, 100, False)
    assert value(Niveau.ESMS, "mssante", M3, esms=d).numerateur == 30
    assert value(Niveau.ESMS, "mssante", M3, esms=a).numerateur == 90
    og_value = value(Niveau.OG, "mssante", M3, og=d.og, grappe=older)
    assert (og_value.numerateur, og_value.premiere_mesure) == (30, False)
    region = value(Niveau.REGION, "mssante", M3, region=cast.grappe.region)
    assert (region.numerateur, region.denominateur) == (120, 200)


def test_indicator_restricted_to_another_aap_is_skipped_at_every_level(cast):
    other_aap = Aap.objects.exclude(pk=cast.grappe.aap_id).first()
    Indicateur.objects.get(code="dmp").aaps.set([other_aap])
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
    compute_month(M4)
    for niveau in (Niveau.ESMS, Niveau.OG, Niveau.GRAPPE, Niveau.REGION):
        codes = set(
            ValeurIndicateur.objects.filter(niveau=niveau, mois=M4).values_list(
                "indicateur__code", flat=True
            )
        )
        assert codes == {"mssante", "dui_actifs", "dui_pp", "dui_evenement"}, niveau


def test_one_esms_value_per_indicator_and_month_is_enforced_by_the_database(cast):
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
    compute_month(M4)
    row = value(Niveau.ESMS, "mssante", M4, esms=a)
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    # esms is set exactly on ESMS-level rows (what lets valeur_unique_esms stand for them).
    row.niveau = Niveau.OG
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_deleting_an_esms_deletes_its_values(cast):
    a, b, _c = [m.esms for m in cast.grappe.memberships.all()]
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
        meeting(b, mois)
    compute_month(M4)
    assert ValeurIndicateur.objects.filter(esms=a).count() == 5
    # No database constraint links a value to its ESMS: Django's cascade removes them.
    esms_id = a.pk
    a.memberships.all().delete()
    a.delete()
    assert not ValeurIndicateur.objects.filter(esms_id=esms_id).exists()
    assert ValeurIndicateur.objects.filter(esms=b).count() == 5


def test_measurement_starts_at_the_mise_en_service_not_at_the_first_figures(cast):
    """Figures sent before the DUI's mise en service are followed (ESMS and OG values) but the
    grappe is not assessed; its first measure is the third full month of service."""
    a, b, c = [m.esms for m in cast.grappe.memberships.all()]
    cast.grappe.memberships.update(dui_in_service_on=date(2026, 2, 15))  # mid-month: from March
    for mois in (M1, M2, M3, M4, date(2026, 5, 1)):
        for esms in (a, b, c):
            usage(esms, mois, personnes=100, mssante=30)
    for mois in (M3, M4):
        compute_month(mois)
        assert not ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, mois=mois).exists()
        assert value(Niveau.ESMS, "mssante", mois, esms=a).numerateur == 30
    compute_month(date(2026, 5, 1))
    first = value(Niveau.GRAPPE, "mssante", date(2026, 5, 1), grappe=cast.grappe)
    # March to May: 3 × 30 messages per ESMS, over May's 300 persons.
    assert (first.numerateur, first.denominateur, first.premiere_mesure) == (270, 300, True)


def test_a_grappe_deployed_in_waves_is_measured_from_its_last_wave(cast):
    a, b, c = [m.esms for m in cast.grappe.memberships.all()]
    cast.grappe.memberships.filter(esms=c).update(dui_in_service_on=date(2026, 2, 1))
    for mois in (M1, M2, M3, M4):
        for esms in (a, b, c):
            usage(esms, mois, personnes=100, mssante=30)
    compute_month(M3)
    # January was the first wave's; the last wave went live in February: M3 is month 2.
    assert not ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, mois=M3).exists()
    compute_month(M4)
    assert value(Niveau.GRAPPE, "mssante", M4, grappe=cast.grappe).premiere_mesure is True


def test_no_mise_en_service_recorded_means_no_assessment(cast):
    cast.grappe.memberships.update(dui_in_service_on=None)
    a = cast.grappe.memberships.first().esms
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
    compute_month(M4)
    assert value(Niveau.ESMS, "mssante", M4, esms=a).atteinte is True
    assert not ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE).exists()
