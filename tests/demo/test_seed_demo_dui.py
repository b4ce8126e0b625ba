import pytest

from amoa.demo import TITRE_DUI
from amoa.models import (
    Consultation,
    ImportReponse,
    SolutionEtudiee,
)
from amoa.services import analyse
from grappe.demo import GRAPPE_NAME

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_dui_choice():
    consultation = Consultation.objects.get(grappe__name=GRAPPE_NAME, titre=TITRE_DUI)
    assert consultation.is_editeur and consultation.tco_annees == 3
    assert consultation.weights_error() is None
    grappe = consultation.grappe
    assert grappe.grille_fonctionnelle.exigences.count() > 30
    solutions = SolutionEtudiee.objects.filter(grappe=grappe)
    assert solutions.count() == 5
    assert solutions.filter(elimine=True).count() == 2
    assert all(s.motif_elimination for s in solutions.filter(elimine=True))

    result = analyse(consultation)
    assert len(result.offres) == 3
    assert all(
        ImportReponse.objects.filter(offre=o, applique_le__isnull=False) for o in result.offres
    )
    ranking = result.ranking
    assert [r.offer.label for r in ranking.ranked] == ["Médi-Logis", "Accompagner+"]
    assert [r.offer.label for r in ranking.eliminated] == ["Soins & Domicile"]
    assert "INS-01" in ranking.eliminated[0].reason
    winner = ranking.ranked[0]
    assert winner.offer.total_price == result.dui.for_offre(result.offres[0]).tco.total
    assert result.dui.for_offre(result.offres[0]).tco.hidden > 0
    assert consultation.choix.offre.candidat.societe == "Médi-Logis"
