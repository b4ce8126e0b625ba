"""Mise en conformité: the éditeur of the ESMS's current solution must be referenced at the
RESAH SAD in the ESMS's category (seed 002) — a list kept by the national admin, an eligibility
warning when an ESMS's éditeur is missing from it."""

import pytest
from django.urls import reverse

from core.reference import load, read
from grappe.demo import seed
from grappe.eligibility import CheckStatus, check_eligibility
from grappe.enums import TypeProjet
from grappe.models import Aap, EditeurReference
from grappe.reference import editeur_key
from tests.grappe.factories import CategorieFactory, GrappeFactory, add_esms
from tests.helpers import text

pytestmark = pytest.mark.django_db


def ssiad():
    """Domicile (a SAD category of its own, DOMAIN.md §3)."""
    return CategorieFactory(
        code="354",
        libelle="Service de Soins Infirmiers A Domicile (S.S.I.A.D)",
        agregat_code="4605",
    )


def mecs():
    """Protection de l'enfance: outside the SAD domains."""
    return CategorieFactory(
        code="177", libelle="Maison d'Enfants à Caractère Social", agregat_code="4501"
    )


def grappe_with(editeur, type_projet=TypeProjet.CONFORMITE, categorie=None, count=1):
    """A généralisation grappe of `count` EHPAD (or `categorie`) using `editeur`."""
    grappe = GrappeFactory(aap=Aap.objects.get(kind="generalisation"), type_projet=type_projet)
    kwargs = {"editeur": editeur}
    if categorie is not None:
        kwargs["categorie"] = categorie
    add_esms(grappe, count, **kwargs)
    return grappe


def warning(grappe):
    return check_eligibility(grappe).get("editeurs_sad")


@pytest.fixture
def referenced():
    """Médi-Logis referenced for the personnes âgées only."""
    return EditeurReference.objects.create(nom="Médi-Logis", domaine="pa", source="Test")


def test_non_referenced_editeur_is_a_warning_naming_the_esms(referenced):
    grappe = grappe_with("Hospi-Suite")
    esms = grappe.memberships.get().esms
    check = warning(grappe)
    assert check.status == CheckStatus.WARNING
    assert f"{esms.name} ({esms.finess_et}) — Hospi-Suite, Personnes âgées" in check.reason
    assert "peut candidater au SAD" in check.reason
    assert "dans la catégorie pertinente" in check.reason  # seed 002, quoted
    # A point to check, not a blocking failure.
    report = check_eligibility(grappe)
    assert report.get("editeurs_sad") in report.warnings
    assert report.get("editeurs_sad") not in report.ko


def test_missing_editeur_is_a_warning(referenced):
    check = warning(grappe_with(""))
    assert check.status == CheckStatus.WARNING
    assert "Éditeur du DUI actuel non renseigné pour 1 ESMS" in check.reason
    assert "renseignez-le dans la fiche de l'ESMS" in check.reason


def test_referenced_editeur_is_ok(referenced):
    check = warning(grappe_with("Médi-Logis"))
    assert check.status == CheckStatus.OK
    assert "1 ESMS en mise en conformité : son éditeur est référencé" in check.reason


def test_matching_ignores_case_accents_and_punctuation(referenced):
    assert warning(grappe_with("MEDI LOGIS")).status == CheckStatus.OK
    assert warning(grappe_with("  médi-logis ")).status == CheckStatus.OK
    assert editeur_key("Médi-Logis") == editeur_key("MEDI  logis") == "medi logis"


def test_referenced_in_another_category_only_is_a_warning(referenced):
    check = warning(grappe_with("Médi-Logis", categorie=ssiad()))
    assert check.status == CheckStatus.WARNING
    assert "Médi-Logis, Domicile" in check.reason
    assert "Aucun éditeur référencé" not in check.reason
    # No éditeur at all for the domicile category: the reason says where the list comes from.
    EditeurReference.objects.filter(domaine="domicile").update(actif=False)
    check = warning(grappe_with("Médi-Logis", categorie=ssiad()))
    assert "Aucun éditeur référencé n'est encore enregistré pour la catégorie Domicile" in (
        check.reason
    )


def test_inactive_entry_does_not_count(referenced):
    referenced.actif = False
    referenced.save()
    assert warning(grappe_with("Médi-Logis")).status == CheckStatus.WARNING


def test_acquisition_is_not_concerned(referenced):
    assert warning(grappe_with("Hospi-Suite", type_projet=TypeProjet.ACQUISITION)) is None
    # The ESMS's own type wins over the grappe's.
    grappe = grappe_with("Hospi-Suite", type_projet=TypeProjet.ACQUISITION)
    grappe.memberships.update(type_projet=TypeProjet.CONFORMITE)
    assert warning(grappe).status == CheckStatus.WARNING
    grappe = grappe_with("Hospi-Suite")
    grappe.memberships.update(type_projet=TypeProjet.ACQUISITION)
    assert warning(grappe) is None


def test_esms_outside_the_sad_domains_is_not_concerned(referenced):
    assert warning(grappe_with("Hospi-Suite", categorie=mecs())) is None


def test_long_lists_are_cut(referenced):
    check = warning(grappe_with("Hospi-Suite", count=8))
    assert "pour 8 ESMS" in check.reason
    assert "et 3 autres" in check.reason


def test_without_call_the_default_sad_domains_apply(referenced):
    grappe = grappe_with("Hospi-Suite")
    grappe.aap = None
    grappe.save()
    assert warning(grappe).status == CheckStatus.WARNING


def test_reference_list_is_loaded_and_marked_indicative():
    """The reference data holds the seeds' only éditeur name, marked as an indicative entry, in
    every SAD category; loading again changes nothing."""
    data = read("grappe", "editeurs_sad")
    for editeur in data["editeurs"]:
        assert data["liste_indicative"] in editeur["source"]
        rows = EditeurReference.objects.filter(cle=editeur_key(editeur["nom"]))
        assert sorted(rows.values_list("domaine", flat=True)) == sorted(editeur["domaines"])
    count = EditeurReference.objects.count()
    assert load() == {}
    assert EditeurReference.objects.count() == count


def test_same_editeur_twice_in_a_category_is_refused(admin_client):
    EditeurReference.objects.create(nom="Médi-Logis", domaine="pa")
    response = admin_client.post(
        reverse("admin:grappe_editeurreference_add"),
        {"nom": "MEDI-LOGIS", "domaine": "pa", "actif": "on", "source": ""},
    )
    assert response.status_code == 200
    assert "Cet éditeur figure déjà dans cette catégorie." in text(response)
    assert EditeurReference.objects.filter(cle="medi logis").count() == 1


def test_admin_lists_filters_and_searches_the_editeurs(admin_client, referenced):
    EditeurReference.objects.create(nom="Soins & Domicile", domaine="domicile")
    url = reverse("admin:grappe_editeurreference_changelist")
    page = text(admin_client.get(url))
    assert "Médi-Logis" in page and "Soins &amp; Domicile" not in page
    assert "Soins & Domicile" in page
    assert "MALTA" in page  # the indicative entry of the reference data
    only_domicile = text(admin_client.get(url, {"domaine": "domicile"}))
    assert "Soins & Domicile" in only_domicile and "Médi-Logis" not in only_domicile
    found = text(admin_client.get(url, {"q": "médi"}))
    assert "Médi-Logis" in found and "Soins & Domicile" not in found


def test_admin_adds_an_editeur(admin_client):
    response = admin_client.post(
        reverse("admin:grappe_editeurreference_add"),
        {"nom": "Accompagner+", "domaine": "ph", "actif": "on", "source": "Liste RESAH"},
    )
    assert response.status_code == 302, text(response)[:2000]
    editeur = EditeurReference.objects.get(nom="Accompagner+")
    assert (editeur.domaine, editeur.cle, editeur.actif) == ("ph", "accompagner", True)


# --- The ESMS's éditeur, where its DUI situation is edited ---------------------------------------


def edit_url(grappe, membership):
    return reverse("grappe:esms_edit", args=[grappe.pk, membership.pk])


def test_edit_page_suggests_the_referenced_editeurs_of_the_category(cast, client_for):
    EditeurReference.objects.create(nom="Médi-Logis", domaine="pa")
    EditeurReference.objects.create(nom="Soins & Domicile", domaine="domicile")
    membership = cast.grappe.memberships.first()
    assert membership.esms.categorie.domaine == "pa"
    response = client_for(cast.owner).get(edit_url(cast.grappe, membership))
    page = response.content.decode()
    assert 'maxlength="150"' in page.split('id="id_esms-editeur"')[0].rsplit("<input", 1)[1]
    assert 'list="id_esms-editeur-editeurs"' in page
    assert '<datalist id="id_esms-editeur-editeurs">' in page
    assert '<option value="Médi-Logis"></option>' in page
    assert "Soins &amp; Domicile" not in page  # another category


def test_typed_name_takes_the_referenced_spelling_any_other_is_kept(cast, client_for):
    EditeurReference.objects.create(nom="Médi-Logis", domaine="pa")
    membership = cast.grappe.memberships.first()
    esms = membership.esms
    client = client_for(cast.owner)
    for typed, stored in [("medi logis", "Médi-Logis"), ("Un autre éditeur", "Un autre éditeur")]:
        data = {
            "adhesion-type_projet": "conformite",
            "adhesion-joined_on": membership.joined_on.isoformat(),
            "esms-situation_dui": "a_faire_evoluer",
            "esms-editeur": typed,
            "esms-capacite": "",
        }
        response = client.post(edit_url(cast.grappe, membership), data)
        assert response.status_code == 302
        esms.refresh_from_db()
        assert esms.editeur == stored


def test_add_form_suggests_every_referenced_editeur(cast, client_for):
    EditeurReference.objects.create(nom="Soins & Domicile", domaine="domicile")
    response = client_for(cast.owner).get(reverse("grappe:esms_add", args=[cast.grappe.pk]))
    page = response.content.decode()
    assert '<datalist id="id_editeur-editeurs">' in page
    assert "Soins &amp; Domicile" in page and "MALTA" in page


# --- The demo ----------------------------------------------------------------------------------


def test_demo_esms_in_conformite_use_referenced_editeurs_but_one():
    """The demo's ESMS in mise en conformité have a referenced éditeur, except the Résidence
    Les Hortensias, still on Hospi-Suite, which its market study found not referenced."""
    grappe = seed()["grappe"]
    check = warning(grappe)
    assert check.status == CheckStatus.WARNING
    assert "pour 1 ESMS : RÉSIDENCE LES HORTENSIAS" in check.reason
    assert "Hospi-Suite, Personnes âgées" in check.reason
    assert check_eligibility(grappe).eligible
    seed()  # idempotent
    assert EditeurReference.objects.filter(nom="Médi-Logis").count() == 2
