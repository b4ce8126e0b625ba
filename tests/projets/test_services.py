"""The reference plan in the database (loaded by a migration) and a grappe's plan made from it."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from grappe.models import HistoryEntry
from projets.enums import DecisionJalon
from projets.models import (
    Etape,
    EtapeReference,
    Jalon,
    JalonReference,
    Livrable,
    LivrableReference,
    PhaseReference,
)
from projets.services import instantiate_plan
from tests.grappe.factories import GrappeFactory
from tests.projets.factories import plan_for

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 5)
PHASE_OF = {
    numero: phase
    for phase, numeros in {
        1: range(1, 4),
        2: range(4, 9),
        3: range(9, 12),
        4: range(12, 19),
    }.items()
    for numero in numeros
}


def reference_snapshot():
    """Every row of the reference plan, as plain data."""
    return {
        "phases": [model_to_dict(phase) for phase in PhaseReference.objects.order_by("pk")],
        "etapes": [model_to_dict(etape) for etape in EtapeReference.objects.order_by("pk")],
        "livrables": [model_to_dict(item) for item in LivrableReference.objects.order_by("pk")],
        "jalons": [model_to_dict(jalon) for jalon in JalonReference.objects.order_by("pk")],
    }


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------


def test_reference_data_is_complete():
    assert list(PhaseReference.objects.values_list("numero", flat=True)) == [1, 2, 3, 4]
    etapes = list(EtapeReference.objects.select_related("phase"))
    assert [etape.numero for etape in etapes] == list(range(1, 19))
    assert {etape.numero: etape.phase.numero for etape in etapes} == PHASE_OF
    for etape in etapes:
        rubriques = etape.rubriques()
        assert len(rubriques) == 6
        assert all(text.strip() for _, text in rubriques), etape.numero
        assert etape.livrables.exists(), etape.numero
    assert LivrableReference.objects.count() == 41
    assert LivrableReference.objects.filter(amoa=True, etape__isnull=True).count() == 8
    jalons = JalonReference.objects.select_related("etape")
    assert jalons.count() == 6
    assert {j.etape.numero for j in jalons if j.go_no_go} == {3, 8, 11, 14}


# ---------------------------------------------------------------------------------------------
# Instantiation
# ---------------------------------------------------------------------------------------------


def test_instantiation_copies_the_18_steps_with_chained_dates(cast):
    plan = instantiate_plan(cast.grappe, START, cast.owner)
    etapes = list(plan.etapes.select_related("reference").order_by("ordre"))
    assert len(etapes) == 18
    assert [e.ordre for e in etapes] == list(range(1, 19))
    assert etapes[0].planned_start == START
    previous = None
    for etape in etapes:
        reference = etape.reference
        assert etape.titre == reference.titre
        assert etape.phase == PHASE_OF[etape.ordre]
        assert etape.owner_role == reference.owner_role
        assert (etape.planned_end - etape.planned_start).days + 1 == 7 * reference.duree_semaines
        assert (etape.actual_start, etape.actual_end, etape.progress, etape.skipped) == (
            None,
            None,
            0,
            False,
        )
        if previous is not None:
            assert etape.planned_start == previous.planned_end + datetime.timedelta(days=1)
        previous = etape
    assert etapes[-1].planned_end == datetime.date(2027, 11, 21)


def test_instantiation_chains_dependencies_finish_to_start(cast):
    plan = plan_for(cast.grappe)
    etapes = list(plan.etapes.prefetch_related("depends_on").order_by("ordre"))
    assert list(etapes[0].depends_on.all()) == []
    for previous, etape in zip(etapes, etapes[1:], strict=False):
        assert list(etape.depends_on.all()) == [previous]


def test_instantiation_copies_milestones_and_deliverables(cast):
    plan = plan_for(cast.grappe)
    jalons = list(plan.jalons.select_related("etape"))
    assert len(jalons) == 6
    assert sorted(j.etape.ordre for j in jalons if j.go_no_go) == [3, 8, 11, 14]
    for jalon in jalons:
        assert jalon.planned_on == jalon.etape.planned_end
        assert jalon.decision == ""
    livrables = list(plan.livrables.select_related("etape", "reference__etape"))
    assert len(livrables) == 41
    amoa = [livrable for livrable in livrables if livrable.amoa]
    assert len(amoa) == 8
    assert all(livrable.etape is None for livrable in amoa)
    for livrable in livrables:
        if not livrable.amoa:
            assert livrable.etape.reference == livrable.reference.etape
            assert livrable.titre == livrable.reference.titre
            assert livrable.validation_copil == livrable.reference.validation_copil
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Création du plan projet")
    assert entry.changes == {"Début": "2026-01-05"}


def test_only_phase_one_is_open_until_the_copil_says_go(cast):
    plan = plan_for(cast.grappe)
    assert plan.open_phases() == {1}
    gates = {j.etape.ordre: j for j in plan.jalons.filter(go_no_go=True).select_related("etape")}
    gates[3].decision = DecisionJalon.GO
    gates[3].save()
    assert plan.open_phases() == {1, 2}
    gates[8].decision = DecisionJalon.NO_GO
    gates[8].save()
    assert plan.open_phases() == {1, 2}
    gates[8].decision = DecisionJalon.GO
    gates[8].save()
    gates[11].decision = DecisionJalon.GO
    gates[11].save()
    assert plan.open_phases() == {1, 2, 3, 4}


def test_each_grappe_gets_its_own_copy(cast):
    first = plan_for(cast.grappe)
    second = plan_for(GrappeFactory())
    assert Etape.objects.count() == 36
    assert Jalon.objects.count() == 12
    assert Livrable.objects.count() == 82
    assert not set(first.etapes.values_list("pk", flat=True)) & set(
        second.etapes.values_list("pk", flat=True)
    )


def test_reference_untouched_when_the_grappe_renames_skips_and_adds(cast, client_for):
    before = reference_snapshot()
    plan = plan_for(cast.grappe)
    client = client_for(cast.owner)
    etape_1 = plan.etapes.get(ordre=1)
    etape_18 = plan.etapes.get(ordre=18)

    def edit(etape, **changes):
        data = {
            "titre": etape.titre,
            "owner_role": etape.owner_role,
            "planned_start": etape.planned_start.isoformat(),
            "planned_end": etape.planned_end.isoformat(),
            "progress": "0",
            "depends_on": [e.pk for e in etape.depends_on.all()],
            **changes,
        }
        response = client.post(reverse("projets:etape_edit", args=[cast.grappe.pk, etape.pk]), data)
        assert response.status_code == 302, response.context["form"].errors

    edit(etape_1, titre="Cadrer le projet de DUI de la grappe")
    edit(etape_18, skipped="on", skip_reason="Aucune prestation complémentaire prévue.")
    response = client.post(
        reverse("projets:etape_add", args=[cast.grappe.pk]),
        {
            "titre": "Visite d'un ESMS déjà équipé",
            "phase": "2",
            "position": "5",
            "planned_start": "2026-04-01",
            "planned_end": "2026-04-10",
            "owner_role": "chef_projet",
        },
    )
    assert response.status_code == 302
    assert plan.etapes.count() == 19
    assert plan.etapes.get(pk=etape_1.pk).titre == "Cadrer le projet de DUI de la grappe"
    assert plan.etapes.get(pk=etape_18.pk).skipped
    assert reference_snapshot() == before
    # A new grappe still gets the reference plan as it was.
    other = plan_for(GrappeFactory())
    assert other.etapes.get(ordre=1).titre == EtapeReference.objects.get(numero=1).titre
    assert other.etapes.count() == 18
    assert not other.etapes.filter(skipped=True).exists()
