"""The grappe's grille hiérarchisée des fonctionnalités (from the reference, adapted) and the
market study."""

import pytest
from django.urls import reverse

from amoa.models import Exigence, GrilleFonctionnelle, SolutionEtudiee
from core.reference import read
from grappe.models import HistoryEntry
from tests.amoa.factories import editeur_consultation, make_offre_editeur
from tests.amoa.test_dui_classement import answer

pytestmark = pytest.mark.django_db


def reference_count():
    def count(domain):
        children = domain.get("sous_domaines", [])
        return len(domain["exigences"]) + sum(count(child) for child in children)

    return sum(count(domain) for domain in read("amoa", "grille")["domaines"])


def test_grid_is_created_from_the_reference_once(cast, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:grille_fonctionnelle", args=[cast.grappe.pk])
    assert 'data-testid="aucune-grille"' in client.get(url).content.decode()
    response = client.post(reverse("amoa:grille_create", args=[cast.grappe.pk]))
    assert response.status_code == 302
    grille = GrilleFonctionnelle.objects.get(grappe=cast.grappe)
    assert grille.exigences.count() == reference_count()
    client.post(reverse("amoa:grille_create", args=[cast.grappe.pk]))
    assert GrilleFonctionnelle.objects.count() == 1
    assert grille.exigences.count() == reference_count()
    tree = grille.tree()
    labels = [(d.libelle, depth) for d, depth, _ in tree]
    assert ("Dossier de l'usager", 0) in labels and ("Dossier de soins", 1) in labels
    for domain in ("Circuit du médicament", "MSSanté", "DMP", "INS", "Facturation"):
        assert any(domain in label for label, _ in labels), domain
    page = client.get(url).content.decode()
    assert 'data-testid="exigence-DOS-SOIN-01"' in page
    assert "Préférence de la grappe" in page
    assert "Dépendance accrue à la qualité du réseau" in page
    assert HistoryEntry.objects.filter(action="Grille des fonctionnalités créée").exists()


def test_priorities_are_counted(cast, client_for):
    grille = GrilleFonctionnelle.from_reference(cast.grappe)
    indispensables = grille.exigences.indispensables().count()
    assert 0 < indispensables < grille.exigences.count()
    page = client_for(cast.member).get(reverse("amoa:grille_fonctionnelle", args=[cast.grappe.pk]))
    assert f"Indispensable : {indispensables}" in page.content.decode()


def test_add_edit_remove_a_requirement(cast, client_for):
    grille = GrilleFonctionnelle.from_reference(cast.grappe)
    client = client_for(cast.owner)
    domaine = grille.domaines.get(code="TRA")
    response = client.post(
        reverse("amoa:exigence_create", args=[cast.grappe.pk]),
        {
            "domaine": domaine.pk,
            "code": "tra-09",
            "libelle": "Transmissions vocales",
            "priorite": "souhaitable",
            "professions": ["domicile", "soignant"],
            "ordre": 9,
        },
    )
    assert response.status_code == 302
    exigence = Exigence.objects.get(code="TRA-09")
    assert exigence.professions == ["domicile", "soignant"]
    assert exigence.profession_labels() == [
        "Intervenant à domicile",
        "Soignant (IDE, aide-soignant)",
    ]
    # A duplicate reference is refused.
    response = client.post(
        reverse("amoa:exigence_create", args=[cast.grappe.pk]),
        {
            "domaine": domaine.pk,
            "code": "TRA-09",
            "libelle": "X",
            "priorite": "important",
            "ordre": 1,
        },
    )
    assert "Cette référence est déjà utilisée" in response.content.decode()
    client.post(
        reverse("amoa:exigence_edit", args=[cast.grappe.pk, exigence.pk]),
        {
            "domaine": domaine.pk,
            "code": "TRA-09",
            "libelle": "Transmissions vocales",
            "priorite": "indispensable",
            "ordre": 9,
        },
    )
    exigence.refresh_from_db()
    assert exigence.is_indispensable
    client.post(reverse("amoa:exigence_delete", args=[cast.grappe.pk, exigence.pk]))
    assert not Exigence.objects.filter(pk=exigence.pk).exists()


def test_a_requirement_with_answers_is_kept(cast, client_for):
    dui = editeur_consultation(cast.grappe)
    answer(dui, make_offre_editeur(dui, "Alpha"))
    exigence = Exigence.objects.get(code="DOS-01")
    response = client_for(cast.owner).post(
        reverse("amoa:exigence_delete", args=[cast.grappe.pk, exigence.pk]), follow=True
    )
    assert "a déjà des réponses" in response.content.decode()
    assert Exigence.objects.filter(pk=exigence.pk).exists()


def test_add_a_sub_domain_and_technical_preferences(cast, client_for):
    grille = GrilleFonctionnelle.from_reference(cast.grappe)
    client = client_for(cast.owner)
    parent = grille.domaines.get(code="AGE")
    client.post(
        reverse("amoa:domaine_create", args=[cast.grappe.pk]),
        {"parent": parent.pk, "code": "age-dom", "libelle": "Tournées à domicile", "ordre": 1},
    )
    child = grille.domaines.get(code="AGE-DOM")
    assert child.parent == parent
    assert (child, 1) in [(d, depth) for d, depth, _ in grille.tree()]
    preferences = list(grille.preferences.all())
    data = {
        "hebergement": "internalise",
        "hebergement_commentaire": "Serveur mutualisé au siège.",
        "preferences-TOTAL_FORMS": len(preferences) + 1,
        "preferences-INITIAL_FORMS": len(preferences),
        "preferences-MIN_NUM_FORMS": 0,
        "preferences-MAX_NUM_FORMS": 1000,
    }
    for n, preference in enumerate(preferences):
        data.update(
            {
                f"preferences-{n}-id": preference.pk,
                f"preferences-{n}-theme": preference.theme,
                f"preferences-{n}-preference": preference.preference,
                f"preferences-{n}-ordre": preference.ordre,
            }
        )
    data[f"preferences-{len(preferences)}-theme"] = "Sauvegardes"
    data[f"preferences-{len(preferences)}-preference"] = "Quotidiennes, hors site."
    data[f"preferences-{len(preferences)}-ordre"] = 9
    response = client.post(reverse("amoa:preferences", args=[cast.grappe.pk]), data)
    assert response.status_code == 302
    grille.refresh_from_db()
    assert grille.hebergement == "internalise"
    assert grille.preferences.filter(theme="Sauvegardes").exists()


def test_market_study_flags_sad_and_requires_a_reason_to_eliminate(cast, client_for):
    client = client_for(cast.owner)
    url = reverse("amoa:solution_create", args=[cast.grappe.pk])
    data = {"editeur": "Omega", "solution": "Omega ESMS", "elimine": "on"}
    response = client.post(url, data)
    assert "Indiquez pourquoi la solution est écartée." in response.content.decode()
    data["motif_elimination"] = "Ne couvre pas le domicile."
    assert client.post(url, data).status_code == 302
    client.post(url, {"editeur": "Alpha", "solution": "Alpha DUI", "reference_sad": "on"})
    page = client.get(reverse("amoa:etude_marche", args=[cast.grappe.pk])).content.decode()
    retenues = page.split('data-testid="solutions-retenues"')[1].split("</table>")[0]
    eliminees = page.split('data-testid="solutions-eliminees"')[1].split("</table>")[0]
    assert "Alpha" in retenues and "Référencé SAD" in retenues
    assert "Omega" in eliminees and "Ne couvre pas le domicile." in eliminees
    assert SolutionEtudiee.objects.count() == 2
