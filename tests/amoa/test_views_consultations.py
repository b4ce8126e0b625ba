"""Consultation pages: create/edit, the consultation page, the criteria editor."""

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from amoa.models import Consultation, Critere
from grappe.enums import RoleComite
from grappe.models import Aap, HistoryEntry
from tests.amoa.factories import (
    ConsultationFactory,
    editeur_consultation,
    evaluator,
    make_offre,
    make_offre_editeur,
)
from tests.grappe.factories import UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_owner_creates_a_consultation_with_the_seven_default_criteria(cast, client_for):
    cast.grappe.aap = Aap.objects.get(kind="amorcage_t2")
    cast.grappe.save()
    client = client_for(cast.owner)
    url = reverse("amoa:consultation_create", args=[cast.grappe.pk])
    page = text(client.get(url))
    enveloppes = page[page.index('data-testid="enveloppes"') :].replace("\xa0", " ")
    assert "Mission « marché » (choix de la solution) : 15 000,00 € HT" in enveloppes
    assert "Mission « projet » (accompagnement du déploiement) : 100 000,00 € HT" in enveloppes
    response = client.post(
        url,
        {
            "titre": "AMOA marché et projet",
            "missions": ["marche", "projet"],
            "budget": "90000",
            "statut": "brouillon",
            "offres_avant": "2026-07-01T12:00",
            "contact_nom": "Camille Martin",
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == consultation.get_absolute_url()
    assert consultation.grappe == cast.grappe and consultation.created_by == cast.owner
    criteres = list(consultation.criteres.all())
    assert [c.libelle for c in criteres] == [
        "Coût global de la prestation",
        "Coût jour de la prestation",
        "Méthodologie",
        "Expérience et références",
        "Respect du cadre et du planning",
        "Audition",
        "Appui à la montée en compétence",
    ]
    assert sum(c.poids for c in criteres) == 100
    assert consultation.weights_error() is None
    assert HistoryEntry.objects.filter(action="Consultation AMOA créée").exists()


def test_consultation_needs_a_mission_and_coherent_dates(cast, client_for):
    response = client_for(cast.owner).post(
        reverse("amoa:consultation_create", args=[cast.grappe.pk]),
        {
            "titre": "X",
            "statut": "brouillon",
            "auditions_du": "2026-07-10",
            "auditions_au": "2026-07-01",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Choisissez au moins une mission." in page
    assert "La fin des auditions précède leur début." in page
    assert not Consultation.objects.exists()


def test_edit_is_traced(cast, consultation, client_for):
    response = client_for(cast.owner).post(
        reverse("amoa:consultation_edit", args=[cast.grappe.pk, consultation.pk]),
        {"titre": "Nouveau titre", "missions": ["marche"], "statut": "publiee"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.titre == "Nouveau titre" and consultation.missions == ["marche"]
    entry = HistoryEntry.objects.get(action="Consultation AMOA modifiée")
    assert entry.changes["Intitulé"] == ["AMOA Flandres", "Nouveau titre"]


def test_consultation_page_shows_committee_offers_and_recevabilite(cast, consultation, client_for):
    evaluator(cast.grappe, UserFactory(first_name="Sophie", last_name="Durand"))
    evaluator(
        cast.grappe, UserFactory(first_name="Hervé", last_name="Vandamme"), RoleComite.PRESIDENT
    )
    make_offre(consultation, "Alpha Conseil")
    make_offre(consultation, "Beta Santé", pieces=["lettre_engagement", "urssaf"])
    page = text(client_for(cast.member).get(consultation.get_absolute_url()))
    comite = page[page.index('data-testid="comite-selection"') :]
    assert comite.index("Hervé Vandamme — Président") < comite.index("Sophie Durand — Membre")
    assert "Alpha Conseil" in page and "Complète" in page
    assert "manque : Attestation d'assurance, Note méthodologique" in page
    assert "Plus de 5 candidats" not in page
    # The cahier des charges builder (another part of the app) is linked when its URL exists.
    try:
        cahier = reverse("amoa:cahier", args=[cast.grappe.pk, consultation.pk])
    except NoReverseMatch:
        assert "Cahier des charges</a>" not in page
    else:
        assert f'href="{cahier}">Cahier des charges</a>' in page


def test_more_than_five_candidates_is_a_warning_not_a_rule(cast, consultation, client_for):
    for n in range(6):
        make_offre(consultation, f"Cabinet {n}")
    page = text(client_for(cast.owner).get(consultation.get_absolute_url()))
    assert "Plus de 5 candidats" in page
    assert 'data-testid="candidats-sad"' not in page


@pytest.mark.parametrize("achat_sad", [True, False])
def test_under_the_sad_every_editeur_of_the_category_is_consulted(cast, client_for, achat_sad):
    """Seed 002: under the RESAH SAD the grappe consults every éditeur of the category, so the
    page gives no advice on the number of candidates; outside the SAD, seed 003's advice holds."""
    cast.grappe.achat_sad = achat_sad
    cast.grappe.save()
    dui = editeur_consultation(cast.grappe)
    for n in range(6):
        make_offre_editeur(dui, f"Éditeur {n}")
    page = text(client_for(cast.owner).get(dui.get_absolute_url()))
    assert ("Plus de 5 candidats" in page) is not achat_sad
    assert ('data-testid="alerte-candidats"' in page) is not achat_sad
    sad = "tous les éditeurs référencés dans la catégorie concernée du SAD sont consultés"
    assert (sad in page) is achat_sad


def test_the_amoa_under_the_sad_keeps_the_candidates_advice(cast, consultation, client_for):
    """The SAD is for the DUI: the AMOA consultation of a SAD grappe keeps seed 003's advice."""
    cast.grappe.achat_sad = True
    cast.grappe.save()
    for n in range(6):
        make_offre(consultation, f"Cabinet {n}")
    page = text(client_for(cast.owner).get(consultation.get_absolute_url()))
    assert "Plus de 5 candidats" in page
    assert 'data-testid="candidats-sad"' not in page


@pytest.mark.parametrize("objet", ["amoa", "editeur"])
def test_the_proposed_weights_are_said_to_be_a_proposal(cast, client_for, objet):
    """Seed 000 §1.8 says « poids à définir »: the pre-filled weights are the product's
    proposal, which the comité de sélection sets."""
    consultation = (
        editeur_consultation(cast.grappe)
        if objet == "editeur"
        else ConsultationFactory(grappe=cast.grappe)
    )
    client = client_for(cast.owner)
    url = reverse("amoa:criteres", args=[cast.grappe.pk, consultation.pk])
    for page in (text(client.get(url)), text(client.get(consultation.get_absolute_url()))):
        note = page[page.index('data-testid="ponderation-proposee"') :]
        note = note[: note.index("</p>")]
        assert "Pondération proposée par défaut" in note
        assert "à ajuster par le comité de sélection" in note
        assert "Elle n'a pas encore été modifiée." in note
        if objet == "amoa":
            assert "le modèle de cahier des charges indique « poids à définir »" in note
    criteres = list(consultation.criteres.all())
    first, second = [c for c in criteres if not c.is_indispensable][:2]
    overrides = {first.code: first.poids + 5, second.code: second.poids - 5}
    assert client.post(url, formset_data(criteres, **overrides)).status_code == 302
    page = text(client.get(url))
    assert "Pondération proposée par défaut" in page
    assert "Elle n'a pas encore été modifiée." not in page


def formset_data(criteres, **overrides):
    data = {
        "criteres-TOTAL_FORMS": str(len(criteres)),
        "criteres-INITIAL_FORMS": str(len(criteres)),
        "criteres-MIN_NUM_FORMS": "0",
        "criteres-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(criteres):
        data.update(
            {
                f"criteres-{i}-id": str(c.pk),
                f"criteres-{i}-ordre": str(c.ordre),
                f"criteres-{i}-libelle": c.libelle,
                f"criteres-{i}-code": c.code,
                f"criteres-{i}-kind": c.kind,
                f"criteres-{i}-poids": str(overrides.get(c.code, c.poids)),
                f"criteres-{i}-echelle": str(c.echelle),
                f"criteres-{i}-descripteurs": "",
            }
        )
    return data


def test_criteria_weights_must_sum_to_100(cast, consultation, client_for):
    criteres = list(consultation.criteres.all())
    url = reverse("amoa:criteres", args=[cast.grappe.pk, consultation.pk])
    client = client_for(cast.owner)
    response = client.post(url, formset_data(criteres, methodologie=30))
    assert response.status_code == 200
    assert "La somme des pondérations doit être égale à 100 : elle est de 110." in text(response)
    assert Critere.objects.get(consultation=consultation, code="methodologie").poids == 20

    response = client.post(url, formset_data(criteres, methodologie=30, cout_global=15))
    assert response.status_code == 302
    assert Critere.objects.get(consultation=consultation, code="methodologie").poids == 30
    assert HistoryEntry.objects.filter(action="Critères de sélection modifiés").exists()


def test_an_indispensable_criterion_is_not_weighted(cast, consultation, client_for):
    criteres = list(consultation.criteres.all())
    data = formset_data(criteres)
    n = len(criteres)
    data["criteres-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"criteres-{n}-ordre": "8",
            f"criteres-{n}-libelle": "Références dans le médico-social",
            f"criteres-{n}-code": "references_ms",
            f"criteres-{n}-kind": "indispensable",
            f"criteres-{n}-poids": "10",
            f"criteres-{n}-echelle": "10",
        }
    )
    url = reverse("amoa:criteres", args=[cast.grappe.pk, consultation.pk])
    response = client_for(cast.owner).post(url, data)
    assert "Un critère indispensable est éliminatoire" in text(response)
    data[f"criteres-{n}-poids"] = "0"
    assert client_for(cast.owner).post(url, data).status_code == 302
    assert consultation.criteres.get(code="references_ms").is_indispensable


@pytest.mark.parametrize(
    ("kind", "type_projet", "reason"),
    [
        (None, "acquisition", "La grappe n'a pas encore d'appel à projets"),
        ("amorcage_t1", "acquisition", "ne finance pas l'AMOA"),
        ("amorcage_t2", "conformite", "réservées aux projets d'acquisition du DUI"),
    ],
)
def test_no_amoa_envelope_outside_acquisition_projects_of_the_calls_funding_them(
    cast, client_for, kind, type_projet, reason
):
    cast.grappe.aap = Aap.objects.get(kind=kind) if kind else None
    cast.grappe.type_projet = type_projet
    cast.grappe.save()
    page = text(
        client_for(cast.owner).get(reverse("amoa:consultation_create", args=[cast.grappe.pk]))
    )
    enveloppes = page[page.index('data-testid="enveloppes"') :].split("</div>")[0]
    assert reason in enveloppes
    assert "15\xa0000" not in enveloppes


def test_envelope_amounts_come_from_the_call(cast):
    call = Aap.objects.get(kind="generalisation")
    call.montant_amoa_projet = Decimal("90000")
    call.save()
    cast.grappe.aap = call
    cast.grappe.type_projet = "acquisition"
    cast.grappe.save()
    consultation = Consultation.objects.create(
        grappe=cast.grappe, titre="AMOA", missions=["marche", "projet"]
    )
    assert consultation.enveloppe_reference() == Decimal("105000")
