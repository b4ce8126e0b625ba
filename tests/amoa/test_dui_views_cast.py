"""Every page of the DUI choice against the fixed cast: anonymous → login, people outside the
grappe → 404, its AMOA consultants (possible candidates) → 403, readers → 200, 403 on writes."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from amoa.models import Choix, ImportReponse, SolutionEtudiee
from tests.amoa.factories import editeur_consultation, filled_cadre, make_offre_editeur, score
from tests.amoa.test_views_cast import EDIT, READ, check, consume, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast, evaluators):
    dui = editeur_consultation(cast.grappe, created_by=cast.owner)
    offre = make_offre_editeur(dui, "Alpha Logiciels")
    record = ImportReponse(offre=offre, original_name="cadre.xlsx", valide=False)
    record.file.save("cadre.xlsx", ContentFile(filled_cadre(dui)), save=False)
    record.save()
    solution = SolutionEtudiee.objects.create(grappe=cast.grappe, editeur="Alpha", solution="A")
    exigence = dui.grappe.grille_fonctionnelle.exigences.first()
    Choix.objects.create(consultation=dui, offre=offre, decision="Seule offre.")
    score(dui, evaluators[0], offre, {"architecture": 7}, submit=True)
    return dui, offre, record, solution, exigence


def test_get_pages_follow_the_cast(cast, candidate, evaluators, setup, client_for):
    dui, offre, record, solution, exigence = setup
    g, c, o = cast.grappe.pk, dui.pk, offre.pk
    pages = {
        "grille": (reverse("amoa:grille_fonctionnelle", args=[g]), READ),
        "exigence_create": (reverse("amoa:exigence_create", args=[g]), EDIT),
        "exigence_edit": (reverse("amoa:exigence_edit", args=[g, exigence.pk]), EDIT),
        "domaine_create": (reverse("amoa:domaine_create", args=[g]), EDIT),
        "preferences": (reverse("amoa:preferences", args=[g]), READ),
        "etude_marche": (reverse("amoa:etude_marche", args=[g]), READ),
        "solution_create": (reverse("amoa:solution_create", args=[g]), EDIT),
        "solution_edit": (reverse("amoa:solution_edit", args=[g, solution.pk]), EDIT),
        "cadre_export": (reverse("amoa:cadre_export", args=[g, c]), READ),
        "cadre_import": (reverse("amoa:cadre_import", args=[g, c, o]), READ),
        "cadre_import_detail": (
            reverse("amoa:cadre_import_detail", args=[g, c, o, record.pk]),
            READ,
        ),
        "couverture": (reverse("amoa:couverture", args=[g, c]), READ),
        "cout_total": (reverse("amoa:cout_total", args=[g, c]), READ),
        "rapport_choix": (reverse("amoa:rapport_choix", args=[g, c]), READ),
    }
    everyone = people(cast, candidate, evaluators)
    for name, (url, expected) in pages.items():
        for who, user in everyone.items():
            # The evaluator (comité de sélection) reads like a member and may not edit.
            status = expected[who] if who != "evaluator" else (403 if expected is EDIT else 200)
            response = client_for(user).get(url)
            consume(response)
            check(response, f"{name} as {who}", status)


def test_an_evaluator_who_has_not_submitted_cannot_read_the_rapport(
    cast, evaluators, setup, client_for
):
    dui = setup[0]
    url = reverse("amoa:rapport_choix", args=[cast.grappe.pk, dui.pk])
    assert client_for(evaluators[1]).get(url).status_code == 403


def test_writes_are_refused_to_readers(cast, candidate, setup, client_for):
    dui, offre, record, solution, exigence = setup
    g, c, o = cast.grappe.pk, dui.pk, offre.pk
    posts = [
        reverse("amoa:grille_create", args=[g]),
        reverse("amoa:exigence_create", args=[g]),
        reverse("amoa:exigence_edit", args=[g, exigence.pk]),
        reverse("amoa:exigence_delete", args=[g, exigence.pk]),
        reverse("amoa:domaine_create", args=[g]),
        reverse("amoa:preferences", args=[g]),
        reverse("amoa:solution_create", args=[g]),
        reverse("amoa:solution_edit", args=[g, solution.pk]),
        reverse("amoa:solution_delete", args=[g, solution.pk]),
        reverse("amoa:cadre_import", args=[g, c, o]),
        reverse("amoa:cadre_import_apply", args=[g, c, o, record.pk]),
    ]
    for url in posts:
        for who in ("member", "copil", "ars"):
            response = client_for(getattr(cast, who)).post(url, {})
            assert response.status_code == 403, f"{url} as {who}: {response.status_code}"
        assert client_for(cast.stranger).post(url, {}).status_code == 404, url
        assert client_for(candidate).post(url, {}).status_code == 403, url
        response = client_for(None).post(url, {})
        assert response.status_code == 302 and "/connexion/" in response["Location"], url
    assert SolutionEtudiee.objects.filter(pk=solution.pk).exists()
    assert dui.grappe.grille_fonctionnelle.exigences.filter(pk=exigence.pk).exists()


def test_pages_of_another_grappe_are_not_found(cast, setup, client_for):
    dui, offre, record, solution, exigence = setup
    other = cast.other_grappe.pk
    for url in (
        reverse("amoa:couverture", args=[other, dui.pk]),
        reverse("amoa:exigence_edit", args=[other, exigence.pk]),
        reverse("amoa:solution_edit", args=[other, solution.pk]),
    ):
        assert client_for(cast.admin).get(url).status_code == 404, url
