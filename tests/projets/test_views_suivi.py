"""Follow-up pages: timeline and baselines, risk register, progress report (page and PDF)."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, HistoryEntry
from projets import extensions
from projets.enums import CategorieRisque, DecisionJalon, StatutRisque, StatutVersion
from projets.models import Baseline, Risque, RisqueHistorique
from projets.reference import risques_cooperation
from tests.grappe.factories import RoleFactory, UserFactory
from tests.helpers import EDIT, READ, check, pdf_text
from tests.projets.factories import LivrableVersionFactory, RisqueFactory, plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    """Every test runs on Monday 15 June 2026, 10:00 in Paris (plans start on 5 January 2026)."""
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def url(name, cast, *args):
    return reverse(f"projets:{name}", args=[cast.grappe.pk, *args])


def assert_get_cast(cast, client_for, address, expected):
    for name, user in cast.users().items():
        response = client_for(user).get(address)
        check(response, name, "login" if user is None else expected[name])


def assert_post_cast(cast, client_for, address, data_for, success=302):
    """POST as each member of the cast: editors succeed, readers 403, outsiders 404."""
    expected = {**EDIT, "owner": success, "admin": success}
    for name, user in cast.users().items():
        response = client_for(user).post(address, data_for(name))
        check(response, name, "login" if user is None else expected[name])


def risque_data(**overrides):
    data = {
        "titre": "Départ du chef de projet",
        "description": "Le chef de projet quitte la structure porteuse.",
        "categorie": CategorieRisque.GOUVERNANCE,
        "probabilite": "2",
        "impact": "4",
        "owner": "",
        "mitigation": "Désigner un suppléant au COPIL.",
        "statut": StatutRisque.OUVERT,
        "review_on": "2026-07-01",
    }
    data.update(overrides)
    return data


def make_risque(plan, titre="Risque", probabilite=2, impact=2, **kwargs):
    return RisqueFactory(plan=plan, titre=titre, probabilite=probabilite, impact=impact, **kwargs)


# ---------------------------------------------------------------------------------------------
# Permission cast on every view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["timeline", "risques", "rapport", "rapport_pdf"])
def test_read_pages_permission_cast(cast, client_for, plan, name):
    assert_get_cast(cast, client_for, url(name, cast), READ)


def test_risque_create_permission_cast(cast, client_for, plan):
    assert_get_cast(cast, client_for, url("risque_create", cast), EDIT)
    assert_post_cast(
        cast,
        client_for,
        url("risque_create", cast),
        lambda name: risque_data(titre=f"Risque {name}"),
    )
    assert set(plan.risques.values_list("titre", flat=True)) == {"Risque owner", "Risque admin"}


def test_risque_edit_permission_cast(cast, client_for, plan):
    risque = make_risque(plan)
    address = url("risque_edit", cast, risque.pk)
    assert_get_cast(cast, client_for, address, EDIT)
    assert_post_cast(
        cast,
        client_for,
        address,
        lambda name: risque_data(titre="Risque", mitigation=f"Par {name}"),
    )
    risque.refresh_from_db()
    assert risque.mitigation == "Par admin"


def test_baseline_create_permission_cast(cast, client_for, plan):
    assert_post_cast(
        cast, client_for, url("baseline_create", cast), lambda name: {"name": f"Référence {name}"}
    )
    assert set(plan.baselines.values_list("name", flat=True)) == {
        "Référence owner",
        "Référence admin",
    }
    assert client_for(cast.owner).get(url("baseline_create", cast)).status_code == 405


@pytest.mark.parametrize("name", ["timeline", "rapport", "rapport_pdf"])
def test_read_pages_refuse_post(cast, client_for, plan, name):
    assert client_for(cast.owner).post(url(name, cast)).status_code == 405


def test_risk_pages_refuse_other_methods(cast, client_for, plan):
    risque = make_risque(plan, titre="Départ du chef de projet")
    client = client_for(cast.owner)
    for address in (
        url("risques", cast),
        url("risque_create", cast),
        url("risque_edit", cast, risque.pk),
    ):
        assert client.put(address).status_code == 405
        assert client.delete(address).status_code == 405
    assert Risque.objects.filter(pk=risque.pk).exists()


def test_propose_cooperation_risks_permission_cast(cast, client_for, plan):
    def data_for(name):
        plan.risques.all().delete()  # the proposal only fills an empty register
        return {"action": "proposer_types"}

    assert_post_cast(cast, client_for, url("risques", cast), data_for)


def test_risque_of_another_plan_is_404(cast, client_for, plan):
    other = make_risque(plan_for(cast.other_grappe), titre="Ailleurs")
    response = client_for(cast.owner).get(url("risque_edit", cast, other.pk))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# No plan yet
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["timeline", "risques", "rapport", "rapport_pdf", "risque_create"])
def test_pages_without_plan_say_so(cast, client_for, name):
    response = client_for(cast.owner).get(url(name, cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Le plan projet n&#x27;est pas encore créé" in html
        or "Le plan projet n'est pas encore créé" in html
    )
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) in html


def test_page_without_plan_has_no_create_link_for_readers(cast, client_for):
    response = client_for(cast.member).get(url("timeline", cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert "pas encore créé" in html
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) not in html


# ---------------------------------------------------------------------------------------------
# Timeline and baselines
# ---------------------------------------------------------------------------------------------


def test_timeline_shows_gantt_and_table(cast, client_for, plan):
    response = client_for(cast.member).get(url("timeline", cast))
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="gantt" role="img"' in html
    assert "Phase 1 — Cadrage du projet" in html
    rows = response.context["rows"]
    assert len(rows) == 18
    # 15 June 2026: steps 1 to 5 should be over, step 6 should have started: all late.
    assert [row["status"] for row in rows[:6]] == ["en_retard"] * 6
    assert rows[6]["status"] == "a_venir"
    assert "Aucune référence enregistrée" in html
    assert response.context["form"] is None  # readers do not save baselines
    assert "Enregistrer une référence du planning" not in html


def test_baseline_save_then_slippage(cast, client_for, plan):
    client = client_for(cast.owner)
    response = client.post(
        url("baseline_create", cast), {"name": "Validation de la note de cadrage"}
    )
    baseline = Baseline.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"] == f"{url('timeline', cast)}?reference={baseline.pk}"
    assert baseline.created_by == cast.owner
    assert baseline.etapes.count() == 18
    etape = plan.etapes.get(ordre=6)
    copied = baseline.etapes.get(etape=etape)
    assert (copied.planned_start, copied.planned_end) == (etape.planned_start, etape.planned_end)
    entry = HistoryEntry.objects.get(
        grappe=cast.grappe, action="Enregistrement d'une référence du planning"
    )
    assert entry.user == cast.owner
    assert entry.target == "Validation de la note de cadrage"

    # Moving the planned end of step 6 ten days later shows +10 days against the baseline.
    etape.planned_end += datetime.timedelta(days=10)
    etape.save()
    response = client.get(url("timeline", cast))
    row = next(row for row in response.context["rows"] if row["etape"].ordre == 6)
    assert row["ecart"] == 10
    html = response.content.decode()
    assert re.search(r'data-testid="glissement-6">\+10 j<', html)
    assert re.search(r'data-testid="glissement-7">0 j<', html)
    # Step 5 should have ended on 17 May and has not: 29 days late on 15 June, not « 0 j ».
    assert re.search(r'data-testid="glissement-5">\+29 j<', html)
    assert "barre-reference" in html
    assert "Validation de la note de cadrage" in html


def test_baseline_name_is_required_and_unique(cast, client_for, plan):
    client = client_for(cast.owner)
    response = client.post(url("baseline_create", cast), {"name": "  "})
    assert response.status_code == 200
    assert "Donnez un nom à la référence du planning." in response.content.decode()
    client.post(url("baseline_create", cast), {"name": "COPIL de mars"})
    response = client.post(url("baseline_create", cast), {"name": "copil de mars"})
    assert "Une référence du planning porte déjà ce nom." in response.content.decode()
    assert plan.baselines.count() == 1


def test_timeline_compares_with_the_chosen_baseline(cast, client_for, plan):
    client = client_for(cast.owner)
    with time_machine.travel("2026-03-01 10:00 +0100", tick=False):
        client.post(url("baseline_create", cast), {"name": "Première"})
    first = plan.baselines.get()
    etape = plan.etapes.get(ordre=7)  # planned to end in August: not late on 15 June
    etape.planned_end += datetime.timedelta(days=7)
    etape.save()
    client.post(url("baseline_create", cast), {"name": "Seconde"})
    etape.planned_end += datetime.timedelta(days=3)
    etape.save()

    latest = client.get(url("timeline", cast))  # default: the latest baseline
    assert latest.context["baseline"].name == "Seconde"
    assert next(r for r in latest.context["rows"] if r["etape"].ordre == 7)["ecart"] == 3
    chosen = client.get(url("timeline", cast), {"reference": first.pk})
    assert chosen.context["baseline"] == first
    assert next(r for r in chosen.context["rows"] if r["etape"].ordre == 7)["ecart"] == 10
    unknown = client.get(url("timeline", cast), {"reference": "999999"})
    assert unknown.context["baseline"].name == "Seconde"


def test_timeline_query_count_is_bounded(cast, client_for, plan, django_assert_max_num_queries):
    client = client_for(cast.owner)
    client.post(url("baseline_create", cast), {"name": "Référence"})
    with django_assert_max_num_queries(15):
        response = client.get(url("timeline", cast))
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------
# Risk register
# ---------------------------------------------------------------------------------------------


def test_empty_register_offers_cooperation_risks_to_editors_only(cast, client_for, plan):
    html = client_for(cast.owner).get(url("risques", cast)).content.decode()
    assert "Proposer les risques de coopération types" in html
    assert "probabilité de 2 et un impact de 3" in html
    assert "Ajouter un risque" in html
    html = client_for(cast.copil).get(url("risques", cast)).content.decode()
    assert "Le registre des risques est vide." in html
    assert "Proposer les risques de coopération types" not in html
    assert "Ajouter un risque" not in html


def test_propose_cooperation_risks(cast, client_for, plan):
    client = client_for(cast.owner)
    response = client.post(url("risques", cast), {"action": "proposer_types"}, follow=True)
    risques = list(plan.risques.all())
    assert len(risques) == len(risques_cooperation()) == 15
    assert {(r.probabilite, r.impact, r.statut) for r in risques} == {(2, 3, StatutRisque.OUVERT)}
    assert {r.titre for r in risques} == {item["titre"] for item in risques_cooperation()}
    assert CategorieRisque.COOPERATION in {r.categorie for r in risques}
    assert RisqueHistorique.objects.filter(risque__plan=plan, user=cast.owner).count() == 15
    assert HistoryEntry.objects.filter(action="Ajout des risques de coopération types").count() == 1
    html = response.content.decode()
    assert "15 risques de coopération types sont ajoutés" in html
    assert "c&#x27;est un point de départ" in html or "c'est un point de départ" in html
    assert "Proposer les risques de coopération types" not in html
    # A second proposal on a filled register adds nothing.
    response = client.post(url("risques", cast), {"action": "proposer_types"}, follow=True)
    assert plan.risques.count() == 15
    assert "proposés que pour un registre vide" in response.content.decode()


def test_risque_create_records_history(cast, client_for, plan):
    client = client_for(cast.owner)
    response = client.post(url("risque_create", cast), risque_data(owner=str(cast.member.pk)))
    assert response.status_code == 302
    assert response["Location"] == url("risques", cast)
    risque = plan.risques.get()
    assert (risque.probabilite, risque.impact, risque.criticite) == (2, 4, 8)
    assert risque.owner == cast.member
    (row,) = risque.historique.all()
    assert (row.probabilite, row.impact, row.statut, row.user) == (2, 4, "ouvert", cast.owner)
    assert row.recorded_at == timezone.now()
    entry = HistoryEntry.objects.get(action="Ajout d'un risque")
    assert entry.target == "Départ du chef de projet"
    assert entry.changes["Criticité"] == "8 (probabilité 2 × impact 4)"


def test_risque_edit_records_history_on_probability_impact_or_status(cast, client_for, plan):
    client = client_for(cast.owner)
    client.post(url("risque_create", cast), risque_data())
    risque = plan.risques.get()
    address = url("risque_edit", cast, risque.pk)

    with time_machine.travel("2026-06-15 11:00 +0200", tick=False):
        client.post(address, risque_data(probabilite="4", review_on="2026-07-01"))
    with time_machine.travel("2026-06-15 12:30 +0200", tick=False):
        client.post(address, risque_data(probabilite="4", statut=StatutRisque.EN_TRAITEMENT))
    # A change of the mitigation only: history of the grappe, but no new criticality row.
    client.post(
        address, risque_data(probabilite="4", statut=StatutRisque.EN_TRAITEMENT, mitigation="Autre")
    )

    rows = list(risque.historique.all())
    assert [(r.probabilite, r.impact, r.statut) for r in rows] == [
        (2, 4, "ouvert"),
        (4, 4, "ouvert"),
        (4, 4, "en_traitement"),
    ]
    assert all(r.user == cast.owner for r in rows)
    entries = list(HistoryEntry.objects.filter(action="Modification d'un risque").order_by("pk"))
    assert len(entries) == 3
    assert entries[0].changes["Probabilité"] == ["2 — Possible", "4 — Quasi certain"]
    assert entries[0].changes["Criticité"] == [
        "8 (probabilité 2 × impact 4)",
        "16 (probabilité 4 × impact 4)",
    ]
    assert entries[1].changes == {"Statut": ["Ouvert", "En traitement"]}
    assert entries[2].changes == {
        "Mesures de maîtrise": ["Désigner un suppléant au COPIL.", "Autre"]
    }

    response = client.get(address)
    html = response.content.decode()
    assert len(response.context["history"]) == 3
    assert "Historique de la criticité" in html
    assert "Évolution de la criticité : 8 → 16 → 16" in html
    assert "15/06/2026 à 11\u00a0h\u00a000" in html and "15/06/2026 à 12\u00a0h\u00a030" in html


def test_risque_edit_without_change_records_nothing(cast, client_for, plan):
    client = client_for(cast.owner)
    client.post(url("risque_create", cast), risque_data())
    risque = plan.risques.get()
    response = client.post(url("risque_edit", cast, risque.pk), risque_data(), follow=True)
    assert "Aucune modification à enregistrer." in response.content.decode()
    assert risque.historique.count() == 1
    assert not HistoryEntry.objects.filter(action="Modification d'un risque").exists()


def test_risque_form_validation_in_french(cast, client_for, plan):
    client = client_for(cast.owner)
    make_risque(plan, titre="Dérive du calendrier")
    response = client.post(
        url("risque_create", cast),
        risque_data(
            titre="dérive du  calendrier",
            probabilite="5",
            impact="",
            categorie="",
            review_on="2026-06-01",
            owner=str(cast.stranger.pk),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["titre"] == ["Un risque porte déjà ce titre dans le registre."]
    assert "Sélectionnez un choix valide" in errors["probabilite"][0]
    assert errors["impact"] == ["Indiquez l'impact, de 1 à 4."]
    assert errors["categorie"] == ["Choisissez une catégorie."]
    assert errors["review_on"] == ["La prochaine revue ne peut pas être fixée à une date passée."]
    assert "Sélectionnez un choix valide" in errors["owner"][0]  # not a person of the grappe
    assert plan.risques.count() == 1


def test_risque_owner_choices_are_the_grappe_people(cast, client_for, plan):
    form = client_for(cast.owner).get(url("risque_create", cast)).context["form"]
    people = set(form.fields["owner"].queryset)
    assert people == {cast.owner, cast.member, cast.copil}


def test_amoa_consultant_is_not_offered_the_comite_de_selection_as_owners(cast, client_for, plan):
    # A juror sitting nowhere else would be recognisable in the list by elimination.
    juror = UserFactory(first_name="Yvonne", last_name="Jurée")
    ComiteMember.objects.create(
        comite=Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SELECTION),
        user=juror,
        role=RoleComite.MEMBRE,
    )
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    form = client_for(consultant).get(url("risque_create", cast)).context["form"]
    assert juror not in form.fields["owner"].queryset
    assert consultant in form.fields["owner"].queryset
    form = client_for(cast.owner).get(url("risque_create", cast)).context["form"]
    assert juror in form.fields["owner"].queryset


def test_register_filters_and_sort(cast, client_for, plan):
    make_risque(plan, "Faible", 1, 1, categorie=CategorieRisque.BUDGET)
    make_risque(plan, "Majeur", 4, 4, categorie=CategorieRisque.COOPERATION)
    make_risque(
        plan, "Moyen", 2, 3, categorie=CategorieRisque.COOPERATION, statut=StatutRisque.CLOS
    )
    client = client_for(cast.ars)
    response = client.get(url("risques", cast))
    assert [row["risque"].titre for row in response.context["rows"]] == [
        "Majeur",
        "Moyen",
        "Faible",
    ]
    html = response.content.decode()
    assert "Ajouter un risque" not in html
    assert (
        reverse("projets:risque_edit", args=[cast.grappe.pk, plan.risques.first().pk]) not in html
    )
    # The matrix counts the risks that are not closed.
    assert response.context["nb_actifs"] == 2
    assert "3 risques affichés, dont 2 ouverts ou en traitement." in html
    assert 'data-probabilite="4" data-impact="4" data-nombre="1"' in html
    assert 'data-probabilite="2" data-impact="3" data-nombre="0"' in html

    filtered = client.get(url("risques", cast), {"categorie": "cooperation", "statut": "clos"})
    assert [row["risque"].titre for row in filtered.context["rows"]] == ["Moyen"]
    assert "1 risque affiché, dont 0 ouvert ou en traitement." in filtered.content.decode()
    by_title = client.get(url("risques", cast), {"tri": "titre"})
    assert [row["risque"].titre for row in by_title.context["rows"]] == [
        "Faible",
        "Majeur",
        "Moyen",
    ]
    ignored = client.get(url("risques", cast), {"statut": "n'importe", "tri": "x"})
    assert len(ignored.context["rows"]) == 3
    assert ignored.context["tri"] == "criticite"


def test_register_query_count_is_bounded(cast, client_for, plan, django_assert_max_num_queries):
    for index in range(30):
        risque = make_risque(
            plan, f"Risque {index:02d}", index % 4 + 1, (index // 4) % 4 + 1, owner=cast.member
        )
        for probabilite in (1, 2):
            RisqueHistorique.objects.create(
                risque=risque, probabilite=probabilite, impact=risque.impact, statut=risque.statut
            )
    client = client_for(cast.owner)
    with django_assert_max_num_queries(15):
        response = client.get(url("risques", cast))
    assert len(response.context["rows"]) == 30
    assert response.content.decode().count('class="sparkline"') == 30


# ---------------------------------------------------------------------------------------------
# Progress report
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def report_data(cast, client_for, plan):
    """A baseline, a slipped step, a go decision, a submitted deliverable and a few risks."""
    client = client_for(cast.owner)
    with time_machine.travel("2026-01-20 10:00 +0100", tick=False):
        client.post(url("baseline_create", cast), {"name": "Validation de la note de cadrage"})
    etape = plan.etapes.get(ordre=4)
    etape.planned_end += datetime.timedelta(days=12)
    etape.save()
    jalon = plan.jalons.get(titre="Note de cadrage approuvée par le COPIL")
    jalon.decision = DecisionJalon.GO
    jalon.decided_on = datetime.date(2026, 3, 10)
    jalon.reasons = "Périmètre et équipe validés à l'unanimité."
    jalon.save()
    # Step 5's study of the market, validated by the COPIL (a simple deposit is never submitted).
    livrable = plan.livrables.get(etape__ordre=5, validation_copil=True)
    LivrableVersionFactory(
        livrable=livrable,
        status=StatutVersion.SOUMISE,
        submitted_at=timezone.now(),
        uploaded_by=cast.owner,
    )
    make_risque(plan, "Retrait d'un coopérateur", 4, 4, owner=cast.member)
    make_risque(plan, "Risque clos très critique", 4, 4, statut=StatutRisque.CLOS)
    for index in range(6):
        make_risque(plan, f"Risque mineur {index}", 1, 2)
    return {"etape": etape, "jalon": jalon, "livrable": livrable}


def test_rapport_page_content(cast, client_for, report_data):
    response = client_for(cast.copil).get(url("rapport", cast))
    context = response.context
    assert [phase["nb_etapes"] for phase in context["phases"]] == [3, 5, 3, 7]
    # 15 June 2026: phase 1 all late, phase 2 three late (steps 4, 5 and 6) and two to come.
    assert context["phases"][0]["counts"] == [0, 0, 3, 0, 0]
    assert context["phases"][1]["counts"] == [2, 0, 3, 0, 0]
    # Unfinished steps past their planned end slip a day a day (today − end in the baseline):
    # step 4, moved 12 days later to 1 May, is 57 days late on 15 June.
    assert [(row["etape"].ordre, row["ecart"]) for row in context["glissements"]] == [
        (1, 134),
        (2, 113),
        (3, 99),
        (4, 57),
        (5, 29),
    ]
    assert [risque.titre for risque, _ in context["risques"]][0] == "Retrait d'un coopérateur"
    assert len(context["risques"]) == 5
    assert "Risque clos très critique" not in [risque.titre for risque, _ in context["risques"]]
    assert [version.livrable for version in context["versions"]] == [report_data["livrable"]]
    assert context["indicateurs_usage"] == []
    html = response.content.decode()
    assert "Rapport d&#x27;avancement" in html or "Rapport d'avancement" in html
    assert "+57 j" in html
    assert "15/06/2026 (pas encore terminée, fin prévue le 01/05/2026)" in html
    assert "Périmètre et équipe validés" in html
    assert 'class="gantt"' in html
    assert "indicateurs-usage" not in html  # no data yet: no section at all
    assert reverse("projets:rapport_pdf", args=[cast.grappe.pk]) in html


@pytest.mark.pdf
def test_rapport_pdf_text(cast, client_for, report_data):
    response = client_for(cast.ars).get(url("rapport_pdf", cast))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "rapport-avancement-grappe-des-flandres-2026-06-15.pdf" in response["Content-Disposition"]
    )
    text = pdf_text(response)
    assert "Rapport d'avancement — Grappe des Flandres" in text
    for phase in [
        "Cadrage du projet",
        "Définition du projet",
        "Choix de la solution",
        "Mise en œuvre de la solution",
    ]:
        assert phase in text
    assert "Réaliser une étude de l'existant" in text  # the slipped step…
    assert "+57 j" in text  # …and its slippage
    assert "Note de cadrage approuvée par le COPIL" in text
    assert "Go le 10/03/2026" in text
    assert "Périmètre et équipe validés à l'unanimité." in text
    assert report_data["livrable"].titre[:30] in text
    assert "Retrait d'un coopérateur" in text
    assert "Risques les plus critiques" in text
    assert "Glissements par rapport à la référence" in text
    assert "aujourd'hui" in text  # the Gantt's today line label (SVG text)
    assert "janv." in text and "févr." in text
    assert "15 juin 2026" in text


def test_rapport_query_count_is_bounded(
    cast, client_for, report_data, django_assert_max_num_queries
):
    for index in range(20):
        make_risque(report_data["etape"].plan, f"Autre risque {index}", 3, 3)
    client = client_for(cast.owner)
    # 13 for the report itself, 12 for its finances section (the reader's right to see them,
    # then finances.services.synthese), whatever the number of risks.
    with django_assert_max_num_queries(25):
        response = client.get(url("rapport", cast))
    assert response.status_code == 200


def test_rapport_without_baseline(cast, client_for, plan):
    html = client_for(cast.owner).get(url("rapport", cast)).content.decode()
    assert "Aucune référence du planning n&#x27;est enregistrée" in html or (
        "Aucune référence du planning n'est enregistrée" in html
    )
    assert "Aucun livrable n&#x27;attend" in html or "Aucun livrable n'attend" in html


def test_rapport_shows_the_usage_rows_of_registered_providers(cast, client_for, plan, monkeypatch):
    row = {"libelle": "Dossiers actifs", "valeur": "92 %", "cible": "90 %", "periode": "mai 2026"}
    monkeypatch.setattr(extensions, "usage_providers", [lambda grappe, today: [row]])
    html = client_for(cast.owner).get(url("rapport", cast)).content.decode()
    assert "Derniers indicateurs d" in html
    assert "Dossiers actifs" in html
