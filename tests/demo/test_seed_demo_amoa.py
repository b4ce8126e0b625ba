import pytest
from django.core.management import call_command

from amoa.demo import TITRE
from amoa.models import Consultation, Note, Offre, PieceOffre
from amoa.services import analyse
from grappe.demo import GRAPPE_NAME

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Consultation.objects.count(),
        Offre.objects.count(),
        PieceOffre.objects.count(),
        Note.objects.count(),
    )


def test_seed_demo_builds_a_scored_ranked_consultation_idempotently():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first

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
