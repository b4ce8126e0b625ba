"""Correcting the finances: the chart, the OGs' own funding typed per poste, deleting an
engagement, an invoice or a transfer entered by mistake (history kept, files removed once the
deletion is committed), invoices imported without their PDF flagged."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from core import svg
from core.money import euros
from finances import services
from finances.charts import postes_svg
from finances.models import Engagement, Facture, FinancementPropre, Reversement
from grappe.models import HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from tests.finances.factories import engagement, facture, money_grappe, propre

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def grappe(cast):
    return money_grappe(cast.grappe)


def finances_url(grappe, name="grappe", *args):
    return reverse(f"finances:{name}", args=[grappe.pk, *args])


# --- The chart ---------------------------------------------------------------------------------


def test_the_chart_draws_the_postes_with_money_at_one_scale(grappe):
    item = engagement(grappe, ht="10000.00")  # 12 000,00 TTC on the part éditeur
    facture(item, "F-1", "5000.00", payee_le=datetime.date(2026, 5, 2))
    data = services.synthese(grappe)
    chart = str(postes_svg(data.postes))
    # The three postes the simulation funds, not the three others (no money at all).
    assert "Acquisition du DUI — part éditeur" in chart
    assert "ESMS déjà équipé — mise en conformité et usages" in chart
    assert "AMOA « projet »" not in chart
    editeur = next(ligne for ligne in data.postes if ligne.code == "editeur")
    top = max(ligne.budget for ligne in data.postes)
    assert f"Acquisition du DUI — part éditeur — Budget : {euros(editeur.budget)}" in chart
    assert "Acquisition du DUI — part éditeur — Engagé : 12\xa0000,00\xa0€" in chart
    assert "Acquisition du DUI — part éditeur — Justifié : 6\xa0000,00\xa0€" in chart
    # The largest budget takes the full width (460 px), the others in proportion.
    assert 'width="460" height="9" fill="#c8c8c8"' in chart
    width = svg.n(float(460 * D(12000) / top))
    assert f'width="{width}" height="9" fill="#6a6af4"' in chart


def test_no_chart_without_money(db):
    grappe = money_grappe(
        convention=None, montant_acquisition=0, montant_usages=0, montant_conformite=0
    )
    assert postes_svg(services.synthese(grappe).postes) is None


def test_the_page_and_the_bilan_carry_the_same_chart(cast, grappe, client_for):
    engagement(grappe, ht="1000.00")
    page = client_for(cast.owner).get(finances_url(grappe))
    assert page.context["graphique"] == services.bilan(grappe)["graphique"]
    assert 'data-testid="graphique-postes"' in page.content.decode()


# --- Own funding -------------------------------------------------------------------------------


def test_type_the_ogs_own_funding(cast, grappe, client_for):
    client = client_for(cast.owner)
    url = finances_url(grappe, "financements_propres")
    porteur, second = grappe.porteur, grappe.second_og
    propre(grappe, second, "conformite", "800.00")
    propre(grappe, second, "materiel", "50.00")
    form = client.get(url).context["form"]
    assert [og for og, _ in form.groupes()] == sorted(
        [porteur, second], key=lambda og: (og.raison_sociale, og.finess_ej)
    )
    response = client.post(
        url,
        {
            f"og{porteur.pk}_editeur": "1500.50",
            f"og{second.pk}_conformite": "900",
            f"og{second.pk}_materiel": "",
        },
    )
    assert response.status_code == 302
    amounts = {(item.og_id, item.poste): item.montant for item in FinancementPropre.objects.all()}
    assert amounts == {(porteur.pk, "editeur"): D("1500.50"), (second.pk, "conformite"): D(900)}
    data = services.synthese(grappe)
    editeur = next(ligne for ligne in data.postes if ligne.code == "editeur")
    assert editeur.propre == D("1500.50")
    assert editeur.budget == editeur.subvention + D("1500.50")
    expected = (editeur.subvention * 100 / editeur.budget).quantize(D("0.1"))
    assert editeur.part_subvention == expected < 100
    materiel = next(ligne for ligne in data.postes if ligne.code == "materiel")
    assert materiel.budget == 0 and materiel.part_subvention is None
    assert data.totaux.propre == D("2400.50")
    entry = HistoryEntry.objects.get(grappe=grappe, action="Financements propres modifiés")
    name = second.raison_sociale
    assert entry.changes[f"{name} — ESMS déjà équipé — mise en conformité et usages"] == (
        "800,00\xa0€ → 900,00\xa0€"
    )
    assert (
        entry.changes[f"{name} — Équipement matériel (petits organismes gestionnaires)"]
        == "50,00\xa0€ → —"
    )


def test_own_funding_refuses_bad_amounts_and_saves_nothing(cast, grappe, client_for):
    url = finances_url(grappe, "financements_propres")
    porteur = grappe.porteur
    response = client_for(cast.owner).post(
        url,
        {
            f"og{porteur.pk}_editeur": "-5",
            f"og{porteur.pk}_usages": "12.345",
            f"og{porteur.pk}_conformite": "douze",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Un financement propre ne peut pas être négatif." in content
    assert "Un montant s&#x27;arrête au centime." in content
    assert "Saisissez un montant en euros" in content
    assert not FinancementPropre.objects.exists()


def test_nothing_changed_writes_no_history(cast, grappe, client_for):
    propre(grappe, grappe.porteur, "editeur", "10.00")
    client_for(cast.owner).post(
        finances_url(grappe, "financements_propres"), {f"og{grappe.porteur.pk}_editeur": "10.00"}
    )
    assert not HistoryEntry.objects.filter(action="Financements propres modifiés").exists()


def test_only_writers_type_own_funding(cast, grappe, client_for):
    url = finances_url(grappe, "financements_propres")
    data = {f"og{grappe.porteur.pk}_editeur": "10.00"}
    for user in (cast.copil, cast.ars, cast.member):
        assert client_for(user).post(url, data).status_code == 403
    assert client_for(cast.stranger).post(url, data).status_code == 404
    assert not FinancementPropre.objects.exists()


# --- Deleting what was entered by mistake -------------------------------------------------------


def test_delete_an_engagement_and_its_document(
    cast, grappe, client_for, django_capture_on_commit_callbacks
):
    item = engagement(grappe, objet="Commande en double")
    item.document.save("commande.pdf", ContentFile(b"%PDF-1.4"), save=True)
    stored = item.document.name
    storage = item.document.storage
    client = client_for(cast.owner)
    url = finances_url(grappe, "engagement_delete", item.pk)
    assert "Commande en double" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == finances_url(grappe)
    assert not Engagement.objects.filter(pk=item.pk).exists()
    assert not storage.exists(stored)
    entry = HistoryEntry.objects.get(grappe=grappe, action="Engagement supprimé")
    assert entry.changes["Engagement"] == "Commande en double (Éditeur SA)"
    assert entry.changes["Montant TTC"] == "1\xa0200,00\xa0€"


def test_an_engagement_with_invoices_is_not_deleted(cast, grappe, client_for):
    item = engagement(grappe)
    facture(item, "F-1", "100.00")
    client = client_for(cast.owner)
    url = finances_url(grappe, "engagement_delete", item.pk)
    response = client.post(url)
    assert response.status_code == 200
    assert "porte 1 facture : supprimez-la" not in response.content.decode()
    assert "Cet engagement porte 1 facture" in response.content.decode()
    assert Engagement.objects.filter(pk=item.pk).exists()
    assert Facture.objects.filter(engagement=item).count() == 1


def test_delete_an_invoice_moves_the_sums_back(
    cast, grappe, client_for, django_capture_on_commit_callbacks
):
    item = engagement(grappe)
    keep = facture(item, "F-1", "100.00", payee_le=datetime.date(2026, 5, 2))
    wrong = facture(item, "F-2", "300.00", payee_le=datetime.date(2026, 5, 2))
    assert services.synthese(grappe).totaux.justifie == D("480.00")
    stored, storage = wrong.fichier.name, wrong.fichier.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.owner).post(
            finances_url(grappe, "facture_delete", item.pk, wrong.pk)
        )
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert list(Facture.objects.all()) == [keep]
    assert services.synthese(grappe).totaux.justifie == D("120.00")
    assert not storage.exists(stored) and keep.fichier.storage.exists(keep.fichier.name)
    entry = HistoryEntry.objects.get(grappe=grappe, action="Facture supprimée")
    assert entry.changes["Facture"] == "F-2" and entry.changes["Montant TTC"] == "360,00\xa0€"


@time_machine.travel("2026-06-30 12:00 +0200", tick=False)
def test_delete_a_transfer_brings_the_owed_back(cast, grappe, client_for):
    tranche = Tranche.objects.create(
        grappe=grappe,
        numero=1,
        pourcentage=D(50),
        montant=D("1000.00"),
        statut=StatutTranche.PAYEE,
        paye_le=datetime.date(2026, 5, 1),
        montant_paye=D("1000.00"),
    )
    share = {total.og.pk: total.du for total in services.repartition(grappe).ogs}
    transfer = Reversement.objects.create(
        grappe=grappe,
        og=grappe.second_og,
        tranche=tranche,
        montant=share[grappe.second_og.pk],
        date=datetime.date(2026, 5, 10),
        reference="VIR-1",
    )
    client = client_for(cast.owner)
    page = client.get(finances_url(grappe)).content.decode()
    assert 'data-testid="table-reversements"' in page and "VIR-1" in page
    owed = {total.og.pk: total.du for total in services.repartition(grappe).ogs}
    assert owed[grappe.second_og.pk] == D("0.00")
    response = client.post(finances_url(grappe, "reversement_delete", transfer.pk))
    assert response.status_code == 302
    owed = {total.og.pk: total.du for total in services.repartition(grappe).ogs}
    assert owed[grappe.second_og.pk] == share[grappe.second_og.pk] > 0
    entry = HistoryEntry.objects.get(grappe=grappe, action="Reversement supprimé")
    assert entry.changes["Référence"] == "VIR-1"
    assert (
        f"{euros(share[grappe.second_og.pk])} à ASSOCIATION LES GLYCINES sur la tranche 1"
        in entry.changes["Reversement"]
    )


def test_another_grappes_objects_are_not_found(cast, grappe, client_for):
    other = money_grappe(cast.other_grappe)
    item = engagement(other)
    invoice = facture(item, "F-9", "10.00")
    client = client_for(cast.owner)
    assert client.post(finances_url(grappe, "engagement_delete", item.pk)).status_code == 404
    assert (
        client.post(finances_url(grappe, "facture_delete", item.pk, invoice.pk)).status_code == 404
    )
    assert Facture.objects.filter(pk=invoice.pk).exists()


# --- Invoices without their PDF ----------------------------------------------------------------


def test_an_invoice_without_its_pdf_is_flagged(cast, grappe, client_for):
    item = engagement(grappe)
    Facture.objects.create(
        engagement=item,
        numero="IMP-1",
        date=datetime.date(2026, 4, 1),
        montant_ht=D("10.00"),
        taux_tva=D("20.00"),
    )
    Facture.objects.create(
        engagement=item,
        numero="IMP-2",
        date=datetime.date(2026, 4, 2),
        montant_ht=D("10.00"),
        taux_tva=D("20.00"),
    )
    facture(item, "F-1", "10.00")
    assert "2 factures sans PDF (importées d'un classeur)" in " ".join(
        services.synthese(grappe).alertes
    )
    client = client_for(cast.owner)
    page = client.get(finances_url(grappe)).content.decode()
    assert page.count('data-testid="pdf-manquant"') == 2
    detail = client.get(item.get_absolute_url()).content.decode()
    assert detail.count("Joindre le PDF") == 2


def test_the_subsidys_share_of_a_poste_by_hand():
    ligne = services.Ligne("editeur", "Part éditeur", subvention=D("100.00"), budget=D("125.00"))
    assert ligne.part_subvention == D("80.0")
    ligne = services.Ligne("usages", "Usages", subvention=D("2.00"), budget=D("3.00"))
    assert ligne.part_subvention == D("66.7")
