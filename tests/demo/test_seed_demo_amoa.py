from decimal import Decimal

import pytest
from django.urls import reverse

from amoa.demo import TITRE, TITRE_DUI
from amoa.enums import StatutConsultation
from amoa.models import Consultation
from amoa.services import analyse
from grappe.demo import GRAPPE_NAME
from tests.amoa.factories import evaluator
from tests.grappe.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_scored_ranked_consultation():
    consultation = Consultation.objects.get(grappe__name=GRAPPE_NAME, titre=TITRE)
    assert consultation.missions == ["marche", "projet"]
    assert consultation.weights_error() is None
    assert consultation.criteres.count() == 7
    result = analyse(consultation)
    assert len(result.offres) == 4
    assert [r.offer.label for r in result.ranking.ranked] == [
        "Cap Médico-Social Conseil",
        "Nord Santé Numérique",
    ]
    assert [r.offer.label for r in result.ranking.hors_delai] == ["Hauts-de-France Organisation"]
    assert [r.offer.label for r in result.ranking.non_recevables] == ["Atelier Conseil ESMS"]
    assert {e.email for e in result.evaluateurs} == {
        "directeur.flandres@demo.grappe.fr",
        "directrice.ternois@demo.grappe.fr",
        "cheffe.projet@demo.grappe.fr",
    }
    assert all(n.justification for n in result.notes)
    assert len(result.consensus) == 1
    assert consultation.choix.offre.candidat.societe == "Cap Médico-Social Conseil"
    assert sum(1 for o in result.offres if hasattr(o, "audition")) == 2
    assert result.ranking.sensitivity


def test_the_demo_choices_are_recorded_with_their_frozen_ranking(client_for):
    """Moved from tests/amoa/test_scoring_integrity.py: its attributed consultations are frozen."""
    amoa = Consultation.objects.get(titre=TITRE)
    decision = analyse(amoa).decision()
    assert amoa.statut == StatutConsultation.ATTRIBUEE
    assert [(r.offer.label, r.total) for r in decision.premieres] == [
        ("Cap Médico-Social Conseil", Decimal("86.75"))
    ]
    assert decision.phrase.endswith(
        "retient l'offre de Cap Médico-Social Conseil, classée 1re sur 2 offres classées, "
        "avec 86,75 / 100."
    )
    assert len(decision.evaluateurs) == 3
    dui = Consultation.objects.get(titre=TITRE_DUI)
    assert "retient la solution de Médi-Logis, classée 1re" in analyse(dui).decision().phrase
    # The review's first step on the demo: a member added after the choice cannot submit.
    late = evaluator(amoa.grappe, UserFactory(email="tardif-demo@exemple.fr"))
    evaluation = reverse("amoa:evaluation", args=[amoa.grappe_id, amoa.pk])
    assert client_for(late).post(evaluation, {"soumettre": "1"}).status_code == 403
    totals = {r.offer.label: r.total for r in analyse(amoa).ranking.ranked}
    assert totals["Nord Santé Numérique"] == Decimal("75.11")
