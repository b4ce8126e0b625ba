"""Offers: recording, hors délai, pieces (checked by content, permission-checked download),
recevabilité, indispensable criteria."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amoa.enums import TypeCritere
from amoa.models import Critere, Offre, PieceOffre
from amoa.services import analyse
from core.uploads import MAX_UPLOAD_SIZE
from grappe.models import HistoryEntry
from tests.amoa.factories import PDF, make_offre
from tests.helpers import text

pytestmark = pytest.mark.django_db


def offre_data(**overrides):
    data = {
        "societe": "Gamma Partenaires",
        "contact_nom": "Léa Petit",
        "email": "lea@gamma.fr",
        "telephone": "03 20 00 00 00",
        "received_at": "2026-05-30T09:00",
        "prix_total_ht": "72000",
        "prix_jour_ht": "950",
        "commentaire": "",
        "etapes-TOTAL_FORMS": "2",
        "etapes-INITIAL_FORMS": "0",
        "etapes-MIN_NUM_FORMS": "0",
        "etapes-MAX_NUM_FORMS": "1000",
        "etapes-0-etape": "Dossier de consultation",
        "etapes-0-nb_jours": "6",
        "etapes-0-prerequis": "Cahier des charges validé",
        "etapes-0-ressources_internes": "Chef de projet, 2 jours",
        "etapes-1-etape": "Analyse des offres",
        "etapes-1-nb_jours": "4.5",
        "consultants-TOTAL_FORMS": "1",
        "consultants-INITIAL_FORMS": "0",
        "consultants-MIN_NUM_FORMS": "0",
        "consultants-MAX_NUM_FORMS": "1000",
        "consultants-0-nom": "Hugo Bernard",
        "consultants-0-email": "hugo@gamma.fr",
        "consultants-0-fonction": "Directeur de mission",
    }
    data.update(overrides)
    return data


def test_owner_records_an_offer_with_its_financial_detail(cast, consultation, client_for):
    url = reverse("amoa:offre_create", args=[cast.grappe.pk, consultation.pk])
    response = client_for(cast.owner).post(url, offre_data())
    offre = Offre.objects.get()
    assert response.status_code == 302 and response["Location"] == offre.get_absolute_url()
    assert offre.candidat.societe == "Gamma Partenaires"
    assert [e.etape for e in offre.etapes.all()] == [
        "Dossier de consultation",
        "Analyse des offres",
    ]
    assert offre.nb_jours() == 10.5
    assert offre.candidat.consultants.get().email == "hugo@gamma.fr"
    assert not offre.hors_delai
    entry = HistoryEntry.objects.get(action="Offre AMOA enregistrée")
    assert entry.confidentiel  # hidden from the grappe's AMOA consultants (possible candidates)
    page = text(client_for(cast.owner).get(offre.get_absolute_url()))
    assert "Dossier incomplet" in page
    assert page.count("(manquante)") == 8


def test_prices_are_shown_in_euros_to_the_cent(cast, consultation, client_for):
    """« 72 000,00 € HT » on every page and in the history (core.money); 10,5 days."""
    client = client_for(cast.owner)
    client.post(reverse("amoa:offre_create", args=[cast.grappe.pk, consultation.pk]), offre_data())
    offre = Offre.objects.get()
    nbsp = "\u00a0"
    total, rate = f"72{nbsp}000,00{nbsp}€{nbsp}HT", f"950,00{nbsp}€{nbsp}HT"
    page = text(client.get(offre.get_absolute_url()))
    assert f"Prix global : <strong>{total}</strong>" in page
    assert f"prix de journée : <strong>{rate}</strong>" in page
    assert "10,5 jours au total" in page and "(s)" not in page
    listing = text(client.get(consultation.get_absolute_url()))
    row = listing[listing.index(f'data-testid="offre-{offre.pk}"') :].split("</tr>")[0]
    assert total in row and rate in row
    entry = HistoryEntry.objects.get(action="Offre AMOA enregistrée")
    assert entry.changes["Prix global"] == total
    assert entry.changes["Reçue le"] == f"30/05/2026 à 9{nbsp}h{nbsp}00"


def test_an_offer_received_late_is_flagged_kept_and_never_ranked(cast, consultation, client_for):
    url = reverse("amoa:offre_create", args=[cast.grappe.pk, consultation.pk])
    # Deadline: 1 June 2026 12:00 UTC = 14:00 in Paris.
    response = client_for(cast.owner).post(
        url, offre_data(received_at="2026-06-01T14:05"), follow=True
    )
    assert "Offre reçue après la date limite" in text(response)
    offre = Offre.objects.get()
    assert offre.hors_delai
    on_time = make_offre(consultation, "À l'heure")
    result = analyse(consultation)
    assert [r.offer.id for r in result.ranking.ranked] == [on_time.pk]
    assert result.ranking.hors_delai[0].offer.id == offre.pk
    assert result.result(offre).rank is None


def test_a_second_offer_from_the_same_company_is_refused(cast, consultation, client_for):
    make_offre(consultation, "Gamma Partenaires")
    url = reverse("amoa:offre_create", args=[cast.grappe.pk, consultation.pk])
    response = client_for(cast.owner).post(url, offre_data())
    assert "Une offre de cette société est déjà enregistrée." in text(response)


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_pieces_are_checked_by_content_and_complete_the_file(cast, consultation, client_for):
    offre = make_offre(consultation, "Delta", pieces=[])
    url = offre.get_absolute_url()
    client = client_for(cast.owner)
    fake = SimpleUploadedFile("note.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"type": "note_methodologique", "file": fake})
    assert "Le contenu du fichier ne correspond pas à un fichier .pdf" in text(response)
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/pdf")
    assert "Type de fichier non accepté (.exe)" in text(
        client.post(url, {"type": "cv", "file": exe})
    )
    assert not PieceOffre.objects.exists()

    docx = SimpleUploadedFile("Note méthodo.docx", docx_bytes())
    response = client.post(url, {"type": "note_methodologique", "file": docx})
    assert response.status_code == 302
    piece = PieceOffre.objects.get()
    assert piece.content_type.endswith("wordprocessingml.document")
    assert piece.original_name == "Note_méthodo.docx"
    assert Path(piece.file.path).is_relative_to(settings.MEDIA_ROOT)
    offre = Offre.objects.with_details().get(pk=offre.pk)
    assert "Note méthodologique" not in offre.pieces_manquantes()
    assert not offre.recevable
    for code in (
        "lettre_engagement",
        "urssaf",
        "assurance",
        "cv",
        "detail_prestations",
        "references",
        "planning",
    ):
        upload = SimpleUploadedFile(f"{code}.pdf", PDF)
        assert client.post(url, {"type": code, "file": upload}).status_code == 302
    offre = Offre.objects.with_details().get(pk=offre.pk)
    assert offre.recevable and offre.pieces_manquantes() == []


def test_piece_size_is_limited(cast, consultation, client_for, monkeypatch):
    offre = make_offre(consultation, "Delta", pieces=[])
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * 64)
    monkeypatch.setattr("core.uploads.MAX_UPLOAD_SIZE", 32)
    response = client_for(cast.owner).post(offre.get_absolute_url(), {"type": "cv", "file": big})
    assert "Fichier trop volumineux" in text(response)
    assert "32\u00a0o au plus" in text(response)  # core.text.size, not « 32 octets »
    assert MAX_UPLOAD_SIZE == 20_000_000  # « 20 Mo »


def test_pieces_are_served_only_through_the_permission_checked_view(
    cast, candidate, consultation, client_for
):
    offre = make_offre(consultation, "Alpha", pieces=["cv"])
    piece = offre.pieces.get()
    url = reverse("amoa:piece_download", args=[cast.grappe.pk, consultation.pk, offre.pk, piece.pk])
    response = client_for(cast.ars).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert client_for(candidate).get(url).status_code == 403
    assert client_for(cast.owner).get(f"{settings.MEDIA_URL}{piece.file.name}").status_code == 404
    # A piece of another offer through this offer's URL: 404.
    other = make_offre(consultation, "Beta", pieces=["cv"]).pieces.get()
    wrong = reverse(
        "amoa:piece_download", args=[cast.grappe.pk, consultation.pk, offre.pk, other.pk]
    )
    assert client_for(cast.owner).get(wrong).status_code == 404


def test_a_failed_indispensable_criterion_eliminates_the_offer(cast, consultation, client_for):
    critere = Critere.objects.create(
        consultation=consultation,
        code="refs_ms",
        libelle="Références dans le médico-social",
        kind=TypeCritere.INDISPENSABLE,
        poids=0,
        ordre=9,
    )
    alpha = make_offre(consultation, "Alpha")
    beta = make_offre(consultation, "Beta")
    url = reverse("amoa:indispensable", args=[cast.grappe.pk, consultation.pk, beta.pk])
    client = client_for(cast.owner)
    response = client.post(url, {"critere": critere.pk, "satisfait": "0", "motif": ""}, follow=True)
    assert "Motivez l'élimination." in text(response)
    client.post(url, {"critere": critere.pk, "satisfait": "0", "motif": "Aucune référence en ESMS"})
    result = analyse(consultation)
    assert [r.offer.id for r in result.ranking.ranked] == [alpha.pk]
    assert result.result(beta).status == "eliminee"
    assert "Aucune référence en ESMS" in result.result(beta).reason
    assert HistoryEntry.objects.filter(action="Critère indispensable vérifié").exists()
