"""The éditeur consultation on the AMOA call's engine: criteria per objet, the TCO as the
price, the coverage computed, an offer missing an indispensable requirement eliminated, the
pages (coverage, TCO, ranking) and the rapport de choix (PDF)."""

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amoa import cadre, services
from amoa.enums import ObjetConsultation, StatutConsultation
from amoa.forms.consultations import IndispensableForm
from amoa.models import (
    DEFAULT_CRITERES,
    Choix,
    Consultation,
    Critere,
    ResultatIndispensable,
    SolutionEtudiee,
)
from amoa.services import apply_parsed
from core import scoring
from tests.amoa.factories import (
    PRIX_TYPE,
    ConsultationFactory,
    editeur_consultation,
    filled_cadre,
    make_offre,
    make_offre_editeur,
    score,
)
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def text(response):
    """The page with the French thousands separators as plain spaces."""
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def answer(consultation, offre, **kwargs):
    grid = {e.code: e for e in consultation.grappe.grille_fonctionnelle.exigences.all()}
    parsed = cadre.parse(filled_cadre(consultation, **kwargs), grid)
    assert parsed.ok, parsed.errors
    apply_parsed(offre, parsed)


@pytest.fixture
def dui(cast):
    return editeur_consultation(cast.grappe, created_by=cast.owner, titre="Choix du DUI Flandres")


@pytest.fixture
def three(dui, evaluators):
    """Alpha: everything covered, TCO 3 ans = 40 000; Beta: everything covered but billing
    developable (2 000), cheaper (TCO 29 000); Gamma: the cheapest but INS-01 impossible."""
    alpha = make_offre_editeur(dui, "Alpha Logiciels")
    beta = make_offre_editeur(dui, "Beta Santé")
    gamma = make_offre_editeur(dui, "Gamma Soft")
    answer(dui, alpha, prices=PRIX_TYPE)  # 15 000 + 3 × 8 000 = 39 000 … see below
    answer(
        dui,
        beta,
        answers={"FAC-01": ("Non couvert mais développable", "30/06/2027", 2000)},
        prices=[("Installation", "", 0, 3000), ("Licences / droits d'usage", "", None, 8000)],
    )
    answer(
        dui,
        gamma,
        answers={"INS-01": ("Impossible", None, None)},
        prices=[("Licences / droits d'usage", "", None, 1000)],
    )
    for user in evaluators:
        for offre in (alpha, beta, gamma):
            score(
                dui,
                user,
                offre,
                {"architecture": 8, "prestations": 6, "mise_en_oeuvre": 7},
                submit=True,
            )
    return alpha, beta, gamma


def test_default_criteria_depend_on_the_objet(cast):
    amoa = ConsultationFactory(grappe=cast.grappe)
    assert [c.code for c in amoa.criteres.all()] == [code for code, *_ in DEFAULT_CRITERES]
    dui = editeur_consultation(cast.grappe, tco_annees=5)
    criteres = {c.code: c for c in dui.criteres.all()}
    assert [c.code for c in criteres.values() if c.is_indispensable] == [
        "couverture_indispensables",
        "segur",
        "dmp",
        "hds",
    ]
    assert criteres["cout_total"].libelle == "Coût total sur 5 ans"
    assert criteres["cout_total"].kind == "prix_total"
    assert criteres["couverture"].kind == "calcule"
    # Seed 003 step 11's evaluation criteria, in its order, are the weighted ones.
    assert [(c.code, c.libelle) for c in criteres.values() if not c.is_indispensable] == [
        ("couverture", "Couverture des besoins fonctionnels"),
        ("architecture", "Proposition d'architecture technique"),
        ("prestations", "Réponse aux prestations demandées, qualité des prestations"),
        ("mise_en_oeuvre", "Description de la mise en œuvre"),
        ("cout_total", "Coût total sur 5 ans"),
    ]
    assert dui.weights_error() is None
    assert dui.poids_proposes() and amoa.poids_proposes()
    assert amoa.objet == ObjetConsultation.AMOA


def test_existing_consultations_are_amoa_by_default(cast):
    consultation = Consultation.objects.create(grappe=cast.grappe, titre="Ancienne")
    assert consultation.objet == "amoa" and consultation.tco_annees == 3


def test_offer_missing_an_indispensable_requirement_is_eliminated(dui, three):
    alpha, beta, gamma = three
    result = services.analyse(dui)
    ranking = result.ranking
    assert [r.offer.label for r in ranking.ranked] == ["Beta Santé", "Alpha Logiciels"]
    eliminated = ranking.for_offer(gamma.pk)
    assert eliminated.status == "eliminee"
    assert "Couverture de toutes les exigences indispensables" in eliminated.reason
    assert "INS-01" in eliminated.reason
    # The price is the TCO over 3 years, hidden costs included; Gamma's low price is ignored.
    assert ranking.for_offer(alpha.pk).offer.total_price == Decimal(39000)
    assert ranking.for_offer(beta.pk).offer.total_price == Decimal(29000)  # 3000+2000+3×8000
    assert ranking.for_offer(beta.pk).notes["cout_total"].note == Decimal(10)
    assert ranking.for_offer(alpha.pk).notes["cout_total"].note == Decimal("7.44")
    # Coverage is computed: Alpha covers all (10), Beta has one développable souhaitable.
    assert ranking.for_offer(alpha.pk).notes["couverture"].note == Decimal(10)
    assert ranking.for_offer(beta.pk).notes["couverture"].note < Decimal(10)
    read = result.dui.for_offre(alpha)
    assert read.tco.hidden == Decimal(5000)
    assert read.coverage.rate == Decimal(100)


def test_a_committee_finding_eliminates_on_the_other_indispensables(dui, three):
    alpha, beta, _ = three
    segur = dui.criteres.get(code="segur")
    ResultatIndispensable.objects.create(
        offre=beta, critere=segur, satisfait=False, motif="Pas de référencement Ségur"
    )
    ranking = services.analyse(dui).ranking
    assert [r.offer.label for r in ranking.ranked] == ["Alpha Logiciels"]
    assert "Référencé Ségur" in ranking.for_offer(beta.pk).reason


def test_the_computed_coverage_criterion_is_not_typed_by_the_committee(dui):
    form = IndispensableForm(consultation=dui)
    assert [c.code for c in form.fields["critere"].queryset] == ["segur", "dmp", "hds"]


def test_an_offer_without_a_response_frame_is_eliminated(dui):
    offre = make_offre_editeur(dui, "Delta")
    outcome = services.analyse(dui).ranking.for_offer(offre.pk)
    assert outcome.status == "eliminee"
    assert "cadre de réponse non importé" in outcome.reason


def test_both_consultations_use_the_same_scoring_engine(cast, dui, three, monkeypatch):
    amoa = ConsultationFactory(grappe=cast.grappe)
    make_offre(amoa, "Conseil A")
    calls = []
    original = scoring.evaluate

    def spy(criteria, offers, **kwargs):
        calls.append({c.code for c in criteria})
        return original(criteria, offers, **kwargs)

    monkeypatch.setattr(scoring, "evaluate", spy)
    services.analyse(amoa)
    services.analyse(dui)
    assert "cout_jour" in calls[0]
    assert "couverture" in calls[1]


def test_create_an_editeur_consultation(cast, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:consultation_create", args=[cast.grappe.pk])
    assert 'value="editeur" checked' in client.get(url + "?objet=editeur").content.decode() or (
        "Solution DUI (éditeurs)" in client.get(url + "?objet=editeur").content.decode()
    )
    response = client.post(
        url, {"titre": "DUI", "objet": "editeur", "tco_annees": 4, "statut": "brouillon"}
    )
    consultation = Consultation.objects.get(titre="DUI")
    assert response.status_code == 302
    assert consultation.is_editeur and consultation.missions == []
    assert consultation.criteres.get(code="cout_total").libelle == "Coût total sur 4 ans"
    # An AMOA consultation still needs a mission; the horizon is at least 3 years.
    response = client.post(
        url, {"titre": "AMOA", "objet": "amoa", "tco_annees": 2, "statut": "brouillon"}
    )
    assert response.status_code == 200
    assert "Choisissez au moins une mission." in response.content.decode()
    assert not Consultation.objects.filter(titre="AMOA").exists()


def test_pages_show_coverage_tco_and_ranking(
    cast, dui, three, client_for, django_assert_max_num_queries
):
    alpha, beta, gamma = three
    client = client_for(cast.member)
    g, c = cast.grappe.pk, dui.pk
    with django_assert_max_num_queries(25):
        page = text(client.get(reverse("amoa:couverture", args=[g, c])))
    assert 'data-testid="indispensables-manquantes"' in page
    assert "INS-01" in page
    assert "100,0 %" in page
    page = text(client.get(reverse("amoa:cout_total", args=[g, c])))
    assert "Total sur 3 ans" in page
    assert "39 000" in page and "29 000" in page
    page = client.get(reverse("amoa:classement", args=[g, c])).content.decode()
    assert f'data-testid="rang-{beta.pk}"' in page
    assert "Gamma Soft" in page and "INS-01" in page
    page = client.get(reverse("amoa:consultation", args=[g, c])).content.decode()
    assert f'data-testid="motif-{gamma.pk}"' in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["couverture", "cout_total", "classement"])
def test_pages_queries_do_not_grow_with_offers(cast, dui, client_for, name):
    client = client_for(cast.member)
    url = reverse(f"amoa:{name}", args=[cast.grappe.pk, dui.pk])
    answer(dui, make_offre_editeur(dui, "Éditeur 0"), prices=PRIX_TYPE)
    _queries(client, url)  # the first request of a session does its own bookkeeping
    one = _queries(client, url)
    for n in range(1, 4):
        answer(dui, make_offre_editeur(dui, f"Éditeur {n}"), prices=PRIX_TYPE)
    assert _queries(client, url) == one


@pytest.mark.pdf
def test_rapport_de_choix_pdf(cast, dui, three, client_for):
    alpha, beta, gamma = three
    SolutionEtudiee.objects.create(
        grappe=cast.grappe,
        editeur="Omega",
        solution="Omega ESMS",
        elimine=True,
        motif_elimination="Non référencé au SAD du RESAH",
    )
    SolutionEtudiee.objects.create(
        grappe=cast.grappe, editeur="Beta Santé", solution="Beta DUI", reference_sad=True
    )
    Choix.objects.create(
        consultation=dui, offre=beta, decision="Meilleure couverture au coût le plus bas."
    )
    dui.statut = StatutConsultation.ATTRIBUEE
    dui.save()
    response = client_for(cast.copil).get(
        reverse("amoa:rapport_choix", args=[cast.grappe.pk, dui.pk])
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Rapport de choix de la solution DUI" in text
    assert "Omega — Omega ESMS Non référencé au SAD du RESAH" in text
    assert "NON COUVERTES : INS-01" in text
    assert "Coût total sur 3 ans" in text
    assert "29 000" in text and "39 000" in text
    # The coverage rates the French way, the sign held by a no-break space.
    assert "100,0\xa0%" in text or "100,0 %" in " ".join(text.split())
    assert not re.search(r"\d\.\d %", text)
    assert "le comité de sélection retient la solution de Beta Santé" in text
    assert "Meilleure couverture au coût le plus bas." in text
    assert "go / no-go" in text


def test_dui_pages_are_404_on_an_amoa_consultation(cast, client_for):
    amoa = ConsultationFactory(grappe=cast.grappe)
    client = client_for(cast.owner)
    for name in ("couverture", "cout_total", "cadre_export", "rapport_choix"):
        assert (
            client.get(reverse(f"amoa:{name}", args=[cast.grappe.pk, amoa.pk])).status_code == 404
        )


def test_the_ranking_api_serves_the_editeur_consultation(cast, dui, three, client_for):
    alpha, beta, gamma = three
    response = client_for(cast.ars).get(f"/api/v1/consultations/{dui.pk}/classement/")
    assert response.status_code == 200
    data = response.json()
    assert data["objet"] == "editeur"
    offres = {o["candidat"]: o for o in data["offres"]}
    assert offres["Beta Santé"]["rang"] == 1
    assert offres["Gamma Soft"]["elimine"] is True
    assert "INS-01" in offres["Gamma Soft"]["motif"]


def test_untouched_drafts_get_the_step_11_proposal(cast):
    """Migration amoa 0005: a draft éditeur consultation still holding the former proposal gets
    seed 003 step 11's criteria; one whose weights were changed, or with an offer, keeps its own."""

    migration = import_module("amoa.migrations.0005_criteres_editeur_etape_11")
    old_labels = {
        "couverture": "Couverture fonctionnelle",
        "ergonomie": "Ergonomie (audition)",
        "accompagnement": "Accompagnement et formation",
        "references": "Références",
        "cout_total": "Coût total sur 3 ans",
    }
    kinds = {"cout_total": "prix_total", "couverture": "calcule"}

    def with_former_proposal(titre, **weights):
        consultation = editeur_consultation(cast.grappe, titre=titre, criteres=False)
        for ordre, (code, poids) in enumerate({**migration.ANCIENS, **weights}.items(), 1):
            Critere.objects.create(
                consultation=consultation,
                code=code,
                libelle=old_labels.get(code, code),
                kind=kinds.get(code, "qualitatif" if migration.ANCIENS[code] else "indispensable"),
                poids=poids,
                ordre=ordre,
            )
        return consultation

    untouched = with_former_proposal("Brouillon")
    changed = with_former_proposal("Pondérations du comité", ergonomie=25, references=5)
    offered = with_former_proposal("Avec une offre")
    make_offre_editeur(offered, "Alpha Logiciels")
    migration.proposition_etape_11(apps, None)
    assert [(c.code, c.libelle, c.poids) for c in untouched.criteres.all()][4:] == [
        ("couverture", "Couverture des besoins fonctionnels", 30),
        ("architecture", "Proposition d'architecture technique", 15),
        ("prestations", "Réponse aux prestations demandées, qualité des prestations", 15),
        ("mise_en_oeuvre", "Description de la mise en œuvre", 10),
        ("cout_total", "Coût total sur 3 ans", 30),
    ]
    assert untouched.weights_error() is None
    for kept in (changed, offered):
        assert "ergonomie" in {c.code for c in kept.criteres.all()}
        assert "architecture" not in {c.code for c in kept.criteres.all()}
