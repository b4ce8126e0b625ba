"""Funding simulation: the barèmes of DOMAIN.md §4 (seeds 002 and 004) applied to realistic grappes."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from grappe.eligibility import check_eligibility
from grappe.funding import simulate_funding
from grappe.models import Aap, AapTranche, EsmsMembership, Grappe
from tests.grappe.factories import (
    CategorieFactory,
    EsmsFactory,
    GrappeFactory,
    OrganismeGestionnaireFactory,
    add_esms,
)

pytestmark = pytest.mark.django_db

D = Decimal


def aap(kind="generalisation"):
    return Aap.objects.get(kind=kind)


def registry_only(og, count, **kwargs):
    """ESMS the OG runs that are not in the grappe (they count for the small-OG threshold)."""
    return EsmsFactory.create_batch(count, og=og, **kwargs)


def amounts(simulation):
    return [(line.label, line.quantity, line.unit_amount, line.amount) for line in simulation.lines]


@pytest.fixture
def generalisation_grappe():
    """16 ESMS: 10 without DUI (Ségur solution) and 6 already equipped; the porteur runs 15
    establishments, a small OG runs 3 (all in the grappe); both AMOA envelopes requested."""
    grappe = GrappeFactory(
        aap=aap(), solution_segur=True, amoa_marche=True, amoa_projet=True, achat_sad=True
    )
    add_esms(grappe, 10)
    for esms in add_esms(grappe, 3):
        EsmsMembership.objects.filter(esms=esms).update(type_projet="conformite")
    registry_only(grappe.porteur, 2)
    small_og = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION LES GLYCINES")
    for esms in add_esms(grappe, 3, og=small_og):
        EsmsMembership.objects.filter(esms=esms).update(type_projet="conformite")
    return grappe


def test_generalisation_bareme(generalisation_grappe):
    simulation = simulate_funding(generalisation_grappe)
    assert amounts(simulation) == [
        ("Acquisition du DUI — part éditeur (solution référencée Ségur)", 10, D(14500), D(145000)),
        ("Acquisition du DUI — déploiement des usages", 10, D(7000), D(70000)),
        ("ESMS déjà équipé — mise en conformité et usages", 6, D(5000), D(30000)),
        ("Équipement matériel (petits organismes gestionnaires)", 3, D(20000), D(60000)),
        ("AMOA « marché » (procédure de marché)", 1, D(15000), D(15000)),
        ("AMOA « projet » (pilotage du projet)", 1, D(100000), D(100000)),
    ]
    assert simulation.total == D(420000)
    assert isinstance(simulation.total, Decimal)
    assert [(t.numero, t.pourcentage, t.montant) for t in simulation.tranches] == [
        (1, D(40), D(168000)),
        (2, D(60), D(252000)),
    ]
    assert simulation.tranches[0].evenement_label == "Signature de la convention ARS"
    assert simulation.tranches[1].evenement_label == "Atteinte des cibles d'usage"
    assert simulation.warnings == []
    equipment = simulation.line("Équipement")
    assert "ASSOCIATION LES GLYCINES (3 établissements)" in equipment.note
    # The grappe is eligible too: the two halves of the page agree.
    assert check_eligibility(generalisation_grappe).eligible


def test_solution_not_referenced_segur_gets_the_base_amount(generalisation_grappe):
    generalisation_grappe.solution_segur = False
    simulation = simulate_funding(generalisation_grappe)
    line = simulation.line("Acquisition du DUI — part éditeur")
    assert (line.label, line.unit_amount, line.amount) == (
        "Acquisition du DUI — part éditeur",
        D(12000),
        D(120000),
    )
    assert simulation.total == D(395000)


@pytest.mark.parametrize(("runs", "small"), [(14, True), (15, False)])
def test_small_og_threshold_counts_the_registry(runs, small):
    """The porteur has 2 ESMS in the grappe; what decides is how many it runs in the registry."""
    grappe = GrappeFactory(aap=aap())
    add_esms(grappe, 2)
    registry_only(grappe.porteur, runs - 2)
    # A hospital of the same OG is not an establishment of art. L.312-1: it does not count.
    registry_only(
        grappe.porteur,
        1,
        categorie=CategorieFactory(code="355", libelle="Centre Hospitalier", agregat_code="1102"),
    )
    line = simulate_funding(grappe).line("Équipement")
    if small:
        assert (line.quantity, line.amount) == (2, D(40000))
        assert f"({runs} établissements)" in line.note
    else:
        assert line is None


def test_amorcage_bareme_caps_conformite_at_30_structures():
    grappe = GrappeFactory(aap=aap("amorcage_t2"), type_projet="conformite")
    add_esms(grappe, 31)
    simulation = simulate_funding(grappe)
    assert amounts(simulation) == [
        ("ESMS déjà équipé — mise en conformité et usages", 30, D(10000), D(300000)),
    ]
    assert simulation.lines[0].note == "Plafonné à 30 structures (31 ESMS en mise en conformité)."
    assert simulation.warnings == [
        "31 ESMS en mise en conformité : l'appel « Amorçage — temps 2 (AAP n°2) » en finance au "
        "plus 30, 1 n'est pas financé."
    ]
    assert simulation.total == D(300000)


def test_amorcage_at_the_cap_has_no_note():
    grappe = GrappeFactory(aap=aap("amorcage_t2"), type_projet="conformite")
    add_esms(grappe, 30)
    simulation = simulate_funding(grappe)
    assert simulation.lines[0].quantity == 30
    assert simulation.lines[0].note == ""
    assert simulation.warnings == []


def test_amorcage_acquisition_has_no_usages_line():
    grappe = GrappeFactory(aap=aap("amorcage_t1"), solution_segur=True)
    add_esms(grappe, 16)
    simulation = simulate_funding(grappe)
    # No Ségur amount in the amorçage barème: the base amount applies, and says so.
    line = simulation.line("Acquisition")
    assert (line.quantity, line.unit_amount, line.amount) == (16, D(25000), D(400000))
    assert "pas de montant spécifique" in line.note
    assert simulation.line("Acquisition du DUI — déploiement") is None
    assert simulation.total == D(400000)


def test_amoa_not_financed_without_a_small_og_in_generalisation():
    grappe = GrappeFactory(aap=aap(), amoa_marche=True, amoa_projet=True)
    add_esms(grappe, 15)
    simulation = simulate_funding(grappe)
    assert simulation.line("AMOA") is None
    assert simulation.total == D(15 * 19000)
    assert len(simulation.warnings) == 1
    warning = simulation.warnings[0]
    assert warning.startswith(
        "AMOA « marché » (15\u00a0000\u00a0€) et AMOA « projet » (100\u00a0000\u00a0€) non financées : "
        "l'appel « Généralisation ESMS numérique 2025 » réserve l'AMOA aux grappes comprenant un "
        "organisme gestionnaire de moins de 15 établissements"
    )
    assert "moins de 15 établissements" in warning
    assert "aucun organisme gestionnaire de la grappe n'est dans ce cas" in warning


def test_amoa_financed_with_a_small_og_in_generalisation():
    grappe = GrappeFactory(aap=aap(), amoa_marche=True)
    add_esms(grappe, 15)
    add_esms(grappe, 2, og=OrganismeGestionnaireFactory())
    simulation = simulate_funding(grappe)
    assert amounts(simulation)[-1] == (
        "AMOA « marché » (procédure de marché)",
        1,
        D(15000),
        D(15000),
    )
    assert simulation.line("AMOA « projet »") is None
    assert simulation.warnings == []


def test_amoa_financed_without_small_og_when_the_aap_allows_it():
    grappe = GrappeFactory(aap=aap("amorcage_t2"), amoa_projet=True)
    add_esms(grappe, 16)
    simulation = simulate_funding(grappe)
    assert simulation.line("AMOA « projet »").amount == D(100000)
    assert simulation.warnings == []


def test_amoa_not_financed_for_a_grappe_all_in_mise_en_conformite():
    """Seed 000 §1: the AMOA envelopes are for acquisition projects."""
    grappe = GrappeFactory(
        aap=aap("amorcage_t2"), type_projet="conformite", amoa_marche=True, amoa_projet=True
    )
    add_esms(grappe, 16)
    simulation = simulate_funding(grappe)
    assert simulation.line("AMOA") is None
    assert simulation.total == D(16 * 10000)
    assert simulation.warnings == [
        "AMOA « marché » (15\u00a0000\u00a0€) et AMOA « projet » (100\u00a0000\u00a0€) non "
        "financées : les enveloppes AMOA sont réservées aux projets d'acquisition du DUI, et "
        "aucun ESMS de la grappe n'est en acquisition (mise en conformité uniquement)."
    ]


def test_amoa_financed_when_one_esms_of_the_grappe_is_in_acquisition():
    grappe = GrappeFactory(aap=aap("amorcage_t2"), type_projet="conformite", amoa_marche=True)
    (esms,) = add_esms(grappe, 1)
    add_esms(grappe, 15)
    EsmsMembership.objects.filter(esms=esms).update(type_projet="acquisition")
    simulation = simulate_funding(grappe)
    assert simulation.line("AMOA « marché »").amount == D(15000)
    assert simulation.warnings == []


def test_amoa_not_financed_by_amorcage_temps_1():
    """Seed 001: the AMOA is among the « nouveaux objets financés » of temps 2."""
    grappe = GrappeFactory(aap=aap("amorcage_t1"), amoa_projet=True)
    add_esms(grappe, 16)
    simulation = simulate_funding(grappe)
    assert simulation.line("AMOA") is None
    assert simulation.warnings == [
        "AMOA « projet » (100\u00a0000\u00a0€) non financée : l'appel « Amorçage — temps 1 "
        "(AAP n°1) » ne finance pas l'AMOA."
    ]
    assert simulation.rules[0][0] == "AMOA non financée"
    assert "Seed 001" in simulation.rules[0][1]


def test_amoa_amounts_are_read_from_the_call():
    call = aap("amorcage_t2")
    call.montant_amoa_marche = D("12345.67")
    call.save()
    grappe = GrappeFactory(aap=call, amoa_marche=True)
    add_esms(grappe, 16)
    assert simulate_funding(grappe).line("AMOA « marché »").amount == D("12345.67")


def test_tranche_splits_per_call():
    """Amorçage 50/50 (seed 000 §2.3); généralisation 40/60 by default (seed 004), to confirm."""
    splits = {
        call.kind: [(t.numero, t.pourcentage, t.evenement) for t in call.tranches.all()]
        for call in Aap.objects.all()
    }
    assert splits == {
        "generalisation": [(1, D(40), "signature"), (2, D(60), "cibles")],
        "amorcage_t1": [(1, D(50), "signature"), (2, D(50), "cibles")],
        "amorcage_t2": [(1, D(50), "signature"), (2, D(50), "cibles")],
    }
    assert "à confirmer par l'ARS" in aap().tranches_source
    assert all(call.tranches_source and call.amoa_source for call in Aap.objects.all())


@pytest.fixture
def one_line_aap():
    """The généralisation AAP reduced to one conformité amount, to test the tranches alone."""
    generalisation = aap()
    generalisation.seuil_petit_og = None
    generalisation.save()
    return generalisation


def odd_grappe(aap_row, amount):
    aap_row.montant_conformite = amount
    aap_row.save()
    grappe = GrappeFactory(aap=aap_row, type_projet="conformite")
    add_esms(grappe, 1)
    return grappe


def set_tranches(aap_row, *percentages):
    aap_row.tranches.all().delete()
    for numero, (percent, event) in enumerate(
        zip(percentages, ["signature", "cibles", "cibles"], strict=False), start=1
    ):
        AapTranche.objects.create(aap=aap_row, numero=numero, pourcentage=percent, evenement=event)


def test_tranches_40_60_with_an_odd_total(one_line_aap):
    set_tranches(one_line_aap, D(40), D(60))
    simulation = simulate_funding(odd_grappe(one_line_aap, D("12345.67")))
    assert simulation.total == D("12345.67")
    assert [(t.pourcentage, t.montant) for t in simulation.tranches] == [
        (D(40), D("4938.27")),  # 4 938,268 rounded half-up
        (D(60), D("7407.40")),
    ]
    assert sum(t.montant for t in simulation.tranches) == simulation.total
    assert simulation.warnings == []


def test_last_tranche_takes_the_remainder(one_line_aap):
    # 50 % of 10 000,05 is 5 000,025: half-up gives 5 000,03 — twice would exceed the total.
    set_tranches(one_line_aap, D(50), D(50))
    simulation = simulate_funding(odd_grappe(one_line_aap, D("10000.05")))
    assert [t.montant for t in simulation.tranches] == [D("5000.03"), D("5000.02")]
    assert sum(t.montant for t in simulation.tranches) == simulation.total


def test_three_tranches_sum_to_the_total(one_line_aap):
    set_tranches(one_line_aap, D("33.33"), D("33.33"), D("33.34"))
    simulation = simulate_funding(odd_grappe(one_line_aap, D("1000.01")))
    assert [t.montant for t in simulation.tranches] == [D("333.30"), D("333.30"), D("333.41")]
    assert sum(t.montant for t in simulation.tranches) == D("1000.01")


def test_percentages_not_summing_to_100_warn(one_line_aap):
    set_tranches(one_line_aap, D(50), D(40))
    simulation = simulate_funding(odd_grappe(one_line_aap, D(10000)))
    assert simulation.warnings == [
        "Les tranches de versement de l'appel totalisent 90 % au lieu de 100 % : le calendrier "
        "de versement est à corriger."
    ]
    # No hidden remainder: each tranche shows its own share of the total.
    assert [t.montant for t in simulation.tranches] == [D(5000), D(4000)]


def test_aap_without_tranches_warns(one_line_aap):
    one_line_aap.tranches.all().delete()
    simulation = simulate_funding(odd_grappe(one_line_aap, D(10000)))
    assert simulation.tranches == []
    assert simulation.warnings == ["L'appel à projets ne définit aucune tranche de versement."]


def test_no_aap_gives_an_empty_simulation():
    grappe = GrappeFactory(aap=None)
    add_esms(grappe, 15)
    simulation = simulate_funding(grappe)
    assert simulation.lines == [] and simulation.tranches == []
    assert simulation.total == D(0)
    assert simulation.warnings == ["Choisissez un appel à projets pour simuler le financement."]


def test_out_of_scope_establishment_is_not_funded():
    grappe = GrappeFactory(aap=aap("amorcage_t2"))
    add_esms(grappe, 15)
    add_esms(grappe, 1, categorie=CategorieFactory(code="355", libelle="CH", agregat_code="1102"))
    simulation = simulate_funding(grappe)
    assert simulation.line("Acquisition").quantity == 15
    assert "1 établissement hors champ ESMS non financé." in simulation.warnings


def test_query_count_is_bounded(django_assert_max_num_queries):
    grappe = GrappeFactory(aap=aap(), amoa_marche=True)
    add_esms(grappe, 10)
    for _ in range(5):
        add_esms(grappe, 2, og=OrganismeGestionnaireFactory())
    grappe = Grappe.objects.select_related("aap", "region", "porteur").get(pk=grappe.pk)
    memberships = list(grappe.active_memberships())
    assert len(memberships) == 20
    # The OG sizes (one aggregate for all OG) and the tranches, whatever the number of ESMS.
    with django_assert_max_num_queries(2):
        simulation = simulate_funding(grappe, memberships=memberships)
    assert simulation.line("Équipement").quantity == 20
    grappe = Grappe.objects.get(pk=grappe.pk)
    with django_assert_max_num_queries(4):
        simulate_funding(grappe)


# --- The partials (grappe page and PDF fiche) ---------------------------------------------------


def test_financement_partial_formats_euros_the_french_way(generalisation_grappe):
    with translation.override("fr"):
        html = render_to_string(
            "grappe/_financement.html",
            {"funding": simulate_funding(generalisation_grappe), "grappe": generalisation_grappe},
        )
    assert "145\xa0000&nbsp;€" in html
    assert "14\xa0500&nbsp;€" in html
    assert "420\xa0000&nbsp;€" in html
    assert "Tranche 1 (40&nbsp;%) — Signature de la convention ARS" in html
    assert "168\xa0000&nbsp;€" in html
    assert "252\xa0000&nbsp;€" in html
    rules = html[html.index('data-testid="financement-regles"') :]
    assert "Tranches de versement : 40 % / 60 %" in rules
    assert "à confirmer par l&#x27;ARS" in rules
    assert "Corse et outre-mer : pas de seuil réduit" in rules
    assert "En groupement de 15 ESSMS" in rules


def test_financement_partial_shows_cents_only_when_there_are_some(one_line_aap):
    set_tranches(one_line_aap, D(50), D(50))
    grappe = odd_grappe(one_line_aap, D("10000.05"))
    with translation.override("fr"):
        html = render_to_string(
            "grappe/_financement.html", {"funding": simulate_funding(grappe), "grappe": grappe}
        )
    assert "10\xa0000,05&nbsp;€" in html
    assert "5\xa0000,03&nbsp;€" in html


def test_financement_partial_without_aap_shows_the_warning():
    grappe = GrappeFactory(aap=None)
    html = render_to_string(
        "grappe/_financement.html", {"funding": simulate_funding(grappe), "grappe": grappe}
    )
    assert "Choisissez un appel à projets pour simuler le financement." in html
    assert "<table" not in html


def test_eligibilite_partial_writes_every_status_out():
    grappe = GrappeFactory(aap=aap())
    add_esms(grappe, 14)
    html = render_to_string(
        "grappe/_eligibilite.html", {"eligibility": check_eligibility(grappe), "grappe": grappe}
    )
    assert "Grappe non éligible" in html
    assert "2 points bloquants" in html  # minimum of 15 ESMS and the RESAH SAD
    assert 'class="check-ko ko text-nowrap"><strong>Bloquant</strong>' in html
    assert "14 ESMS : il en faut au moins 15 pour la région Hauts-de-France" in html
