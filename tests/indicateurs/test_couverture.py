"""Issue 18, item 0: the targets tranche only on complete data, and only once the convention is
signed. A month where an ESMS of the grappe has no usable figure is « non évaluable »."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from grappe.enums import TypeAap
from grappe.models import Aap
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Tranche, ValeurIndicateur
from indicateurs.services import compute_month, couvertures, grappe_indicateurs
from tests.grappe.factories import GrappeFactory, UserFactory, add_esms, ars_agent
from tests.helpers import text
from tests.indicateurs.factories import in_service, meeting, usage

M1, M2, M3, M4 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)

pytestmark = pytest.mark.django_db


def grappe_of(count, couverture_min=None, signed=date(2025, 12, 1)):
    aap = None
    if couverture_min is not None:
        aap = Aap.objects.create(
            name="AAP test", kind=TypeAap.GENERALISATION, year=2026, couverture_min=couverture_min
        )
    grappe = GrappeFactory(
        aap=aap, convention_amount=Decimal("683000"), convention_signed_on=signed
    )
    esms = add_esms(grappe, count)
    in_service(grappe, M1)
    return grappe, esms


def tranche2(grappe):
    return Tranche.objects.get(grappe=grappe, numero=2)


def test_default_coverage_is_every_esms():
    assert Aap._meta.get_field("couverture_min").default == 100
    assert "à confirmer" in Aap._meta.get_field("couverture_min").help_text


def test_one_esms_missing_makes_the_month_non_evaluable_and_nothing_due():
    grappe, esms = grappe_of(16)
    for mois in (M1, M2, M3):
        for e in esms[:15]:
            meeting(e, mois)
    # The 16th sends the first two months, nothing for March: the 15 others meet every target.
    meeting(esms[15], M1)
    meeting(esms[15], M2)
    compute_month(M3)
    # The grappe figures are those of the 15 ESMS that reported (followed, all above target)…
    rows = ValeurIndicateur.objects.filter(grappe=grappe, mois=M3, niveau=Niveau.GRAPPE)
    assert rows.count() == 5 and all(row.atteinte for row in rows)
    # … but the month is not assessed: 15 of 16 reported, the call asks for all of them.
    coverage = couvertures(M3, [grappe.pk])[grappe.pk]
    assert (coverage["esms"], coverage["declarants"], coverage["minimum"]) == (16, 15, 100)
    assert coverage["manquants"] == [esms[15].pk]
    assert coverage["evaluable"] is False
    assert tranche2(grappe).statut == StatutTranche.PREVUE
    assert not [m for m in mail.outbox if "Tranche 2" in m.subject]
    # The API says so: every target met at grappe level, the month not assessed.
    api = grappe_indicateurs(grappe, M3)
    assert api["couverture"]["evaluable"] is False
    assert (api["couverture"]["declarants"], api["couverture"]["esms"]) == (15, 16)
    assert api["cibles_atteintes"] is False


def test_a_missing_figure_counts_as_not_reported():
    grappe, (a, b) = grappe_of(2)
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    # b's DMP count is missing in April (NULL, not zero): April is not assessed.
    usage(b, M4, personnes=100, mssante=80, dmp=None, actifs=95, pp=95, evt=95)
    meeting(a, M4)
    compute_month(M4)
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.PREVUE
    # Once b's figure comes in, April is assessed and the tranche falls due.
    meeting(b, M4)
    compute_month(M4, grappe)
    tranche = tranche2(grappe)
    assert (tranche.statut, tranche.mois_declenchement) == (StatutTranche.DUE, M4)
    assert tranche.declenchement["couverture"] == {
        "esms": 2,
        "declarants": 2,
        "personnes": 200,
        "minimum": 100,
    }


def test_a_call_asking_90_percent_lets_15_of_16_trigger(django_capture_on_commit_callbacks):
    grappe, esms = grappe_of(16, couverture_min=90)
    ars_agent("32", UserFactory(email="ars-hdf@exemple.fr"))
    for mois in (M1, M2, M3):
        for index, e in enumerate(esms[:15]):
            meeting(e, mois, personnes=100 + index)
    with django_capture_on_commit_callbacks(execute=True):
        compute_month(M3)
    tranche = tranche2(grappe)
    assert (tranche.statut, tranche.mois_declenchement) == (StatutTranche.DUE, M3)
    # 15 ESMS × 100 persons + (0 + 1 + … + 14) = 1 500 + 105 = 1 605 persons covered.
    assert tranche.declenchement["couverture"] == {
        "esms": 16,
        "declarants": 15,
        "personnes": 1605,
        "minimum": 90,
    }
    (message,) = [m for m in mail.outbox if "Tranche 2 due" in m.subject]
    assert (
        "Couverture du mois : 15 ESMS déclarants sur 16 (couverture minimale : 90 %), "
        "1\u202f605 personnes accompagnées couvertes." in message.body
    )


def test_90_percent_is_not_met_by_14_of_16():
    grappe, esms = grappe_of(16, couverture_min=90)
    for mois in (M1, M2, M3):
        for e in esms[:14]:
            meeting(e, mois)
    compute_month(M3)  # 14 / 16 = 87.5 % < 90 %
    assert tranche2(grappe).statut == StatutTranche.PREVUE


def test_an_esms_that_left_before_the_month_is_not_counted():
    grappe, (a, b, c) = grappe_of(3)
    c.memberships.update(left_on=date(2026, 2, 20))
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    compute_month(M3)
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.DUE
    assert tranche.declenchement["couverture"]["esms"] == 2


def test_no_tranche_due_before_the_convention_is_signed():
    grappe, (a, b) = grappe_of(2, signed=None)
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    compute_month(M3)
    assert tranche2(grappe).statut == StatutTranche.PREVUE
    # Signed: the next computation of a month meeting the targets makes it due.
    grappe.convention_signed_on = date(2026, 3, 20)
    grappe.save()
    compute_month(M3)
    assert (tranche2(grappe).statut, tranche2(grappe).mois_declenchement) == (
        StatutTranche.DUE,
        M3,
    )


def test_dashboard_shows_the_month_non_evaluable_and_who_is_missing(cast, client_for):
    a, b, c = [m.esms for m in cast.grappe.active_memberships()]
    in_service(cast.grappe, M1)
    for mois in (M1, M2, M3):
        usage(a, mois, personnes=120, mssante=96, dmp=96, actifs=120, pp=120, evt=120)
        meeting(b, mois, personnes=80)
    meeting(c, M1)
    usage(c, M3, personnes=50, mssante=40, dmp=40, actifs=None, pp=None, evt=None)
    compute_month(M3)
    response = client_for(cast.owner).get(
        reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk]) + "?mois=2026-03"
    )
    assert response.context["non_evaluable"] is True
    assert response.context["toutes_atteintes"] is False
    assert response.context["esms_manquants"] == [c.name]
    page = text(response)
    assert "Mois non évaluable au niveau de la grappe" in page
    # a and b reported: 120 + 80 = 200 persons; c's counts of active files are missing.
    assert (
        "2 ESMS déclarants sur 3 (couverture minimale : 100 %), "
        "200 personnes accompagnées couvertes." in page
    )
    assert f"1 ESMS sans données complètes : {c.name}." in page
    assert "Cibles non évaluées ce mois-ci (données incomplètes)." in page
    assert "Toutes les cibles sont atteintes" not in page


def test_the_coverage_is_editable_in_the_admin(admin_client):
    aap = Aap.objects.create(name="AAP test", kind=TypeAap.GENERALISATION, year=2026)
    page = admin_client.get(reverse("admin:grappe_aap_change", args=[aap.pk]))
    assert page.status_code == 200
    assert 'name="couverture_min"' in page.content.decode()
    assert "à confirmer" in text(page)
