"""The finances page, engagements and invoices: who reads, who writes, uploads, history."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amoa.models import Choix
from finances.models import Engagement, Facture
from grappe.enums import FonctionOg, RoleKind
from grappe.models import HistoryEntry, OgPerson
from tests.amoa.factories import ConsultationFactory, make_offre
from tests.finances.factories import PDF, engagement, facture, money_grappe
from tests.grappe.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def grappe(cast):
    return money_grappe(cast.grappe)


@pytest.fixture
def amoa(grappe):
    return RoleFactory(grappe=grappe, kind=RoleKind.AMOA).user


@pytest.fixture
def direction(grappe):
    """The direction of a coopérateur OG, without any role in the grappe."""
    user = UserFactory()
    OgPerson.objects.create(og=grappe.second_og, user=user, fonction=FonctionOg.DIRECTION)
    return user


def status_of(client, url):
    """The status of a GET, the streamed file read to its end (which closes it)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def page_url(grappe):
    return reverse("finances:grappe", args=[grappe.pk])


def test_who_reads_the_finances(cast, grappe, amoa, direction, client_for):
    expected = {
        "owner": 200,
        "copil": 200,
        "ars": 200,
        "admin": 200,
        "member": 403,  # sees the grappe, not its money
        "stranger": 404,
        "ars_other": 404,
    }
    for person, status in expected.items():
        user = cast.users()[person]
        assert client_for(user).get(page_url(grappe)).status_code == status, person
    assert client_for(amoa).get(page_url(grappe)).status_code == 200
    assert client_for(direction).get(page_url(grappe)).status_code == 200
    response = client_for(None).get(page_url(grappe))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_who_writes(cast, grappe, amoa, direction, client_for):
    url = reverse("finances:engagement_create", args=[grappe.pk])
    for user in (cast.copil, cast.ars, cast.member, direction):
        assert client_for(user).post(url).status_code == 403
    assert client_for(cast.stranger).post(url).status_code == 404
    for user in (cast.owner, amoa, cast.admin):
        assert client_for(user).get(url).status_code == 200


def test_empty_page_in_french(cast, grappe, client_for):
    response = client_for(cast.owner).get(page_url(grappe))
    content = response.content.decode()
    assert "Aucun engagement enregistré." in content
    assert "Aucune facture enregistrée." in content
    assert "Aucune alerte" in content


def test_create_an_engagement_with_its_document(cast, grappe, client_for):
    client = client_for(cast.owner)
    response = client.post(
        reverse("finances:engagement_create", args=[grappe.pk]),
        {
            "og": grappe.porteur.pk,
            "poste": "editeur",
            "fournisseur": "Éditeur SA",
            "objet": "Licences",
            "date": "2026-03-10",
            "montant_ht": "12.34",
            "taux_tva": "20",
            "document": SimpleUploadedFile("bon de commande.pdf", PDF),
        },
    )
    item = Engagement.objects.get(grappe=grappe)
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.montant_ttc == D("14.81")
    assert item.created_by == cast.owner
    assert item.document_nom == "bon_de_commande.pdf"
    entry = HistoryEntry.objects.get(grappe=grappe, action="Engagement enregistré")
    assert entry.changes["Montant TTC"] == "14,81\xa0€"
    download = client.get(reverse("finances:engagement_document", args=[grappe.pk, item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_an_engagement_takes_an_og_of_the_grappe_only(cast, grappe, client_for):
    other = cast.other_grappe.porteur
    response = client_for(cast.owner).post(
        reverse("finances:engagement_create", args=[grappe.pk]),
        {
            "og": other.pk,
            "poste": "editeur",
            "fournisseur": "X",
            "objet": "Y",
            "date": "2026-03-10",
            "montant_ht": "10",
            "taux_tva": "20",
        },
    )
    assert response.status_code == 200
    assert "Choisissez un organisme gestionnaire de la grappe." in response.content.decode()
    assert not Engagement.objects.exists()


def test_prefill_from_the_amoa_choice(cast, grappe, client_for):
    consultation = ConsultationFactory(grappe=grappe, titre="AMOA du projet", missions=["marche"])
    offre = make_offre(consultation, "Conseil & Co", prix_total=D("14500.00"), pieces=[])
    choix = Choix.objects.create(
        consultation=consultation,
        offre=offre,
        decision="Mieux-disante.",
        date=datetime.date(2026, 5, 4),
    )
    client = client_for(cast.owner)
    assert (
        "Préremplir un engagement depuis ce choix" in client.get(page_url(grappe)).content.decode()
    )
    url = reverse("finances:engagement_create", args=[grappe.pk])
    form = client.get(url, {"choix": choix.pk}).context["form"]
    assert form.initial["poste"] == "amoa_marche"
    assert form.initial["fournisseur"] == "Conseil & Co"
    assert form.initial["montant_ht"] == D("14500.00")
    assert form.initial["og"] == grappe.porteur_id
    data = {key: form.initial[key] for key in ("poste", "fournisseur", "objet", "montant_ht", "og")}
    response = client.post(url, {**data, "date": "2026-05-04", "taux_tva": "20", "choix": choix.pk})
    assert response.status_code == 302
    assert Engagement.objects.get().choix == choix
    # Engaged: no longer proposed.
    assert "Préremplir" not in client.get(page_url(grappe)).content.decode()


def facture_data(**kwargs):
    return {
        "numero": "F-2026-001",
        "date": "2026-04-01",
        "montant_ht": "1000.00",
        "taux_tva": "5.5",
        "fichier": SimpleUploadedFile("facture.pdf", PDF),
        **kwargs,
    }


def test_add_an_invoice_and_download_it(cast, grappe, client_for, direction):
    item = engagement(grappe)
    client = client_for(cast.owner)
    url = reverse("finances:facture_create", args=[grappe.pk, item.pk])
    response = client.post(url, facture_data(payee_le="2026-04-15"))
    assert response.status_code == 302
    invoice = Facture.objects.get()
    assert invoice.montant_ttc == D("1055.00")
    assert invoice.type_fichier == "application/pdf"
    assert HistoryEntry.objects.filter(grappe=grappe, action="Facture enregistrée").exists()
    file_url = reverse("finances:facture_fichier", args=[grappe.pk, item.pk, invoice.pk])
    for user in (cast.owner, cast.copil, cast.ars, direction):
        assert status_of(client_for(user), file_url) == 200
    assert client_for(cast.member).get(file_url).status_code == 403
    assert client_for(cast.stranger).get(file_url).status_code == 404
    # The same number on the same engagement is refused.
    response = client_for(cast.owner).post(url, facture_data())
    assert "La facture n° F-2026-001 est déjà enregistrée sur cet engagement." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("facture.pdf", b"pas un PDF", "Le contenu du fichier ne correspond pas"),
        ("facture.txt", b"texte", "Type de fichier non accepté (.txt)"),
        (
            "facture.odt",
            None,
            "Une facture se joint en PDF, ou en image PNG ou JPEG si elle a été numérisée.",
        ),
    ],
)
def test_a_non_pdf_invoice_is_refused(cast, grappe, client_for, name, content, message):
    if content is None:  # a real OpenDocument text: accepted for documents, not for invoices
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        content = buffer.getvalue()
    item = engagement(grappe)
    response = client_for(cast.owner).post(
        reverse("finances:facture_create", args=[grappe.pk, item.pk]),
        facture_data(fichier=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Facture.objects.exists()


def test_forcing_eligibility_needs_a_reason(cast, grappe, client_for):
    item = engagement(grappe)
    url = reverse("finances:facture_create", args=[grappe.pk, item.pk])
    client = client_for(cast.owner)
    response = client.post(url, facture_data(date="2026-02-01", eligibilite_forcee="on"))
    assert "Dites pourquoi la facture est éligible malgré sa date." in response.content.decode()
    assert not Facture.objects.exists()
    client.post(
        url,
        facture_data(date="2026-02-01", eligibilite_forcee="on", motif_forcage="Accord ARS."),
    )
    assert Facture.objects.get().motif_forcage == "Accord ARS."


def test_mark_an_invoice_paid(cast, grappe, client_for):
    item = engagement(grappe)
    invoice = facture(item, "F-1", "100.00")
    url = reverse("finances:facture_edit", args=[grappe.pk, item.pk, invoice.pk])
    data = facture_data(numero="F-1", montant_ht="100.00", taux_tva="20", payee_le="2026-04-10")
    del data["fichier"]
    assert client_for(cast.owner).post(url, data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.payee_le == datetime.date(2026, 4, 10)
    assert invoice.nom_fichier == "F-1.pdf"  # kept
    assert HistoryEntry.objects.filter(grappe=grappe, action="Facture modifiée").exists()


def test_objects_of_another_grappe_are_not_found(cast, grappe, client_for):
    other = money_grappe(cast.other_grappe)
    item = engagement(other)
    invoice = facture(item, "F-1", "100.00")
    client = client_for(cast.owner)
    assert client.get(reverse("finances:engagement", args=[grappe.pk, item.pk])).status_code == 404
    assert (
        status_of(
            client, reverse("finances:facture_fichier", args=[grappe.pk, item.pk, invoice.pk])
        )
        == 404
    )


@time_machine.travel("2026-06-30 12:00 +0200", tick=False)
def test_the_page_costs_the_same_queries_whatever_the_number_of_rows(cast, grappe, client_for):
    client = client_for(cast.owner)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(grappe))
        assert response.status_code == 200
        return len(queries)

    first = engagement(grappe)
    facture(first, "F-1", "100.00")
    baseline = count()
    for index in range(4):
        item = engagement(grappe, og=grappe.second_og, poste="conformite", objet=f"Lot {index}")
        facture(item, f"A-{index}", "10.00", payee_le=datetime.date(2026, 5, 1))
        facture(item, f"B-{index}", "10.00", date=datetime.date(2026, 1, 2))
    engagement(grappe, poste="amoa_projet", date=datetime.date(2026, 1, 5))  # alerts
    assert count() == baseline
