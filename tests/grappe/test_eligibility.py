"""Eligibility rules of DOMAIN.md §4, each tested at its boundaries, with the AAPs of the migration."""

import pytest
from django.db import IntegrityError, transaction

from grappe.eligibility import CheckStatus, check_eligibility
from grappe.finess import check_finess
from grappe.models import Aap, EsmsMembership, Grappe, OgMembership
from tests.grappe.factories import (
    CategorieFactory,
    EsmsFactory,
    GrappeFactory,
    OrganismeGestionnaireFactory,
    add_esms,
    finess_number,
    region,
)

pytestmark = pytest.mark.django_db

OK, KO, WARNING, INFO = CheckStatus.OK, CheckStatus.KO, CheckStatus.WARNING, CheckStatus.INFO


def aap(kind="generalisation"):
    return Aap.objects.get(kind=kind)


def make_grappe(count, kind="generalisation", region_code="32", **grappe_kwargs):
    grappe = GrappeFactory(
        aap=aap(kind) if kind else None, region=region(region_code), **grappe_kwargs
    )
    add_esms(grappe, count)
    return grappe


def check(grappe, code):
    result = check_eligibility(grappe).get(code)
    assert result is not None, f"pas de contrôle « {code} »"
    return result


def mecs():
    """Protection de l'enfance: outside the RESAH SAD domains."""
    return CategorieFactory(
        code="177", libelle="Maison d'Enfants à Caractère Social", agregat_code="4501"
    )


def hopital():
    return CategorieFactory(code="355", libelle="Centre Hospitalier (C.H.)", agregat_code="1102")


# --- 1. minimum ESMS ----------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "status"), [(14, KO), (15, OK), (16, OK)])
def test_minimum_esms_mainland(count, status):
    result = check(make_grappe(count), "min_esms")
    assert result.status == status
    if status == OK:
        assert result.reason == f"{count} ESMS (minimum 15 pour la région Hauts-de-France)."
    else:
        assert "14 ESMS : il en faut au moins 15 pour la région Hauts-de-France" in result.reason
        assert "Ajoutez 1 ESMS" in result.reason


@pytest.mark.parametrize("region_code", ["94", "04"])  # Corse, La Réunion
@pytest.mark.parametrize(("count", "status"), [(7, KO), (8, OK)])
def test_minimum_esms_reduced_in_corsica_and_overseas_amorcage_t1(region_code, count, status):
    result = check(make_grappe(count, "amorcage_t1", region_code=region_code), "min_esms")
    assert result.status == status
    assert "minimum 8" in result.reason or "au moins 8" in result.reason
    assert "seuil réduit" in result.reason


@pytest.mark.parametrize(("og_count", "status"), [(7, KO), (8, OK)])
def test_reduced_threshold_of_the_national_call_n2_counts_og(og_count, status):
    """Seed 002: « Seuil abaissé à 8 OG pour la Corse et territoires ultramarins »."""
    grappe = GrappeFactory(aap=aap("amorcage_t2"), region=region("94"))
    for _ in range(og_count):
        add_esms(grappe, 1, og=OrganismeGestionnaireFactory())
    result = check(grappe, "min_esms")
    assert result.status == status
    assert result.label == "Nombre minimal d'organismes gestionnaires"
    assert f"{og_count} organismes gestionnaires distincts" in result.reason
    assert "au moins 8" in result.reason or "minimum 8" in result.reason


def test_reduced_threshold_in_og_is_not_met_by_esms_of_one_og():
    grappe = make_grappe(10, "amorcage_t2", region_code="94")
    assert check(grappe, "min_esms").status == KO


@pytest.mark.parametrize(("count", "status"), [(14, KO), (15, OK)])
def test_generalisation_has_no_reduced_threshold(count, status):
    """Seed 004: « En groupement de 15 ESSMS », without exception."""
    assert aap().seuil_reduit is None
    result = check(make_grappe(count, region_code="94"), "min_esms")
    assert result.status == status
    assert "ne prévoit pas de seuil réduit" in result.reason


def test_reduced_thresholds_are_per_call_with_their_unit_and_source():
    rules = {a.kind: (a.seuil_reduit, a.seuil_reduit_unite) for a in Aap.objects.all()}
    assert rules == {
        "generalisation": (None, ""),
        "amorcage_t1": (8, "esms"),
        "amorcage_t2": (8, "og"),
    }
    assert all(a.seuil_reduit_source for a in Aap.objects.all())


def test_minimum_esms_follows_the_aap_data():
    generalisation = aap()
    generalisation.min_esms = 20
    generalisation.save()
    assert check(make_grappe(16), "min_esms").status == KO


def test_out_of_scope_establishments_do_not_count_towards_the_minimum():
    grappe = make_grappe(14)
    add_esms(grappe, 1, categorie=hopital())
    result = check(grappe, "min_esms")
    assert result.status == KO
    assert "1 établissement hors champ ESMS non compté" in result.reason


# --- 2. maximum ESMS ----------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "status"), [(30, OK), (31, KO)])
def test_maximum_esms_amorcage_t1(count, status):
    result = check(make_grappe(count, kind="amorcage_t1"), "max_esms")
    assert result.status == status
    if status == KO:
        assert "31 ESMS : l'appel « Amorçage — temps 1 (AAP n°1) » en accepte au plus 30" in (
            result.reason
        )


def test_maximum_esms_amorcage_t2_is_49():
    assert check(make_grappe(31, kind="amorcage_t2"), "max_esms").status == OK


def test_no_maximum_for_generalisation():
    assert check_eligibility(make_grappe(15)).get("max_esms") is None


# --- 3. regional or national call ---------------------------------------------------------------


@pytest.mark.parametrize(("count", "call"), [(49, "appel régional"), (50, "appel national")])
def test_national_aap_says_which_call_applies(count, call):
    result = check(make_grappe(count), "portee")
    assert result.status == INFO
    assert call in result.reason


@pytest.mark.parametrize(("count", "status"), [(49, INFO), (50, KO)])
def test_regional_aap_refuses_a_grappe_of_the_national_call(count, status):
    regional = Aap.objects.create(
        name="Généralisation 2025 — ARS Hauts-de-France",
        kind="generalisation",
        year=2025,
        region=region("32"),
    )
    grappe = GrappeFactory(aap=regional, region=region("32"))
    add_esms(grappe, count)
    result = check(grappe, "portee")
    assert result.status == status
    if status == KO:
        assert (
            "50 ESMS : à partir de 50 ESMS, la grappe relève de l'appel national" in result.reason
        )


def test_regional_aap_of_another_region_is_refused():
    regional = Aap.objects.create(
        name="Généralisation 2025 — ARS Bretagne",
        kind="generalisation",
        year=2025,
        region=region("53"),
    )
    grappe = GrappeFactory(aap=regional, region=region("32"))
    add_esms(grappe, 15)
    result = check(grappe, "portee")
    assert result.status == KO
    assert "réservé à la région Bretagne" in result.reason


# --- 4. FINESS géographique ---------------------------------------------------------------------


def test_valid_finess_numbers_pass():
    assert check(make_grappe(15), "finess").status == OK


def test_invalid_finess_key_is_blocking_and_named():
    grappe = make_grappe(15)
    valid = finess_number("59", 990001)
    wrong = valid[:8] + str((int(valid[8]) + 1) % 10)
    esms = EsmsFactory(og=grappe.porteur, finess_et=wrong, raison_sociale="FOYER MAL SAISI")
    EsmsMembership.objects.create(grappe=grappe, esms=esms)
    result = check(grappe, "finess")
    assert result.status == KO
    assert f"FOYER MAL SAISI ({wrong})" in result.reason
    assert f"le 9e devrait être {valid[8]}" in result.reason


def test_corsican_number_failing_the_key_is_only_a_warning():
    grappe = make_grappe(8, region_code="94")
    candidates = [f"2A{n:07d}" for n in range(1000, 1020)]
    bad = next(number for number in candidates if check_finess(number).warning)
    good = next(number for number in candidates if not check_finess(number).warning)
    for number, name in [(bad, "SSIAD DU CAP"), (good, "EHPAD D'AJACCIO")]:
        esms = EsmsFactory(og=grappe.porteur, finess_et=number, raison_sociale=name)
        EsmsMembership.objects.create(grappe=grappe, esms=esms)
    result = check(grappe, "finess")
    assert result.status == WARNING
    assert f"SSIAD DU CAP ({bad})" in result.reason
    assert "EHPAD D'AJACCIO" not in result.reason
    report = check_eligibility(grappe)
    assert result.code in [warning.code for warning in report.warnings]


# --- 5. one grappe per AAP ----------------------------------------------------------------------


def test_an_esms_is_active_in_one_grappe_at_a_time():
    first = make_grappe(15, name="Grappe de l'Artois")
    second = make_grappe(15, name="Grappe du Hainaut")
    shared = first.memberships.first().esms
    with pytest.raises(IntegrityError), transaction.atomic():
        EsmsMembership.objects.create(grappe=second, esms=shared)
    assert check(first, "unicite").status == OK
    assert check(second, "unicite").status == OK


def test_esms_that_left_the_other_grappe_is_fine():
    first = make_grappe(15)
    second = make_grappe(15)
    EsmsMembership.objects.create(
        grappe=second, esms=first.memberships.first().esms, left_on="2025-01-31"
    )
    assert check(first, "unicite").status == OK


# --- 6. categories of art. L.312-1 CASF ---------------------------------------------------------


def test_hospital_category_is_blocking_and_named():
    grappe = make_grappe(15)
    add_esms(grappe, 1, categorie=hopital(), raison_sociale="CENTRE HOSPITALIER DE LENS")
    result = check(grappe, "categories")
    assert result.status == KO
    assert "CENTRE HOSPITALIER DE LENS" in result.reason
    assert "catégorie 355" in result.reason
    assert check_eligibility(grappe).eligible is False


def test_all_medico_social_categories_pass():
    grappe = make_grappe(15)
    add_esms(grappe, 1, categorie=mecs())
    assert check(grappe, "categories").status == OK


# --- 7. RESAH SAD -------------------------------------------------------------------------------


@pytest.mark.parametrize(("achat_sad", "status"), [(False, KO), (True, OK)])
def test_acquisition_for_personnes_agees_requires_the_sad(achat_sad, status):
    result = check(make_grappe(15, achat_sad=achat_sad), "sad")
    assert result.status == status
    assert "Personnes âgées" in result.reason
    if status == KO:
        assert result.reason.startswith(
            "15 ESMS en acquisition relèvent du domaine Personnes âgées"
        )


def test_sad_not_required_for_mise_en_conformite():
    result = check(make_grappe(15, type_projet="conformite"), "sad")
    assert result.status == INFO


def test_sad_required_when_a_single_esms_is_in_acquisition():
    grappe = make_grappe(15, type_projet="conformite")
    grappe.memberships.filter(pk=grappe.memberships.first().pk).update(type_projet="acquisition")
    result = check(grappe, "sad")
    assert result.status == KO
    assert result.reason.startswith("1 ESMS en acquisition relève du domaine Personnes âgées")


def test_sad_not_required_outside_its_domains():
    grappe = GrappeFactory(aap=aap(), region=region("32"))
    add_esms(grappe, 15, categorie=mecs())
    assert check(grappe, "sad").status == INFO


# --- 8. porteur and coopérateurs ----------------------------------------------------------------


def test_porteur_and_cooperateur_pass():
    assert check(make_grappe(15), "porteur").status == OK


def test_no_porteur_is_blocking():
    grappe = make_grappe(15)
    grappe.porteur = None
    grappe.save()
    result = check(grappe, "porteur")
    assert result.status == KO
    assert "Aucun porteur" in result.reason


def test_no_active_cooperateur_is_blocking():
    grappe = make_grappe(15)
    OgMembership.objects.filter(grappe=grappe).update(left_on="2025-01-31")
    assert check(grappe, "porteur").status == KO


# --- 9. amorçage: 3 OG, or one OG of more than 15 ESMS -----------------------------------------


def amorcage_grappe(sizes):
    """An amorçage T1 grappe whose OG present `sizes` ESMS (the first OG is the porteur)."""
    grappe = GrappeFactory(aap=aap("amorcage_t1"), region=region("32"))
    for index, size in enumerate(sizes):
        add_esms(grappe, size, og=grappe.porteur if index == 0 else OrganismeGestionnaireFactory())
    return grappe


@pytest.mark.parametrize(
    ("sizes", "status"),
    [((8, 8), KO), ((6, 5, 5), OK), ((15,), KO), ((16,), OK), ((14, 2), KO)],
)
def test_amorcage_og_rule(sizes, status):
    result = check(amorcage_grappe(sizes), "amorcage_og")
    assert result.status == status
    if sizes == (8, 8):
        assert result.reason.startswith(
            "2 organismes gestionnaires distincts (minimum 3) et aucun ne présente plus de "
            "15 ESMS (le plus important en présente 8)."
        )
    if sizes == (16,):
        assert result.reason == "Un organisme gestionnaire présente 16 ESMS (plus de 15)."


def test_generalisation_has_no_og_rule():
    assert check_eligibility(make_grappe(15)).get("amorcage_og") is None


# --- The report as a whole ----------------------------------------------------------------------


def test_eligible_grappe():
    grappe = make_grappe(16, achat_sad=True)
    report = check_eligibility(grappe)
    assert report.eligible, [str(c) for c in report.ko]
    assert report.ko == [] and report.warnings == []
    assert [c.code for c in report.checks] == [
        "min_esms",
        "portee",
        "finess",
        "unicite",
        "categories",
        "sad",
        "porteur",
    ]


def test_without_aap_asks_for_one_and_still_checks_the_rest():
    grappe = make_grappe(3, kind=None)
    add_esms(grappe, 1, categorie=hopital())
    report = check_eligibility(grappe)
    assert not report.eligible
    assert report.get("aap").status == KO
    assert report.get("aap").reason.startswith("Choisissez l'appel à projets")
    assert report.get("categories").status == KO
    assert report.get("finess").status == OK
    assert report.get("porteur").status == OK
    for code in ["min_esms", "unicite", "sad"]:
        assert report.get(code).status == INFO


def test_given_memberships_are_used_as_is():
    grappe = make_grappe(16, achat_sad=True)
    memberships = list(grappe.active_memberships())[:10]
    assert check_eligibility(grappe, memberships=memberships).get("min_esms").status == KO


def test_query_count_is_bounded(django_assert_max_num_queries):
    grappe = make_grappe(10, achat_sad=True)
    for _ in range(2):
        add_esms(grappe, 5, og=OrganismeGestionnaireFactory())
    grappe = Grappe.objects.select_related("aap", "region", "porteur").get(pk=grappe.pk)
    memberships = list(grappe.active_memberships())
    assert len(memberships) == 20
    # The coopérateurs: one query, whatever the number of ESMS (uniqueness is the database's).
    with django_assert_max_num_queries(1):
        report = check_eligibility(grappe, memberships=memberships)
    assert report.get("unicite").status == OK
    # Alone (memberships, AAP, region, porteur fetched here): still a constant.
    grappe = Grappe.objects.get(pk=grappe.pk)
    with django_assert_max_num_queries(6):
        check_eligibility(grappe)
