"""Deliverable pages: list, detail and upload, download, submission, avis, "À valider" inbox."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approbations.models import Avis
from core.uploads import MAX_UPLOAD_SIZE
from grappe.enums import RegleValidation, RoleComite, TypeComite
from grappe.models import Comite, HistoryEntry
from projets import comptes_rendus as minutes
from projets.enums import DecisionAvis, StatutVersion
from projets.models import Livrable, LivrableVersion
from tests.grappe.factories import GrappeFactory, copil_member
from tests.helpers import EDIT, READ, check, consume, text
from tests.projets.factories import copil_voters, plan_for
from tests.projets.helpers_comptes_rendus import meeting

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2026-06-15 10:00 +0200", tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(cast):
    return plan_for(cast.grappe, user=cast.owner)


@pytest.fixture
def note(plan):
    """The "note de cadrage" of step 3, validated by the COPIL."""
    return Livrable.objects.get(plan=plan, reference__code="note_cadrage")


def url(name, livrable, *args):
    return reverse(f"projets:{name}", args=[livrable.plan.grappe_id, livrable.pk, *args])


def make_version(livrable, status=StatutVersion.DEPOSEE, user=None, content=PDF, **kwargs):
    numero = livrable.versions.count() + 1
    version = LivrableVersion(
        livrable=livrable,
        numero=numero,
        original_name=f"note-v{numero}.pdf",
        size=len(content),
        content_type="application/pdf",
        status=status,
        uploaded_by=user,
        submitted_at=timezone.now() if status != StatutVersion.DEPOSEE else None,
        **kwargs,
    )
    version.file.save(version.original_name, ContentFile(content), save=False)
    version.save()
    return version


def pdf_file(name="note-de-cadrage.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_upload(client, livrable, upload, comment=""):
    return client.post(url("livrable", livrable), {"file": upload, "comment": comment})


def set_rule(grappe, regle, quorum=None):
    Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).update(
        regle_validation=regle, quorum=quorum
    )


# ---------------------------------------------------------------------------------------------
# Permission cast on every view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["livrables", "livrable"])
def test_read_pages_permission_cast(cast, client_for, note, name):
    make_version(note, StatutVersion.SOUMISE)
    address = (
        reverse("projets:livrables", args=[cast.grappe.pk])
        if name == "livrables"
        else url("livrable", note)
    )
    for who, user in cast.users().items():
        check(client_for(user).get(address), who, "login" if user is None else READ[who])


def test_inbox_permission_cast(cast, client_for):
    for who, user in cast.users().items():
        check(client_for(user).get(reverse("projets:inbox")), who, "login" if user is None else 200)


@pytest.mark.parametrize(
    "who", ["owner", "member", "copil", "ars", "ars_other", "stranger", "admin", None]
)
def test_upload_permission_cast(cast, client_for, note, who):
    user = getattr(cast, who) if who else None
    response = post_upload(client_for(user), note, pdf_file())
    expected = "login" if who is None else {**EDIT, "owner": 302, "admin": 302}[who]
    check(response, who, expected)
    assert note.versions.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    "who", ["owner", "member", "copil", "ars", "ars_other", "stranger", "admin", None]
)
def test_submit_permission_cast(cast, client_for, note, who):
    version = make_version(note, user=cast.owner)
    user = getattr(cast, who) if who else None
    response = client_for(user).post(url("version_submit", note, version.pk))
    expected = "login" if who is None else {**EDIT, "owner": 302, "admin": 302}[who]
    check(response, who, expected)
    version.refresh_from_db()
    assert (version.status == StatutVersion.SOUMISE) == (expected == 302)


APPROVE = {**EDIT, "owner": 403, "admin": 403, "copil": 302}
COMMENT = {**EDIT, "owner": 302, "admin": 302, "copil": 302}


@pytest.mark.parametrize(
    "who", ["owner", "member", "copil", "ars", "ars_other", "stranger", "admin", None]
)
@pytest.mark.parametrize(
    "decision, expected_for",
    [
        (DecisionAvis.APPROUVE, APPROVE),
        (DecisionAvis.REJETTE, APPROVE),
        (DecisionAvis.COMMENTAIRE, COMMENT),
    ],
)
def test_avis_permission_cast(cast, client_for, note, who, decision, expected_for):
    version = make_version(note, StatutVersion.SOUMISE)
    user = getattr(cast, who) if who else None
    response = client_for(user).post(
        url("version_avis", note, version.pk), {"decision": decision, "comment": "Mon avis."}
    )
    expected = "login" if who is None else expected_for[who]
    check(response, who, expected)
    assert Avis.objects.for_document(version).count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    "who", ["owner", "member", "copil", "ars", "ars_other", "stranger", "admin", None]
)
def test_download_permission_cast(cast, client_for, note, who):
    version = make_version(note)
    user = getattr(cast, who) if who else None
    response = client_for(user).get(url("version_download", note, version.pk))
    expected = "login" if who is None else READ[who]
    check(response, who, expected)
    if expected == 200:
        assert consume(response) == PDF


def test_get_is_refused_on_post_only_views(cast, client_for, note):
    version = make_version(note)
    client = client_for(cast.owner)
    assert client.get(url("version_submit", note, version.pk)).status_code == 405
    assert client.get(url("version_avis", note, version.pk)).status_code == 405


# ---------------------------------------------------------------------------------------------
# Download: only through the view, only the right version
# ---------------------------------------------------------------------------------------------


def test_download_is_an_attachment_with_the_original_name(cast, client_for, note):
    version = make_version(note)
    response = client_for(cast.member).get(url("version_download", note, version.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="note-v1.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert consume(response) == PDF


def test_download_of_a_version_from_elsewhere_is_404(cast, client_for, plan, note):
    other_livrable = Livrable.objects.get(plan=plan, reference__code="note_cadrage_objectifs")
    version = make_version(other_livrable)
    client = client_for(cast.owner)
    assert client.get(url("version_download", note, version.pk)).status_code == 404
    # A version of another grappe, reached through this grappe's address.
    other_plan = plan_for(cast.other_grappe)
    foreign = make_version(Livrable.objects.get(plan=other_plan, reference__code="note_cadrage"))
    address = reverse(
        "projets:version_download", args=[cast.grappe.pk, foreign.livrable_id, foreign.pk]
    )
    assert client.get(address).status_code == 404
    address = reverse("projets:version_download", args=[cast.grappe.pk, note.pk, foreign.pk])
    assert client.get(address).status_code == 404


def test_files_have_no_public_url(cast, client_for, settings, note):
    version = make_version(note)
    assert Path(version.file.path).is_relative_to(settings.MEDIA_ROOT)
    response = client_for(cast.owner).get(f"{settings.MEDIA_URL}{version.file.name}")
    assert response.status_code == 404


def test_missing_file_is_404(cast, client_for, note):
    version = make_version(note)
    version.file.delete(save=False)
    response = client_for(cast.owner).get(url("version_download", note, version.pk))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Upload: versions, checks by content, locking
# ---------------------------------------------------------------------------------------------


def test_upload_keeps_every_version(cast, client_for, note, settings):
    client = client_for(cast.owner)
    response = post_upload(client, note, pdf_file("Note de cadrage (v1).pdf"), "Premier jet")
    assert response.status_code == 302
    assert response["Location"].endswith("#version-1")
    first = note.versions.get()
    assert (first.numero, first.status, first.comment) == (1, StatutVersion.DEPOSEE, "Premier jet")
    assert first.original_name == "Note_de_cadrage_v1.pdf"
    assert first.size == len(PDF)
    assert first.content_type == "application/pdf"
    assert first.uploaded_by == cast.owner
    # (the test media folder outlives rolled-back rows: a suffix may tell two tests' files apart)
    assert re.fullmatch(
        rf"livrables/grappe-{cast.grappe.pk}/livrable-{note.pk}/v1(_\w+)?\.pdf", first.file.name
    )
    assert (Path(settings.MEDIA_ROOT) / first.file.name).read_bytes() == PDF

    post_upload(client, note, pdf_file("note.pdf", PDF + b"% v2\n"))
    assert list(note.versions.values_list("numero", flat=True)) == [2, 1]
    assert Path(first.file.path).exists()  # the first upload is kept
    entries = HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Dépôt d'une version de livrable"
    )
    assert entries.count() == 2
    assert entries.first().changes == {"Version": "2", "Fichier": "note.pdf"}


def test_dangerous_names_are_sanitised(cast, client_for, note):
    post_upload(client_for(cast.owner), note, pdf_file('../../<script>"note".pdf'))
    name = note.versions.get().original_name
    assert name.endswith(".pdf")
    assert "/" not in name and "<" not in name and '"' not in name


def ooxml(kind):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(kind, "<document/>")
    return buffer.getvalue()


def opendocument(mimetype):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def xlsx():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Fonctionnalité"
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("note.pdf", PDF, "application/pdf"),
        (
            "note.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "grille.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "note.odt",
            opendocument("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "grille.ods",
            opendocument("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("schema.PNG", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    ],
)
def test_accepted_types(cast, client_for, note, name, content, content_type):
    response = post_upload(
        client_for(cast.owner), note, SimpleUploadedFile(name, content, "application/octet-stream")
    )
    assert response.status_code == 302
    assert note.versions.get().content_type == content_type


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("note.pdf", b"Ceci est un simple texte.\n", "ne correspond pas à un fichier .pdf"),
        ("note.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "ne correspond pas à un fichier .pdf"),
        (
            "note.docx",
            b"PK\x03\x04 pas vraiment une archive",
            "ne correspond pas à un fichier .docx",
        ),
        ("note.docx", ooxml("xl/workbook.xml"), "ne correspond pas à un fichier .docx"),
        ("note.odt", opendocument("application/zip"), "ne correspond pas à un fichier .odt"),
        ("photo.png", b"\xff\xd8\xff\xe0" + b"\0" * 20, "ne correspond pas à un fichier .png"),
        ("note.txt", b"texte", "Type de fichier non accepté (.txt)"),
        ("programme.exe", b"MZ\x90\x00", "Type de fichier non accepté (.exe)"),
        ("sans-extension", PDF, "Type de fichier non accepté (sans extension)"),
    ],
)
def test_refused_types(cast, client_for, note, name, content, message):
    response = post_upload(
        client_for(cast.owner), note, SimpleUploadedFile(name, content, "application/pdf")
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not note.versions.exists()


def test_size_limit(cast, client_for, note):
    client = client_for(cast.owner)
    too_big = pdf_file("gros.pdf", PDF + b"0" * (MAX_UPLOAD_SIZE - len(PDF) + 1))
    response = post_upload(client, note, too_big)
    assert response.status_code == 200
    assert "Fichier trop volumineux" in text(response)
    assert not note.versions.exists()
    response = post_upload(
        client, note, pdf_file("juste.pdf", PDF + b"0" * (MAX_UPLOAD_SIZE - len(PDF)))
    )
    assert response.status_code == 302
    assert note.versions.get().size == MAX_UPLOAD_SIZE


def test_file_is_required(cast, client_for, note):
    response = client_for(cast.owner).post(url("livrable", note), {"comment": "Oubli"})
    assert response.status_code == 200
    assert "Choisissez le fichier à déposer." in text(response)


def test_no_new_version_while_one_is_being_validated(cast, client_for, note):
    make_version(note, StatutVersion.SOUMISE)
    client = client_for(cast.owner)
    page = text(client.get(url("livrable", note)))
    assert "une version est en cours de validation" in page.lower()
    response = post_upload(client, note, pdf_file())
    assert response.status_code == 200
    assert "en cours de validation par le COPIL" in text(response)
    assert note.versions.count() == 1


def test_a_validated_version_is_locked(cast, client_for, note):
    version = make_version(note, StatutVersion.VALIDEE)
    client = client_for(cast.owner)
    page = text(client.get(url("livrable", note)))
    assert "Validée — verrouillée" in page
    assert 'name="decision"' not in page
    assert 'type="file"' not in page
    response = post_upload(client, note, pdf_file())
    assert "ne peut plus être remplacée" in text(response)
    assert note.versions.count() == 1
    # Nor does it take any avis.
    copil = client_for(cast.copil)
    copil.post(
        url("version_avis", note, version.pk),
        {"decision": DecisionAvis.COMMENTAIRE, "comment": "Tard"},
    )
    assert not version.avis.exists()


def test_a_recurrent_deliverable_takes_new_versions_after_validation(cast, client_for, plan):
    supports = Livrable.objects.get(plan=plan, reference__code="supports_cr_copil")
    make_version(supports, StatutVersion.VALIDEE)
    response = post_upload(client_for(cast.owner), supports, pdf_file())
    assert response.status_code == 302
    assert supports.versions.count() == 2


def test_after_a_rejection_a_new_version_may_be_uploaded(cast, client_for, note):
    rejected = make_version(note, StatutVersion.REJETEE)
    Avis.objects.create(
        document=rejected,
        user=cast.copil,
        decision=DecisionAvis.REJETTE,
        comment="Revoir le calendrier.",
    )
    client = client_for(cast.owner)
    page = text(client.get(url("livrable", note)))
    assert "Revoir le calendrier." in page
    assert "déposez une nouvelle version" in page
    assert post_upload(client, note, pdf_file()).status_code == 302
    assert note.versions.count() == 2


# ---------------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------------


def test_submission_mails_the_voting_members(
    cast, client_for, note, settings, mailoutbox, django_capture_on_commit_callbacks
):
    extra = copil_voters(cast.grappe, 2)
    guest = copil_member(cast.grappe, role=RoleComite.INVITE)
    version = make_version(note, user=cast.owner)
    client = client_for(cast.owner)
    assert "Soumettre au COPIL" in text(client.get(url("livrable", note)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("version_submit", note, version.pk))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE
    assert version.submitted_at == timezone.now()
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([cast.copil.email, *(u.email for u in extra)])
    assert guest.email not in recipients and cast.owner.email not in recipients
    assert f"{settings.SITE_URL}{url('livrable', note)}" in mailoutbox[0].body
    assert HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Livrable soumis à la validation du COPIL", user=cast.owner
    ).exists()


def test_a_deliverable_without_copil_validation_is_simply_deposited(cast, client_for, plan):
    simple = Livrable.objects.get(plan=plan, reference__code="planning_amoa")
    client = client_for(cast.owner)
    post_upload(client, simple, pdf_file())
    version = simple.versions.get()
    page = text(client.get(url("livrable", simple)))
    assert "Déposée" in page
    assert "Soumettre au COPIL" not in page
    client.post(url("version_submit", simple, version.pk))
    version.refresh_from_db()
    assert version.status == StatutVersion.DEPOSEE


def test_only_a_deposited_version_is_submitted(cast, client_for, note):
    version = make_version(note, StatutVersion.REJETEE)
    response = client_for(cast.owner).post(url("version_submit", note, version.pk), follow=True)
    assert "seule une version déposée peut être soumise" in text(response)
    version.refresh_from_db()
    assert version.status == StatutVersion.REJETEE


# ---------------------------------------------------------------------------------------------
# Avis
# ---------------------------------------------------------------------------------------------


def test_copil_approves_through_the_page(
    cast, client_for, note, mailoutbox, django_capture_on_commit_callbacks
):
    other = copil_voters(cast.grappe, 1)[0]
    version = make_version(note, StatutVersion.SOUMISE, user=cast.owner)
    client = client_for(cast.copil)
    page = text(client.get(url("livrable", note)))
    assert "Approuver" in page and "Rejeter" in page
    response = client.post(
        url("version_avis", note, version.pk), {"decision": "approuve"}, follow=True
    )
    page = text(response)
    assert "Votre approbation de la version 1 est enregistrée." in page
    assert "1 approbation sur les 2 requises" in page
    assert "Vous avez approuvé cette version" in page
    version.refresh_from_db()
    assert version.status == StatutVersion.SOUMISE

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(other).post(
            url("version_avis", note, version.pk),
            {"decision": "approuve", "comment": "Parfait."},
            follow=True,
        )
    page = text(response)
    assert "le livrable est validé" in page
    assert "Validée — verrouillée" in page
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE
    assert [m.to for m in mailoutbox] == [[cast.owner.email]]
    assert "Parfait." in mailoutbox[0].body


def test_rejection_needs_a_comment_on_the_page(cast, client_for, note):
    version = make_version(note, StatutVersion.SOUMISE)
    response = client_for(cast.copil).post(
        url("version_avis", note, version.pk), {"decision": "rejette", "comment": "  "}
    )
    assert response.status_code == 200
    assert "Motivez le rejet : le commentaire est obligatoire." in text(response)
    assert not version.avis.exists()


def test_rejection_sends_the_deliverable_back(
    cast, client_for, note, mailoutbox, django_capture_on_commit_callbacks
):
    copil_voters(cast.grappe, 2)
    version = make_version(note, StatutVersion.SOUMISE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.copil).post(
            url("version_avis", note, version.pk),
            {"decision": "rejette", "comment": "Le calendrier oublie l'été."},
            follow=True,
        )
    assert "est rejetée" in text(response)
    version.refresh_from_db()
    assert version.status == StatutVersion.REJETEE
    assert [m.to for m in mailoutbox] == [[cast.owner.email]]
    assert "Le calendrier oublie l'été." in mailoutbox[0].body
    assert HistoryEntry.objects.filter(
        grappe=cast.grappe, action="Livrable rejeté", user=cast.copil
    ).exists()


def test_second_approval_by_the_same_member_is_refused(cast, client_for, note):
    copil_voters(cast.grappe, 1)
    version = make_version(note, StatutVersion.SOUMISE)
    client = client_for(cast.copil)
    client.post(url("version_avis", note, version.pk), {"decision": "approuve"})
    response = client.post(
        url("version_avis", note, version.pk), {"decision": "approuve"}, follow=True
    )
    assert "Vous avez déjà donné votre avis sur cette version" in text(response)
    assert version.avis.count() == 1


def test_avis_on_a_deposited_version_is_refused(cast, client_for, note):
    version = make_version(note)
    response = client_for(cast.copil).post(
        url("version_avis", note, version.pk), {"decision": "approuve"}, follow=True
    )
    assert "n'est pas soumise à la validation du COPIL" in text(response)
    assert not version.avis.exists()


def test_quorum_two_of_four_through_the_page(cast, client_for, note):
    voters = [cast.copil, *copil_voters(cast.grappe, 3)]
    set_rule(cast.grappe, RegleValidation.QUORUM, 2)
    version = make_version(note, StatutVersion.SOUMISE)
    page = text(client_for(cast.member).get(url("livrable", note)))
    assert "validé dès 2 approbations sur 4 membres votants" in page
    for voter in voters[:2]:
        client_for(voter).post(url("version_avis", note, version.pk), {"decision": "approuve"})
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


# ---------------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------------


def test_list_without_plan(cast, client_for):
    page = client_for(cast.owner).get(reverse("projets:livrables", args=[cast.grappe.pk]))
    content = text(page)
    assert "Le plan projet n'est pas encore créé" in content
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) in content
    content = text(client_for(cast.member).get(reverse("projets:livrables", args=[cast.grappe.pk])))
    assert "Le plan projet n'est pas encore créé" in content
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) not in content


def test_list_groups_by_phase_and_step_and_shows_statuses(cast, client_for, plan, note):
    make_version(note, StatutVersion.VALIDEE)
    rejected = Livrable.objects.get(plan=plan, reference__code="bilan_etude_marche")
    make_version(rejected, StatutVersion.REJETEE)
    make_version(rejected, StatutVersion.SOUMISE)
    response = client_for(cast.copil).get(reverse("projets:livrables", args=[cast.grappe.pk]))
    content = text(response)
    assert "Phase 1 — " in content and "Phase 4 — " in content
    assert "Étape 3 — " in content
    assert "Livrables de la mission AMOA" in content
    rows = {
        row["livrable"].pk: row
        for phase in response.context["groups"]
        for block in phase["etapes"]
        for row in block["rows"]
    }
    assert rows[note.pk]["statut"] == StatutVersion.VALIDEE
    assert rows[note.pk]["statut_label"] == "Validée — verrouillée"
    assert rows[rejected.pk]["statut"] == StatutVersion.SOUMISE  # the latest version counts
    assert rows[rejected.pk]["version"].numero == 2
    assert rows[rejected.pk]["awaiting_me"]
    assert "À vous de valider" in content
    assert response.context["total"] == 41
    amoa = response.context["amoa"]
    assert amoa and all(row["livrable"].amoa for row in amoa)
    assert all(row["statut"] == "attendu" for row in amoa)


def test_list_filter_by_status(cast, client_for, plan, note):
    make_version(note, StatutVersion.VALIDEE)
    client = client_for(cast.owner)
    address = reverse("projets:livrables", args=[cast.grappe.pk])
    response = client.get(address, {"statut": "validee"})
    assert response.context["shown"] == 1
    assert [
        row["livrable"]
        for phase in response.context["groups"]
        for block in phase["etapes"]
        for row in block["rows"]
    ] == [note]
    assert response.context["amoa"] == []
    assert client.get(address, {"statut": "attendu"}).context["shown"] == 40
    assert client.get(address, {"statut": "n-importe-quoi"}).context["shown"] == 41


def test_list_query_count_is_bounded(cast, client_for, plan, django_assert_max_num_queries):
    copil_voters(cast.grappe, 2)
    statuses = [
        StatutVersion.DEPOSEE,
        StatutVersion.SOUMISE,
        StatutVersion.VALIDEE,
        StatutVersion.REJETEE,
    ]
    livrables = list(plan.livrables.all())
    assert len(livrables) == 41
    for index, livrable in enumerate(livrables):
        if not livrable.validation_copil:  # a simple deposit is only ever « déposée »
            make_version(livrable, user=cast.owner)
            make_version(livrable, user=cast.owner)
            continue
        make_version(livrable, StatutVersion.REJETEE, user=cast.owner)
        version = make_version(livrable, statuses[index % 4], user=cast.owner)
        if version.status == StatutVersion.SOUMISE:
            Avis.objects.create(document=version, user=cast.copil, decision=DecisionAvis.APPROUVE)
    client = client_for(cast.copil)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("projets:livrables", args=[cast.grappe.pk]))
    assert response.status_code == 200


def test_detail_query_count_is_bounded(cast, client_for, note, django_assert_max_num_queries):
    voters = copil_voters(cast.grappe, 5)
    for _ in range(5):
        version = make_version(note, StatutVersion.REJETEE, user=cast.owner)
        for voter in voters:
            Avis.objects.create(
                document=version, user=voter, decision=DecisionAvis.REJETTE, comment="Non"
            )
    client = client_for(cast.copil)
    with django_assert_max_num_queries(20):
        assert client.get(url("livrable", note)).status_code == 200


def test_the_voter_who_deposited_a_version_sees_no_approve_button_and_is_refused(
    cast, client_for, note
):
    """Nobody approves their own document: the button is not shown, a forged post is refused
    in French, and a COPIL of two under unanimity still decides, by the other member."""
    version = make_version(note, StatutVersion.SOUMISE, user=cast.copil)
    client = client_for(cast.copil)
    page = text(client.get(url("livrable", note)))
    assert "Approuver" not in page and "Rejeter" not in page
    assert "Commenter" in page  # an author may still answer the comments
    assert "Vous avez déposé ou soumis cette version" in page
    response = client.post(url("version_avis", note, version.pk), {"decision": "approuve"})
    assert response.status_code == 302
    follow = text(client.get(response["Location"]))
    assert "vous ne pouvez pas l'approuver ni la rejeter vous-même" in follow
    assert not version.avis.exists()

    other = copil_voters(cast.grappe, 1)[0]
    page = text(client_for(other).get(url("livrable", note)))
    assert "0 approbation sur 1 requise" in page
    client_for(other).post(url("version_avis", note, version.pk), {"decision": "approuve"})
    version.refresh_from_db()
    assert version.status == StatutVersion.VALIDEE


# ---------------------------------------------------------------------------------------------
# "À valider" inbox
# ---------------------------------------------------------------------------------------------


def test_inbox_lists_what_waits_for_the_member(cast, client_for, plan, note, frozen_now):
    guest = copil_member(cast.grappe, role=RoleComite.INVITE)
    other = Livrable.objects.get(plan=plan, reference__code="bilan_etude_marche")
    older = make_version(other, StatutVersion.SOUMISE)
    frozen_now.shift(datetime.timedelta(days=3))
    newer = make_version(note, StatutVersion.SOUMISE)
    make_version(Livrable.objects.get(plan=plan, reference__code="rapport_choix"))  # deposited
    simple = Livrable.objects.get(plan=plan, reference__code="synthese_auditions")
    make_version(simple)  # not validated by the COPIL: complete once deposited
    # Another grappe where the member also sits on the COPIL.
    grappe2 = GrappeFactory(name="Grappe du Hainaut")
    copil_member(grappe2, cast.copil)
    far = make_version(
        Livrable.objects.get(plan=plan_for(grappe2), reference__code="note_cadrage"),
        StatutVersion.SOUMISE,
    )
    frozen_now.shift(datetime.timedelta(days=2))

    response = client_for(cast.copil).get(reverse("projets:inbox"))
    rows = response.context["rows"]
    assert [row["url"] for row in rows] == [
        f"{url('livrable', other)}#version-1",
        f"{url('livrable', note)}#version-1",
        f"{reverse('projets:livrable', args=[grappe2.pk, far.livrable_id])}#version-1",
    ]
    assert [row["days"] for row in rows] == [5, 2, 2]
    content = text(response)
    assert "Grappe du Hainaut" in content and "Grappe des Flandres" in content
    assert "5 jours" in content
    # The avis is due by the end of the deliverable's step (its planned end), marked when past.
    for row, version in zip(rows, (older, newer, far), strict=True):
        assert row["echeance"] == version.livrable.etape.planned_end
    cells = re.findall(r'data-testid="echeance">(.*?)</td>', content)
    today = datetime.date(2026, 6, 20)
    assert [("dépassée" in cell) for cell in cells] == [row["echeance"] < today for row in rows]
    assert f"{rows[0]['echeance']:%d/%m/%Y}" in cells[0]

    # Guests, editors, ARS: nothing to validate.
    for user in (guest, cast.owner, cast.ars, cast.admin):
        response = client_for(user).get(reverse("projets:inbox"))
        assert response.context["rows"] == []
        assert "Rien à valider pour le moment" in text(response)

    # A comment keeps the version in the inbox; an approval removes it.
    client = client_for(cast.copil)
    client.post(url("version_avis", note, newer.pk), {"decision": "commentaire", "comment": "Vu"})
    assert len(client.get(reverse("projets:inbox")).context["rows"]) == 3
    client.post(url("version_avis", other, older.pk), {"decision": "approuve"})
    rows = client.get(reverse("projets:inbox")).context["rows"]
    assert [row["titre"] for row in rows] == [note.titre, far.livrable.titre]


def submitted_minutes(grappe, chef, day):
    cr = minutes.create_draft(meeting(grappe, day=day, titre=f"COPIL du {day:%d/%m}"), chef)
    minutes.save_draft(cr, chef, "Synthèse de la séance.", {})
    return minutes.submit(cr, chef)


def test_inbox_lists_minutes_with_deliverables_oldest_first(cast, client_for, note, frozen_now):
    make_version(note, StatutVersion.SOUMISE)  # 15 June
    frozen_now.shift(datetime.timedelta(days=-4))
    cr = submitted_minutes(cast.grappe, cast.owner, datetime.date(2026, 6, 9))  # 11 June
    frozen_now.shift(datetime.timedelta(days=6))

    response = client_for(cast.copil).get(reverse("projets:inbox"))
    rows = response.context["rows"]
    assert [(row["kind"], row["days"]) for row in rows] == [("Compte rendu", 6), ("Livrable", 2)]
    assert rows[0]["url"] == cr.get_absolute_url()
    assert "Compte rendu — COPIL du 09/06" in text(response)

    # Once the member approved the minutes, only the deliverable is left.
    minutes.record_avis(cr, cast.copil, minutes.APPROUVE)
    rows = client_for(cast.copil).get(reverse("projets:inbox")).context["rows"]
    assert [row["kind"] for row in rows] == ["Livrable"]


def test_inbox_query_count_is_bounded(cast, client_for, plan, django_assert_max_num_queries):
    livrables = list(plan.livrables.filter(validation_copil=True))
    assert len(livrables) == 11
    for livrable in livrables:
        make_version(livrable, StatutVersion.SOUMISE)
    for day in (2, 9, 12):
        submitted_minutes(cast.grappe, cast.owner, datetime.date(2026, 6, day))
    client = client_for(cast.copil)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projets:inbox"))
    assert len(response.context["rows"]) == 14
