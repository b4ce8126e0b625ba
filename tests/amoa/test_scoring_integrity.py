"""The selection committee's scoring cannot be gamed (hostile review): grids submitted only
complete and then locked, reopened only by the comité de sélection's president or the admin;
the ranking frozen by the choice, the decision written from the frozen ranking; the choice
changed only by reopening the consultation; evaluators blind until they submit — on the pages,
the API and the grappe's history. Same rules for the éditeur (DUI) consultation."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from amoa import perms, services
from amoa.enums import StatutConsultation, TypeCritere
from amoa.forms.consultations import ConsultationForm
from amoa.models import (
    Choix,
    Consensus,
    Critere,
    DeclarationConflit,
    Evaluation,
    Note,
    ResultatIndispensable,
)
from core import scoring
from grappe import extensions
from grappe.enums import RoleComite
from grappe.models import HistoryEntry
from tests.amoa.factories import (
    editeur_consultation,
    evaluator,
    make_offre,
    make_offre_editeur,
    score,
)
from tests.amoa.test_dui_classement import answer
from tests.grappe.factories import UserFactory
from tests.helpers import pdf_text, text

pytestmark = pytest.mark.django_db

HIGH = {
    "methodologie": 9,
    "experience": 9,
    "cadre_planning": 5,
    "audition": 9,
    "montee_competence": 5,
}
LOW = {
    "methodologie": 5,
    "experience": 5,
    "cadre_planning": 3,
    "audition": 5,
    "montee_competence": 3,
}
CONSENSUS_MOTIF = "Écart discuté en comité XYZ"
ELIMINATION_MOTIF = "Aucune référence en ESMS QWX"


def url(name, consultation, *args):
    return reverse(f"amoa:{name}", args=[consultation.grappe_id, consultation.pk, *args])


def api_url(consultation):
    return f"/api/v1/consultations/{consultation.pk}/classement/"


def grid_data(consultation, offres, values, justification="Justifié en comité"):
    """A full post of the grid: every offer × qualitative criterion."""
    data = {}
    for offre in offres:
        for critere in consultation.criteres.filter(kind=TypeCritere.QUALITATIF):
            data[f"note-{offre.pk}-{critere.pk}"] = str(values[offre.pk][critere.code])
            data[f"justification-{offre.pk}-{critere.pk}"] = justification
    return data


def totals(consultation):
    return {r.offer.label: r.total for r in services.analyse(consultation).ranking.ranked}


@pytest.fixture
def president(cast):
    user = UserFactory(email="presidente@exemple.fr", first_name="Paule", last_name="Présidente")
    return evaluator(cast.grappe, user, role=RoleComite.PRESIDENT)


@pytest.fixture
def gamma(consultation):
    """A third offer, eliminated on an indispensable criterion (the committee's finding)."""
    critere = Critere.objects.create(
        consultation=consultation,
        code="references_esms",
        libelle="Références en ESMS",
        kind=TypeCritere.INDISPENSABLE,
        poids=0,
        ordre=9,
    )
    offre = make_offre(consultation, "Gamma Écartée", 40000, 700)
    ResultatIndispensable.objects.create(
        offre=offre, critere=critere, satisfait=False, motif=ELIMINATION_MOTIF
    )
    return offre


@pytest.fixture
def submitted(consultation, offres, gamma, evaluators, president):
    """The first evaluator and the president submitted full grids; the second has not."""
    alpha, beta = offres
    for user in (evaluators[0], president):
        score(consultation, user, alpha, HIGH)
        score(consultation, user, beta, LOW)
        score(consultation, user, gamma, LOW, submit=True)
    return alpha, beta, gamma


@pytest.fixture
def decided(cast, consultation, submitted, president, client_for):
    """A consensus set by the president, then Alpha chosen by the chef de projet."""
    alpha, beta, _ = submitted
    critere = consultation.criteres.get(code="methodologie")
    response = client_for(president).post(
        url("consensus", consultation),
        {"offre": beta.pk, "critere": critere.pk, "valeur": "6", "motif": CONSENSUS_MOTIF},
    )
    assert response.status_code == 302
    response = client_for(cast.owner).post(
        url("classement", consultation),
        {"offre": alpha.pk, "date": "2026-06-15", "decision": "Offre classée première."},
    )
    assert response.status_code == 302
    return submitted


@pytest.fixture
def late(cast, decided):
    """A voting member added to the comité de sélection after the choice."""
    return evaluator(cast.grappe, UserFactory(email="tardif@exemple.fr", last_name="Tardif"))


# --- The hostile review's scenario, refused at each step ------------------------------------


def test_a_late_evaluator_cannot_submit_an_empty_grid_after_the_choice(
    cast, consultation, late, client_for
):
    client = client_for(late)
    response = client.post(url("evaluation", consultation), {"soumettre": "1"})
    assert response.status_code == 403
    assert "le classement est figé et la notation est close" in text(response)
    assert not Evaluation.objects.filter(evaluateur=late).exists()
    assert not HistoryEntry.objects.filter(user=late).exists()
    # Still blind: no scores, no ranking, no API.
    page = text(client.get(url("consolidation", consultation)))
    assert 'data-testid="notes-masquees"' in page and "Justification methodologie" not in page
    page = text(client.get(url("classement", consultation)))
    assert 'data-testid="notes-masquees"' in page and 'data-testid="choix"' not in page
    assert client.get(api_url(consultation)).status_code == 404
    assert client.get(url("rapport", consultation)).status_code == 403
    # The grid page says why, without a form to submit.
    page = text(client.get(url("evaluation", consultation)))
    assert 'data-testid="notation-close"' in page and "Soumettre mon évaluation" not in page


def test_a_late_evaluator_cannot_score_after_the_choice_and_the_ranking_stays(
    cast, consultation, decided, late, client_for
):
    alpha, beta, gamma = decided
    before = totals(consultation)
    values = {
        alpha.pk: dict.fromkeys(HIGH, 0),
        beta.pk: {
            code: 10 if code not in ("cadre_planning", "montee_competence") else 5 for code in HIGH
        },
        gamma.pk: dict.fromkeys(HIGH, 0),
    }
    data = grid_data(consultation, [alpha, beta, gamma], values)
    client = client_for(late)
    for extra in ({}, {"soumettre": "1"}):
        assert client.post(url("evaluation", consultation), {**data, **extra}).status_code == 403
    assert not Note.objects.filter(evaluation__evaluateur=late).exists()
    assert totals(consultation) == before
    # Even scores written behind the views' back do not move the ranking shown after the choice.
    score(consultation, late, alpha, values[alpha.pk])
    score(consultation, late, beta, values[beta.pk], submit=True)
    assert totals(consultation) == before
    live = services.analyse(consultation, live=True)
    assert {r.offer.label: r.total for r in live.ranking.ranked} != before
    response = client_for(cast.ars).get(api_url(consultation))
    ranks = {o["candidat"]: o["rang"] for o in response.json()["offres"]}
    assert ranks["Alpha Conseil"] == 1 and ranks["Beta Santé"] == 2
    assert response.json()["classement_fige_le"]


def test_a_submitted_evaluator_cannot_change_anything_after_the_choice(
    cast, consultation, decided, president, evaluators, client_for
):
    alpha, beta, gamma = decided
    client = client_for(evaluators[0])
    before = sorted(
        Note.objects.filter(evaluation__evaluateur=evaluators[0]).values_list("pk", "valeur")
    )
    assert client.post(url("evaluation", consultation), {}).status_code == 403
    critere = consultation.criteres.get(code="audition")
    for name, data in (
        ("consensus", {"offre": beta.pk, "critere": critere.pk, "valeur": "10", "motif": "x"}),
        ("conflit", {"candidat": alpha.candidat_id, "motif": "Ancien employeur"}),
    ):
        assert client.post(url(name, consultation), data).status_code == 403, name
    assert not DeclarationConflit.objects.exists()
    assert Consensus.objects.get().valeur == Decimal(6)
    assert (
        sorted(
            Note.objects.filter(evaluation__evaluateur=evaluators[0]).values_list("pk", "valeur")
        )
        == before
    )
    indispensable = consultation.criteres.get(code="references_esms")
    response = client_for(cast.owner).post(
        url("indispensable", consultation, gamma.pk),
        {"critere": indispensable.pk, "satisfait": "on", "motif": ""},
    )
    assert response.status_code == 403
    assert not ResultatIndispensable.objects.get().satisfait
    # Nor can the president reopen a grid of a frozen ranking.
    grid = Evaluation.objects.get(evaluateur=evaluators[0])
    response = client_for(president).post(
        url("evaluation_reopen", consultation), {"evaluation": grid.pk, "motif": "Erreur"}
    )
    assert response.status_code == 403
    grid.refresh_from_db()
    assert grid.soumise
    # The criteria's weights stay those of the frozen ranking.
    response = client_for(cast.owner).post(url("criteres", consultation), {})
    assert response.status_code == 403


@pytest.mark.pdf
def test_the_report_decision_is_written_from_the_ranking_it_prints(
    cast, consultation, decided, late, client_for
):
    alpha, beta, _ = decided
    choix = Choix.objects.get()
    fige = choix.classement_fige
    ranked = fige["classement"]["ranked"]
    assert [r["offer"]["label"] for r in ranked] == ["Alpha Conseil", "Beta Santé"]
    assert {e["nom"] for e in fige["evaluateurs"]} == {
        e.evaluateur.get_full_name() for e in Evaluation.objects.filter(soumise_le__isnull=False)
    }
    assert fige["par"]["id"] == cast.owner.pk and fige["fige_le"].startswith("2026-06-15")
    assert fige["consensus"][0]["motif"] == CONSENSUS_MOTIF
    alpha_total = scoring.quantize(Decimal(ranked[0]["total"]))
    printed = f"{alpha_total:.2f}".replace(".", ",")
    # A late evaluator's scores slipped into the database change nothing in the report.
    score(consultation, late, alpha, dict.fromkeys(HIGH, 0), submit=True)
    content = pdf_text(client_for(cast.owner).get(url("rapport", consultation)).content)
    assert (
        "le comité de sélection retient l'offre de Alpha Conseil, classée 1re sur 2 offres "
        f"classées, avec {printed} / 100." in content
    )
    assert "1 Alpha Conseil" in content and printed in content
    assert "Motifs : Offre classée première." in content
    page = text(client_for(cast.owner).get(url("classement", consultation)))
    assert "classée 1re sur 2" in page and 'data-testid="classement-fige"' in page


def test_a_choice_other_than_the_first_says_so(cast, consultation, submitted, client_for):
    alpha, beta, _ = submitted
    client_for(cast.owner).post(
        url("classement", consultation),
        {"offre": beta.pk, "date": "2026-06-15", "decision": "Équipe plus disponible."},
    )
    decision = services.analyse(consultation).decision()
    assert decision.retenue.rank == 2
    assert "retient l'offre de Beta Santé, classée 2e sur 2" in decision.phrase
    assert "En tête du classement : Alpha Conseil (" in decision.phrase


def test_the_choice_changes_only_by_reopening_the_consultation(
    cast, consultation, decided, client_for
):
    alpha, beta, _ = decided
    owner = client_for(cast.owner)
    response = owner.post(
        url("classement", consultation),
        {"offre": beta.pk, "date": "2026-06-16", "decision": "Changement d'avis."},
    )
    assert response.status_code == 403
    assert Choix.objects.get().offre == alpha
    # Reopening: the chef de projet or the admin, with a reason, traced.
    assert client_for(cast.member).post(url("consultation_reopen", consultation)).status_code == 403
    owner = client_for(cast.owner)
    response = owner.post(url("consultation_reopen", consultation), {"motif": ""}, follow=True)
    assert "Indiquez le motif de la réouverture." in text(response)
    assert Choix.objects.exists()
    response = owner.post(
        url("consultation_reopen", consultation), {"motif": "Recours d'un candidat"}
    )
    assert response.status_code == 302
    assert not Choix.objects.exists()
    consultation.refresh_from_db()
    assert consultation.statut == StatutConsultation.EVALUATION
    entry = HistoryEntry.objects.get(action="Consultation rouverte : choix annulé")
    assert entry.confidentiel and entry.user == cast.owner
    assert entry.changes["Offre qui était retenue"] == "Alpha Conseil"
    assert entry.changes["Motif de la réouverture"] == "Recours d'un candidat"
    assert entry.changes["Classement qui était figé"].startswith("1. Alpha Conseil (")
    # A new decision freezes a new ranking.
    response = owner.post(
        url("classement", consultation),
        {"offre": beta.pk, "date": "2026-06-16", "decision": "Après recours."},
    )
    assert response.status_code == 302
    assert Choix.objects.get().offre == beta


# --- Grids: complete to be submitted, locked once submitted, explicit changes only ----------


def test_an_incomplete_grid_cannot_be_submitted(
    cast, consultation, offres, gamma, evaluators, client_for
):
    alpha, beta = offres
    values = {alpha.pk: HIGH, beta.pk: LOW, gamma.pk: LOW}
    data = grid_data(consultation, [alpha, beta, gamma], values)
    audition = consultation.criteres.get(code="audition")
    data[f"justification-{beta.pk}-{audition.pk}"] = "  "
    del data[f"note-{gamma.pk}-{audition.pk}"]
    del data[f"justification-{gamma.pk}-{audition.pk}"]
    client = client_for(evaluators[0])
    response = client.post(url("evaluation", consultation), {**data, "soumettre": "1"})
    assert response.status_code == 200
    page = text(response)
    assert "Votre évaluation n'est pas soumise" in page
    assert "Beta Santé — Audition : justification" in page
    # The eliminated offer is required too: the grid must not reveal the eliminations.
    assert "Gamma Écartée — Audition : note et justification" in page
    assert not Evaluation.objects.filter(soumise_le__isnull=False).exists()
    assert not Note.objects.exists()
    assert not HistoryEntry.objects.filter(action="Évaluation soumise").exists()


def test_a_grid_with_nothing_to_score_cannot_be_submitted(
    cast, consultation, evaluators, client_for
):
    response = client_for(evaluators[0]).post(url("evaluation", consultation), {"soumettre": "1"})
    assert response.status_code == 200
    assert "Il n'y a aucune offre à noter : rien à soumettre." in text(response)
    assert not Evaluation.objects.exists()


def test_a_submitted_grid_is_locked_and_an_empty_post_deletes_nothing(
    cast, consultation, offres, evaluators, client_for
):
    alpha, beta = offres
    client = client_for(evaluators[0])
    data = grid_data(consultation, offres, {alpha.pk: HIGH, beta.pk: LOW})
    response = client.post(url("evaluation", consultation), {**data, "soumettre": "1"})
    assert response.status_code == 302
    assert Note.objects.count() == 10
    for post in ({}, {"soumettre": "1"}, {f"note-{alpha.pk}-1": ""}, data):
        response = client.post(url("evaluation", consultation), post)
        assert response.status_code == 403
        assert "elle est verrouillée" in text(response)
    assert Note.objects.count() == 10
    assert Evaluation.objects.get().soumise
    page = text(client.get(url("evaluation", consultation)))
    assert 'data-testid="evaluation-soumise"' in page and "Enregistrer le brouillon" not in page


def test_a_draft_grid_changes_only_what_the_post_carries(
    cast, consultation, offres, evaluators, client_for
):
    alpha, beta = offres
    score(consultation, evaluators[0], alpha, HIGH)
    client = client_for(evaluators[0])
    response = client.post(url("evaluation", consultation), {})
    assert response.status_code == 302
    assert Note.objects.count() == 5
    methodologie = consultation.criteres.get(code="methodologie")
    experience = consultation.criteres.get(code="experience")
    response = client.post(
        url("evaluation", consultation),
        {
            f"note-{alpha.pk}-{methodologie.pk}": "4",
            f"note-{alpha.pk}-{experience.pk}": "",
            f"justification-{alpha.pk}-{experience.pk}": "",
        },
    )
    assert response.status_code == 302
    notes = {n.critere.code: n for n in Note.objects.select_related("critere")}
    # Changed, explicitly cleared, untouched (its justification kept).
    assert notes["methodologie"].valeur == Decimal(4)
    assert notes["methodologie"].justification == "Justification methodologie"
    assert "experience" not in notes
    assert notes["audition"].valeur == Decimal(9)
    # A draft does not count in the ranking.
    assert services.analyse(consultation).result(alpha).notes["methodologie"].count == 0


def test_the_president_reopens_a_submitted_grid_traced(
    cast, consultation, offres, evaluators, president, client_for
):
    alpha, beta = offres
    score(consultation, evaluators[0], alpha, HIGH)
    grid = score(consultation, evaluators[0], beta, LOW, submit=True)
    reopen = url("evaluation_reopen", consultation)
    data = {"evaluation": grid.pk, "motif": "Note saisie sur le mauvais candidat"}
    for user in (evaluators[0], evaluators[1], cast.owner, cast.member):
        assert client_for(user).post(reopen, data).status_code == 403
    grid.refresh_from_db()
    assert grid.soumise
    assert perms.can_reopen_grid(president, cast.grappe)
    assert perms.can_reopen_grid(cast.admin, cast.grappe)
    assert not perms.can_reopen_grid(cast.owner, cast.grappe)
    page = text(client_for(president).get(url("consolidation", consultation)))
    assert 'data-testid="rouvrir-evaluation"' in page
    response = client_for(president).post(reopen, {"evaluation": grid.pk}, follow=True)
    assert "Indiquez le motif de la réouverture." in text(response)
    response = client_for(president).post(reopen, data)
    assert response.status_code == 302
    grid.refresh_from_db()
    assert not grid.soumise and grid.notes.count() == 10
    entry = HistoryEntry.objects.get(action="Évaluation rouverte")
    assert entry.confidentiel and entry.user == president
    assert entry.changes["Évaluateur"] == evaluators[0].get_full_name()
    assert entry.changes["Motif"] == "Note saisie sur le mauvais candidat"
    # Unlocked: the evaluator corrects and submits again; blind again meanwhile.
    assert not perms.can_see_scores(evaluators[0], consultation)
    data = grid_data(consultation, offres, {alpha.pk: HIGH, beta.pk: HIGH})
    response = client_for(evaluators[0]).post(
        url("evaluation", consultation), {**data, "soumettre": "1"}
    )
    assert response.status_code == 302
    # The admin may reopen too; a grid not submitted cannot be "reopened".
    client_for(cast.admin).post(reopen, {"evaluation": grid.pk, "motif": "Contrôle"})
    grid.refresh_from_db()
    assert not grid.soumise
    response = client_for(cast.admin).post(
        reopen, {"evaluation": grid.pk, "motif": "x"}, follow=True
    )
    assert "n'est pas soumise" in text(response)


# --- Blindness until one's own grid is submitted ----------------------------------------


def test_an_evaluator_who_has_not_submitted_sees_no_elimination_consensus_or_choice(
    cast, consultation, decided, evaluators, client_for
):
    blind = evaluators[1]
    HistoryEntry.record(cast.grappe, cast.owner, "Convention modifiée")
    client = client_for(blind)
    page = text(client.get(consultation.get_absolute_url()))
    assert "Éliminée" not in page and ELIMINATION_MOTIF not in page
    assert 'data-testid="choix"' not in page and "retient" not in page
    assert 'data-testid="notes-masquees"' in page
    page = text(client.get(url("classement", consultation)))
    assert 'data-testid="choix"' not in page and "Éliminée" not in page
    page = text(client.get(url("offre", consultation, decided[2].pk)))
    assert ELIMINATION_MOTIF not in page and "offre éliminée" not in page
    assert client.get(api_url(consultation)).status_code == 404
    history = text(client.get(reverse("grappe:history", args=[cast.grappe.pk])))
    assert "Convention modifiée" in history
    for secret in (
        CONSENSUS_MOTIF,
        "Titulaire AMOA choisi",
        "Note de consensus fixée",
        "Alpha Conseil",
    ):
        assert secret not in history, secret
    # Those who may see the scores read them in the history.
    for user in (cast.owner, evaluators[0]):
        history = text(client_for(user).get(reverse("grappe:history", args=[cast.grappe.pk])))
        assert CONSENSUS_MOTIF in history and "Titulaire AMOA choisi" in history
        page = text(client_for(user).get(consultation.get_absolute_url()))
        assert "Éliminée" in page and "retient l'offre de Alpha Conseil" in page


def test_a_late_evaluator_is_blind_in_the_history_too(cast, consultation, late, client_for):
    history = text(client_for(late).get(reverse("grappe:history", args=[cast.grappe.pk])))
    assert CONSENSUS_MOTIF not in history and "Titulaire AMOA choisi" not in history
    assert perms.is_blind(late, consultation) and perms.is_blind_on_grappe(late, cast.grappe)


def test_scoring_history_entries_are_confidential(
    cast, consultation, decided, president, client_for
):
    actions = {
        "Note de consensus fixée",
        "Titulaire AMOA choisi",
    }
    entries = HistoryEntry.objects.filter(action__in=actions)
    assert {e.action for e in entries} == actions
    assert all(e.confidentiel for e in entries)
    assert perms.history_filter in extensions.HISTORY_FILTERS


def test_the_history_registry_applies_every_filter(cast):
    calls = []

    def spy(user, grappe, entries):
        calls.append((user, grappe))
        return entries.filter(action="Gardée")

    HistoryEntry.record(cast.grappe, cast.owner, "Gardée")
    HistoryEntry.record(cast.grappe, cast.owner, "Filtrée")
    extensions.register_history_filter(spy)
    try:
        extensions.register_history_filter(spy)  # registered once only
        entries = extensions.filter_history(cast.owner, cast.grappe, cast.grappe.history.all())
        assert [e.action for e in entries] == ["Gardée"]
        assert calls == [(cast.owner, cast.grappe)]
    finally:
        extensions.HISTORY_FILTERS.remove(spy)


# --- The frozen ranking: engine round trip, older choices, the statut ------------------------


def test_a_ranking_survives_its_snapshot_unchanged(consultation, submitted):
    ranking = services.analyse(consultation, live=True).ranking
    data = scoring.ranking_to_data(ranking)
    assert scoring.ranking_from_data(json.loads(json.dumps(data))) == ranking


def test_a_choice_recorded_before_snapshots_is_frozen_on_first_read(consultation, submitted):
    alpha, *_ = submitted
    Choix.objects.create(consultation=consultation, offre=alpha, decision="Ancien choix.")
    result = services.analyse(consultation)
    choix = Choix.objects.get()
    assert choix.classement_fige["par"] is None
    assert result.decision().retenue.rank == 1


def test_the_attribuee_statut_follows_the_choice(cast, consultation, decided):
    form = ConsultationForm(instance=consultation)
    assert form.fields["statut"].disabled
    other = ConsultationForm()
    assert StatutConsultation.ATTRIBUEE not in dict(other.fields["statut"].choices)


# --- The éditeur (DUI) consultation: the same rules ------------------------------------------


@pytest.mark.pdf
def test_the_same_rules_hold_for_the_editeur_consultation(cast, evaluators, client_for):
    dui = editeur_consultation(cast.grappe, created_by=cast.owner)
    first = make_offre_editeur(dui, "Éditeur Un")
    second = make_offre_editeur(dui, "Éditeur Deux")
    for offre in (first, second):
        answer(dui, offre, prices=[("Licences / droits d'usage", "", None, 8000)])
    qualities = {"architecture": 9, "prestations": 8, "mise_en_oeuvre": 9}
    score(dui, evaluators[0], first, qualities)
    score(dui, evaluators[0], second, dict.fromkeys(qualities, 4), submit=True)
    response = client_for(cast.owner).post(
        url("classement", dui), {"offre": first.pk, "date": "2026-06-15", "decision": "Meilleure."}
    )
    assert response.status_code == 302
    late = evaluator(cast.grappe, UserFactory(email="tardif-dui@exemple.fr"))
    assert client_for(late).post(url("evaluation", dui), {"soumettre": "1"}).status_code == 403
    assert client_for(evaluators[0]).post(url("evaluation", dui), {}).status_code == 403
    content = pdf_text(client_for(cast.owner).get(url("rapport_choix", dui)).content)
    assert "le comité de sélection retient la solution de Éditeur Un, classée 1re sur 2" in content
    assert Choix.objects.get(consultation=dui).classement_fige["evaluateurs"][0]["id"] == (
        evaluators[0].pk
    )
    assert HistoryEntry.objects.get(action="Solution DUI choisie").confidentiel
