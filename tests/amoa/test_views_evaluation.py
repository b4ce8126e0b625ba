"""Evaluators' grids: visibility of the others' scores, conflicts of interest, consensus,
auditions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from amoa.models import Consensus, DeclarationConflit, Evaluation, Note
from amoa.services import analyse
from grappe.enums import RoleComite
from grappe.models import HistoryEntry
from tests.amoa.factories import evaluator, make_offre, score
from tests.grappe.factories import UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


def grid_url(consultation):
    return reverse("amoa:evaluation", args=[consultation.grappe_id, consultation.pk])


def field(offre, consultation, code, kind="note"):
    critere = consultation.criteres.get(code=code)
    return f"{kind}-{offre.pk}-{critere.pk}"


def test_an_evaluator_scores_with_justifications_then_submits(
    cast, evaluators, consultation, offres, client_for
):
    client = client_for(evaluators[0])
    page = text(client.get(grid_url(consultation)))
    assert "Alpha Conseil" in page and "Méthodologie (sur 10)" in page
    # Price criteria are computed, never scored by hand.
    assert "Coût global" not in page
    data = {
        field(offres[0], consultation, "methodologie"): "8",
        field(offres[0], consultation, "methodologie", "justification"): "Démarche claire",
        field(offres[1], consultation, "cadre_planning"): "6",
    }
    response = client.post(grid_url(consultation), data)
    assert "La note maximale est 5." in text(response)
    data[field(offres[1], consultation, "cadre_planning")] = "4"
    assert client.post(grid_url(consultation), data).status_code == 302
    evaluation = Evaluation.objects.get(evaluateur=evaluators[0])
    assert not evaluation.soumise
    assert evaluation.notes.count() == 2
    note = evaluation.notes.get(critere__code="methodologie")
    assert note.valeur == Decimal(8) and note.justification == "Démarche claire"
    # Submitted only complete: every offer × qualitative criterion, each justified.
    response = client.post(grid_url(consultation), {**data, "soumettre": "1"})
    assert response.status_code == 200
    assert "Il manque" in text(response) and "Alpha Conseil — Audition : note et justification" in (
        text(response)
    )
    evaluation.refresh_from_db()
    assert not evaluation.soumise
    full = {}
    for offre in offres:
        for critere in consultation.criteres.filter(kind="qualitatif"):
            full[field(offre, consultation, critere.code)] = "3"
            full[field(offre, consultation, critere.code, "justification")] = "Vu en audition"
    response = client.post(grid_url(consultation), {**full, "soumettre": "1"})
    assert response["Location"] == reverse(
        "amoa:consolidation", args=[cast.grappe.pk, consultation.pk]
    )
    evaluation.refresh_from_db()
    assert evaluation.soumise and evaluation.notes.count() == 10
    assert HistoryEntry.objects.filter(action="Évaluation soumise").exists()


def test_a_permanent_guest_of_the_committee_does_not_score(cast, consultation, client_for):
    guest = evaluator(cast.grappe, UserFactory(), role=RoleComite.INVITE)
    assert client_for(guest).get(grid_url(consultation)).status_code == 403


def test_an_evaluator_sees_the_others_scores_only_after_submitting(
    cast, evaluators, consultation, offres, client_for
):
    first, second = evaluators
    score(consultation, first, offres[0], {"methodologie": "9.5"}, submit=True)
    Note.objects.filter(critere__code="methodologie").update(justification="Très solide XYZ")
    score(consultation, second, offres[0], {"methodologie": "3"})
    client = client_for(second)
    for name in ("consolidation", "classement"):
        url = reverse(f"amoa:{name}", args=[cast.grappe.pk, consultation.pk])
        page = text(client.get(url))
        assert "une fois votre propre évaluation soumise" in page, name
        assert "Très solide XYZ" not in page and "9,5" not in page and "9.5" not in page
    for name in ("grille", "rapport"):
        url = reverse(f"amoa:{name}", args=[cast.grappe.pk, consultation.pk])
        assert client.get(url).status_code == 403
    # Their own grid does not show the others' scores either.
    assert "Très solide XYZ" not in text(client.get(grid_url(consultation)))

    Evaluation.objects.filter(evaluateur=second).update(soumise_le="2026-06-15T08:00Z")
    page = text(client.get(reverse("amoa:consolidation", args=[cast.grappe.pk, consultation.pk])))
    assert "Très solide XYZ" in page
    # The chef de projet, who does not score, sees everything at any time.
    owner_page = text(
        client_for(cast.owner).get(
            reverse("amoa:consolidation", args=[cast.grappe.pk, consultation.pk])
        )
    )
    assert "Très solide XYZ" in owner_page


def test_conflict_of_interest_removes_the_evaluator_from_that_offer(
    cast, evaluators, consultation, offres, client_for
):
    first, second = evaluators
    score(consultation, first, offres[0], {"methodologie": 10})
    score(consultation, first, offres[1], {"methodologie": 5})
    score(consultation, second, offres[0], {"methodologie": 4}, submit=True)
    client = client_for(first)
    url = reverse("amoa:conflit", args=[cast.grappe.pk, consultation.pk])
    response = client.post(
        url, {"candidat": offres[0].candidat_id, "motif": "Ancien employeur"}, follow=True
    )
    assert "vous ne notez pas l'offre de Alpha Conseil" in text(response)
    assert DeclarationConflit.objects.get().evaluateur == first
    # Their score on that offer is gone; the offer is no longer in their grid.
    assert not Note.objects.filter(evaluation__evaluateur=first, offre=offres[0]).exists()
    page = text(client.get(grid_url(consultation)))
    assert f'data-testid="grille-{offres[0].pk}"' not in page
    assert f'data-testid="grille-{offres[1].pk}"' in page
    # Even a score entered behind the view's back, in a submitted grid, would not count.
    score(consultation, first, offres[0], {"methodologie": 10}, submit=True)
    result = analyse(consultation)
    cell = result.result(offres[0]).notes["methodologie"]
    assert cell.mean == Decimal("4.00") and cell.count == 1
    assert HistoryEntry.objects.filter(action="Conflit d'intérêts déclaré").exists()


def test_consensus_replaces_the_mean_and_is_traced(
    cast, evaluators, consultation, offres, client_for
):
    first, second = evaluators
    score(consultation, first, offres[0], {"methodologie": 9}, submit=True)
    score(consultation, second, offres[0], {"methodologie": 5}, submit=True)
    critere = consultation.criteres.get(code="methodologie")
    url = reverse("amoa:consensus", args=[cast.grappe.pk, consultation.pk])
    client = client_for(first)
    response = client.post(
        url,
        {"offre": offres[0].pk, "critere": critere.pk, "valeur": "11", "motif": "x"},
        follow=True,
    )
    assert "La note maximale est 10." in text(response)
    client.post(
        url,
        {"offre": offres[0].pk, "critere": critere.pk, "valeur": "8", "motif": "Écart discuté"},
    )
    consensus = Consensus.objects.get()
    assert consensus.valeur == Decimal(8) and consensus.par == first
    cell = analyse(consultation).result(offres[0]).notes["methodologie"]
    assert (cell.mean, cell.low, cell.high, cell.note) == (
        Decimal("7.00"),
        Decimal(5),
        Decimal(9),
        Decimal("8.00"),
    )
    entry = HistoryEntry.objects.get(action="Note de consensus fixée")
    assert entry.user == first and entry.changes["Méthodologie"] == ["", "8"]
    assert entry.changes["Motif"] == "Écart discuté"
    page = text(client.get(reverse("amoa:consolidation", args=[cast.grappe.pk, consultation.pk])))
    assert "Écart discuté" in page and "7,00" in page


def test_an_evaluator_who_has_not_submitted_cannot_set_a_consensus(
    cast, evaluators, consultation, offres, client_for
):
    critere = consultation.criteres.get(code="methodologie")
    url = reverse("amoa:consensus", args=[cast.grappe.pk, consultation.pk])
    data = {"offre": offres[0].pk, "critere": critere.pk, "valeur": "8", "motif": "x"}
    assert client_for(evaluators[0]).post(url, data).status_code == 403
    assert not Consensus.objects.exists()


def test_auditions_are_recorded_for_the_shortlist(cast, consultation, offres, client_for):
    url = reverse("amoa:auditions", args=[cast.grappe.pk, consultation.pk])
    client = client_for(cast.owner)
    page = text(client.get(url))
    assert "Offres les mieux classées à ce stade" in page
    response = client.post(
        url,
        {"offre": offres[0].pk, "date": "2026-06-20T09:30", "synthese": "Équipe solide."},
    )
    assert response.status_code == 302
    response = client.post(
        url, {"offre": offres[0].pk, "date": "2026-06-21T09:30", "synthese": "Doublon"}
    )
    assert "Ce candidat a déjà une audition" in text(response)
    page = text(client.get(url))
    assert "Équipe solide." in page
    assert HistoryEntry.objects.filter(action="Audition enregistrée").exists()


def test_the_scoring_tab_is_for_evaluators_and_opening_it_writes_nothing(
    cast, evaluators, consultation, offres, client_for
):
    detail = consultation.get_absolute_url()
    assert "Ma notation" not in text(client_for(cast.owner).get(detail))
    client = client_for(evaluators[0])
    assert "Ma notation" in text(client.get(detail))
    assert client.get(grid_url(consultation)).status_code == 200
    assert not Evaluation.objects.exists()


def test_grid_query_count_does_not_grow_with_offers(
    cast, evaluators, consultation, client_for, django_assert_max_num_queries
):
    client = client_for(evaluators[0])
    make_offre(consultation, "Alpha")
    with django_assert_max_num_queries(30) as ctx:
        client.get(grid_url(consultation))
    few = len(ctx.captured_queries)
    for n in range(4):
        make_offre(consultation, f"Cabinet {n}")
    with django_assert_max_num_queries(few):
        assert client.get(grid_url(consultation)).status_code == 200
