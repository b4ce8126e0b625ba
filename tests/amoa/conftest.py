import pytest
import time_machine

from grappe.enums import RoleKind
from tests.amoa.factories import (
    ConsultationFactory,
    editeur_consultation,
    evaluator,
    make_offre,
    make_offre_editeur,
)
from tests.grappe.factories import RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def candidate(cast):
    """An AMOA consultant of the grappe (may be a candidate): sees nothing of the call."""
    return RoleFactory(
        grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory(email="amoa@exemple.fr")
    ).user


@pytest.fixture
def evaluators(cast):
    return [
        evaluator(cast.grappe, UserFactory(email=f"eval{n}@exemple.fr", last_name=f"Éval{n}"))
        for n in (1, 2)
    ]


@pytest.fixture
def consultation(cast):
    return ConsultationFactory(grappe=cast.grappe, created_by=cast.owner, titre="AMOA Flandres")


@pytest.fixture
def offres(consultation):
    return [
        make_offre(consultation, "Alpha Conseil", 60000, 900),
        make_offre(consultation, "Beta Santé", 50000, 850),
    ]


@pytest.fixture
def dui(cast):
    """The grappe's consultation for the choice of its DUI (objet « éditeur »)."""
    return editeur_consultation(cast.grappe, created_by=cast.owner)


@pytest.fixture
def offre(dui):
    """An éditeur's offer on `dui`."""
    return make_offre_editeur(dui, "Éditeur Alpha")
