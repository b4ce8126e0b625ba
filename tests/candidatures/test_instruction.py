"""The ARS instruction and the selection (issue 14): blind grids, conflicts of interest,
consensus, ranking on core.scoring, requests for missing pieces, the committee's decisions
against the envelope, the decision letter, and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidatures import conventions, instruction
from candidatures.models import (
    ConflitInstruction,
    DecisionSelection,
    DemandePieces,
    Depot,
    GrilleInstruction,
)
from core import scoring
from grappe.enums import RoleKind, TypeAap
from grappe.models import Aap, HistoryEntry
from tests.candidatures.factories import campagne_for, designate, filed, paris, score
from tests.candidatures.instruction_setup import reload, url
from tests.grappe.factories import RoleFactory, UserFactory
from tests.helpers import pdf_text, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def decide(client, dossier, decision="retenue", motif="Projet prioritaire pour le territoire."):
    return client.post(
        url("decision", dossier), {"decision": decision, "motif": motif, "date": "2026-11-16"}
    )


# ---------------------------------------------------------------------------------------------
# Blind instruction
# ---------------------------------------------------------------------------------------------


def test_an_instructor_sees_the_others_notes_only_after_submitting_their_own(
    cast, client_for, campagne, agents, dossier
):
    first, second = agents
    designate(campagne, first, second)
    score(dossier, first, [7, 6, 9, 4])

    client = client_for(second)
    page = client.get(url("instruction", dossier))
    assert page.status_code == 200
    assert "notes-masquees" in page.content.decode()
    assert "notes-instructeurs" not in page.content.decode()
    # Nor on the consensus page, nor as a score on the campaign page.
    assert client.get(url("consensus", dossier)).status_code == 403
    campaign_page = client.get(campagne.get_absolute_url())
    assert campaign_page.context["hidden"] == {dossier.pk}

    posted = {f"note_{c.pk}": "5" for c in campagne.criteres.all()}
    posted |= {f"commentaire_{c.pk}": "Dossier solide." for c in campagne.criteres.all()}
    response = client.post(url("instruction", dossier), {**posted, "soumettre": "1"})
    assert response.status_code == 302
    page = client.get(url("instruction", dossier))
    rows = {row["critere"].libelle: row for row in page.context["rows"]}
    notes = [n.valeur for _, n in rows["Vision commune et gouvernance structurée"]["cells"]]
    assert sorted(notes) == [Decimal("5.0"), Decimal("9.0")]
    assert rows["Vision commune et gouvernance structurée"]["mean"] == Decimal("7.00")
    # Both designated instructors submitted: the dossier is instructed and ranked.
    assert reload(dossier).statut == "instruite"
    # Means (7+5)/2, (6+5)/2, (9+5)/2, (4+5)/2 = 6, 5.5, 7, 4.5 on 30, 20, 30, 20 % → 59.
    assert instruction.classement(campagne)[dossier.pk] == {"score": Decimal("59.00"), "rang": 1}


def test_a_grid_is_submitted_only_complete_and_then_locked(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    client = client_for(agents[0])
    critere = campagne.criteres.first()
    response = client.post(
        url("instruction", dossier), {f"note_{critere.pk}": "8", "soumettre": "1"}
    )
    assert response.status_code == 200
    assert "Votre grille n'est pas soumise" in text(response)
    assert "justification" in text(response)
    assert not GrilleInstruction.objects.filter(soumise_le__isnull=False).exists()
    # A note out of the scale is refused.
    response = client.post(url("instruction", dossier), {f"note_{critere.pk}": "11"})
    assert "La note va de 0 à 10." in text(response)

    score(dossier, agents[0], 8)
    locked = client.post(url("instruction", dossier), {f"note_{critere.pk}": "2"})
    assert locked.status_code == 403
    assert GrilleInstruction.objects.get().notes.get(critere=critere).valeur == Decimal(8)


def test_only_designated_instructors_score(cast, client_for, campagne, agents, dossier):
    designate(campagne, agents[0])
    critere = campagne.criteres.first()
    # The cast's ARS agent manages the call but is not designated; nor is the admin.
    for user in (cast.ars, cast.admin):
        response = client_for(user).post(url("instruction", dossier), {f"note_{critere.pk}": "8"})
        assert response.status_code == 403
    page = client_for(cast.ars).get(url("instruction", dossier))
    assert "pas-instructeur" in page.content.decode()


def test_only_region_agents_and_national_admins_may_be_designated(
    cast, client_for, campagne, agents
):
    client = client_for(cast.ars)
    eligible = set(instruction.eligible_instructeurs(campagne))
    assert eligible == {cast.ars, *agents, cast.admin}
    response = client.post(
        reverse("candidatures:instructeurs", args=[campagne.pk]),
        {"instructeurs": [cast.ars_other.pk]},
    )
    assert response.status_code == 200
    assert not campagne.instructeurs.exists()
    response = client.post(
        reverse("candidatures:instructeurs", args=[campagne.pk]),
        {"instructeurs": [agents[0].pk, cast.admin.pk]},
    )
    assert response.status_code == 302
    assert {i.user for i in campagne.instructeurs.all()} == {agents[0], cast.admin}
    assert HistoryEntry.objects.filter(action="Instructeurs désignés").exists()
    # Another region's agent does not even learn who instructs.
    assert (
        client_for(cast.ars_other)
        .get(reverse("candidatures:instructeurs", args=[campagne.pk]))
        .status_code
        == 403
    )


def test_designating_a_new_instructor_unranks_a_dossier_until_they_score(
    cast, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 8)
    assert reload(dossier).statut == "instruite"
    instruction.designer(campagne, [agents[0], agents[1]], cast.ars)
    assert reload(dossier).statut == "deposee"
    assert instruction.classement(campagne)[dossier.pk] == {"score": None, "rang": None}
    # Removing one who submitted a grid is refused: their notes are counted.
    kept = instruction.designer(campagne, [agents[1]], cast.ars)
    assert kept == {agents[0].pk}
    assert campagne.instructeurs.count() == 2


# ---------------------------------------------------------------------------------------------
# Conflicts of interest
# ---------------------------------------------------------------------------------------------


def test_an_instructor_in_conflict_cannot_score_and_is_left_out_of_the_mean(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, cast.ars, *agents)
    score(dossier, cast.ars, 2, submit=False)  # a draft, deleted by the declaration
    client = client_for(cast.ars)
    response = client.post(url("conflit", dossier), {"motif": "Ancienne directrice du porteur."})
    assert response.status_code == 302
    conflit = ConflitInstruction.objects.get(candidature=dossier, instructeur=cast.ars)
    assert conflit.motif == "Ancienne directrice du porteur."
    assert not GrilleInstruction.objects.filter(instructeur=cast.ars).exists()

    critere = campagne.criteres.first()
    assert client.post(url("instruction", dossier), {f"note_{critere.pk}": "10"}).status_code == 403
    with pytest.raises(instruction.InstructionRefused):
        score(dossier, cast.ars, 10)

    score(dossier, agents[0], 8)
    score(dossier, agents[1], 6)
    # The two instructors not in conflict submitted: instructed, the mean is theirs.
    assert reload(dossier).statut == "instruite"
    assert instruction.classement(campagne)[dossier.pk]["score"] == Decimal("70.00")
    # Left out: no notes, no consensus, no decision on that dossier.
    assert "notes-instructeurs" not in client.get(url("instruction", dossier)).content.decode()
    assert client.get(url("consensus", dossier)).status_code == 403
    decision = client.post(
        url("decision", dossier), {"decision": "retenue", "motif": "x", "date": "2026-11-16"}
    )
    assert decision.status_code == 403
    assert dossier.pk in client.get(campagne.get_absolute_url()).context["hidden"]


def test_a_conflict_needs_its_reason(cast, client_for, campagne, dossier):
    designate(campagne, cast.ars)
    client_for(cast.ars).post(url("conflit", dossier), {"motif": " "})
    assert not ConflitInstruction.objects.exists()


# ---------------------------------------------------------------------------------------------
# Consensus
# ---------------------------------------------------------------------------------------------


def test_a_consensus_replaces_the_mean_and_is_reasoned_when_it_differs(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, *agents)
    score(dossier, agents[0], 8)
    score(dossier, agents[1], 6)
    critere = campagne.criteres.get(libelle="Qualité et sens de la mutualisation")  # 30 %
    client = client_for(cast.ars)  # a manager, not designated: not blind
    assert client.get(url("consensus", dossier)).status_code == 200

    response = client.post(
        url("consensus", dossier), {"critere": critere.pk, "valeur": "9", "motif": ""}
    )
    assert response.status_code == 200
    assert "elle diffère de la moyenne des instructeurs (7,00)" in text(response)
    # Equal to the mean: no reason needed.
    response = client.post(url("consensus", dossier), {"critere": critere.pk, "valeur": "7"})
    assert response.status_code == 302
    response = client.post(
        url("consensus", dossier),
        {"critere": critere.pk, "valeur": "10", "motif": "Mutualisation exemplaire à l'audition."},
    )
    assert response.status_code == 302
    # 70 with the means; the 30 % criterion moves from 7 to 10: +9 points.
    assert instruction.classement(campagne)[dossier.pk]["score"] == Decimal("79.00")
    entry = HistoryEntry.objects.filter(action="Note de consensus fixée (instruction)").latest("pk")
    assert entry.changes["Motif"] == "Mutualisation exemplaire à l'audition."
    assert entry.grappe is None  # the instruction's details are not the grappe's history


def test_a_full_consensus_instructs_a_dossier(cast, campagne, agents, dossier):
    designate(campagne, *agents)  # nobody scored
    for critere in campagne.criteres.all():
        instruction.set_consensus(dossier, critere, Decimal(5), "Séance du comité.", cast.admin)
    assert reload(dossier).statut == "instruite"
    assert instruction.classement(campagne)[dossier.pk] == {"score": Decimal("50.00"), "rang": 1}


# ---------------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------------


def test_ranking_with_ties_explained_and_unfinished_dossiers_unranked(
    cast, client_for, campagne, agents
):
    designate(campagne, *agents)
    a, b, c, d = (filed(campagne) for _ in range(4))
    for dossier, notes in ((a, 8), (b, 8), (c, 6)):
        score(dossier, agents[0], notes)
        score(dossier, agents[1], notes)
    score(d, agents[0], 10)  # the second instructor has not scored it
    ranks = instruction.classement(campagne)
    assert ranks[a.pk] == {"score": Decimal("80.00"), "rang": 1}
    assert ranks[b.pk] == {"score": Decimal("80.00"), "rang": 1}
    assert ranks[c.pk] == {"score": Decimal("60.00"), "rang": 3}
    assert ranks[d.pk] == {"score": None, "rang": None}

    page = client_for(cast.ars).get(campagne.get_absolute_url())
    ties = page.context["ties"]
    assert len(ties) == 1
    assert (
        "ont le même total (80,00 / 100) : elles partagent le rang 1, le rang suivant est 3"
        in (ties[0])
    )
    assert ties[0].endswith("Le comité de sélection les départage et motive sa décision.")
    assert "ex aequo" in text(page)
    order = [ligne.candidature.pk for ligne in page.context["page"]]
    assert order[2:] == [c.pk, d.pk]


# ---------------------------------------------------------------------------------------------
# Requests for missing pieces
# ---------------------------------------------------------------------------------------------


def test_a_request_for_pieces_makes_the_dossier_incomplete_tells_the_chefs_and_is_traced(
    cast, client_for, campagne, dossier, frozen_now, django_capture_on_commit_callbacks
):
    second_chef = RoleFactory(
        grappe=cast.grappe, kind=RoleKind.CHEF_PROJET, user=UserFactory(email="co@exemple.fr")
    ).user
    client = client_for(cast.ars)
    past = client.post(
        url("demande_pieces", dossier), {"message": "Budget", "echeance": "2026-11-01"}
    )
    assert "La date de réponse ne peut pas être passée." in text(past)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail, once committed
        response = client.post(
            url("demande_pieces", dossier),
            {"message": "Le budget prévisionnel signé.", "echeance": "2026-11-30"},
        )
    assert response.status_code == 302
    assert reload(dossier).statut == "incomplete"
    demande = DemandePieces.objects.get()
    assert demande.echeance == datetime.date(2026, 11, 30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.owner.email, second_chef.email])
    assert "Le budget prévisionnel signé." in mail.outbox[0].body
    assert "30/11/2026" in mail.outbox[0].body
    entry = HistoryEntry.objects.get(
        grappe=cast.grappe, action="Demande de pièces complémentaires (ARS)"
    )
    assert entry.changes["Réponse attendue le"] == "30/11/2026"
    # Not scored while incomplete, nor asked twice.
    designate(campagne, cast.ars)
    assert client.post(url("instruction", dossier), {"commentaire": "x"}).status_code == 403
    again = client.post(
        url("demande_pieces", dossier), {"message": "Encore", "echeance": "2026-12-10"}
    )
    assert again.status_code == 403

    # Past the reply date, unanswered: late on the ARS page.
    frozen_now.move_to(paris(2026, 12, 1, 9))
    client = client_for(cast.ars)
    assert "en-retard" in client.get(campagne.get_absolute_url()).content.decode()
    assert demande.en_retard()

    # The porteur files again: the filing closes the request with its version.
    depot = Depot.objects.create(
        candidature=dossier,
        numero=2,
        deposee_le=paris(2026, 12, 1, 11),
        contenu={},
        empreinte="1" * 64,
    )
    assert instruction.close_requests(dossier, depot) == 1
    demande.refresh_from_db()
    assert demande.repondue_le == paris(2026, 12, 1, 11)
    assert demande.depot == depot
    assert not demande.en_retard()
    assert reload(dossier).statut == "incomplete"  # the filing sets it, not close_requests
    assert instruction.close_requests(dossier, depot) == 0


# ---------------------------------------------------------------------------------------------
# Decisions and the envelope
# ---------------------------------------------------------------------------------------------


def test_a_decision_needs_an_instructed_dossier_and_a_reason(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    client = client_for(cast.ars)
    assert decide(client, dossier).status_code == 403  # not instructed
    page = client.get(url("decision", dossier))
    assert "Le dossier n'est pas encore instruit" in text(page)
    score(dossier, agents[0], 7)
    response = decide(client, dossier, motif="")
    assert response.status_code == 200
    assert "Motivez la décision" in text(response)
    assert not DecisionSelection.objects.exists()


def test_retaining_beyond_the_envelope_warns_but_records_and_tells_the_chefs(
    cast, client_for, campagne, agents, dossier, django_capture_on_commit_callbacks
):
    designate(campagne, agents[0])
    other = filed(campagne, montant="120000.00")
    score(dossier, agents[0], 9)
    score(other, agents[0], 8)
    client = client_for(cast.ars)
    response = decide(client, other)
    assert response.status_code == 302
    assert not [m for m in response.wsgi_request._messages if m.level_tag == "warning"]
    # 120 000 + 150 000 > 250 000: warned before and after, recorded all the same.
    page = client.get(url("decision", dossier))
    assert "dépassement de 20 000,00 €" in text(page).replace("\u00a0", " ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail, once committed
        response = decide(client, dossier)
    assert response.status_code == 302
    warnings = [str(m) for m in response.wsgi_request._messages if m.level_tag == "warning"]
    assert warnings and "totalisent 270\u00a0000,00\u00a0€" in warnings[0]
    decision = DecisionSelection.objects.get(candidature=dossier)
    assert decision.enveloppe_depassee
    assert decision.score == Decimal("90.00") and decision.rang == 1
    assert decision.par == cast.ars
    assert reload(dossier).statut == "retenue"
    assert instruction.enveloppe_consommee(campagne.candidatures.all()) == Decimal("270000.00")
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Décision du comité de sélection")
    assert entry.changes["Décision"] == ["Instruite", "Retenue"]
    assert entry.changes["Motif"] == "Projet prioritaire pour le territoire."
    assert [m.to for m in mail.outbox] == [[cast.owner.email]]
    assert "retenue" in mail.outbox[0].body
    campaign = client.get(campagne.get_absolute_url())
    assert "depassement" in campaign.content.decode()
    # The decision closes the dossier's instruction.
    with pytest.raises(instruction.InstructionRefused):
        score(dossier, agents[0], 1)
    # A later decision is recorded over it (waiting list), the first stays as its trace.
    assert decide(client, dossier, "liste_attente", "Enveloppe dépassée.").status_code == 302
    assert reload(dossier).statut == "liste_attente"
    assert DecisionSelection.objects.filter(candidature=dossier).count() == 2


def test_a_decided_dossier_stays_ranked_when_an_instructor_is_designated_later(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 6)
    decide(client_for(cast.ars), dossier)
    instruction.designer(campagne, [agents[0], agents[1]], cast.ars)
    assert reload(dossier).statut == "retenue"
    assert instruction.classement(campagne)[dossier.pk] == {"score": Decimal("60.00"), "rang": 1}


def test_a_national_call_is_instructed_by_the_national_admins(cast):
    aap = Aap.objects.create(name="AAP national", kind=TypeAap.GENERALISATION, year=2026)
    national = campagne_for(cast.grappe.region)
    national.aap = aap
    national.save(update_fields=["aap"])
    assert list(instruction.eligible_instructeurs(national)) == [cast.admin]


@pytest.mark.pdf
def test_the_decision_letter_says_the_decision_its_reason_and_the_score(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], [8, 6, 7, 5])
    decide(client_for(cast.ars), dossier, "non_retenue", "Gouvernance insuffisamment décrite.")
    content = pdf_text(client_for(cast.owner).get(url("lettre_decision", dossier)))
    assert "appel à projets « AAP ESMS numérique Hauts-de-France » — dossier non retenu" in content
    assert "Gouvernance insuffisamment décrite." in content
    assert "score de 67,00 / 100 et se classe au rang 1" in content
    assert "Grappe des Flandres" in content
    assert "150 000,00 €" in content


def test_the_letter_is_the_managers_and_the_grappes_once_decided(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, agents[0])
    score(dossier, agents[0], 7)
    lettre = url("lettre_decision", dossier)
    assert client_for(cast.owner).get(lettre).status_code == 403  # not decided yet
    decide(client_for(cast.ars), dossier)
    for user, status in (
        (cast.owner, 200),
        (cast.member, 200),
        (cast.ars, 200),
        (cast.admin, 200),
        (cast.stranger, 404),
        (cast.ars_other, 404),
    ):
        assert client_for(user).get(lettre).status_code == status, user


# ---------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------


def test_strangers_to_the_instruction_learn_nothing_of_the_dossiers(
    cast, client_for, campagne, agents, dossier
):
    designate(campagne, cast.ars)
    names = ["instruction", "consensus", "demande_pieces", "decision"]
    for user in (cast.owner, cast.member, cast.stranger, cast.ars_other):
        client = client_for(user)
        for name in names:
            assert client.get(url(name, dossier)).status_code == 404, (user, name)
        assert client.post(url("conflit", dossier), {"motif": "x"}).status_code == 404
        page = client.get(campagne.get_absolute_url())
        assert page.status_code == 200
        assert "instruction" not in page.context
        assert 'data-testid="instruction"' not in page.content.decode()
    # A draft does not exist for the ARS either.
    draft = filed(campagne, statut="brouillon")
    assert client_for(cast.ars).get(url("instruction", draft)).status_code == 404


def test_the_campaign_page_shows_the_call_summary_to_managers(
    cast, client_for, campagne, agents, dossier
):
    filed(campagne, montant="50000.00", statut="incomplete")
    page = client_for(cast.ars).get(campagne.get_absolute_url())
    statuts = dict(page.context["statuts"])
    assert statuts["Déposée"] == 1 and statuts["Incomplète"] == 1
    assert page.context["demande_totale"] == Decimal("200000.00")
    departements = page.context["departements"]
    assert sum(row["esms"] for row in departements) == 4  # the cast's 3 ESMS and 1
    assert "Désigner les instructeurs" in text(page)


def test_the_campaign_page_query_count_does_not_grow_with_the_dossiers(
    cast, client_for, campagne, agents, django_assert_max_num_queries
):
    """Every kind of row is rendered: instructed and scored, decided (its decision and letter,
    a convention prepared on the retained ones), in conflict, and one incomplete."""
    designate(campagne, *agents)
    client = client_for(cast.ars)
    incomplete = filed(campagne)
    instruction.demander_pieces(incomplete, "Budget", datetime.date(2026, 12, 1), cast.ars)

    def add(count):
        for n in range(count):
            dossier = filed(campagne)
            score(dossier, agents[0], 7)
            score(dossier, agents[1], 5)
            if n % 2:
                instruction.decider(dossier, "retenue", "Prioritaire.", cast.ars)
                conventions.preparer(dossier, Decimal("90000.00"), "Plafond.", cast.ars)
            elif n:
                instruction.declare_conflit(dossier, cast.admin, "Ancien administrateur.")

    def rendered(page):
        lignes = list(page.context["page"])
        assert [ligne.candidature.pk for ligne in lignes][-1] == incomplete.pk
        assert all(ligne.score == Decimal("60.00") for ligne in lignes[:-1])
        content = text(page)
        for shown in ("60,00", "Décider", "Retenue", "lettre", "Attendues le 01/12/2026"):
            assert shown in content, shown
        return len(lignes)

    add(2)
    with CaptureQueriesContext(connection) as few:
        page = client.get(campagne.get_absolute_url())
    assert rendered(page) == 3
    add(4)
    with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as many:
        page = client.get(campagne.get_absolute_url())
    assert rendered(page) == 7
    assert "conflit" in text(page)
    assert len(many) == len(few)


def test_scoring_engine_tie_advice_defaults_to_the_call_for_tenders():
    criteria = [scoring.Criterion("q", "Qualité", Decimal(100))]
    offers = [scoring.Offer(1, "A"), scoring.Offer(2, "B")]
    scores = [scoring.Score("e", 1, "q", Decimal(5)), scoring.Score("e", 2, "q", Decimal(5))]
    assert "(audition, négociation)" in scoring.evaluate(criteria, offers, scores).ties[0]
    custom = scoring.evaluate(criteria, offers, scores, tie_advice="Tirage au sort.")
    assert custom.ties[0].endswith("le rang suivant est 3. Tirage au sort.")
