"""Filing a dossier (issue 14, « the dossier »): only when every point passes, before the closing
minute (Europe/Paris, across a DST change), frozen and versioned, with an accusé de réception
(date, time, SHA-256 of the content) kept and e-mailed; the two cross-grappe rules; the pieces
checked like deliverables; the national admin's derogation, traced."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidatures import engagements, instruction
from candidatures.models import SECTIONS, Candidature, Depot, PieceJointe
from candidatures.services import DepotRefuse, deposer, fingerprint
from grappe.enums import FonctionOg, RoleKind, TypeAap
from grappe.models import Aap, EsmsMembership, HistoryEntry, OgPerson
from tests.candidatures.factories import campagne_for, designate, paris, score
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms
from tests.helpers import consume, pdf_text, text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(paris(2026, 6, 15, 10), tick=False):
        yield


@pytest.fixture
def campagne(cast):
    # Closing on Monday 26 October 2026 at 12:00, the day after the switch to winter time.
    campagne = campagne_for(cast.grappe.region, cloture=paris(2026, 10, 26, 12))
    grappe = cast.grappe
    grappe.aap = campagne.aap
    grappe.achat_sad = True
    grappe.save(update_fields=["aap", "achat_sad"])
    add_esms(grappe, 13)  # 16 ESMS: eligible
    return campagne


def url(cast, name="candidatures:candidature", *args):
    return reverse(name, args=[cast.grappe.pk, *args])


def points(client, cast_or_grappe):
    grappe = getattr(cast_or_grappe, "grappe", cast_or_grappe)
    page = client.get(reverse("candidatures:candidature", args=[grappe.pk]))
    return {point.code: point for point in page.context["points"]}


def attach(client, cast, piece, content=PDF, name="piece.pdf"):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(
        url(cast, "candidatures:piece_upload"), {"piece": piece.pk, "file": upload}, follow=True
    )


def ready(cast, client, campagne):
    """A dossier every point of which passes."""
    client.post(url(cast))
    client.post(
        url(cast, "candidatures:candidature_sections"),
        {
            "projet_commun": "Un DUI commun.",
            "gouvernance": "Un COPIL trimestriel.",
            "cooperations": "Un GCSMS depuis 2018.",
            "calendrier": "Mise en service en 2027.",
        },
    )
    for piece in campagne.pieces.filter(obligatoire=True):
        attach(client, cast, piece, name=f"{piece.pk}.pdf")
    dossier = Candidature.objects.get(grappe=cast.grappe)
    engage_all(dossier)
    return dossier


def engage_all(dossier):
    """Every coopérateur OG's direction (one made where none is declared) approves."""
    for membership in dossier.grappe.active_og_memberships():
        direction = OgPerson.objects.filter(
            og=membership.og, fonction=FonctionOg.DIRECTION
        ).first() or OgPerson.objects.create(
            og=membership.og, user=UserFactory(), fonction=FonctionOg.DIRECTION
        )
        engagements.engager(dossier, direction.user, "approuve")


@pytest.mark.pdf
def test_the_porteur_files_a_complete_dossier_and_gets_an_accuse_de_reception(
    cast, client_for, campagne, django_capture_on_commit_callbacks
):
    direction = UserFactory(email="direction@exemple.fr")
    OgPerson.objects.create(og=cast.grappe.porteur, user=direction, fonction=FonctionOg.DIRECTION)
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    assert all(point.ok for point in points(client, cast).values())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(cast, "candidatures:deposer"), follow=True)
    assert "Dossier déposé le 15/06/2026 à 10:00:00" in text(response)
    dossier.refresh_from_db()
    depot = Depot.objects.get(candidature=dossier)
    assert dossier.statut == "deposee" and depot.numero == 1
    assert str(dossier.montant_demande) == depot.contenu["financement"]["total"] == "304000.00"
    assert depot.empreinte == fingerprint(depot.contenu)
    assert len(depot.contenu["composition"][0]["esms"]) == 16
    assert {p["sha256"] for p in depot.contenu["pieces"]} == {
        j.sha256 for j in PieceJointe.objects.all()
    }
    # The accusé: kept, downloadable, e-mailed to the chef de projet and the OG's direction.
    accuse = pdf_text(client.get(url(cast, "candidatures:accuse", 1)))
    assert "Accusé de réception" in accuse
    assert "lundi 15 juin 2026 à 10:00:00 (heure de Paris)" in accuse
    assert depot.empreinte in accuse.replace(" ", "")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.owner.email, direction.email])
    assert mail.outbox[0].attachments[0][0] == "accuse-reception-v1.pdf"
    assert depot.empreinte in mail.outbox[0].body
    assert HistoryEntry.objects.get(action="Dossier de candidature déposé").changes == {
        "Version": "1",
        "Empreinte SHA-256": depot.empreinte,
    }


def test_a_filed_dossier_is_frozen(cast, client_for, campagne):
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    page = text(client.get(url(cast)))
    assert "La candidature est « déposée » : le dossier ne se modifie plus." in page
    assert "Rédiger les sections" not in page and "Joindre la pièce" not in page
    client.post(url(cast, "candidatures:candidature_sections"), {"projet_commun": "Changé."})
    attach(client, cast, campagne.pieces.first())
    again = client.post(url(cast, "candidatures:deposer"), follow=True)
    dossier.refresh_from_db()
    assert dossier.projet_commun == "Un DUI commun."
    assert PieceJointe.objects.count() == 3 and Depot.objects.count() == 1
    assert "le dossier ne se dépose pas à nouveau" in text(again)


@pytest.mark.parametrize(
    "moment, accepted",
    [
        (paris(2026, 10, 26, 11, 59), True),
        (paris(2026, 10, 26, 12, 0), False),
    ],
)
def test_filing_closes_at_the_minute_in_paris_time_across_the_dst_change(
    cast, client_for, campagne, moment, accepted
):
    # 26/10/2026 12:00 in Paris is 11:00 UTC (winter time since the 25th), not 10:00.
    assert campagne.cloture == datetime.datetime(2026, 10, 26, 11, 0, tzinfo=datetime.UTC)
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    with time_machine.travel(moment, tick=False):
        client = client_for(cast.owner)  # a new session: the June one has expired
        response = client.post(url(cast, "candidatures:deposer"), follow=True)
    dossier.refresh_from_db()
    assert (dossier.statut == "deposee") is accepted
    if not accepted:
        assert (
            "L'appel est clos depuis le 26/10/2026 à 12:00 (heure de Paris) : le dossier ne peut "
            "plus être déposé." in text(response)
        )


def test_a_failing_point_blocks_the_filing_and_says_which(cast, client_for, campagne):
    client = client_for(cast.owner)
    client.post(url(cast))
    page = text(client.get(url(cast)))
    assert "Le dossier ne peut pas encore être déposé" in page
    assert "Déposer le dossier" not in page
    response = client.post(url(cast, "candidatures:deposer"), follow=True)
    assert (
        "Le dossier ne peut pas être déposé : Pièces obligatoires jointes ; Sections du dossier "
        "rédigées ; Engagement des organismes gestionnaires." in text(response)
    )
    assert not Depot.objects.exists()


def test_an_esms_belongs_to_one_dossier_per_call(cast, client_for, campagne):
    """A grappe files, then releases an ESMS to another grappe: that grappe cannot file it on
    the same call."""
    rival = GrappeFactory(name="Grappe voisine", aap=campagne.aap, region=cast.grappe.region)
    add_esms(rival, 15)
    rival.achat_sad = True
    rival.save(update_fields=["achat_sad"])
    rival_owner = UserFactory()
    RoleFactory(grappe=rival, user=rival_owner, kind=RoleKind.CHEF_PROJET)
    rival_dossier = Candidature.objects.create(
        grappe=rival, campagne=campagne, **{name: "Rédigé." for name, *_ in SECTIONS}
    )
    for piece in campagne.pieces.filter(obligatoire=True):
        PieceJointe.objects.create(
            candidature=rival_dossier, piece=piece, size=1, sha256="0" * 64, file="x.pdf"
        )
    engage_all(rival_dossier)
    deposer(rival_dossier, rival_owner)
    shared = rival.memberships.order_by("pk").first()
    shared.left_on = datetime.date(2026, 6, 1)
    shared.save()
    EsmsMembership.objects.create(
        grappe=cast.grappe, esms=shared.esms, joined_on=datetime.date(2026, 6, 2)
    )
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    point = points(client, cast)["un_dossier"]
    assert not point.ok
    assert point.items == [
        f"{shared.esms.raison_sociale} ({shared.esms.finess_et}) — dossier déposé par la grappe "
        "« Grappe voisine »"
    ]
    with pytest.raises(DepotRefuse, match="Un seul dossier par ESMS et par appel"):
        deposer(dossier, cast.owner)
    # The rule is about the other grappes' dossiers: the rival's own filing holds its ESMS.
    assert points(client_for(rival_owner), rival)["un_dossier"].ok


def test_only_the_national_admin_lifts_the_non_redundancy_block_with_a_reason(
    cast, client_for, campagne
):
    esms = cast.grappe.memberships.order_by("pk").first().esms
    earlier = GrappeFactory(
        aap=Aap.objects.create(name="Amorçage — temps 1", kind=TypeAap.AMORCAGE_T1, year=2021),
        convention_signed_on=datetime.date(2022, 3, 1),
    )
    EsmsMembership.objects.create(
        grappe=earlier,
        esms=esms,
        joined_on=datetime.date(2021, 9, 1),
        left_on=datetime.date(2023, 12, 31),
    )
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    assert not points(client, cast)["non_redondance"].ok
    with pytest.raises(DepotRefuse, match="Non-redondance des financements"):
        deposer(dossier, cast.owner)
    derogation = url(cast, "candidatures:derogation")
    assert client.post(derogation, {"motif": "Je le veux."}).status_code == 403
    admin = client_for(cast.admin)
    assert "Accorder la dérogation" in text(admin.get(url(cast)))
    refused = admin.post(derogation, {"motif": " "}, follow=True)
    assert "Motivez la dérogation" in text(refused)
    admin.post(derogation, {"motif": "Changement de DUI imposé par la fin de l'éditeur."})
    dossier.refresh_from_db()
    assert dossier.derogation_par == cast.admin
    point = points(client, cast)["non_redondance"]
    assert point.ok and "Changement de DUI imposé" in point.detail
    entry = HistoryEntry.objects.get(action="Dérogation à la non-redondance des financements")
    assert entry.user == cast.admin and entry.changes["ESMS"] == esms.finess_et
    # The derogation is part of what the OGs commit to: they approve again.
    assert not points(client, cast)["engagements"].ok
    engage_all(dossier)
    assert deposer(dossier, cast.owner).contenu["derogation"].startswith("Changement de DUI")


def test_a_piece_is_checked_like_a_deliverable(cast, client_for, campagne):
    client = client_for(cast.owner)
    client.post(url(cast))
    piece = campagne.pieces.first()
    refused = attach(client, cast, piece, content=b"MZ\x90\x00 not a pdf", name="virus.pdf")
    assert "Pièce non jointe : Le contenu du fichier ne correspond pas" in text(refused)
    assert not PieceJointe.objects.exists()
    attach(client, cast, piece, name="Lettre d'engagement.pdf")
    jointe = PieceJointe.objects.get()
    download = client.get(url(cast, "candidatures:piece_download", jointe.pk))
    assert consume(download) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    # Another grappe's porteur and the region's ARS (dossier not filed) cannot read it.
    assert client_for(cast.stranger).get(download.wsgi_request.path).status_code == 404
    assert client_for(cast.ars).get(download.wsgi_request.path).status_code == 403


@pytest.mark.pdf
def test_the_regions_ars_reads_the_filed_dossier_and_its_accuse(cast, client_for, campagne):
    client = client_for(cast.owner)
    ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    ars = client_for(cast.ars)
    page = ars.get(url(cast))
    assert page.status_code == 200 and "Montant demandé, figé au dépôt" in text(page)
    assert "Accusé de réception" in pdf_text(ars.get(url(cast, "candidatures:accuse", 1)))
    assert ars.post(url(cast, "candidatures:deposer")).status_code == 403
    assert client_for(cast.ars_other).get(url(cast, "candidatures:accuse", 1)).status_code == 404
    assert client_for(cast.stranger).get(url(cast)).status_code == 404


def test_after_a_request_for_pieces_the_porteur_files_again_after_the_closing(
    cast, client_for, campagne
):
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    dossier.refresh_from_db()
    with time_machine.travel(paris(2026, 11, 5, 9), tick=False):
        instruction.demander_pieces(
            dossier, "Le budget signé.", datetime.date(2026, 11, 20), cast.ars
        )
        client = client_for(cast.owner)
        dossier.refresh_from_db()
        assert dossier.statut == "incomplete"
        page = text(client.get(url(cast)))
        assert "Déposer le dossier" in page and "Appel ouvert" in page
        attach(client, cast, campagne.pieces.get(libelle__startswith="Budget"), name="v2.pdf")
        # The dossier changed: the OGs approve it again before it is filed.
        refused = client.post(url(cast, "candidatures:deposer"), follow=True)
        assert "Engagement des organismes gestionnaires" in text(refused)
        engage_all(dossier)
        client.post(url(cast, "candidatures:deposer"))
    dossier.refresh_from_db()
    assert dossier.statut == "deposee"
    assert list(dossier.depots.values_list("numero", flat=True)) == [2, 1]
    demande = dossier.demandes_pieces.get()
    assert demande.depot.numero == 2 and demande.repondue_le is not None
    first, second = dossier.depots.order_by("numero")
    assert first.empreinte != second.empreinte


def test_the_ars_reads_what_was_filed_not_the_drafts_since(cast, client_for, campagne):
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    Candidature.objects.filter(pk=dossier.pk).update(
        statut="instruite", projet_commun="Réécrit après le dépôt."
    )
    page = text(client_for(cast.ars).get(url(cast)))
    assert "Dossier déposé (version 1)" in page
    assert "Un DUI commun." in page and "Réécrit après le dépôt." not in page


def test_a_dossier_starts_when_the_call_opens(cast, client_for, campagne):
    with time_machine.travel(paris(2026, 3, 1, 12), tick=False):
        response = client_for(cast.owner).post(url(cast), follow=True)
    assert "L'appel ouvre le 02/03/2026 à 09:00 : le dossier se commence" in text(response)
    assert not Candidature.objects.exists()


def test_a_national_call_is_not_read_by_the_regions_ars(cast, client_for, campagne):
    client = client_for(cast.owner)
    ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    Aap.objects.filter(pk=campagne.aap_id).update(region=None)
    assert client_for(cast.ars).get(url(cast)).status_code == 403
    assert client_for(cast.admin).get(url(cast)).status_code == 200


def test_a_derogation_covers_the_esms_it_names_only(cast, client_for, campagne):
    first, second = [m.esms for m in cast.grappe.memberships.order_by("pk")[:2]]
    earlier = GrappeFactory(
        aap=Aap.objects.create(name="Amorçage — temps 1", kind=TypeAap.AMORCAGE_T1, year=2021),
        convention_signed_on=datetime.date(2022, 3, 1),
    )
    for esms in (first, second):
        EsmsMembership.objects.create(
            grappe=earlier,
            esms=esms,
            joined_on=datetime.date(2021, 9, 1),
            left_on=datetime.date(2023, 12, 31),
        )
    client_for(cast.owner).post(url(cast))
    dossier = Candidature.objects.get()
    # Granted while only the first was funded elsewhere (the second's funding recorded since).
    Candidature.objects.filter(pk=dossier.pk).update(
        derogation_motif="Motif.", derogation_le=timezone.now(), derogation_esms=[first.finess_et]
    )
    assert not points(client_for(cast.owner), cast)["non_redondance"].ok
    nothing = client_for(cast.admin).post(
        url(cast, "candidatures:derogation"), {"motif": "Les deux."}, follow=True
    )
    assert "La dérogation est accordée et tracée." in text(nothing)
    dossier.refresh_from_db()
    assert dossier.derogation_esms == sorted([first.finess_et, second.finess_et])
    assert points(client_for(cast.owner), cast)["non_redondance"].ok


def test_after_the_closing_a_completed_dossier_neither_grows_nor_keeps_stale_grids(
    cast, client_for, campagne
):
    client = client_for(cast.owner)
    dossier = ready(cast, client, campagne)
    client.post(url(cast, "candidatures:deposer"))
    dossier.refresh_from_db()
    instructor = cast.ars
    designate(campagne, instructor)
    score(dossier, instructor, 7)
    dossier.refresh_from_db()
    assert dossier.statut == "instruite"
    with time_machine.travel(paris(2026, 11, 5, 9), tick=False):
        instruction.demander_pieces(
            dossier, "Le budget signé.", datetime.date(2026, 11, 20), cast.ars
        )
        dossier.refresh_from_db()
        add_esms(cast.grappe, 1)
        engage_all(dossier)
        with pytest.raises(DepotRefuse, match="ne compte pas de nouvel ESMS"):
            deposer(dossier, cast.owner)
        cast.grappe.memberships.order_by("-pk").first().delete()
        engage_all(dossier)
        deposer(dossier, cast.owner)
    dossier.refresh_from_db()
    # The grid submitted on version 1 is reopened: the instructor confirms it on version 2.
    assert dossier.statut == "deposee"
    assert not dossier.grilles.get().soumise
