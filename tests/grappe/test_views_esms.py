import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grappe.enums import (
    FonctionOg,
    RoleKind,
    SituationDui,
    SourceDonnee,
    StatutAdhesion,
    TypeProjet,
)
from grappe.finess import expected_key, luhn_checksum
from grappe.models import (
    Aap,
    Departement,
    Esms,
    EsmsMembership,
    HistoryEntry,
    JoinRequest,
    OgMembership,
    OgPerson,
    OrganismeGestionnaire,
)
from tests.grappe.factories import (
    CategorieFactory,
    EsmsFactory,
    GrappeFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    finess_number,
)
from tests.helpers import EDIT, assert_cast, messages_of

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def url(name, grappe, *args):
    return reverse(f"grappe:{name}", args=[grappe.pk, *args])


def wrong_key(number):
    """The same number with a wrong check key."""
    return number[:8] + str((int(expected_key(number[:8])) + 1) % 10)


def unknown_finess(n=900001, prefix="59"):
    number = finess_number(prefix, n)
    assert not Esms.objects.filter(finess_et=number).exists()
    return number


def corsican_finess_failing_key():
    """A 2A number whose key does not pass Luhn (accepted with a warning)."""
    for key in range(10):
        number = f"2A0000{42:02d}{key}"
        if luhn_checksum("20" + number[2:]) != 0:
            return number
    raise AssertionError("unreachable")


def registry_esms(**kwargs):
    """An ESMS from the imported registry, in no grappe, run by an OG in no grappe."""
    return EsmsFactory(
        raison_sociale="EHPAD LES GLYCINES", commune="ROUBAIX", code_postal="59100", **kwargs
    )


def manual_data(number, **overrides):
    data = {
        "finess_et": number,
        "type_projet": "",
        "situation_dui": "a_faire_evoluer",
        "editeur": "Éditeur historique",
        "capacite": "45",
        "raison_sociale": "SESSAD LES MOUETTES",
        "og_finess_ej": finess_number("59", 800001),
        "og_raison_sociale": "ASSOCIATION DES MOUETTES",
        "categorie": CategorieFactory(code="182", libelle="SESSAD", agregat_code="4101").pk,
        "code_postal": "59140",
        "commune": "DUNKERQUE",
        "departement": "",
    }
    data.update(overrides)
    return data


def speaks_for(user, *ogs, fonction=FonctionOg.REFERENT):
    """Declare the user for these OGs: the ESMS they run join the user's grappe directly."""
    for og in ogs:
        OgPerson.objects.get_or_create(og=og, user=user, defaults={"fonction": fonction})
    return user


def errors_of(response):
    return response.context["form"].errors


def editable_grappe_without_porteur():
    grappe = GrappeFactory(name="Grappe naissante")
    OgMembership.objects.filter(grappe=grappe).delete()
    grappe.porteur = None
    grappe.save()
    owner = RoleFactory(grappe=grappe, kind=RoleKind.CHEF_PROJET).user
    return grappe, owner


# ---------------------------------------------------------------------------------------------
# Permissions: the cast on every view
# ---------------------------------------------------------------------------------------------


def cast_urls(cast):
    grappe = cast.grappe
    membership = grappe.memberships.first()
    og_membership = grappe.og_memberships.get(og=grappe.porteur)
    return {
        "esms_add": url("esms_add", grappe),
        "esms_lookup": url("esms_lookup", grappe) + "?finess_et=" + membership.esms.finess_et,
        "esms_edit": url("esms_edit", grappe, membership.pk),
        "esms_remove": url("esms_remove", grappe, membership.pk),
        "og_remove": url("og_remove", grappe, og_membership.pk),
    }


@pytest.mark.parametrize(
    "view", ["esms_add", "esms_lookup", "esms_edit", "esms_remove", "og_remove"]
)
def test_get_permission_cast(cast, client_for, view):
    assert_cast(cast, client_for, cast_urls(cast)[view], EDIT)


@pytest.mark.parametrize("view", ["esms_add", "esms_edit", "esms_remove", "og_remove"])
def test_post_refused_to_non_editors_changes_nothing(cast, client_for, view):
    esms = registry_esms()
    forbidden = {name: code for name, code in EDIT.items() if code not in (200, "login")}
    for name, code in forbidden.items():
        response = client_for(getattr(cast, name)).post(
            cast_urls(cast)[view],
            {"finess_et": esms.finess_et, "adhesion-type_projet": "conformite"},
        )
        assert response.status_code == code, name
    anonymous = client_for(None).post(cast_urls(cast)[view], {"finess_et": esms.finess_et})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/connexion/?next=")
    assert not EsmsMembership.objects.filter(esms=esms).exists()
    assert not cast.grappe.memberships.exclude(left_on=None).exists()
    assert not cast.grappe.memberships.exclude(type_projet="").exists()
    assert not cast.grappe.og_memberships.exclude(left_on=None).exists()
    assert not HistoryEntry.objects.filter(grappe=cast.grappe).exists()


def test_lookup_refuses_post(cast, client_for):
    response = client_for(cast.owner).post(url("esms_lookup", cast.grappe), {"finess_et": "x"})
    assert response.status_code == 405


def test_other_grappe_membership_is_not_found(cast, client_for):
    foreign = add_esms(cast.other_grappe, 1)[0].memberships.get()
    client = client_for(cast.admin)
    assert client.get(url("esms_edit", cast.grappe, foreign.pk)).status_code == 404
    assert client.post(url("esms_remove", cast.grappe, foreign.pk)).status_code == 404
    og_membership = cast.other_grappe.og_memberships.first()
    assert client.post(url("og_remove", cast.grappe, og_membership.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.left_on is None


# ---------------------------------------------------------------------------------------------
# Add page
# ---------------------------------------------------------------------------------------------


def test_add_page_lists_the_grappe_esms_with_counter(cast, client_for):
    response = client_for(cast.owner).get(url("esms_add", cast.grappe))
    html = response.content.decode()
    assert "Ajouter un ESMS par son numéro FINESS" in html
    assert "3 ESMS dans la grappe" in html
    for membership in cast.grappe.memberships.all():
        assert membership.esms.finess_et in html
        assert url("esms_remove", cast.grappe, membership.pk) in html
    assert cast.grappe.get_absolute_url() in html
    # htmx checks the number as it is typed; the result is announced.
    assert f'hx-get="{url("esms_lookup", cast.grappe)}"' in html
    assert 'hx-trigger="keyup changed delay:300ms, change"' in html
    assert 'id="resultat-finess" class="mb-3" aria-live="polite"' in html
    # The manual fields are always in the form (no JavaScript needed).
    for name in [
        "raison_sociale",
        "og_finess_ej",
        "og_raison_sociale",
        "categorie",
        "code_postal",
        "commune",
        "departement",
    ]:
        assert f'name="{name}"' in html
    assert re.search(r'<label\s+for="id_finess_et"', html)


def test_add_page_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    add_esms(cast.grappe, 17)
    add_esms(cast.grappe, 2, og=OrganismeGestionnaireFactory())
    client = client_for(cast.owner)
    with django_assert_max_num_queries(12):
        response = client.get(url("esms_add", cast.grappe))
    assert response.context["esms_count"] == 22
    assert "22 ESMS dans la grappe" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Add by a FINESS number
# ---------------------------------------------------------------------------------------------


def test_add_registry_esms(cast, client_for):
    grappe = cast.grappe
    esms = registry_esms()
    speaks_for(cast.owner, esms.og)
    response = client_for(cast.owner).post(
        url("esms_add", grappe),
        {
            "finess_et": f" {esms.finess_et[:3]} {esms.finess_et[3:]} ",
            "type_projet": "conformite",
            "situation_dui": "segur",
            "editeur": "Éditeur Ségur",
            "capacite": "80",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("esms_add", grappe)
    membership = EsmsMembership.objects.get(grappe=grappe, esms=esms)
    assert membership.left_on is None
    assert membership.type_projet == TypeProjet.CONFORMITE
    esms.refresh_from_db()
    assert esms.source == SourceDonnee.FINESS
    assert (esms.situation_dui, esms.editeur, esms.capacite) == (
        SituationDui.SEGUR,
        "Éditeur Ségur",
        80,
    )
    # Its OG joins the grappe as coopérateur; the porteur does not change.
    assert OgMembership.objects.filter(grappe=grappe, og=esms.og, left_on=None).exists()
    grappe.refresh_from_db()
    assert grappe.porteur_id != esms.og_id
    entry = HistoryEntry.objects.get(grappe=grappe, action="Ajout de l'ESMS")
    assert entry.user == cast.owner
    assert entry.target == str(esms)
    assert entry.changes["FINESS géographique"] == esms.finess_et
    assert entry.changes["Situation DUI"] == "DUI référencé Ségur"
    assert HistoryEntry.objects.filter(grappe=grappe, action="Entrée d'un coopérateur").count() == 1
    assert "« EHPAD LES GLYCINES » (FINESS " in messages_of(response)[0]


def test_hidden_manual_fields_do_not_block_a_registry_number(cast, client_for):
    esms = registry_esms()
    data = manual_data(esms.finess_et, og_finess_ej="n'importe quoi", code_postal="abc")
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), data)
    assert response.status_code == 302
    esms.refresh_from_db()
    assert esms.raison_sociale == "EHPAD LES GLYCINES"
    assert esms.source == SourceDonnee.FINESS


def test_add_registry_esms_keeps_its_data_when_fields_are_left_blank(cast, client_for):
    esms = registry_esms(situation_dui=SituationDui.A_FAIRE_EVOLUER, editeur="Ancien", capacite=12)
    response = client_for(cast.admin).post(
        url("esms_add", cast.grappe),
        {
            "finess_et": esms.finess_et,
            "type_projet": "",
            "situation_dui": "",
            "editeur": "",
            "capacite": "",
        },
    )
    assert response.status_code == 302
    esms.refresh_from_db()
    assert (esms.situation_dui, esms.editeur, esms.capacite) == (
        SituationDui.A_FAIRE_EVOLUER,
        "Ancien",
        12,
    )
    assert cast.grappe.memberships.get(esms=esms).type_projet == ""


def test_first_esms_makes_its_og_the_porteur(client_for, db):
    grappe, owner = editable_grappe_without_porteur()
    esms = registry_esms()
    second = registry_esms()
    speaks_for(owner, esms.og, second.og)
    response = client_for(owner).post(url("esms_add", grappe), {"finess_et": esms.finess_et})
    assert response.status_code == 302
    grappe.refresh_from_db()
    assert grappe.porteur == esms.og
    assert OgMembership.objects.filter(grappe=grappe, og=esms.og, left_on=None).exists()
    assert HistoryEntry.objects.filter(grappe=grappe, action="Désignation du porteur").exists()
    # The next OG is only a coopérateur.
    client_for(owner).post(url("esms_add", grappe), {"finess_et": second.finess_et})
    grappe.refresh_from_db()
    assert grappe.porteur == esms.og
    assert grappe.active_og_memberships().count() == 2


def test_add_unknown_number_with_manual_fields(cast, client_for):
    """Typed by hand with an OG unknown to Grappe: the records are created, and the national
    admin (nobody speaks for the new OG yet) agrees to the ESMS joining."""
    grappe = cast.grappe
    number = unknown_finess()
    data = manual_data(number)
    response = client_for(cast.owner).post(url("esms_add", grappe), data)
    assert response.status_code == 302, errors_of(response)
    esms = Esms.objects.get(finess_et=number)
    assert not grappe.memberships.filter(esms=esms).exists()
    join_request = JoinRequest.objects.get(grappe=grappe, esms=esms)
    decide = reverse("grappe:adhesion_decide", args=[join_request.pk])
    assert client_for(cast.owner).post(decide, {"decision": "accepter"}).status_code == 404
    assert client_for(cast.admin).post(decide, {"decision": "accepter"}).status_code == 302
    assert grappe.memberships.filter(esms=esms, left_on=None).exists()
    assert esms.source == SourceDonnee.SAISIE
    assert esms.raison_sociale == "SESSAD LES MOUETTES"
    assert esms.categorie.code == "182"
    assert (esms.code_postal, esms.commune) == ("59140", "DUNKERQUE")
    assert esms.departement == Departement.objects.get(code="59")  # deduced from the number
    assert (esms.situation_dui, esms.editeur, esms.capacite) == (
        "a_faire_evoluer",
        "Éditeur historique",
        45,
    )
    og = esms.og
    assert og.finess_ej == data["og_finess_ej"]
    assert og.raison_sociale == "ASSOCIATION DES MOUETTES"
    assert og.source == SourceDonnee.SAISIE
    assert OgMembership.objects.filter(grappe=grappe, og=og, left_on=None).exists()
    grappe.refresh_from_db()
    assert grappe.porteur_id != og.pk  # a coopérateur, not the porteur
    entry = HistoryEntry.objects.get(grappe=grappe, action="Ajout de l'ESMS")
    assert entry.changes["Origine"] == "Saisie manuelle"
    assert entry.changes["FINESS géographique"] == number


def test_add_unknown_number_with_an_existing_og(cast, client_for):
    porteur = cast.grappe.porteur
    number = unknown_finess()
    data = manual_data(
        number,
        og_finess_ej=porteur.finess_ej,
        og_raison_sociale="",
        departement=Departement.objects.get(code="62").pk,
    )
    count = OrganismeGestionnaire.objects.count()
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), data)
    assert response.status_code == 302
    esms = Esms.objects.get(finess_et=number)
    assert esms.og == porteur
    assert esms.departement.code == "62"
    assert OrganismeGestionnaire.objects.count() == count
    assert not HistoryEntry.objects.filter(action="Entrée d'un coopérateur").exists()


def shows_errors(html):
    return "is-invalid" in html or "invalid-feedback" in html


def test_add_page_shows_no_error_before_a_submit(cast, client_for):
    client = client_for(cast.owner)
    assert not shows_errors(client.get(url("esms_add", cast.grappe)).content.decode())
    # Without JavaScript, « check the number » renders the page with the manual entry open.
    response = client.get(url("esms_lookup", cast.grappe), {"finess_et": unknown_finess()})
    html = response.content.decode()
    assert 'data-etat="inconnu"' in html
    assert 'id="saisie-manuelle" class="border rounded p-3 mb-3">' in html
    assert not shows_errors(html)


def test_an_unknown_number_submitted_alone_asks_for_the_record_without_errors(cast, client_for):
    """Enter in the number field (or no JavaScript): the record is asked for, its empty
    fields are not flagged red before anything was typed in them."""
    number = unknown_finess()
    client = client_for(cast.owner)
    response = client.post(url("esms_add", cast.grappe), {"finess_et": number})
    assert response.status_code == 200
    assert not errors_of(response)
    html = response.content.decode()
    assert not shows_errors(html)
    assert (
        "Numéro valide mais inconnu du registre FINESS importé : complétez la fiche à la main"
        in html
    )
    assert 'id="saisie-manuelle" class="border rounded p-3 mb-3">' in html
    assert re.search(r'name="raison_sociale"[^>]*autofocus', html)
    assert not re.search(r'name="finess_et"[^>]*autofocus', html)
    assert not Esms.objects.filter(finess_et=number).exists()
    assert not cast.grappe.join_requests.exists()


def test_a_started_record_requires_the_manual_fields(cast, client_for):
    number = unknown_finess()
    response = client_for(cast.owner).post(
        url("esms_add", cast.grappe), {"finess_et": number, "commune": "DUNKERQUE"}
    )
    assert response.status_code == 200
    assert set(errors_of(response)) == {
        "raison_sociale",
        "og_finess_ej",
        "categorie",
        "code_postal",
    }
    assert shows_errors(response.content.decode())
    assert not Esms.objects.filter(finess_et=number).exists()


def test_the_category_list_holds_every_esms_category_grouped_by_domain(cast, client_for):
    """The registry's categories (grappe/reference/categories.toml), not only those of
    the grappe's ESMS: a résidence autonomie (202) may be typed by hand in a grappe of EHPAD."""
    response = client_for(cast.owner).get(url("esms_add", cast.grappe))
    field = response.context["form"].fields["categorie"]
    groups = [(label, options) for label, options in field.choices if label]
    assert [label for label, _ in groups] == [
        "Personnes âgées",
        "Personnes handicapées",
        "Domicile",
        "Protection de l'enfance",
        "Autre ESMS",
    ]
    labels = {label for _, options in groups for _, label in options}
    in_grappe = {m.esms.categorie.code for m in cast.grappe.active_memberships()}
    assert "202" not in in_grappe
    for wanted in (
        "Résidences autonomie — 202",
        "Service autonomie aide et soins (SAAS) — 209",
        "Service autonomie aide (SAA) — 460",
        "Institut Thérapeutique Éducatif et Pédagogique (I.T.E.P.) — 186",
    ):
        assert wanted in labels
    assert len(labels) >= 80
    assert not any(label.startswith("Centre Hospitalier") for label in labels)
    # By label within a domain, as a reader looks for it; the code follows.
    assert [label for _, label in dict(groups)["Personnes âgées"]] == [
        "Centre de Jour pour Personnes Agées — 207",
        "EHPA ne percevant pas des crédits d'assurance maladie — 502",
        "EHPA percevant des crédits d'assurance maladie — 501",
        "Etablissement d'hébergement pour personnes âgées dépendantes — 500",
        "Etablissement Expérimental pour Personnes Agées — 381",
        "Résidences autonomie — 202",
    ]
    html = response.content.decode()
    assert '<optgroup label="Personnes âgées">' in html


def test_manual_fields_are_validated(cast, client_for):
    hospital = CategorieFactory(code="355", libelle="Centre hospitalier", agregat_code="1102")
    data = manual_data(
        unknown_finess(),
        og_finess_ej=wrong_key(finess_number("59", 800001)),
        categorie=hospital.pk,
        code_postal="5914",
    )
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), data)
    errors = errors_of(response)
    assert "Clé de contrôle incorrecte" in errors["og_finess_ej"][0]
    assert "categorie" in errors  # hospitals are not ESMS
    assert errors["code_postal"] == ["Un code postal comporte 5 chiffres."]
    new_og = manual_data(unknown_finess(), og_raison_sociale="")
    errors = errors_of(client_for(cast.owner).post(url("esms_add", cast.grappe), new_og))
    assert errors["og_raison_sociale"] == [
        "Organisme gestionnaire inconnu de Grappe : indiquez sa raison sociale."
    ]
    assert not Esms.objects.filter(source=SourceDonnee.SAISIE).exists()


def test_overseas_unknown_number_requires_the_departement(cast, client_for):
    data = manual_data(unknown_finess(prefix="97", n=100001))
    errors = errors_of(client_for(cast.owner).post(url("esms_add", cast.grappe), data))
    assert errors["departement"] == ["Choisissez le département."]


def test_invalid_key_is_refused_in_french(cast, client_for):
    number = wrong_key(finess_number("59", 123456))
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), manual_data(number))
    assert response.status_code == 200
    key = expected_key(number[:8])
    assert errors_of(response)["finess_et"] == [
        f"Clé de contrôle incorrecte : avec ces 8 premiers chiffres, le 9e devrait être {key}. "
        "Vérifiez le numéro saisi."
    ]
    assert not Esms.objects.filter(finess_et=number).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("59000", "Un numéro FINESS comporte 9 caractères (5 saisis)."),
        ("5C0000011", "Seuls les départements corses 2A et 2B ont une lettre en 2e position."),
    ],
)
def test_malformed_numbers_are_refused(cast, client_for, value, message):
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": value})
    assert errors_of(response)["finess_et"] == [message]


def test_corsican_number_failing_the_key_is_accepted_with_a_warning(cast, client_for):
    number = corsican_finess_failing_key()
    response = client_for(cast.owner).post(url("esms_add", cast.grappe), manual_data(number))
    assert response.status_code == 302, errors_of(response)
    esms = Esms.objects.get(finess_et=number)
    assert esms.departement.code == "2A"
    assert any(
        "Clé de contrôle non vérifiable pour un numéro corse" in m for m in messages_of(response)
    )


def test_same_esms_twice_is_refused(cast, client_for):
    esms = cast.grappe.memberships.first().esms
    response = client_for(cast.owner).post(
        url("esms_add", cast.grappe), {"finess_et": esms.finess_et}
    )
    assert response.status_code == 200
    assert "déjà dans la grappe" in errors_of(response)["finess_et"][0]
    assert cast.grappe.memberships.filter(esms=esms).count() == 1


def test_esms_that_left_can_come_back(cast, client_for):
    membership = cast.grappe.memberships.first()
    membership.left_on = datetime.date(2025, 1, 1)
    membership.save()
    speaks_for(cast.owner, membership.esms.og)
    response = client_for(cast.owner).post(
        url("esms_add", cast.grappe), {"finess_et": membership.esms.finess_et}
    )
    assert response.status_code == 302
    assert cast.grappe.memberships.filter(esms=membership.esms).count() == 2


@pytest.mark.parametrize("neighbour_aap", ["generalisation", "amorcage_t1", None])
def test_esms_active_in_another_grappe_is_refused_whatever_the_aap(cast, client_for, neighbour_aap):
    """An ESMS is in one grappe at a time: another grappe, even of another call, cannot take it
    (nor its figures) until its chef de projet releases it."""
    cast.grappe.aap = Aap.objects.get(kind="generalisation")
    cast.grappe.save()
    aap = Aap.objects.get(kind=neighbour_aap) if neighbour_aap else None
    neighbour = GrappeFactory(name="Grappe de l'Avesnois", aap=aap)
    esms = add_esms(neighbour, 1, og=OrganismeGestionnaireFactory())[0]
    speaks_for(cast.owner, esms.og)  # even the OG's own people cannot move it
    response = client_for(cast.owner).post(
        url("esms_add", cast.grappe), {"finess_et": esms.finess_et}
    )
    assert response.status_code == 200
    error = errors_of(response)["finess_et"][0]
    assert "actif dans la grappe « Grappe de l'Avesnois »" in error
    assert "retiré de l'autre par son chef de projet" in error
    assert not cast.grappe.memberships.filter(esms=esms).exists()
    assert not JoinRequest.objects.filter(esms=esms).exists()
    assert neighbour.memberships.filter(esms=esms, left_on=None).exists()


def test_released_esms_joins_another_grappe_from_its_exit(cast, client_for):
    neighbour = GrappeFactory(name="Grappe de l'Avesnois")
    esms = add_esms(neighbour, 1, og=OrganismeGestionnaireFactory())[0]
    owner = RoleFactory(grappe=neighbour, kind=RoleKind.CHEF_PROJET).user
    released = neighbour.memberships.get(esms=esms)
    client_for(owner).post(url("esms_remove", neighbour, released.pk))
    released.refresh_from_db()
    assert released.left_on == timezone.localdate()
    speaks_for(cast.owner, esms.og)
    response = client_for(cast.owner).post(
        url("esms_add", cast.grappe), {"finess_et": esms.finess_et}
    )
    assert response.status_code == 302
    membership = cast.grappe.memberships.get(esms=esms, left_on=None)
    assert membership.joined_on == released.left_on


def test_join_without_speaking_for_the_og_asks_its_direction(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    esms = registry_esms()
    director = speaks_for(UserFactory(), esms.og, fonction=FonctionOg.DIRECTION)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.owner).post(
            url("esms_add", cast.grappe), {"finess_et": esms.finess_et}
        )
    assert response.status_code == 302
    assert not cast.grappe.memberships.filter(esms=esms).exists()
    request = JoinRequest.objects.get(grappe=cast.grappe, esms=esms)
    assert request.status == StatutAdhesion.EN_ATTENTE
    assert request.requested_by == cast.owner
    assert "envoyée à la direction" in messages_of(response)[0]
    assert [m.to for m in mailoutbox] == [[director.email]]
    assert "/grappes/adhesions/" in mailoutbox[0].body
    # Asking twice is refused.
    again = client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    assert "attend déjà l'accord" in errors_of(again)["finess_et"][0]
    # The page lists what waits.
    page = client_for(cast.owner).get(url("esms_add", cast.grappe))
    assert esms.finess_et in page.content.decode().split('data-testid="demandes-adhesion"')[1]


def test_og_direction_accepts_or_refuses(cast, client_for):
    accepted = registry_esms()
    refused = registry_esms(og=accepted.og)
    director = speaks_for(UserFactory(), accepted.og, fonction=FonctionOg.DIRECTION)
    for esms in (accepted, refused):
        client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    requests = {r.esms_id: r for r in JoinRequest.objects.all()}
    client = client_for(director)
    listing = client.get(reverse("grappe:adhesions"))
    assert listing.status_code == 200
    assert accepted.finess_et in listing.content.decode()
    decide = reverse("grappe:adhesion_decide", args=[requests[accepted.pk].pk])
    assert client.post(decide, {"decision": "accepter"}).status_code == 302
    refuse = reverse("grappe:adhesion_decide", args=[requests[refused.pk].pk])
    client.post(refuse, {"decision": "refuser", "motif": "Déjà engagé ailleurs"})
    membership = cast.grappe.memberships.get(esms=accepted, left_on=None)
    assert membership.joined_on == timezone.localdate()
    assert not cast.grappe.memberships.filter(esms=refused).exists()
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Ajout de l'ESMS")
    assert entry.changes["Accord de l'organisme gestionnaire"] == str(director)
    assert (
        HistoryEntry.objects.get(grappe=cast.grappe, action="Refus d'adhésion d'un ESMS").changes[
            "Motif"
        ]
        == "Déjà engagé ailleurs"
    )
    # A decided request cannot be decided again.
    client.post(refuse, {"decision": "accepter"})
    assert not cast.grappe.memberships.filter(esms=refused).exists()


def test_only_the_og_direction_decides(cast, client_for):
    esms = registry_esms()
    referent = speaks_for(UserFactory(), esms.og, fonction=FonctionOg.REFERENT)
    client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    join_request = JoinRequest.objects.get(esms=esms)
    decide = reverse("grappe:adhesion_decide", args=[join_request.pk])
    for user in (cast.owner, cast.stranger, cast.ars, referent):
        assert client_for(user).post(decide, {"decision": "accepter"}).status_code == 404
    assert not cast.grappe.memberships.filter(esms=esms).exists()
    assert client_for(cast.admin).post(decide, {"decision": "accepter"}).status_code == 302
    assert cast.grappe.memberships.filter(esms=esms, left_on=None).exists()


def test_only_the_chef_de_projet_releases_an_esms(cast, client_for):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory()).user
    membership = cast.grappe.memberships.first()
    response = client_for(amoa).post(url("esms_remove", cast.grappe, membership.pk))
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.left_on is None


def test_joining_date_never_overlaps_the_previous_grappe(cast, client_for):
    membership = cast.grappe.memberships.first()
    previous = GrappeFactory(name="Grappe précédente")
    EsmsMembership.objects.create(
        grappe=previous,
        esms=membership.esms,
        joined_on=datetime.date(2020, 1, 1),
        left_on=datetime.date(2026, 3, 15),
    )
    response = client_for(cast.owner).post(
        url("esms_edit", cast.grappe, membership.pk),
        {"adhesion-type_projet": "", "adhesion-joined_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "quitté sa grappe précédente le 15/03/2026" in str(
        response.context["membership_form"].errors
    )


# ---------------------------------------------------------------------------------------------
# Lookup partial
# ---------------------------------------------------------------------------------------------


def lookup(client, grappe, **params):
    response = client.get(url("esms_lookup", grappe), params, **HX)
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["grappe/_esms_lookup.html"]
    return response.content.decode()


def test_lookup_registry_card(cast, client_for):
    esms = registry_esms()
    html = lookup(client_for(cast.owner), cast.grappe, finess_et=esms.finess_et)
    assert 'data-etat="registre"' in html
    for text in [
        "EHPAD LES GLYCINES",
        esms.og.name,
        esms.og.finess_ej,
        "500 — Etablissement",
        "59100 ROUBAIX",
    ]:
        assert text in html
    assert "une demande d'adhésion sera envoyée à la direction de" in html
    speaks_for(cast.owner, esms.og)
    html = lookup(client_for(cast.owner), cast.grappe, finess_et=esms.finess_et)
    assert "peut être ajouté à la grappe" in html


def test_lookup_states(cast, client_for):
    client = client_for(cast.owner)
    assert 'data-etat="vide"' in lookup(client, cast.grappe, finess_et="")
    html = lookup(client, cast.grappe, finess_et=wrong_key(finess_number("59", 123456)))
    assert 'data-etat="erreur"' in html
    assert "Clé de contrôle incorrecte" in html
    html = lookup(client, cast.grappe, finess_et=unknown_finess())
    assert 'data-etat="inconnu"' in html
    assert (
        "Numéro valide mais inconnu du registre FINESS importé : complétez la fiche à la main"
        in html
    )
    html = lookup(client, cast.grappe, finess_et=cast.grappe.memberships.first().esms.finess_et)
    assert 'data-etat="refuse"' in html
    assert "Déjà dans la grappe." in html
    html = lookup(client, cast.grappe, finess_et=corsican_finess_failing_key())
    assert 'data-etat="inconnu"' in html
    assert "Clé de contrôle non vérifiable" in html


def test_lookup_names_the_other_grappe(cast, client_for):
    aap = Aap.objects.get(kind="generalisation")
    cast.grappe.aap = aap
    cast.grappe.save()
    neighbour = GrappeFactory(name="Grappe de l'Avesnois", aap=aap)
    esms = add_esms(neighbour, 1, og=OrganismeGestionnaireFactory())[0]
    client = client_for(cast.owner)
    html = lookup(client, cast.grappe, finess_et=esms.finess_et)
    assert 'data-etat="refuse"' in html
    assert "Grappe de l&#x27;Avesnois" in html
    neighbour.aap = Aap.objects.get(kind="amorcage_t2")
    neighbour.save()
    html = lookup(client, cast.grappe, finess_et=esms.finess_et)
    assert 'data-etat="refuse"' in html


def test_lookup_of_the_og_number(cast, client_for):
    client = client_for(cast.owner)
    porteur = cast.grappe.porteur
    html = lookup(client, cast.grappe, og_finess_ej=porteur.finess_ej)
    assert "Organisme gestionnaire connu" in html
    assert porteur.raison_sociale in html
    html = lookup(client, cast.grappe, og_finess_ej=finess_number("59", 800001))
    assert "Organisme gestionnaire inconnu de Grappe" in html
    html = lookup(client, cast.grappe, og_finess_ej="12345")
    assert "9 caractères" in html


def test_lookup_without_htmx_renders_the_add_page(cast, client_for):
    esms = registry_esms()
    response = client_for(cast.owner).get(
        url("esms_lookup", cast.grappe), {"finess_et": esms.finess_et, "editeur": "Mon éditeur"}
    )
    assert "grappe/esms_add.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "EHPAD LES GLYCINES" in html
    assert f'value="{esms.finess_et}"' in html
    assert 'value="Mon éditeur"' in html
    # The registry knows the number: the manual entry is hidden.
    assert 'id="saisie-manuelle" class="border rounded p-3 mb-3" hidden' in html


# ---------------------------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------------------------


def edit_data(membership, **overrides):
    esms = membership.esms
    data = {
        "adhesion-type_projet": membership.type_projet,
        "adhesion-joined_on": membership.joined_on.isoformat(),
        "esms-situation_dui": esms.situation_dui,
        "esms-editeur": esms.editeur,
        "esms-capacite": esms.capacite or "",
    }
    data.update(overrides)
    return data


def test_edit_membership_and_esms_data(cast, client_for):
    membership = cast.grappe.memberships.first()
    original_name = membership.esms.raison_sociale
    data = edit_data(
        membership,
        **{
            "adhesion-type_projet": "conformite",
            "adhesion-joined_on": "2025-01-15",
            "esms-situation_dui": "segur",
            "esms-editeur": "Éditeur Ségur",
            "esms-capacite": "60",
            "esms-raison_sociale": "NOM PIRATE",  # FINESS identity: not editable here
        },
    )
    response = client_for(cast.owner).post(url("esms_edit", cast.grappe, membership.pk), data)
    assert response.status_code == 302
    assert response["Location"] == cast.grappe.get_absolute_url()
    membership.refresh_from_db()
    esms = membership.esms
    assert membership.type_projet == "conformite"
    assert membership.joined_on == datetime.date(2025, 1, 15)
    assert (esms.situation_dui, esms.editeur, esms.capacite) == ("segur", "Éditeur Ségur", 60)
    assert esms.raison_sociale == original_name
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Modification de l'ESMS")
    assert entry.target == str(esms)
    assert entry.changes["Type de projet"] == [
        "Comme la grappe (Acquisition)",
        "Mise en conformité",
    ]
    assert entry.changes["Situation DUI"] == ["Pas de DUI", "DUI référencé Ségur"]
    assert entry.changes["Capacité (places)"] == ["", "60"]


def test_edit_page_shows_identity_fields_for_manual_esms_only(cast, client_for):
    client = client_for(cast.owner)
    registry = cast.grappe.memberships.first()
    response = client.get(url("esms_edit", cast.grappe, registry.pk))
    assert "raison_sociale" not in response.context["esms_form"].fields
    manual = add_esms(cast.grappe, 1, source=SourceDonnee.SAISIE)[0].memberships.get()
    response = client.get(url("esms_edit", cast.grappe, manual.pk))
    assert {"raison_sociale", "code_postal", "commune", "categorie"} <= set(
        response.context["esms_form"].fields
    )


def test_edit_manual_esms_identity(cast, client_for):
    esms = add_esms(cast.grappe, 1, source=SourceDonnee.SAISIE)[0]
    membership = esms.memberships.get()
    sessad = CategorieFactory(code="182", libelle="SESSAD", agregat_code="4101")
    data = edit_data(
        membership,
        **{
            "esms-raison_sociale": "SESSAD DU LITTORAL",
            "esms-code_postal": "59140",
            "esms-commune": "DUNKERQUE",
            "esms-categorie": sessad.pk,
        },
    )
    response = client_for(cast.owner).post(url("esms_edit", cast.grappe, membership.pk), data)
    assert response.status_code == 302
    esms.refresh_from_db()
    assert (esms.raison_sociale, esms.code_postal, esms.commune, esms.categorie) == (
        "SESSAD DU LITTORAL",
        "59140",
        "DUNKERQUE",
        sessad,
    )
    entry = HistoryEntry.objects.get(action="Modification de l'ESMS")
    assert entry.changes["Catégorie"][0].startswith("500 — ")
    assert entry.changes["Catégorie"][1] == str(sessad)


def test_edit_without_change_writes_no_history(cast, client_for):
    membership = cast.grappe.memberships.first()
    response = client_for(cast.owner).post(
        url("esms_edit", cast.grappe, membership.pk), edit_data(membership)
    )
    assert response.status_code == 302
    assert not HistoryEntry.objects.exists()


def test_edit_of_a_past_membership_is_not_found(cast, client_for):
    membership = cast.grappe.memberships.first()
    membership.left_on = datetime.date(2025, 1, 1)
    membership.save()
    assert (
        client_for(cast.owner).get(url("esms_edit", cast.grappe, membership.pk)).status_code == 404
    )


# ---------------------------------------------------------------------------------------------
# Remove an ESMS, remove an OG
# ---------------------------------------------------------------------------------------------


def test_remove_confirmation_page_changes_nothing(cast, client_for):
    og = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DU LITTORAL")
    membership = add_esms(cast.grappe, 1, og=og)[0].memberships.get()
    response = client_for(cast.owner).get(url("esms_remove", cast.grappe, membership.pk))
    html = response.content.decode()
    assert "grappe/confirm_remove.html" in [t.name for t in response.templates]
    assert 'method="post"' in html
    assert "cessera aussi d&#x27;en être coopérateur" in html
    membership.refresh_from_db()
    assert membership.left_on is None


def test_remove_keeps_the_row_and_closes_the_og_membership(cast, client_for):
    og = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DU LITTORAL")
    esms = add_esms(cast.grappe, 1, og=og)[0]
    membership = esms.memberships.get()
    response = client_for(cast.owner).post(url("esms_remove", cast.grappe, membership.pk))
    assert response.status_code == 302
    assert response["Location"] == cast.grappe.get_absolute_url()
    today = timezone.localdate()
    membership.refresh_from_db()  # never deleted
    assert membership.left_on == today
    og_membership = OgMembership.objects.get(grappe=cast.grappe, og=og)
    assert og_membership.left_on == today
    actions = set(HistoryEntry.objects.filter(grappe=cast.grappe).values_list("action", flat=True))
    assert actions == {"Retrait de l'ESMS", "Sortie d'un coopérateur"}
    assert (
        HistoryEntry.objects.get(action="Retrait de l'ESMS").changes["FINESS géographique"]
        == esms.finess_et
    )


def test_remove_keeps_the_og_while_it_has_esms_or_is_the_porteur(cast, client_for):
    client = client_for(cast.owner)
    porteur = cast.grappe.porteur
    memberships = list(cast.grappe.memberships.all())
    for membership in memberships:
        assert client.post(url("esms_remove", cast.grappe, membership.pk)).status_code == 302
    # The porteur stays a coopérateur even without ESMS.
    assert OgMembership.objects.get(grappe=cast.grappe, og=porteur).left_on is None
    assert cast.grappe.memberships.filter(left_on=None).count() == 0
    assert cast.grappe.memberships.count() == 3
    # Another OG with two ESMS stays after the first one leaves.
    og = OrganismeGestionnaireFactory()
    first, _second = add_esms(cast.grappe, 2, og=og)
    client.post(url("esms_remove", cast.grappe, first.memberships.get().pk))
    assert OgMembership.objects.get(grappe=cast.grappe, og=og).left_on is None


def test_remove_twice_is_not_found(cast, client_for):
    membership = cast.grappe.memberships.first()
    client = client_for(cast.owner)
    assert client.post(url("esms_remove", cast.grappe, membership.pk)).status_code == 302
    assert client.post(url("esms_remove", cast.grappe, membership.pk)).status_code == 404


def test_og_remove_refuses_the_porteur(cast, client_for):
    for membership in cast.grappe.memberships.all():
        membership.left_on = timezone.localdate()
        membership.save()
    og_membership = cast.grappe.og_memberships.get(og=cast.grappe.porteur)
    client = client_for(cast.owner)
    page = client.get(url("og_remove", cast.grappe, og_membership.pk)).content.decode()
    assert "est le porteur de la grappe" in page
    assert 'method="post"' not in page.split('id="contenu"')[1]
    response = client.post(url("og_remove", cast.grappe, og_membership.pk))
    assert response.status_code == 302
    assert any("est le porteur de la grappe" in m for m in messages_of(response))
    og_membership.refresh_from_db()
    assert og_membership.left_on is None
    assert not HistoryEntry.objects.exists()


def test_og_remove_refuses_an_og_with_active_esms(cast, client_for):
    og = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DU LITTORAL")
    add_esms(cast.grappe, 2, og=og)
    og_membership = cast.grappe.og_memberships.get(og=og)
    response = client_for(cast.owner).post(url("og_remove", cast.grappe, og_membership.pk))
    assert response.status_code == 302
    assert (
        "ASSOCIATION DU LITTORAL a encore 2 ESMS dans la grappe : retirez-les d'abord."
        in messages_of(response)
    )
    og_membership.refresh_from_db()
    assert og_membership.left_on is None


def test_og_remove_closes_the_og_membership(cast, client_for):
    og = OrganismeGestionnaireFactory(raison_sociale="ASSOCIATION DU LITTORAL")
    og_membership = OgMembership.objects.create(grappe=cast.grappe, og=og)
    client = client_for(cast.owner)
    page = client.get(url("og_remove", cast.grappe, og_membership.pk)).content.decode()
    assert "Retirer l&#x27;organisme gestionnaire" in page
    response = client.post(url("og_remove", cast.grappe, og_membership.pk))
    assert response.status_code == 302
    assert response["Location"] == cast.grappe.get_absolute_url()
    og_membership.refresh_from_db()
    assert og_membership.left_on == timezone.localdate()
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action="Sortie d'un coopérateur")
    assert entry.user == cast.owner
    assert entry.target == str(og)


def test_amoa_consultant_edits_esms_data_but_not_the_composition(cast, client_for):
    """grappe.perms.can_decide_composition: the consultant assists the chef de projet, who
    decides who is in the grappe; the ESMS's own data is theirs to fill in."""
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA, user=UserFactory()).user
    client = client_for(amoa)
    esms = registry_esms()
    response = client.post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    assert response.status_code == 403
    assert "Seul le chef de projet de la grappe" in response.content.decode()
    assert not JoinRequest.objects.filter(grappe=cast.grappe, esms=esms).exists()
    assert (
        client.get(url("esms_lookup", cast.grappe), {"finess_et": esms.finess_et}).status_code
        == 403
    )
    membership = cast.grappe.memberships.first()
    page = client.get(url("esms_edit", cast.grappe, membership.pk))
    assert page.status_code == 200
    assert page.context["membership_form"] is None and page.context["esms_form"] is not None
    data = {
        "esms-situation_dui": SituationDui.SEGUR,
        "esms-editeur": "Éditeur B",
        "esms-capacite": "80",
        # Ignored: the project type and the entry date are not the consultant's to change.
        "adhesion-joined_on": "2001-01-01",
    }
    joined_on = membership.joined_on
    assert client.post(url("esms_edit", cast.grappe, membership.pk), data).status_code == 302
    membership.refresh_from_db()
    membership.esms.refresh_from_db()
    assert membership.esms.editeur == "Éditeur B" and membership.esms.capacite == 80
    assert membership.joined_on == joined_on


def test_only_the_admin_moves_the_entry_date_earlier(cast, client_for):
    """Backdating the entry would give the grappe months (and usage figures) it did not hold."""
    membership = cast.grappe.memberships.first()
    membership.joined_on = datetime.date(2026, 11, 1)
    membership.save()
    data = edit_data(membership, **{"adhesion-joined_on": "2001-01-01"})
    response = client_for(cast.owner).post(url("esms_edit", cast.grappe, membership.pk), data)
    assert response.status_code == 200
    error = response.context["membership_form"].errors["joined_on"][0]
    assert "avant le 01/11/2026 que par l'administrateur national" in error
    later = edit_data(membership, **{"adhesion-joined_on": "2026-11-20"})
    assert (
        client_for(cast.owner).post(url("esms_edit", cast.grappe, membership.pk), later).status_code
        == 302
    )
    assert (
        client_for(cast.admin).post(url("esms_edit", cast.grappe, membership.pk), data).status_code
        == 302
    )
    membership.refresh_from_db()
    assert membership.joined_on == datetime.date(2001, 1, 1)


def test_a_later_membership_elsewhere_does_not_block_editing(cast, client_for):
    """An ESMS released by another grappe it joined after this one (a double resolved by
    migration 0007) does not stop this grappe from saving its membership."""
    membership = cast.grappe.memberships.first()
    EsmsMembership.objects.create(
        grappe=GrappeFactory(),
        esms=membership.esms,
        joined_on=datetime.date(2025, 6, 1),
        left_on=datetime.date(2025, 6, 1),
    )
    data = edit_data(membership, **{"adhesion-type_projet": "conformite"})
    response = client_for(cast.owner).post(url("esms_edit", cast.grappe, membership.pk), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.type_projet == "conformite"


def test_a_refusal_holds_for_thirty_days(cast, client_for):
    esms = registry_esms()
    client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    join_request = JoinRequest.objects.get(esms=esms)
    decide = reverse("grappe:adhesion_decide", args=[join_request.pk])
    client_for(cast.admin).post(decide, {"decision": "refuser"})
    again = client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    assert "a refusé l'adhésion de cet ESMS" in errors_of(again)["finess_et"][0]
    assert JoinRequest.objects.filter(esms=esms).count() == 1


def test_accepting_one_request_cancels_the_others(cast, client_for):
    esms = registry_esms()
    other = GrappeFactory(name="Grappe voisine")
    other_owner = RoleFactory(grappe=other, kind=RoleKind.CHEF_PROJET).user
    client_for(cast.owner).post(url("esms_add", cast.grappe), {"finess_et": esms.finess_et})
    client_for(other_owner).post(url("esms_add", other), {"finess_et": esms.finess_et})
    first, second = JoinRequest.objects.order_by("pk")
    client_for(cast.admin).post(
        reverse("grappe:adhesion_decide", args=[first.pk]), {"decision": "accepter"}
    )
    second.refresh_from_db()
    assert second.status == StatutAdhesion.ANNULEE
    assert "Grappe des Flandres" in second.reason
    # A request still open when the ESMS joined elsewhere is cancelled, not left hanging.
    second.status = StatutAdhesion.EN_ATTENTE
    second.save()
    client_for(cast.admin).post(
        reverse("grappe:adhesion_decide", args=[second.pk]), {"decision": "accepter"}
    )
    second.refresh_from_db()
    assert second.status == StatutAdhesion.ANNULEE
    assert not other.memberships.filter(esms=esms).exists()
