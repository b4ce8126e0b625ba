"""The reference guide and a grappe's plan: permission cast on every view, computed statuses
(late steps), dependencies and phase gates, milestone decisions, query count of the plan page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from grappe.enums import RoleComite, RoleKind
from grappe.models import HistoryEntry
from projets.enums import DecisionJalon, ModeDecision, StatutEtape
from projets.models import Etape, EtapeReference, Jalon, Plan
from projets.views.plan import guide_blocks
from tests.grappe.factories import UserFactory, copil_member
from tests.helpers import EDIT, READ, check
from tests.projets.factories import LivrableVersionFactory, copil_voters, plan_for

pytestmark = pytest.mark.django_db

EVERYBODY = dict.fromkeys(READ, 200)


@pytest.fixture(autouse=True)
def frozen_today():
    """1 March 2026 in Paris; plans start on Monday 5 January 2026 (step 3 ends on 8 March)."""
    with time_machine.travel("2026-03-01 10:00 +0100", tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


def url(name, cast, *args):
    return reverse(f"projets:{name}", args=[cast.grappe.pk, *args])


def step(plan, ordre):
    return plan.etapes.get(ordre=ordre)


def gate(plan, ordre):
    return plan.jalons.get(etape__ordre=ordre)


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


def etape_data(etape, **changes):
    data = {
        "titre": etape.titre,
        "owner_role": etape.owner_role,
        "planned_start": etape.planned_start.isoformat() if etape.planned_start else "",
        "planned_end": etape.planned_end.isoformat() if etape.planned_end else "",
        "actual_start": etape.actual_start.isoformat() if etape.actual_start else "",
        "actual_end": etape.actual_end.isoformat() if etape.actual_end else "",
        "progress": str(etape.progress),
        "depends_on": [e.pk for e in etape.depends_on.all()],
        "skip_reason": etape.skip_reason,
    }
    if etape.skipped:
        data["skipped"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def decision_data(**changes):
    data = {
        "decision": DecisionJalon.GO,
        "decided_on": "2026-02-27",
        "mode": ModeDecision.CONSENSUS,
        "reasons": "",
    }
    data.update(changes)
    return data


def post_edit(client, cast, etape, **changes):
    return client.post(url("etape_edit", cast, etape.pk), etape_data(etape, **changes))


def finish(etape, start, end):
    Etape.objects.filter(pk=etape.pk).update(actual_start=start, actual_end=end, progress=100)


# ---------------------------------------------------------------------------------------------
# Permission cast on every view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,args", [("reference_guide", []), ("reference_etape", [8])])
def test_reference_guide_is_for_everybody_signed_in(cast, client_for, name, args):
    assert_get_cast(cast, client_for, reverse(f"projets:{name}", args=args), EVERYBODY)


def test_unknown_reference_step_is_404(cast, client_for):
    client = client_for(cast.member)
    assert client.get(reverse("projets:reference_etape", args=[19])).status_code == 404


def test_plan_page_permission_cast_without_plan(cast, client_for):
    assert_get_cast(cast, client_for, url("plan", cast), READ)


@pytest.mark.parametrize("name", ["plan", "etape"])
def test_read_pages_permission_cast(cast, client_for, plan, name):
    args = [step(plan, 4).pk] if name == "etape" else []
    assert_get_cast(cast, client_for, url(name, cast, *args), READ)


def test_edit_forms_permission_cast(cast, client_for, plan):
    for address in [
        url("etape_add", cast),
        url("etape_edit", cast, step(plan, 2).pk),
        url("jalon_decision", cast, gate(plan, 3).pk),
    ]:
        assert_get_cast(cast, client_for, address, EDIT)


def test_create_form_permission_cast(cast, client_for):
    assert_get_cast(cast, client_for, url("plan_create", cast), EDIT)


def test_plan_create_permission_cast(cast, client_for):
    assert_post_cast(
        cast, client_for, url("plan_create", cast), lambda name: {"start_on": "2026-01-05"}
    )
    assert Plan.objects.filter(grappe=cast.grappe).count() == 1
    assert cast.grappe.plan.etapes.count() == 18


def test_etape_edit_permission_cast(cast, client_for, plan):
    etape = step(plan, 5)
    assert_post_cast(
        cast,
        client_for,
        url("etape_edit", cast, etape.pk),
        lambda name: etape_data(etape, titre=f"Étude du marché ({name})"),
    )
    assert step(plan, 5).titre == "Étude du marché (admin)"


def test_etape_add_permission_cast(cast, client_for, plan):
    assert_post_cast(
        cast,
        client_for,
        url("etape_add", cast),
        lambda name: {"titre": f"Étape de {name}", "phase": "4", "owner_role": "chef_projet"},
    )
    assert list(plan.etapes.filter(ordre__gt=18).values_list("titre", flat=True)) == [
        "Étape de owner",
        "Étape de admin",
    ]


def test_jalon_decision_permission_cast(cast, client_for, plan):
    jalon = gate(plan, 3)
    assert_post_cast(
        cast, client_for, url("jalon_decision", cast, jalon.pk), lambda name: decision_data()
    )
    jalon.refresh_from_db()
    assert jalon.decision == DecisionJalon.GO
    assert jalon.recorded_by == cast.owner  # the admin posted the same decision: nothing changed


def test_get_is_refused_on_create_when_the_plan_exists(cast, client_for, plan):
    response = client_for(cast.owner).get(url("plan_create", cast))
    assert response.status_code == 302
    assert response["Location"] == url("plan", cast)


def test_a_step_of_another_grappe_is_404(cast, client_for, plan):
    other = plan_for(cast.other_grappe)
    client = client_for(cast.owner)
    assert client.get(url("etape", cast, step(other, 1).pk)).status_code == 404
    assert client.get(url("etape_edit", cast, step(other, 1).pk)).status_code == 404
    assert client.get(url("jalon_decision", cast, gate(other, 3).pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Reference guide
# ---------------------------------------------------------------------------------------------


def test_guide_blocks_paragraphs_lists_and_nested_items():
    text = "Intro.\n- un\n  - un a\n  - un b\n- deux\n\n1. Intertitre\n- trois"
    assert guide_blocks(text) == [
        {"kind": "paragraph", "text": "Intro."},
        {
            "kind": "list",
            "entries": [
                {"text": "un", "children": ["un a", "un b"]},
                {"text": "deux", "children": []},
            ],
        },
        {"kind": "paragraph", "text": "1. Intertitre"},
        {"kind": "list", "entries": [{"text": "trois", "children": []}]},
    ]


def test_reference_guide_lists_phases_steps_deliverables_and_milestones(cast, client_for):
    response = client_for(cast.ars).get(reverse("projets:reference_guide"))
    html = response.content.decode()
    for numero in range(1, 19):
        assert f'data-testid="etape-type-{numero}"' in html
    assert "Phase 4 — Mise en œuvre de la solution" in html
    assert "Note de cadrage approuvée par le COPIL" in html
    assert "Planning de l&#x27;AMOA" in html
    assert html.count("décision go / no go du COPIL") == 4


def test_reference_step_renders_the_guide_escaped(cast, client_for):
    EtapeReference.objects.filter(numero=2).update(
        objectifs="Constituer l'équipe.\n- le <b>chef</b> de projet\n  - désigné par le COPIL"
    )
    response = client_for(cast.member).get(reverse("projets:reference_etape", args=[2]))
    html = response.content.decode()
    assert "Que faire à cette étape ?" in html
    assert "<p>Constituer l&#x27;équipe.</p>" in html
    assert "<li>le &lt;b&gt;chef&lt;/b&gt; de projet" in html
    assert "<ul><li>désigné par le COPIL</li></ul>" in html
    for label in ["Objectifs", "Contenu des travaux", "Acteurs mobilisés", "Outils et méthodes"]:
        assert f">{label}</h3>" in html
    assert "Documents produits" in html and "Recommandations / facteurs clés de succès" in html


# ---------------------------------------------------------------------------------------------
# Plan page and creation
# ---------------------------------------------------------------------------------------------


def test_without_plan_editors_see_the_form_and_others_a_message(cast, client_for):
    owner = client_for(cast.owner).get(url("plan", cast)).content.decode()
    assert 'name="start_on"' in owner
    member = client_for(cast.member).get(url("plan", cast)).content.decode()
    assert "Le plan projet n'est pas encore créé" in member
    assert 'name="start_on"' not in member


def test_create_plan(cast, client_for):
    response = client_for(cast.owner).post(url("plan_create", cast), {"start_on": "2026-01-05"})
    assert response["Location"] == url("plan", cast)
    plan = Plan.objects.get(grappe=cast.grappe)
    assert plan.start_on == datetime.date(2026, 1, 5)
    assert plan.created_by == cast.owner
    assert HistoryEntry.objects.filter(action="Création du plan projet").count() == 1


def test_create_plan_needs_a_date(cast, client_for):
    response = client_for(cast.owner).post(url("plan_create", cast), {"start_on": ""})
    assert response.status_code == 200
    assert "Indiquez la date de début du projet." in response.content.decode()
    assert not Plan.objects.exists()


def test_a_second_plan_is_refused(cast, client_for, plan):
    response = client_for(cast.owner).post(
        url("plan_create", cast), {"start_on": "2026-06-01"}, follow=True
    )
    assert "Le plan projet de la grappe existe déjà." in response.content.decode()
    assert Plan.objects.get(grappe=cast.grappe).start_on == datetime.date(2026, 1, 5)
    assert Etape.objects.count() == 18


def test_plan_page_shows_phases_steps_and_links(cast, client_for, plan):
    response = client_for(cast.member).get(url("plan", cast))
    html = response.content.decode()
    for numero in range(1, 19):
        assert f'data-testid="etape-{numero}"' in html
    for name in ["timeline", "livrables", "risques", "rapport"]:
        assert f'href="{url(name, cast)}"' in html
    assert "Chef de projet interne" in html
    assert 'role="progressbar"' in html and "0 %" in html
    # Phases 2 to 4 wait for the go on the note de cadrage.
    assert "en attente du go du COPIL" in html
    assert (
        "La phase 2 attend le go du COPIL sur le jalon « Note de cadrage approuvée par le COPIL »."
        in html
    )
    # Readers get no edit links.
    assert url("etape_edit", cast, step(plan, 1).pk) not in html
    assert url("jalon_decision", cast, gate(plan, 3).pk) not in html
    owner = client_for(cast.owner).get(url("plan", cast)).content.decode()
    assert url("etape_edit", cast, step(plan, 1).pk) in owner
    assert url("jalon_decision", cast, gate(plan, 3).pk) in owner


def test_plan_page_query_count_is_bounded(cast, client_for, plan, django_assert_max_num_queries):
    finish(step(plan, 1), datetime.date(2026, 1, 5), datetime.date(2026, 2, 1))
    step(plan, 18).skipped = True
    client = client_for(cast.owner)
    with django_assert_max_num_queries(15):
        response = client.get(url("plan", cast))
    assert response.status_code == 200
    client = client_for(cast.copil)
    with django_assert_max_num_queries(15):
        assert client.get(url("plan", cast)).status_code == 200


# ---------------------------------------------------------------------------------------------
# Computed status: late steps (frozen on 1 March 2026)
# ---------------------------------------------------------------------------------------------


def test_late_computation_with_frozen_time(cast, client_for, plan):
    today = datetime.date(2026, 3, 1)
    finish(step(plan, 1), datetime.date(2026, 1, 5), datetime.date(2026, 1, 30))
    # Step 2 (planned end 22 February) has started but not ended: late.
    Etape.objects.filter(pk=step(plan, 2).pk).update(actual_start=datetime.date(2026, 2, 2))
    # Step 3 (23 February → 8 March) has not started although it should have: late.
    # Step 4 starts on 9 March: to come. Step 18 is skipped.
    Etape.objects.filter(pk=step(plan, 18).pk).update(skipped=True, skip_reason="Sans objet.")
    statuses = {e.ordre: e.status() for e in plan.etapes.all()}
    assert statuses[1] == StatutEtape.TERMINEE
    assert statuses[2] == StatutEtape.EN_RETARD
    assert statuses[3] == StatutEtape.EN_RETARD
    assert statuses[4] == StatutEtape.A_VENIR
    assert statuses[18] == StatutEtape.SANS_OBJET
    late = set(Etape.objects.filter(plan=plan).late(today).values_list("ordre", flat=True))
    assert late == {ordre for ordre, status in statuses.items() if status == StatutEtape.EN_RETARD}
    assert set(Etape.objects.filter(plan=plan).late().values_list("ordre", flat=True)) == late
    # In progress once started, as long as the planned end has not passed.
    Etape.objects.filter(pk=step(plan, 3).pk).update(actual_start=datetime.date(2026, 2, 24))
    assert step(plan, 3).status() == StatutEtape.EN_COURS
    html = client_for(cast.member).get(url("plan", cast)).content.decode()
    assert "1 étape en retard." in html
    assert 'data-testid="statut-2">En retard</span>' in html
    assert "fin prévue le 22/02/2026" in html
    assert 'data-testid="statut-3">En cours</span>' in html
    assert 'data-testid="statut-1">Terminée</span>' in html
    assert 'data-testid="statut-18">Sans objet</span>' in html
    assert 'data-testid="statut-4">À venir</span>' in html
    assert '<tr class="table-danger" data-testid="etape-2">' in html


def test_a_finished_step_says_which_deliverables_were_never_deposited(cast, client_for, plan):
    """Issue 21: steps 1 and 2 showed « Terminée 100 % » while their deliverables were still
    « Attendu ». The status keeps the step's declared end and says what is missing, on the plan
    page, the step page, the planning and the report alike."""
    finish(step(plan, 1), datetime.date(2026, 1, 5), datetime.date(2026, 1, 30))
    finish(step(plan, 2), datetime.date(2026, 2, 2), datetime.date(2026, 2, 20))
    deposited = step(plan, 2).livrables.get()
    LivrableVersionFactory(livrable=deposited)
    etapes = {e.ordre: e for e in plan.etapes.with_missing_deliverables()}
    assert (etapes[1].livrables_attendus, etapes[2].livrables_attendus) == (1, 0)
    assert etapes[1].status_label() == "Terminée — 1 livrable attendu"
    assert etapes[2].status_label() == "Terminée"
    # A step not finished yet does not call its deliverables missing.
    assert (etapes[3].livrables_attendus, etapes[3].status_note()) == (1, "")
    assert step(plan, 1).status_note() == "1 livrable attendu"  # counted without the annotation

    client = client_for(cast.member)
    html = client.get(url("plan", cast)).content.decode()
    assert 'data-testid="statut-1">Terminée</span>' in html
    assert "1 livrable attendu</a>" in html
    assert 'data-testid="note-2"' not in html
    step_page = client.get(url("etape", cast, step(plan, 1).pk)).content.decode()
    assert "— 1 livrable attendu" in step_page
    timeline = client.get(url("timeline", cast)).content.decode()
    assert "Terminée — 1 livrable attendu</td>" in timeline
    assert 'class="etape statut-terminee"' in timeline
    assert "statut : Terminée — 1 livrable attendu" in timeline  # the Gantt bar's title
    report = client.get(url("rapport", cast)).content.decode()
    assert 'data-testid="statut-1">Terminée — 1 livrable attendu</td>' in report
    assert 'data-testid="statut-2">Terminée</td>' in report


def test_late_is_never_typed_it_follows_the_calendar(cast, plan, frozen_today):
    assert step(plan, 4).status() == StatutEtape.A_VENIR
    frozen_today.move_to("2026-03-10 09:00 +0100")
    assert step(plan, 4).status() == StatutEtape.EN_RETARD


def test_step_page_shows_dates_dependencies_livrables_milestone_and_guide(cast, client_for, plan):
    etape = step(plan, 3)
    response = client_for(cast.copil).get(url("etape", cast, etape.pk))
    html = response.content.decode()
    assert response.context["status"]["label"] == "En retard"
    assert "23/02/2026" in html and "08/03/2026" in html
    assert url("etape", cast, step(plan, 2).pk) in html  # its predecessor
    assert url("etape", cast, step(plan, 4).pk) in html  # its successor
    for livrable in etape.livrables.all():
        assert url("livrable", cast, livrable.pk) in html
    assert "Note de cadrage approuvée par le COPIL" in html
    assert "Que faire à cette étape ?" in html
    assert etape.reference.objectifs.split("\n")[0][:40] in html.replace("&#x27;", "'")


def test_added_step_has_no_guide(cast, client_for, plan):
    etape = Etape.objects.create(plan=plan, phase=4, ordre=19, titre="Fête de lancement")
    html = client_for(cast.owner).get(url("etape", cast, etape.pk)).content.decode()
    assert "étape propre à la grappe" in html
    assert "Que faire à cette étape ?" not in html


def test_step_page_of_a_closed_phase_says_it_waits(cast, client_for, plan):
    html = client_for(cast.owner).get(url("etape", cast, step(plan, 9).pk)).content.decode()
    assert (
        "La phase 3 attend le go du COPIL sur le jalon « Note de cadrage approuvée par le COPIL »."
        in html
    )


# ---------------------------------------------------------------------------------------------
# Editing a step
# ---------------------------------------------------------------------------------------------


def test_rename_is_recorded_and_the_reference_untouched(cast, client_for, plan):
    etape = step(plan, 1)
    reference_title = etape.reference.titre
    response = post_edit(client_for(cast.owner), cast, etape, titre="  Cadrer   le projet ")
    assert response["Location"] == url("etape", cast, etape.pk)
    etape.refresh_from_db()
    assert etape.titre == "Cadrer le projet"
    assert EtapeReference.objects.get(numero=1).titre == reference_title
    entry = HistoryEntry.objects.get(action="Modification d'une étape du plan")
    assert entry.user == cast.owner
    assert entry.changes == {"Titre": [reference_title, "Cadrer le projet"]}


def test_dates_must_be_ordered(cast, client_for, plan):
    etape = step(plan, 1)
    response = post_edit(
        client_for(cast.owner),
        cast,
        etape,
        planned_start="2026-02-01",
        planned_end="2026-01-20",
        actual_start="2026-01-10",
        actual_end="2026-01-09",
    )
    form = response.context["form"]
    assert form.errors["planned_end"] == ["La fin prévue ne peut pas précéder le début prévu."]
    assert form.errors["actual_end"] == ["La fin réelle ne peut pas précéder le début réel."]


def test_actual_start_waits_for_the_predecessor(cast, client_for, plan):
    client = client_for(cast.owner)
    response = post_edit(client, cast, step(plan, 2), actual_start="2026-02-02")
    assert response.status_code == 200
    assert response.context["form"].errors["actual_start"] == [
        "L'étape « 1. Définir les objectifs et le périmètre du projet » n'est pas terminée (pas "
        "de fin réelle) : cette étape ne peut pas commencer avant (dépendance fin → début)."
    ]
    finish(step(plan, 1), datetime.date(2026, 1, 5), datetime.date(2026, 2, 3))
    response = post_edit(client, cast, step(plan, 2), actual_start="2026-02-02")
    assert "s'est terminée le 03/02/2026" in response.context["form"].errors["actual_start"][0]
    response = post_edit(client, cast, step(plan, 2), actual_start="2026-02-03")
    assert response.status_code == 302
    assert step(plan, 2).actual_start == datetime.date(2026, 2, 3)


def test_a_skipped_predecessor_does_not_block(cast, client_for, plan):
    Etape.objects.filter(pk=step(plan, 1).pk).update(skipped=True, skip_reason="Déjà fait.")
    response = post_edit(client_for(cast.owner), cast, step(plan, 2), actual_start="2026-02-02")
    assert response.status_code == 302


def test_actual_start_waits_for_the_copil_go(cast, client_for, plan):
    for ordre in (1, 2, 3):
        finish(step(plan, ordre), datetime.date(2026, 1, 5), datetime.date(2026, 2, 25))
    client = client_for(cast.owner)
    response = post_edit(client, cast, step(plan, 4), actual_start="2026-02-26")
    assert response.context["form"].errors["actual_start"] == [
        "La phase 2 attend le go du COPIL sur le jalon « Note de cadrage approuvée par le COPIL »."
    ]
    response = client.post(url("jalon_decision", cast, gate(plan, 3).pk), decision_data())
    assert response.status_code == 302
    response = post_edit(client, cast, step(plan, 4), actual_start="2026-02-26")
    assert response.status_code == 302


def test_dependencies_stay_in_the_plan_without_self_or_cycle(cast, client_for, plan):
    client = client_for(cast.owner)
    etape_1 = step(plan, 1)
    response = post_edit(client, cast, etape_1, depends_on=[step(plan, 3).pk])
    assert response.context["form"].errors["depends_on"] == [
        "Dépendance circulaire : l'étape « 3. Établir un calendrier de conception et de mise en "
        "œuvre » dépend déjà, directement ou par d'autres étapes, de celle-ci."
    ]
    response = post_edit(client, cast, etape_1, depends_on=[etape_1.pk])
    assert "depends_on" in response.context["form"].errors
    other = plan_for(cast.other_grappe)
    response = post_edit(client, cast, etape_1, depends_on=[step(other, 1).pk])
    assert "depends_on" in response.context["form"].errors
    # A new, acyclic dependency is kept and written to the history with step numbers.
    etape_5 = step(plan, 5)
    response = post_edit(client, cast, etape_5, depends_on=[step(plan, 4).pk, step(plan, 2).pk])
    assert response.status_code == 302
    assert sorted(step(plan, 5).depends_on.values_list("ordre", flat=True)) == [2, 4]
    entry = HistoryEntry.objects.get(action="Modification d'une étape du plan")
    assert entry.changes == {"Dépend de (fin → début)": ["4", "2, 4"]}


def test_progress(cast, client_for, plan):
    client = client_for(cast.owner)
    etape = step(plan, 1)
    response = post_edit(client, cast, etape, progress="120")
    assert "progress" in response.context["form"].errors
    response = post_edit(client, cast, etape, progress="100", actual_start="2026-01-05")
    assert response.context["form"].errors["progress"] == [
        "Un avancement de 100 % signifie que l'étape est terminée : indiquez sa fin réelle."
    ]
    response = post_edit(client, cast, etape, progress="40", actual_start="2026-01-05")
    assert response.status_code == 302
    assert step(plan, 1).progress == 40
    etape = step(plan, 1)
    response = post_edit(client, cast, etape, actual_end="2026-01-30")
    assert response.status_code == 302
    etape.refresh_from_db()
    assert (etape.progress, etape.status()) == (100, StatutEtape.TERMINEE)
    entry = HistoryEntry.objects.filter(action="Modification d'une étape du plan").first()
    assert entry.changes["Avancement (%)"] == ["40", "100"]


def test_actual_end_needs_an_actual_start(cast, client_for, plan):
    response = post_edit(client_for(cast.owner), cast, step(plan, 1), actual_end="2026-01-30")
    assert response.context["form"].errors["actual_start"] == [
        "Indiquez le début réel de l'étape avant sa fin réelle."
    ]


def test_owner_role(cast, client_for, plan):
    response = post_edit(client_for(cast.owner), cast, step(plan, 6), owner_role=RoleKind.AMOA)
    assert response.status_code == 302
    assert step(plan, 6).owner_role == RoleKind.AMOA
    entry = HistoryEntry.objects.get(action="Modification d'une étape du plan")
    assert entry.changes == {"Responsable": ["Chef de projet interne", "Consultant AMOA"]}


def test_skip_needs_a_reason_and_unskip_clears_it(cast, client_for, plan):
    client = client_for(cast.owner)
    etape = step(plan, 18)
    response = post_edit(client, cast, etape, skipped="on", skip_reason="  ")
    assert response.context["form"].errors["skip_reason"] == [
        "Indiquez pourquoi cette étape est sans objet."
    ]
    response = post_edit(client, cast, etape, skipped="on", skip_reason="Aucun besoin.")
    assert response.status_code == 302
    etape.refresh_from_db()
    assert etape.status() == StatutEtape.SANS_OBJET
    entry = HistoryEntry.objects.get(action="Étape déclarée sans objet")
    assert entry.changes["Étape sans objet pour la grappe"] == ["non", "oui"]
    assert entry.changes["Motif (sans objet)"] == ["", "Aucun besoin."]
    data = etape_data(etape)
    del data["skipped"]
    response = client.post(url("etape_edit", cast, etape.pk), data)
    assert response.status_code == 302
    etape.refresh_from_db()
    assert (etape.skipped, etape.skip_reason) == (False, "")
    assert HistoryEntry.objects.filter(action="Étape rétablie dans le plan").exists()


def test_unchanged_form_records_nothing(cast, client_for, plan):
    response = post_edit(client_for(cast.owner), cast, step(plan, 7))
    assert response.status_code == 302
    assert not HistoryEntry.objects.filter(action__contains="étape").exists()


# ---------------------------------------------------------------------------------------------
# Adding a step
# ---------------------------------------------------------------------------------------------


def add_data(**changes):
    data = {
        "titre": "Visite d'un ESMS équipé",
        "phase": "2",
        "position": "",
        "planned_start": "2026-04-01",
        "planned_end": "2026-04-10",
        "owner_role": RoleKind.CHEF_PROJET,
    }
    data.update(changes)
    return data


def test_add_a_step_at_a_position_renumbers_the_following(cast, client_for, plan):
    titles = dict(plan.etapes.values_list("ordre", "titre"))
    response = client_for(cast.owner).post(url("etape_add", cast), add_data(position="5"))
    added = plan.etapes.get(titre="Visite d'un ESMS équipé")
    assert response["Location"] == url("etape", cast, added.pk)
    assert (added.ordre, added.phase, added.reference) == (5, 2, None)
    after = dict(plan.etapes.values_list("ordre", "titre"))
    assert list(after) == list(range(1, 20))
    assert after[4] == titles[4]
    assert after[6] == titles[5]
    assert after[19] == titles[18]
    entry = HistoryEntry.objects.get(action="Ajout d'une étape au plan projet")
    assert entry.changes == {"Phase": "2", "Position": "5"}


def test_add_without_position_goes_to_the_end_of_its_phase(cast, client_for, plan):
    client_for(cast.owner).post(url("etape_add", cast), add_data(phase="1"))
    added = plan.etapes.get(titre="Visite d'un ESMS équipé")
    assert added.ordre == 4
    assert step(plan, 5).reference.numero == 4


def test_add_refuses_a_position_outside_its_phase(cast, client_for, plan):
    response = client_for(cast.owner).post(url("etape_add", cast), add_data(position="12"))
    assert response.context["form"].errors["position"] == [
        "Une étape de la phase 2 prend une position entre 4 et 9."
    ]
    response = client_for(cast.owner).post(
        url("etape_add", cast), add_data(planned_end="2026-03-01")
    )
    assert "planned_end" in response.context["form"].errors
    assert plan.etapes.count() == 18


# ---------------------------------------------------------------------------------------------
# COPIL decisions on milestones
# ---------------------------------------------------------------------------------------------


def test_a_go_opens_the_next_phase(cast, client_for, plan):
    jalon = gate(plan, 3)
    response = client_for(cast.owner).post(
        url("jalon_decision", cast, jalon.pk), decision_data(), follow=True
    )
    html = response.content.decode()
    assert "La phase 2 est ouverte : ses étapes peuvent commencer." in html
    jalon.refresh_from_db()
    assert (jalon.decision, jalon.decided_on, jalon.mode) == (
        DecisionJalon.GO,
        datetime.date(2026, 2, 27),
        ModeDecision.CONSENSUS,
    )
    assert jalon.recorded_by == cast.owner and jalon.recorded_at is not None
    assert plan.open_phases() == {1, 2}
    entry = HistoryEntry.objects.get(action="Décision du COPIL sur un jalon")
    assert entry.changes == {"Décision": "Go le 27/02/2026 par consensus"}


def test_no_go_and_ajourne_need_reasons(cast, client_for, plan):
    client = client_for(cast.owner)
    address = url("jalon_decision", cast, gate(plan, 3).pk)
    for decision, message in [
        (DecisionJalon.NO_GO, "Indiquez les motifs d'un no go."),
        (DecisionJalon.AJOURNE, "Indiquez les motifs d'un ajournement."),
    ]:
        response = client.post(address, decision_data(decision=decision, reasons=" "))
        assert response.context["form"].errors["reasons"] == [message]
    response = client.post(
        address, decision_data(decision=DecisionJalon.NO_GO, reasons="Périmètre à revoir.")
    )
    assert response.status_code == 302
    assert plan.open_phases() == {1}


def test_decision_date_not_in_the_future(cast, client_for, plan):
    response = client_for(cast.owner).post(
        url("jalon_decision", cast, gate(plan, 3).pk), decision_data(decided_on="2026-03-02")
    )
    assert response.context["form"].errors["decided_on"] == [
        "La date de la décision ne peut pas être dans le futur."
    ]


def test_votes_are_required_and_bounded_by_the_voting_members(cast, client_for, plan):
    copil_voters(cast.grappe, 3)  # with cast.copil: 4 voters
    copil_member(cast.grappe, role=RoleComite.INVITE)  # a guest does not vote
    client = client_for(cast.owner)
    address = url("jalon_decision", cast, gate(plan, 3).pk)
    response = client.post(address, decision_data(mode=ModeDecision.VOTE, votes_pour="3"))
    errors = response.context["form"].errors
    assert errors["votes_contre"] == ["Indiquez le nombre de voix contre."]
    assert errors["votes_abstention"] == ["Indiquez le nombre d'abstentions (0 s'il n'y en a pas)."]
    response = client.post(
        address,
        decision_data(
            mode=ModeDecision.VOTE, votes_pour="3", votes_contre="1", votes_abstention="1"
        ),
    )
    assert response.context["form"].errors["votes_pour"] == [
        "Le total des voix (5) dépasse le nombre de membres votants du COPIL (4)."
    ]
    response = client.post(
        address,
        decision_data(
            mode=ModeDecision.VOTE, votes_pour="3", votes_contre="0", votes_abstention="1"
        ),
    )
    assert response.status_code == 302
    jalon = gate(plan, 3)
    assert (jalon.votes_pour, jalon.votes_contre, jalon.votes_abstention) == (3, 0, 1)
    html = client.get(url("plan", cast)).content.decode()
    assert "vote : 3 pour, 0 contre, 1 abstention" in html
    assert jalon.decision_summary() == "Go le 27/02/2026 par vote (3 pour, 0 contre, 1 abstention)"
    # Zero takes the singular, and nothing is written « (s) ».
    jalon.votes_abstention = 0
    assert "(3 pour, 0 contre, 0 abstention)" in jalon.decision_summary()
    jalon.votes_abstention = 2
    assert "(3 pour, 0 contre, 2 abstentions)" in jalon.decision_summary()


def test_consensus_clears_votes(cast, client_for, plan):
    response = client_for(cast.owner).post(
        url("jalon_decision", cast, gate(plan, 3).pk),
        decision_data(votes_pour="2", votes_contre="0", votes_abstention="0"),
    )
    assert response.status_code == 302
    assert gate(plan, 3).votes_pour is None


def test_changing_a_decision_needs_a_reason_and_keeps_the_old_one(cast, client_for, plan):
    client = client_for(cast.owner)
    address = url("jalon_decision", cast, gate(plan, 3).pk)
    client.post(address, decision_data(decision=DecisionJalon.AJOURNE, reasons="Budget incomplet."))
    assert plan.open_phases() == {1}
    response = client.post(address, decision_data())
    assert response.context["form"].errors["change_reason"] == [
        "Indiquez le motif de la modification de la décision déjà enregistrée."
    ]
    assert gate(plan, 3).decision == DecisionJalon.AJOURNE
    response = client.post(
        address, decision_data(change_reason="Budget complété en séance du 27 février.")
    )
    assert response.status_code == 302
    assert plan.open_phases() == {1, 2}
    entry = HistoryEntry.objects.get(action="Modification d'une décision du COPIL sur un jalon")
    assert entry.changes["Décision précédente"] == (
        "Ajourné le 27/02/2026 par consensus — motifs : Budget incomplet."
    )
    assert entry.changes["Motif de la modification"] == "Budget complété en séance du 27 février."
    assert entry.changes["Décision"] == ["Ajourné", "Go"]


def test_only_go_no_go_milestones_take_a_decision(cast, client_for, plan):
    jalon = Jalon.objects.get(plan=plan, go_no_go=False, etape__ordre=17)
    response = client_for(cast.owner).get(url("jalon_decision", cast, jalon.pk))
    assert response.status_code == 404


def test_decision_form_shows_the_voters_and_proposes_today(cast, client_for, plan):
    copil_voters(cast.grappe, 2)
    response = client_for(cast.admin).get(url("jalon_decision", cast, gate(plan, 8).pk))
    html = response.content.decode()
    assert "Le COPIL compte 3 membres votants." in html
    assert 'name="decided_on" value="2026-03-01"' in html


def test_decision_recorder_is_shown_by_name_in_the_history(cast, client_for, plan):
    amoa = UserFactory()
    cast.grappe.roles.create(user=amoa, kind=RoleKind.AMOA)
    response = client_for(amoa).post(url("jalon_decision", cast, gate(plan, 3).pk), decision_data())
    assert response.status_code == 302
    assert HistoryEntry.objects.get(action="Décision du COPIL sur un jalon").user == amoa
