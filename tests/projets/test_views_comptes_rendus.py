"""Minutes pages: the permission cast on every view, writing, submission, avis (unanimity,
quorum, requested changes), locking and versions, diffusion and the library, the deadline shown,
the PDF's text, and a bounded number of queries."""

import datetime
import html
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approbations.models import Avis
from grappe.enums import RegleValidation, RoleComite, TypeComite
from grappe.models import Comite, Departement
from projets import comptes_rendus as workflow
from projets.comptes_rendus import snapshot
from projets.enums import AvisCompteRendu, Presence, StatutCompteRendu
from projets.models import CompteRendu, Decision, Participant
from tests.grappe.factories import UserFactory, copil_member
from tests.helpers import EDIT, READ, check, pdf_text
from tests.projets.factories import ActionFactory, copil_voters
from tests.projets.helpers_comptes_rendus import draft, full_meeting, meeting, suivi_member

pytestmark = pytest.mark.django_db

WRITE = {**EDIT, "owner": 302, "admin": 302}
AVIS = {**READ, "owner": 403, "member": 403, "copil": 302, "ars": 403, "admin": 403}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def reunion(cast):
    return full_meeting(cast.grappe, cast.owner)


def url(name, reunion, cr=None):
    args = [reunion.grappe_id, reunion.pk] + ([cr.pk] if cr is not None else [])
    return reverse(f"projets:{name}", args=args)


def text(response):
    """The page as a reader sees it (entities decoded, tags and spaces collapsed)."""
    page = html.unescape(response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def edit_data(reunion, synthese="", discussions=None, submit=False):
    points = list(reunion.points.order_by("ordre", "pk"))
    data = {
        "cr-synthese": synthese,
        "points-TOTAL_FORMS": str(len(points)),
        "points-INITIAL_FORMS": str(len(points)),
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
    }
    for index, point in enumerate(points):
        data[f"points-{index}-id"] = str(point.pk)
        data[f"points-{index}-discussion"] = (discussions or {}).get(point.ordre, "")
    if submit:
        data["soumettre"] = "1"
    return data


def submitted_cr(reunion, user, synthese="Synthèse de la séance."):
    return draft(
        reunion,
        user,
        synthese=synthese,
        statut=StatutCompteRendu.SOUMIS,
        submitted_at=datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC),
        content=_content(reunion, synthese),
    )


def _content(reunion, synthese):
    content = snapshot(reunion, synthese)
    content["tour"] = 1
    return content


def set_rule(grappe, regle, quorum=None):
    Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).update(
        regle_validation=regle, quorum=quorum
    )


# ---------------------------------------------------------------------------------------------
# Permission cast on every view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(READ))
def test_cast_create_page(cast, client_for, reunion, who):
    client = client_for(cast.users()[who])
    check(client.get(url("compte_rendu_create", reunion)), who, EDIT[who])
    check(client.post(url("compte_rendu_create", reunion)), who, WRITE[who])
    created = CompteRendu.objects.filter(reunion=reunion).count()
    assert created == (1 if WRITE[who] == 302 else 0)


@pytest.mark.parametrize("who", list(READ))
def test_cast_detail_pdf_and_library(cast, client_for, reunion, who):
    cr = draft(reunion, cast.owner)
    client = client_for(cast.users()[who])
    check(client.get(url("compte_rendu", reunion, cr)), who, READ[who])
    response = client.get(url("compte_rendu_pdf", reunion, cr))
    check(response, who, READ[who])
    if READ[who] == 200:
        assert response["Content-Type"] == "application/pdf"
    check(client.get(reverse("projets:bibliotheque", args=[cast.grappe.pk])), who, READ[who])


@pytest.mark.parametrize("who", list(READ))
def test_cast_edit_and_submit(cast, client_for, reunion, who):
    cr = draft(reunion, cast.owner)
    client = client_for(cast.users()[who])
    check(client.get(url("compte_rendu_edit", reunion, cr)), who, EDIT[who])
    check(
        client.post(url("compte_rendu_edit", reunion, cr), edit_data(reunion, "S")), who, WRITE[who]
    )
    check(client.post(url("compte_rendu_submit", reunion, cr)), who, WRITE[who])
    cr.refresh_from_db()
    expected = StatutCompteRendu.SOUMIS if WRITE[who] == 302 else StatutCompteRendu.BROUILLON
    assert cr.statut == expected


@pytest.mark.parametrize("who", list(READ))
def test_cast_avis(cast, client_for, reunion, who):
    cr = submitted_cr(reunion, cast.owner)
    client = client_for(cast.users()[who])
    response = client.post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    check(response, who, AVIS[who])
    cr.refresh_from_db()
    # The cast's COPIL member is the only voter: their approval validates and diffuses.
    expected = StatutCompteRendu.DIFFUSE if AVIS[who] == 302 else StatutCompteRendu.SOUMIS
    assert cr.statut == expected


@pytest.mark.parametrize("who", list(READ))
def test_cast_new_version(cast, client_for, reunion, who):
    cr = draft(reunion, cast.owner, statut=StatutCompteRendu.DIFFUSE)
    client = client_for(cast.users()[who])
    check(client.post(url("compte_rendu_new_version", reunion, cr)), who, WRITE[who])
    assert CompteRendu.objects.filter(reunion=reunion).count() == (2 if WRITE[who] == 302 else 1)


def test_views_refuse_a_meeting_or_minutes_of_another_grappe(cast, client_for, reunion):
    other_meeting = meeting(cast.other_grappe)
    other_cr = draft(other_meeting, cast.stranger)
    client = client_for(cast.owner)
    # The other grappe's meeting under this grappe's URL, and this meeting's URL with a CR id
    # of another meeting.
    wrong = reverse("projets:compte_rendu", args=[cast.grappe.pk, other_meeting.pk, other_cr.pk])
    assert client.get(wrong).status_code == 404
    assert client.get(url("compte_rendu", reunion, other_cr)).status_code == 404
    assert client.get(url("compte_rendu_pdf", reunion, other_cr)).status_code == 404
    assert client.post(url("compte_rendu_submit", reunion, other_cr)).status_code == 404


def test_get_only_and_post_only(cast, client_for, reunion):
    cr = draft(reunion, cast.owner)
    client = client_for(cast.owner)
    assert client.get(url("compte_rendu_submit", reunion, cr)).status_code == 405
    assert client.get(url("compte_rendu_avis", reunion, cr)).status_code == 405
    assert client.get(url("compte_rendu_new_version", reunion, cr)).status_code == 405
    assert client.post(url("compte_rendu", reunion, cr)).status_code == 405
    assert client.post(url("compte_rendu_pdf", reunion, cr)).status_code == 405


# ---------------------------------------------------------------------------------------------
# Avis: only voting COPIL members of this grappe
# ---------------------------------------------------------------------------------------------


def test_a_copil_member_of_another_grappe_cannot_give_an_avis(cast, client_for, reunion):
    cr = submitted_cr(reunion, cast.owner)
    outsider = copil_member(cast.other_grappe, UserFactory(email="copil-ailleurs@exemple.fr"))
    client = client_for(outsider)
    response = client.post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    assert response.status_code == 404
    assert client.get(url("compte_rendu", reunion, cr)).status_code == 404
    assert not Avis.objects.exists()


def test_an_invite_reads_but_cannot_give_an_avis(cast, client_for, reunion):
    cr = submitted_cr(reunion, cast.owner)
    invite = copil_member(cast.grappe, UserFactory(email="invite@exemple.fr"), RoleComite.INVITE)
    client = client_for(invite)
    page = client.get(url("compte_rendu", reunion, cr))
    assert page.status_code == 200
    assert "Approuver" not in text(page)
    response = client.post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    assert response.status_code == 403
    assert not Avis.objects.exists()


# ---------------------------------------------------------------------------------------------
# The full workflow through the pages
# ---------------------------------------------------------------------------------------------


def test_write_submit_and_validate_unanimously_then_diffuse(
    cast, client_for, reunion, django_capture_on_commit_callbacks
):
    voters = [cast.copil, *copil_voters(cast.grappe, 2)]
    suivi_member(cast.grappe, UserFactory(email="suivi@exemple.fr"))
    client = client_for(cast.owner)

    page = client.get(url("compte_rendu_create", reunion))
    assert "Rédiger le compte rendu" in text(page)
    response = client.post(url("compte_rendu_create", reunion))
    cr = CompteRendu.objects.get(reunion=reunion)
    assert response["Location"] == url("compte_rendu_edit", reunion, cr)
    # The meeting page is the entry point: with a draft open, it leads to the draft.
    assert client.get(url("compte_rendu_create", reunion))["Location"] == url(
        "compte_rendu_edit", reunion, cr
    )
    # A second draft is refused: back to the open one.
    response = client.post(url("compte_rendu_create", reunion), follow=True)
    assert "est en cours" in text(response)
    assert CompteRendu.objects.filter(reunion=reunion).count() == 1

    page = client.get(url("compte_rendu_edit", reunion, cr))
    body = text(page)
    assert "Échanges — 1. Avancement du paramétrage" in body
    assert "Élodie Lefèvre" in body and "Excusé" in body  # attendance, read only
    assert "Le paramétrage des droits d'accès est validé." in body
    assert "Envoyer la liste des référents à l'éditeur" in body

    response = client.post(
        url("compte_rendu_edit", reunion, cr),
        edit_data(reunion, "Une séance décisive.", {1: "Paramétrage présenté par l'éditeur."}),
    )
    assert response["Location"] == url("compte_rendu", reunion, cr)
    cr.refresh_from_db()
    assert cr.synthese == "Une séance décisive."
    assert reunion.points.get(ordre=1).discussion == "Paramétrage présenté par l'éditeur."

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("compte_rendu_submit", reunion, cr), follow=True)
    assert "est soumise à la validation du COPIL" in text(response)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters)

    for index, voter in enumerate(voters):
        client = client_for(voter)
        page = client.get(url("compte_rendu", reunion, cr))
        approvals = ["0 approbation", "1 approbation", "2 approbations"][index]
        assert f"{approvals} sur les 3 requises" in text(page)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("compte_rendu_avis", reunion, cr), {"decision": "approuve"}, follow=True
            )
        assert "Votre approbation de la version 1 est enregistrée." in text(response)
    body = text(response)
    assert "La règle du COPIL est atteinte" in body
    assert "Diffusé" in body
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
    # Diffusion: role holders of the grappe (owner, member), the COPIL and the comité de suivi.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "cheffe@exemple.fr",
            "referent@exemple.fr",
            "suivi@exemple.fr",
            *(voter.email for voter in voters),  # cast.copil among them
        ]
    )
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)

    library = client_for(cast.member).get(reverse("projets:bibliotheque", args=[cast.grappe.pk]))
    assert "COPIL n° 2 — lancement du déploiement" in text(library)
    assert url("compte_rendu_pdf", reunion, cr) in library.content.decode()


def test_quorum_two_of_four_validates_on_the_second_approval(
    cast, client_for, reunion, django_capture_on_commit_callbacks
):
    voters = [cast.copil, *copil_voters(cast.grappe, 3)]
    set_rule(cast.grappe, RegleValidation.QUORUM, 2)
    cr = submitted_cr(reunion, cast.owner)
    page = client_for(voters[0]).get(url("compte_rendu", reunion, cr))
    assert "quorum de 2 approbations sur 4 membres votants du COPIL" in text(page)
    assert "0 approbation sur les 2 requises" in text(page)
    client_for(voters[0]).post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.SOUMIS
    with django_capture_on_commit_callbacks(execute=True):
        client_for(voters[1]).post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
    # The two others are not asked any more.
    page = client_for(voters[2]).get(url("compte_rendu", reunion, cr))
    assert "Approuver" not in text(page)
    response = client_for(voters[2]).post(
        url("compte_rendu_avis", reunion, cr), {"decision": "approuve"}, follow=True
    )
    assert "verrouillée" in text(response)
    assert cr.avis.count() == 2


def test_requested_changes_go_back_to_the_writer_with_the_comment(
    cast, client_for, reunion, django_capture_on_commit_callbacks
):
    voters = [cast.copil, *copil_voters(cast.grappe, 1)]
    cr = submitted_cr(reunion, cast.owner)
    client = client_for(cast.copil)
    # A request for changes needs a comment.
    response = client.post(url("compte_rendu_avis", reunion, cr), {"decision": "modifications"})
    assert response.status_code == 200
    assert "le commentaire est obligatoire" in text(response)
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.SOUMIS
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("compte_rendu_avis", reunion, cr),
            {"decision": "modifications", "comment": "Ajouter la position de l'ARS."},
            follow=True,
        )
    assert "retourne à son rédacteur" in text(response)
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.MODIFICATIONS
    assert [m.to for m in mail.outbox] == [["cheffe@exemple.fr"]]

    # The writer sees the comment on the edit page, corrects and submits again.
    writer = client_for(cast.owner)
    page = writer.get(url("compte_rendu_edit", reunion, cr))
    assert "Modifications demandées par le COPIL" in text(page)
    assert "Ajouter la position de l'ARS." in text(page)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.post(
            url("compte_rendu_edit", reunion, cr),
            edit_data(reunion, "L'ARS soutient le calendrier.", submit=True),
            follow=True,
        )
    assert "est soumise à la validation du COPIL" in text(response)
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.SOUMIS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters)
    # The previous round's comments stay readable on the page.
    page = client_for(cast.member).get(url("compte_rendu", reunion, cr))
    assert "Soumission n° 1" in text(page)
    assert "Ajouter la position de l'ARS." in text(page)
    for voter in voters:
        client_for(voter).post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
    assert cr.content["synthese"] == "L'ARS soutient le calendrier."


def test_a_validated_version_is_locked_and_a_new_version_keeps_the_history(
    cast, client_for, reunion
):
    cr = draft(
        reunion,
        cast.owner,
        synthese="Synthèse v1.",
        statut=StatutCompteRendu.DIFFUSE,
        content=_content(reunion, "Synthèse v1."),
    )
    client = client_for(cast.owner)
    response = client.get(url("compte_rendu_edit", reunion, cr), follow=True)
    assert response.redirect_chain[0][0] == url("compte_rendu", reunion, cr)
    assert "ne peut plus être modifiée" in text(response)
    response = client.post(url("compte_rendu_edit", reunion, cr), edit_data(reunion, "Autre"))
    assert response.status_code == 302
    cr.refresh_from_db()
    assert cr.synthese == "Synthèse v1."
    response = client.post(url("compte_rendu_submit", reunion, cr), follow=True)
    assert "seul un brouillon" in text(response)
    response = client_for(cast.copil).post(
        url("compte_rendu_avis", reunion, cr), {"decision": "approuve"}, follow=True
    )
    assert "verrouillée" in text(response)
    assert not cr.avis.exists()
    # Locked: the create page leads to the validated version, which offers a new version.
    client = client_for(cast.owner)
    assert client.get(url("compte_rendu_create", reunion))["Location"] == url(
        "compte_rendu", reunion, cr
    )
    page = client.get(url("compte_rendu", reunion, cr))
    assert "Créer une nouvelle version" in text(page)
    response = client.post(url("compte_rendu_new_version", reunion, cr))
    v2 = CompteRendu.objects.get(reunion=reunion, numero=2)
    assert response["Location"] == url("compte_rendu_edit", reunion, v2)
    assert v2.synthese == "Synthèse v1."
    page = client.get(url("compte_rendu", reunion, v2))
    body = text(page)
    assert "Version 1" in body and url("compte_rendu", reunion, cr) in page.content.decode()
    assert "Version corrective" in body
    # The validated version is unchanged and no longer offers a new version.
    page = client.get(url("compte_rendu", reunion, cr))
    assert "Créer une nouvelle version" not in text(page)
    assert "Diffusé" in text(page)


def test_the_edit_page_only_writes_this_meetings_points(cast, client_for, reunion):
    other = meeting(cast.grappe, titre="Atelier reprise des données")
    foreign = other.points.first()
    cr = draft(reunion, cast.owner)
    data = edit_data(reunion, "S")
    data["points-0-id"] = str(foreign.pk)
    data["points-0-discussion"] = "Intrusion"
    client_for(cast.owner).post(url("compte_rendu_edit", reunion, cr), data)
    foreign.refresh_from_db()
    assert foreign.discussion == ""


def test_a_truncated_post_shows_the_form_again(cast, client_for, reunion):
    cr = draft(reunion, cast.owner, synthese="Avant")
    response = client_for(cast.owner).post(url("compte_rendu_edit", reunion, cr), {})
    assert response.status_code == 200
    assert "Le compte rendu n'a pas été enregistré" in text(response)
    assert len(response.context["point_forms"]) == reunion.points.count() > 0
    cr.refresh_from_db()
    assert cr.synthese == "Avant"


def test_reader_lands_on_the_current_version_from_the_meeting(cast, client_for, reunion):
    cr = draft(reunion, cast.owner)
    response = client_for(cast.member).get(url("compte_rendu_create", reunion))
    assert response["Location"] == url("compte_rendu", reunion, cr)


# ---------------------------------------------------------------------------------------------
# The deadline shown
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("departement", "expected"),
    [
        ("59", "À transmettre au plus tard le 13/04/2026, dans 2 jours ouvrés."),
        ("57", "À transmettre au plus tard le 14/04/2026, dans 3 jours ouvrés."),
    ],
)
def test_deadline_shown_nord_and_moselle_around_easter(
    cast, client_for, frozen_now, departement, expected
):
    cast.grappe.porteur.departement = Departement.objects.get(code=departement)
    cast.grappe.porteur.save()
    reunion = meeting(cast.grappe, day=datetime.date(2026, 3, 31))
    frozen_now.move_to("2026-04-09 10:00 +0200")
    client = client_for(cast.owner)
    assert expected in text(client.get(url("compte_rendu_create", reunion)))
    cr = draft(reunion, cast.owner)
    assert expected in text(client.get(url("compte_rendu_edit", reunion, cr)))
    assert expected in text(client.get(url("compte_rendu", reunion, cr)))


def test_a_late_draft_is_flagged_late(cast, client_for, reunion):
    cr = draft(reunion, cast.owner)  # meeting on 2 June, deadline 12 June, today 15 June
    page = client_for(cast.member).get(url("compte_rendu", reunion, cr))
    body = text(page)
    assert "En retard de 1 jour ouvré : à transmettre au plus tard le 12/06/2026." in body
    assert "En retard En retard" in body  # the badge, then the sentence


# ---------------------------------------------------------------------------------------------
# Library
# ---------------------------------------------------------------------------------------------


def test_library_lists_the_latest_diffused_version_of_each_meeting_newest_first(
    cast, client_for, reunion
):
    library = reverse("projets:bibliotheque", args=[cast.grappe.pk])
    page = client_for(cast.ars).get(library)
    assert "Aucun compte rendu diffusé pour le moment." in text(page)
    older = meeting(cast.grappe, day=datetime.date(2026, 5, 5), titre="COPIL n° 1 — cadrage")
    v1 = draft(older, cast.owner, statut=StatutCompteRendu.DIFFUSE)
    v2 = draft(older, cast.owner, numero=2, statut=StatutCompteRendu.DIFFUSE)
    recent = draft(reunion, cast.owner, statut=StatutCompteRendu.DIFFUSE)
    draft(meeting(cast.grappe, titre="Atelier en cours"), cast.owner)
    draft(meeting(cast.other_grappe, titre="COPIL ailleurs"), cast.stranger, statut="diffuse")
    page = client_for(cast.ars).get(library)
    assert [cr.pk for cr in page.context["rows"]] == [recent.pk, v2.pk]
    body = text(page)
    assert body.index("COPIL n° 2") < body.index("COPIL n° 1")
    assert "Atelier en cours" not in body and "COPIL ailleurs" not in body
    assert url("compte_rendu_pdf", older, v2) in page.content.decode()
    assert url("compte_rendu_pdf", older, v1) not in page.content.decode()


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


@pytest.mark.pdf
def test_pdf_of_validated_minutes(cast, client_for, reunion):
    voters = [cast.copil, *copil_voters(cast.grappe, 1)]
    point = reunion.points.get(ordre=1)
    point.discussion = "L'éditeur présente l'état du paramétrage ; échanges nourris."
    point.save()
    cr = workflow.create_draft(reunion, cast.owner)
    workflow.save_draft(
        cr, cast.owner, "Séance très productive, décisions prises à l'unanimité.", {}
    )
    workflow.submit(cr, cast.owner)
    for voter in voters:
        workflow.record_avis(cr, voter, AvisCompteRendu.APPROUVE)
    response = client_for(cast.ars).get(url("compte_rendu_pdf", reunion, cr))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'inline; filename="compte-rendu-copil-n-2-lancement-du-deploiement-2026-06-02-v1.pdf"'
    )
    content = pdf_text(response)
    assert "Grappe des Flandres" in content
    assert "Compte rendu — COPIL n° 2 — lancement du déploiement" in content
    assert "Salle du conseil, Lille" in content
    assert "Séance très productive, décisions prises à l'unanimité." in content
    assert "Élodie Lefèvre Présent" in content
    assert "Hervé Ménard Excusé" in content
    assert "Agnès Prévost (éditeur)" in content
    assert "L'éditeur présente l'état du paramétrage ; échanges nourris." in content
    assert "Le paramétrage des droits d'accès est validé." in content
    assert "Action Responsable Échéance Statut" in content
    assert "Envoyer la liste des référents à l'éditeur" in content
    assert "12/06/2026 À faire" in content
    assert "Préparer la réunion de reprise des données Élodie Lefèvre — En cours" in content
    assert "Validé par le COPIL le" in content
    assert "Validé par Le" in content
    for voter in voters:
        assert voter.get_full_name() in content
    assert "Projet — non validé" not in content


@pytest.mark.pdf
def test_pdf_of_a_draft_says_it_is_not_validated(cast, client_for, reunion):
    cr = draft(reunion, cast.owner, synthese="Première ébauche.")
    content = pdf_text(client_for(cast.owner).get(url("compte_rendu_pdf", reunion, cr)))
    assert "Projet — non validé" in content
    assert "Première ébauche." in content
    assert "Validé par" not in content


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("statut", [StatutCompteRendu.BROUILLON, StatutCompteRendu.SOUMIS])
def test_detail_page_queries_do_not_grow_with_the_content(cast, client_for, reunion, statut):
    voters = [cast.copil, *copil_voters(cast.grappe, 2)]
    client = client_for(cast.copil)
    cr = draft(reunion, cast.owner, statut=statut, content=_content(reunion, "S"))
    path = url("compte_rendu", reunion, cr)
    small = count_queries(client, path)
    assert small <= 21  # one of them: the header's count of what awaits the voter's avis
    for index in range(5):
        person = UserFactory()
        Participant.objects.create(reunion=reunion, user=person, presence=Presence.PRESENT)
        Decision.objects.create(reunion=reunion, texte=f"Décision {index}")
        ActionFactory(reunion=reunion, titre=f"Action {index}", owner=person)
    for numero in (2, 3):
        draft(reunion, cast.owner, numero=numero, statut=StatutCompteRendu.DIFFUSE)
    for voter in voters[1:]:
        Avis.objects.create(document=cr, user=voter, decision="approuve")
    cr.content = _content(reunion, "S")
    cr.save()
    assert count_queries(client, path) == small


def test_pages_show_the_right_buttons(cast, client_for, reunion):
    cr = submitted_cr(reunion, cast.owner)
    owner_page = text(client_for(cast.owner).get(url("compte_rendu", reunion, cr)))
    assert "Approuver" not in owner_page
    assert "Soumettre au COPIL" not in owner_page
    assert "Télécharger le PDF" in owner_page
    copil_page = text(client_for(cast.copil).get(url("compte_rendu", reunion, cr)))
    assert "Approuver" in copil_page and "Demander des modifications" in copil_page
    other_voter = copil_voters(cast.grappe, 1)[0]
    client_for(other_voter).post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    voter_page = text(client_for(other_voter).get(url("compte_rendu", reunion, cr)))
    assert "Vous avez donné votre avis le" in voter_page
    assert "Approuver" not in voter_page


def test_the_writer_on_the_copil_sees_no_approve_button_and_is_refused(cast, client_for, reunion):
    """Issue 21: the minutes' writer, also a voting member, saw « Approuver » on her own
    minutes. The button is gone, a forged post is refused in French, and the other member
    (a COPIL of two, unanimity) validates alone."""
    writer = cast.copil
    cr = submitted_cr(reunion, writer)
    client = client_for(writer)
    page = text(client.get(url("compte_rendu", reunion, cr)))
    assert "Approuver" not in page and "Demander des modifications" not in page
    assert "Vous avez rédigé ou soumis ce compte rendu" in page
    response = client.post(
        url("compte_rendu_avis", reunion, cr), {"decision": "approuve"}, follow=True
    )
    assert "vous ne pouvez pas le valider ni demander de modifications vous-même" in text(response)
    assert not cr.avis.exists()
    # Not in her inbox either, nor counted in her header.
    inbox = client.get(reverse("projets:inbox"))
    assert inbox.context["rows"] == []

    other = copil_voters(cast.grappe, 1)[0]
    page = text(client_for(other).get(url("compte_rendu", reunion, cr)))
    assert "0 approbation sur 1 requise" in page
    assert "hors auteur du compte rendu" in page
    client_for(other).post(url("compte_rendu_avis", reunion, cr), {"decision": "approuve"})
    cr.refresh_from_db()
    assert cr.statut == StatutCompteRendu.DIFFUSE
