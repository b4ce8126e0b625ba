"""Ranking page, grille XLSX, rapport PDF, letters, the choice and the AMOA role."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from amoa.enums import StatutConsultation
from amoa.models import Choix, Consultant
from amoa.services import analyse
from grappe.enums import RoleKind
from grappe.models import HistoryEntry, Role
from tests.amoa.factories import DEADLINE, make_offre, score
from tests.helpers import pdf_text, text
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(cast, evaluators, consultation):
    """Alpha (60 k€, 900 €/j), Beta (50 k€, 850 €/j), Gamma late, Delta incomplete."""
    alpha = make_offre(consultation, "Alpha Conseil", 60000, 900)
    beta = make_offre(consultation, "Beta Santé", 50000, 850)
    gamma = make_offre(
        consultation, "Gamma Late", 30000, 700, received_at=DEADLINE.replace(hour=13)
    )
    delta = make_offre(consultation, "Delta Partiel", 20000, 600, pieces=["lettre_engagement"])
    full = {
        "methodologie": 8,
        "experience": 7,
        "cadre_planning": 4,
        "audition": 8,
        "montee_competence": 4,
    }
    for user in evaluators:
        score(consultation, user, alpha, full, submit=True)
        score(consultation, user, beta, {**full, "methodologie": 6}, submit=True)
        score(consultation, user, gamma, full, submit=True)
    return alpha, beta, gamma, delta


def url(name, consultation, *args):
    return reverse(f"amoa:{name}", args=[consultation.grappe_id, consultation.pk, *args])


def test_ranking_page_shows_ranked_offers_and_those_set_apart(
    cast, consultation, scored, client_for
):
    alpha, beta, gamma, delta = scored
    page = text(client_for(cast.ars).get(url("classement", consultation)))
    # Alpha: 25×8.33/10 + 10×9.44/10 + 20×.8 + 15×.7 + 10×4/5 + 15×.8 + 5×4/5 = 80.77
    # Beta:  25 + 10 + 12 + 10.5 + 8 + 12 + 4 = 81.50
    assert f'data-testid="rang-{beta.pk}"' in page
    ranking = page[
        page.index('data-testid="classement"') : page.index('data-testid="non-classees"')
    ]
    assert ranking.index("Beta Santé") < ranking.index("Alpha Conseil")
    assert "81,50" in ranking and "80,77" in ranking
    assert "Gamma Late" not in ranking and "Delta Partiel" not in ranking
    apart = page[page.index('data-testid="non-classees"') : page.index('data-testid="sensibilite"')]
    assert "Hors délai" in apart and "Gamma Late" in apart
    assert "Non recevable" in apart and "Dossier incomplet : manquent Attestation URSSAF" in apart
    assert 'data-testid="sensibilite"' in page


def test_ties_are_explained_on_the_page(cast, evaluators, consultation, client_for):
    for name in ("Un", "Deux"):
        offre = make_offre(consultation, f"Cabinet {name}", 50000, 900)
        score(consultation, evaluators[0], offre, {"methodologie": 7}, submit=True)
    page = text(client_for(cast.owner).get(url("classement", consultation)))
    assert "ex æquo" in page
    assert "Cabinet Deux et Cabinet Un ont le même total" in page or (
        "Cabinet Un et Cabinet Deux ont le même total" in page
    )


def test_grille_xlsx_has_one_sheet_per_evaluator_and_a_consolidated_sheet(
    cast, evaluators, consultation, scored, client_for
):
    response = client_for(cast.owner).get(url("grille", consultation))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [e.get_full_name() for e in evaluators]
    assert workbook.sheetnames == ["Consolidation", *names]
    consolidated = workbook["Consolidation"]
    rows = list(consolidated.iter_rows(min_row=3, values_only=True))
    by_name = {row[0]: row for row in rows if row[0]}
    assert by_name["Beta Santé"][1] == "Classée"
    assert by_name["Beta Santé"][-3] == 81.5 and by_name["Beta Santé"][-2] == 1
    assert by_name["Alpha Conseil"][-2] == 2
    assert by_name["Gamma Late"][1] == "Hors délai" and by_name["Gamma Late"][-2] is None
    assert by_name["Delta Partiel"][1] == "Non recevable"
    # The prices the price criteria come from: numbers, shown in euros.
    assert [cell.value for cell in consolidated[2]][2:4] == [
        "Prix global (€ HT)",
        "Prix de journée (€ HT)",
    ]
    beta_row = next(
        row for row in consolidated.iter_rows(min_row=3) if row[0].value == "Beta Santé"
    )
    assert [cell.value for cell in beta_row[2:4]] == [50000, 850]
    assert {cell.number_format for cell in beta_row[2:4]} == {'#,##0.00\\ "€"'}
    # The notes and the total: numbers, shown « 81,50 » by a French spreadsheet.
    assert isinstance(beta_row[-3].value, float)
    assert {cell.number_format for cell in beta_row[4:-2]} == {"0.00"}
    sheet = workbook[names[0]]
    cells = list(sheet.iter_rows(min_row=3, values_only=True))
    assert ("Alpha Conseil", "Méthodologie", 8.0, 10, "Justification methodologie") in cells
    assert {row[2].number_format for row in sheet.iter_rows(min_row=3)} == {"0.0"}


def test_grille_xlsx_writes_names_and_justifications_as_text(
    cast, evaluators, consultation, scored, client_for
):
    """A candidate and a justification typed like formulas stay text (core.exports)."""
    attack = '=HYPERLINK("http://exemple.invalid","x")'
    alpha = scored[0]
    alpha.candidat.societe = attack
    alpha.candidat.save()
    note = alpha.notes.first()
    note.justification = "+Très bon dossier"
    note.save()
    response = client_for(cast.owner).get(url("grille", consultation))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert attack in values and "+Très bon dossier" in values


@pytest.mark.pdf
def test_rapport_pdf_has_the_whole_analysis_and_no_placeholder(
    cast, consultation, scored, client_for
):
    alpha, beta, *_ = scored
    Choix.objects.create(
        consultation=consultation, offre=beta, decision="Offre la mieux classée, équipe disponible."
    )
    response = client_for(cast.owner).get(url("rapport", consultation))
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    assert "XXXX" not in content
    for expected in (
        "Rapport d'analyse des offres",
        "AMOA Flandres",
        "Alpha Conseil",
        "Dossier incomplet",
        "hors délai",
        "81,50",
        "Offre la mieux classée, équipe disponible.",
        "retient l'offre de Beta Santé",
        "Justification des notes",
        "8 / 10 — Justification methodologie",
    ):
        assert expected in content, (expected, content)


@pytest.mark.pdf
def test_choice_letters_and_amoa_role(cast, consultation, scored, client_for):
    alpha, beta, gamma, _ = scored
    client = client_for(cast.owner)
    # No letter before the choice.
    response = client.get(url("lettre", consultation, alpha.pk))
    assert response.status_code == 302
    # Only ranked offers can be chosen.
    response = client.post(
        url("classement", consultation),
        {"offre": gamma.pk, "date": "2026-06-25", "decision": "x"},
    )
    assert "Sélectionnez un choix valide" in text(response)
    response = client.post(
        url("classement", consultation),
        {"offre": beta.pk, "date": "2026-06-25", "decision": "Meilleure offre après audition."},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.statut == StatutConsultation.ATTRIBUEE
    assert consultation.choix.offre == beta
    assert HistoryEntry.objects.filter(action="Titulaire AMOA choisi").exists()

    winner = pdf_text(client.get(url("lettre", consultation, beta.pk)).content)
    assert "retenu votre offre" in winner and "XXXX" not in winner
    loser = pdf_text(client.get(url("lettre", consultation, alpha.pk)).content)
    assert "n'a pas été retenue" in loser and "rang 2 sur 2" in loser and "81,50" in loser
    late = pdf_text(client.get(url("lettre", consultation, gamma.pk)).content)
    assert "Offre reçue après la date et l'heure limites." in late

    Consultant.objects.create(candidat=beta.candidat, nom="Iris Leroy", email="Iris@Beta.fr")
    Consultant.objects.create(candidat=beta.candidat, nom="Sans Courriel")
    response = client.post(url("roles_amoa", consultation), follow=True)
    assert "Rôle « Consultant AMOA » donné à : Iris Leroy." in text(response)
    user = User.objects.get(email="iris@beta.fr")
    assert not user.has_usable_password()
    assert Role.objects.filter(grappe=cast.grappe, user=user, kind=RoleKind.AMOA).exists()
    client.post(url("roles_amoa", consultation))
    assert Role.objects.filter(user=user).count() == 1
    # Now an AMOA consultant of the grappe, they no longer see the call (and are told why).
    assert client_for(user).get(url("classement", consultation)).status_code == 403


def test_ranking_total_is_a_decimal(consultation, scored):
    result = analyse(consultation)
    assert result.ranking.ranked[0].total == Decimal("81.50")
