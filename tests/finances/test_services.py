"""The sums of finances/services.py, each computed by hand."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core.money import allocate
from finances.enums import Poste, postes_eligibles
from finances.models import ttc
from finances.services import Regles, ouverture_appel, subventions, synthese
from grappe.funding import simulate_funding
from tests.candidatures.factories import paris
from tests.finances.factories import (
    call,
    campagne,
    engagement,
    facture,
    money_grappe,
    propre,
)
from tests.grappe.factories import GrappeFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = "2026-06-30 12:00 +0200"


def test_ttc_is_rounded_half_up_to_the_cent():
    assert ttc(D("10000.00"), D("20.00")) == D("12000.00")
    assert ttc(D("2000.00"), D("5.50")) == D("2110.00")
    assert ttc(D("12.34"), D("20.00")) == D("14.81")  # 14.808
    assert ttc(D("0.10"), D("25.00")) == D("0.13")  # 0.125: half-up, not half-even
    assert ttc(D("99.99"), D("0")) == D("99.99")


def test_allocate_gives_the_remainder_to_the_last():
    assert allocate(D(100), [D(1), D(1), D(1)]) == [D("33.33"), D("33.33"), D("33.34")]
    assert allocate(D(100), [D(0), D(0)]) == [D(0), D(0)]


def test_subsidy_is_the_convention_split_like_the_simulation():
    grappe = money_grappe()
    assert simulate_funding(grappe).total == D(62000)
    amounts = subventions(grappe)
    # 60 000 × 36 000 / 62 000 = 34 838,709… ; × 21 000 / 62 000 = 20 322,580… ; the rest.
    assert amounts[Poste.EDITEUR] == D("34838.71")
    assert amounts[Poste.USAGES] == D("20322.58")
    assert amounts[Poste.CONFORMITE] == D("4838.71")
    assert amounts[Poste.MATERIEL] == amounts[Poste.AMOA_PROJET] == D("0.00")
    assert sum(amounts.values()) == D("60000.00")


def test_subsidy_before_the_convention_is_the_simulation():
    grappe = money_grappe(convention=None)
    amounts = subventions(grappe)
    assert (amounts[Poste.EDITEUR], amounts[Poste.USAGES], amounts[Poste.CONFORMITE]) == (
        D("36000.00"),
        D("21000.00"),
        D("5000.00"),
    )


def test_eligible_postes_are_those_the_call_funds():
    assert postes_eligibles(None) == set()
    without_amoa = call(montant_usages=D(0))
    assert postes_eligibles(without_amoa) == {Poste.EDITEUR, Poste.CONFORMITE, Poste.MATERIEL}
    with_amoa = call(name="AMOA", finance_amoa=True)
    assert Poste.AMOA_MARCHE in postes_eligibles(with_amoa)
    assert Poste.AMOA_PROJET in postes_eligibles(with_amoa)


def test_the_opening_is_the_campaign_then_the_call_then_its_year():
    grappe = GrappeFactory(aap=call())
    assert ouverture_appel(grappe) == datetime.date(2026, 1, 1)
    grappe.aap.opens_on = datetime.date(2026, 2, 1)
    assert ouverture_appel(grappe) == datetime.date(2026, 2, 1)
    # 00:30 in Paris on 2 March is still 1 March in UTC: the day is the Paris one.
    campagne(grappe.aap, ouverture=paris(2026, 3, 2, 0, 30))
    assert ouverture_appel(grappe) == datetime.date(2026, 3, 2)
    assert ouverture_appel(GrappeFactory()) is None


def test_eligibility_rules():
    grappe = money_grappe()
    regles = Regles.of(grappe)
    assert regles.ouverture == datetime.date(2026, 3, 2)
    dui = engagement(grappe)
    amoa = engagement(grappe, poste=Poste.AMOA_PROJET)
    on_the_day = facture(dui, "F1", "10.00", date=datetime.date(2026, 3, 2))
    before = facture(dui, "F2", "10.00", date=datetime.date(2026, 3, 1))
    forced = facture(
        dui,
        "F3",
        "10.00",
        date=datetime.date(2026, 3, 1),
        eligibilite_forcee=True,
        motif_forcage="Commande passée après accord écrit de l'ARS.",
    )
    amoa_invoice = facture(amoa, "F4", "10.00")
    assert regles.eligible(on_the_day, dui.poste)
    assert not regles.eligible(before, dui.poste)
    assert regles.motif(before, dui.poste) == "Datée avant l'ouverture de l'appel (02/03/2026)."
    assert regles.eligible(forced, dui.poste)
    # Forcing lifts the date rule, never the poste's: the call does not fund the AMOA.
    amoa_invoice.eligibilite_forcee = True
    assert not regles.eligible(amoa_invoice, amoa.poste)
    assert regles.motif(amoa_invoice, amoa.poste) == "Poste non financé par l'appel à projets."


@pytest.fixture
def scenario():
    """Own funding, 3 engagements, 4 invoices (VAT 20 % and 5,5 %), one before the opening,
    one forced with a reason, an AMOA engagement the call does not fund, never invoiced."""
    grappe = money_grappe()
    porteur, second = grappe.porteur, grappe.second_og
    propre(grappe, porteur, Poste.EDITEUR, "5000.00")
    propre(grappe, second, Poste.CONFORMITE, "1000.00")
    licences = engagement(grappe, porteur, Poste.EDITEUR, "30000.00", "20.00")  # 36 000 TTC
    conformite = engagement(
        grappe, second, Poste.CONFORMITE, "5000.00", "5.50", date=datetime.date(2026, 2, 15)
    )  # 5 275 TTC
    engagement(
        grappe, porteur, Poste.AMOA_PROJET, "1000.00", "20.00", date=datetime.date(2026, 1, 5)
    )  # 1 200 TTC, no invoice
    paid = datetime.date(2026, 4, 1)
    facture(licences, "F-1", "10000.00", "20.00", datetime.date(2026, 3, 15), paid)  # 12 000
    facture(licences, "F-2", "5000.00", "20.00", datetime.date(2026, 4, 20))  # 6 000, unpaid
    # Before the opening (2 March): paid, not eligible. 2 110 TTC.
    facture(conformite, "C-1", "2000.00", "5.50", datetime.date(2026, 2, 20), paid)
    # Before the opening, forced: paid and justified. 1 055 TTC.
    facture(
        conformite,
        "C-2",
        "1000.00",
        "5.50",
        datetime.date(2026, 2, 25),
        paid,
        eligibilite_forcee=True,
        motif_forcage="Diagnostic exigé par l'ARS avant l'appel.",
    )
    return grappe


def row(ligne):
    return (
        ligne.subvention,
        ligne.propre,
        ligne.budget,
        ligne.engage,
        ligne.facture,
        ligne.paye,
        ligne.justifie,
    )


@time_machine.travel(TODAY, tick=False)
def test_synthese_by_poste_totals_and_ogs(scenario):
    result = synthese(scenario)
    postes = {ligne.code: ligne for ligne in result.postes}
    assert row(postes["editeur"]) == (
        D("34838.71"),
        D("5000.00"),
        D("39838.71"),  # 34 838,71 + 5 000
        D("36000.00"),
        D("18000.00"),  # 12 000 + 6 000
        D("12000.00"),
        D("12000.00"),
    )
    assert row(postes["usages"]) == (D("20322.58"), 0, D("20322.58"), 0, 0, 0, 0)
    assert row(postes["conformite"]) == (
        D("4838.71"),
        D("1000.00"),
        D("5838.71"),
        D("5275.00"),
        D("3165.00"),  # 2 110 + 1 055
        D("3165.00"),
        D("1055.00"),  # the invoice before the opening is not justified; the forced one is
    )
    assert row(postes["amoa_projet"]) == (0, 0, 0, D("1200.00"), 0, 0, 0)
    assert not postes["amoa_projet"].eligible
    assert row(result.totaux) == (
        D("60000.00"),
        D("6000.00"),
        D("66000.00"),
        D("42475.00"),  # 36 000 + 5 275 + 1 200
        D("21165.00"),  # 18 000 + 3 165
        D("15165.00"),  # 12 000 + 3 165
        D("13055.00"),  # 12 000 + 1 055
    )
    ogs = {ligne.og: ligne for ligne in result.ogs}
    porteur, second = ogs[scenario.porteur], ogs[scenario.second_og]
    assert (porteur.part, porteur.engage, porteur.facture, porteur.paye, porteur.justifie) == (
        D("5000.00"),
        D("37200.00"),
        D("18000.00"),
        D("12000.00"),
        D("12000.00"),
    )
    assert (second.part, second.engage, second.facture, second.justifie) == (
        D("1000.00"),
        D("5275.00"),
        D("3165.00"),
        D("1055.00"),
    )
    assert porteur.recu == porteur.reverse == 0


@time_machine.travel(TODAY, tick=False)
def test_alerts_over_budget_and_no_invoice_after_90_days(scenario):
    result = synthese(scenario)
    assert result.alertes == [
        "AMOA « projet » (pilotage du projet) : 1\xa0200,00\xa0€ engagés pour un budget de "
        "0,00\xa0€ (dépassement de 1\xa0200,00\xa0€).",
        "Engagement « Licences du DUI » (Éditeur SA) du 05/01/2026 : aucune facture après "
        "90 jours.",
    ]
    # 30 June is 90 days after 1 April: alert; not yet for 2 April.
    engagement(scenario, date=datetime.date(2026, 4, 1), objet="Formation")
    assert len(synthese(scenario).alertes) == 3
    engagement(scenario, date=datetime.date(2026, 4, 2), objet="Récent")
    assert len(synthese(scenario).alertes) == 3


def test_a_grappe_without_call_or_money(db):
    result = synthese(GrappeFactory())
    assert result.totaux.budget == 0
    assert result.alertes == []
    assert all(not ligne.eligible for ligne in result.postes)
