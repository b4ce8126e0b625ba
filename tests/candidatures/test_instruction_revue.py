"""The ARS instruction after review (issue 14): no decision changes once the convention is
prepared, nor by a blind manager; any manager may declare a conflict of interest (and then acts
on nothing), an instructor even after submitting; an incomplete dossier left without answer
may be declared non retained; the masked rows tell no rank by their order; the decision's date
lies between the filing and today; a regional agent not designated scores nothing and a
national call is not theirs."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from candidatures import conventions, instruction, perms
from candidatures.instruction import InstructionRefused
from candidatures.models import (
    Candidature,
    ConflitInstruction,
    DecisionSelection,
    Depot,
    GrilleInstruction,
)
from grappe.enums import TypeAap
from grappe.models import Aap
from tests.candidatures.factories import campagne_for, designate, filed, paris, score
from tests.candidatures.instruction_setup import decide, reload, url
from tests.grappe.factories import GrappeFactory
from tests.helpers import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def consensus_everywhere(dossier, note, user):
    for critere in dossier.campagne.criteres.all():
        instruction.set_consensus(dossier, critere, Decimal(note), "Séance du comité.", user)


# ---------------------------------------------------------------------------------------------
# 1. No new decision once the convention is prepared; the dossier is locked while deciding
# ---------------------------------------------------------------------------------------------


def test_a_dossier_is_decided_again_until_its_convention_is_prepared(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 7)
    client = client_for(cast.ars)
    assert decide(client, dossier).status_code == 302
    # Before the convention, a re-decision stays allowed: waiting list, then retained after a
    # withdrawal.
    assert decide(client, dossier, "liste_attente", "Enveloppe épuisée.").status_code == 302
    assert decide(client, dossier, "retenue", "Désistement d'un dossier.").status_code == 302
    assert reload(dossier).statut == "retenue"

    stale = Candidature.objects.get(pk=dossier.pk)  # read before the convention
    conventions.preparer(dossier, Decimal("150000.00"), "", cast.ars)
    refusal = "La convention de financement est préparée : la décision ne change plus."
    page = client.get(url("decision", dossier))
    assert refusal in text(page)
    assert decide(client, dossier, "non_retenue", "Revirement.").status_code == 403
    with pytest.raises(InstructionRefused, match=refusal):
        instruction.decider(stale, "liste_attente", "Revirement.", cast.ars)
    assert reload(dossier).statut == "retenue"
    assert DecisionSelection.objects.filter(candidature=dossier).count() == 3


def test_the_decision_locks_the_dossier_itself(cast, campagne, agents, dossier, monkeypatch):
    designate(campagne, agents[0])
    score(dossier, agents[0], 7)
    locked = []
    real_lock = instruction._lock

    def spy(candidature):
        row = real_lock(candidature)
        locked.append(row.pk)
        return row

    monkeypatch.setattr(instruction, "_lock", spy)
    instruction.decider(dossier, "retenue", "Projet prioritaire.", cast.ars)
    assert locked == [dossier.pk]


# ---------------------------------------------------------------------------------------------
# 2. A blind manager decides nothing
# ---------------------------------------------------------------------------------------------


def test_a_designated_instructor_who_has_not_scored_the_dossier_does_not_decide_it(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, *agents)
    score(dossier, agents[0], 8)
    consensus_everywhere(dossier, 8, cast.ars)  # instructed, agents[1] never scored it
    assert reload(dossier).statut == "instruite"
    client = client_for(agents[1])
    page = client.get(url("decision", dossier))
    assert "Soumettez d'abord votre propre grille sur ce dossier" in text(page)
    assert decide(client, dossier).status_code == 403
    with pytest.raises(InstructionRefused):
        instruction.decider(dossier, "retenue", "x", agents[1])
    assert not DecisionSelection.objects.exists()
    # Once their own grid submitted, they decide.
    score(dossier, agents[1], 6)
    assert decide(client_for(agents[1]), dossier).status_code == 302


# ---------------------------------------------------------------------------------------------
# 3. Conflicts of interest: any manager, and an instructor even after submitting
# ---------------------------------------------------------------------------------------------


def test_any_manager_declares_a_conflict_and_then_acts_on_nothing_of_the_dossier(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 7)
    client = client_for(cast.ars)  # a manager, not designated
    assert not instruction.in_conflict(cast.ars, dossier)
    assert (
        'data-testid="declarer-conflit"' in client.get(url("instruction", dossier)).content.decode()
    )
    response = client.post(url("conflit", dossier), {"motif": "Conjointe du directeur d'un OG."})
    assert response.status_code == 302
    conflit = ConflitInstruction.objects.get(candidature=dossier, instructeur=cast.ars)
    assert conflit.motif == "Conjointe du directeur d'un OG."
    assert instruction.in_conflict(cast.ars, dossier)
    assert not instruction.in_conflict(cast.admin, dossier)
    assert not instruction.in_conflict(AnonymousUser(), dossier)
    # No consensus, no decision, no request for pieces on it.
    assert client.get(url("consensus", dossier)).status_code == 403
    assert decide(client, dossier).status_code == 403
    page = client.get(url("demande_pieces", dossier))
    assert "vous ne demandez pas de pièces" in text(page)
    asked = client.post(url("demande_pieces", dossier), {"message": "x", "echeance": "2026-11-30"})
    assert asked.status_code == 403
    with pytest.raises(InstructionRefused):
        instruction.demander_pieces(dossier, "x", datetime.date(2026, 11, 30), cast.ars)
    assert reload(dossier).statut == "instruite"
    # Declared once; the instruction page says it.
    assert client.post(url("conflit", dossier), {"motif": "Encore."}).status_code == 403
    page = client.get(url("instruction", dossier)).content.decode()
    assert 'data-testid="conflit"' in page and 'data-testid="declarer-conflit"' not in page
    assert dossier.pk in client.get(campagne.get_absolute_url()).context["hidden"]
    # The other managers are not concerned.
    assert decide(client_for(cast.admin), dossier).status_code == 302


def test_an_instructor_who_finds_a_conflict_after_submitting_stops_counting(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, *agents)
    score(dossier, agents[0], 8)
    score(dossier, agents[1], 6)
    assert instruction.classement(campagne)[dossier.pk] == {"score": Decimal("70.00"), "rang": 1}
    response = client_for(agents[0]).post(url("conflit", dossier), {"motif": "Ancien salarié."})
    assert response.status_code == 302
    # The submitted grid stays as a trace, out of the mean and of the instructors waited for.
    assert GrilleInstruction.objects.filter(
        instructeur=agents[0], soumise_le__isnull=False
    ).exists()
    analysis = instruction.analyse(campagne)
    ligne = analysis.by_id[dossier.pk]
    assert ligne.attendus == ligne.soumis == {agents[1].pk}
    assert instruction.moyennes(analysis, dossier)[campagne.criteres.first().pk] == Decimal("6.00")
    assert instruction.classement(campagne)[dossier.pk] == {"score": Decimal("60.00"), "rang": 1}
    assert reload(dossier).statut == "instruite"


def test_the_sole_instructor_in_conflict_after_submitting_unranks_the_dossier(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 8)
    assert reload(dossier).statut == "instruite"
    instruction.declare_conflit(dossier, agents[0], "Lien familial avec la direction.")
    # Nobody left to wait for nor counting: sync_statut puts it back to filed, unranked.
    assert reload(dossier).statut == "deposee"
    assert instruction.classement(campagne)[dossier.pk] == {"score": None, "rang": None}


# ---------------------------------------------------------------------------------------------
# 4. An incomplete dossier left without answer past its reply date
# ---------------------------------------------------------------------------------------------


def test_an_incomplete_dossier_without_answer_past_its_date_may_be_declared_non_retained(
    cast, client_for, campagne, agents, dossier, frozen_now
):
    designate(campagne, agents[0])
    instruction.demander_pieces(dossier, "Le budget signé.", datetime.date(2026, 11, 30), cast.ars)
    client = client_for(cast.ars)
    # Before the reply date: nothing to decide.
    assert decide(client, dossier, "non_retenue", "Sans réponse.").status_code == 403

    frozen_now.move_to(paris(2026, 12, 1, 9))
    client = client_for(cast.ars)
    campaign_page = client.get(campagne.get_absolute_url()).content.decode()
    assert reverse("candidatures:decision", args=[campagne.pk, dossier.pk]) in campaign_page
    page = client.get(url("decision", dossier))
    assert 'data-testid="sans-reponse"' in page.content.decode()
    assert [value for value, _ in page.context["form"].fields["decision"].choices] == [
        "non_retenue"
    ]
    # Only « non retenue », and with its reason.
    assert decide(client, dossier, "retenue").status_code == 200
    with pytest.raises(InstructionRefused, match="Seule la décision « non retenue »"):
        instruction.decider(dossier, "retenue", "x", cast.ars)
    unreasoned = decide(client, dossier, "non_retenue", "")
    assert "Motivez la décision" in text(unreasoned)
    assert not DecisionSelection.objects.exists()
    # Neither by the blind instructor, nor by a manager in conflict.
    assert decide(client_for(agents[0]), dossier, "non_retenue", "x").status_code == 403
    instruction.declare_conflit(dossier, agents[1], "Ancien salarié du porteur.")
    assert decide(client_for(agents[1]), dossier, "non_retenue", "x").status_code == 403

    motif = "Pièces demandées non déposées à la date attendue."
    assert decide(client_for(cast.ars), dossier, "non_retenue", motif).status_code == 302
    assert reload(dossier).statut == "non_retenue"
    decision = DecisionSelection.objects.get()
    assert (decision.decision, decision.score, decision.rang) == ("non_retenue", None, None)
    assert decision.motif == motif


# ---------------------------------------------------------------------------------------------
# 5. The masked rows tell nothing by their order
# ---------------------------------------------------------------------------------------------


def test_the_masked_rows_are_listed_apart_by_grappe_name(cast, client_for, campagne, agents):
    designate(campagne, *agents)
    region = campagne.aap.region
    dossiers = {}
    # The ranking's order (Charlie, Bravo, Alpha) is not the names' order.
    for name, note in (("Alpha", 5), ("Bravo", 7), ("Charlie", 9)):
        grappe = GrappeFactory(name=f"Grappe {name}", region=region, aap=campagne.aap)
        dossiers[name] = filed(campagne, grappe)
        score(dossiers[name], agents[0], note)
        consensus_everywhere(dossiers[name], note, cast.ars)

    def positions(content, names):
        return [content.index(f"Grappe {name}<") for name in names]

    # agents[1] scored none of them: blind on the three, listed by name, no ranking table.
    page = client_for(agents[1]).get(campagne.get_absolute_url())
    assert page.context["hidden"] == {d.pk for d in dossiers.values()}
    content = page.content.decode()
    assert 'data-testid="classement"' not in content
    masked = content[content.index('data-testid="masques"') :]
    order = positions(masked, ["Alpha", "Bravo", "Charlie"])
    assert order == sorted(order)
    analysis = instruction.analyse(campagne)
    assert [ligne.candidature.grappe.name for ligne in analysis.lignes_pour(agents[1])] == [
        "Grappe Alpha",
        "Grappe Bravo",
        "Grappe Charlie",
    ]

    # Once they scored Alpha, Alpha is ranked; the two others stay apart, by name.
    score(dossiers["Alpha"], agents[1], 5)
    content = client_for(agents[1]).get(campagne.get_absolute_url()).content.decode()
    ranking = content[
        content.index('data-testid="classement"') : content.index('data-testid="masques"')
    ]
    assert "Grappe Alpha<" in ranking and "Grappe Charlie<" not in ranking

    # Who sees every score reads the ranking best first.
    content = client_for(agents[0]).get(campagne.get_absolute_url()).content.decode()
    assert 'data-testid="masques"' not in content
    order = positions(content, ["Charlie", "Bravo", "Alpha"])
    assert order == sorted(order)


# ---------------------------------------------------------------------------------------------
# 6. The decision's date
# ---------------------------------------------------------------------------------------------


def test_the_decision_date_is_neither_before_the_first_filing_nor_future(
    cast, client_for, campagne, agents, dossier
):
    # First filed at 00:30 in Paris on 16 November (23:30 UTC on the 15th), filed again later.
    Depot.objects.filter(candidature=dossier).update(
        deposee_le=datetime.datetime(2026, 11, 15, 23, 30, tzinfo=datetime.UTC)
    )
    Depot.objects.create(
        candidature=dossier,
        numero=2,
        deposee_le=paris(2026, 11, 16, 9),
        contenu={},
        empreinte="1" * 64,
    )
    designate(campagne, agents[0])
    score(dossier, agents[0], 7)
    client = client_for(cast.ars)
    early = decide(client, dossier, date="2026-11-15")
    assert early.status_code == 200
    assert (
        "La date de la décision ne peut pas précéder le premier dépôt du dossier (le 16/11/2026)."
        in text(early)
    )
    future = decide(client, dossier, date="2026-11-17")
    assert "La date de la décision ne peut pas être future." in text(future)
    assert not DecisionSelection.objects.exists()
    assert decide(client, dossier, date="2026-11-16").status_code == 302
    assert DecisionSelection.objects.get().date == datetime.date(2026, 11, 16)


# ---------------------------------------------------------------------------------------------
# 8. A regional agent not designated; a national call
# ---------------------------------------------------------------------------------------------


def test_a_region_agent_not_designated_scores_nothing_and_a_national_call_is_not_theirs(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    outsider = agents[1]  # an ARS agent of the AAP's region, not designated
    assert perms.can_manage_campagne(outsider, campagne)
    assert not perms.is_instructeur(outsider, campagne)
    with pytest.raises(InstructionRefused, match="pas désigné instructeur"):
        score(dossier, outsider, 7)
    critere = campagne.criteres.first()
    posted = {f"note_{critere.pk}": "7", f"commentaire_{critere.pk}": "Bien."}
    assert client_for(outsider).post(url("instruction", dossier), posted).status_code == 403
    assert not GrilleInstruction.objects.filter(instructeur=outsider).exists()

    national = campagne_for(cast.grappe.region)
    national.aap = Aap.objects.create(name="AAP national", kind=TypeAap.GENERALISATION, year=2026)
    national.save(update_fields=["aap"])
    eligible = set(instruction.eligible_instructeurs(national))
    assert eligible == {cast.admin}
    for agent in (cast.ars, *agents):
        assert agent not in eligible
        assert not perms.can_manage_campagne(agent, national)
        page = client_for(agent).get(reverse("candidatures:instructeurs", args=[national.pk]))
        assert page.status_code == 403
    assert perms.can_manage_campagne(cast.admin, national)
    # Even the national admin cannot designate a regional agent on it.
    response = client_for(cast.admin).post(
        reverse("candidatures:instructeurs", args=[national.pk]), {"instructeurs": [cast.ars.pk]}
    )
    assert response.status_code == 200
    assert not national.instructeurs.exists()
