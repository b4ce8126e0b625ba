"""The registry pages: search the FINESS registry, upload → simulate → apply a FINESS file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grappe.enums import RoleKind, StatutImport, StatutLigneImport
from grappe.finess_import import import_finess
from grappe.models import Departement, Esms, FinessImport
from tests.grappe.factories import (
    CategorieFactory,
    EsmsFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    finess_number,
)
from tests.grappe.test_finess import EXTRACT
from tests.helpers import assert_cast, messages_of

pytestmark = pytest.mark.django_db

EXTRACT_BYTES = EXTRACT.read_bytes()

# The registry is for those who build grappes: national admins and the editors (chef de projet,
# AMOA) of a grappe. The stranger is the chef de projet of another grappe, so an editor too.
REGISTRE = {
    "owner": 200,
    "member": 403,
    "copil": 403,
    "ars": 403,
    "ars_other": 403,
    "stranger": 200,
    "admin": 200,
}
ADMIN_ONLY = {
    "owner": 403,
    "member": 403,
    "copil": 403,
    "ars": 403,
    "ars_other": 403,
    "stranger": 403,
    "admin": 200,
}


def upload(client, content=EXTRACT_BYTES, name="etalab-cs1100502.csv", **data):
    return client.post(
        reverse("grappe:finess_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **data},
    )


def registre_numbers(response):
    return {esms.finess_et for esms in response.context["page"].object_list}


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


def test_registre_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:registre"), REGISTRE)


def test_registre_is_open_to_an_amoa_consultant(cast, client_for):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    assert client_for(amoa).get(reverse("grappe:registre")).status_code == 200
    sponsor = RoleFactory(grappe=cast.grappe, kind=RoleKind.SPONSOR).user
    assert client_for(sponsor).get(reverse("grappe:registre")).status_code == 403


def test_import_page_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:finess_import"), ADMIN_ONLY)


def test_import_detail_permission_cast(cast, client_for):
    finess_import = FinessImport.objects.create(
        original_name="f.csv", status=StatutImport.SIMULATION, file="imports/finess/f.csv"
    )
    url = reverse("grappe:finess_import_detail", args=[finess_import.pk])
    assert_cast(cast, client_for, url, ADMIN_ONLY)


def test_only_admins_can_upload_or_apply(cast, client_for):
    client = client_for(cast.owner)
    assert upload(client).status_code == 403
    assert not FinessImport.objects.exists()

    upload(client_for(cast.admin))
    simulation = FinessImport.objects.get()
    for user in [cast.owner, cast.member, cast.copil, cast.ars, cast.stranger]:
        response = client_for(user).post(
            reverse("grappe:finess_import_detail", args=[simulation.pk]), {"action": "apply"}
        )
        assert response.status_code == 403
    simulation.refresh_from_db()
    assert simulation.status == StatutImport.SIMULATION
    assert not Esms.objects.filter(finess_et="970302287").exists()


def test_registry_nav_link_goes_to_an_allowed_page(cast, client_for):
    response = client_for(cast.admin).get(reverse("grappe:registre"))
    assert 'href="/grappes/registre/import/"' in response.content.decode()
    response = client_for(cast.owner).get(reverse("grappe:registre"))
    assert "Importer un fichier FINESS" not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Upload → simulation → apply
# ---------------------------------------------------------------------------------------------


def test_upload_simulates_then_apply_writes(cast, client_for):
    client = client_for(cast.admin)
    esms_before = Esms.objects.count()

    response = upload(client)

    simulation = FinessImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grappe:finess_import_detail", args=[simulation.pk])
    assert simulation.status == StatutImport.SIMULATION
    assert simulation.user == cast.admin
    assert simulation.original_name == "etalab-cs1100502.csv"
    assert not simulation.include_all
    assert simulation.counts[StatutLigneImport.CREEE] == 5
    assert simulation.counts[StatutLigneImport.IGNOREE] == 9
    assert simulation.file.storage.exists(simulation.file.name)
    assert Esms.objects.count() == esms_before  # nothing written
    assert "Simulation terminée" in messages_of(response)[0]

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Appliquer l'import" in html
    assert "Simulation (rien n&#x27;est écrit)" in html
    assert page.context["rows"][0] == ("Créée", 5)
    assert "Aucune ligne rejetée." in html

    applied = client.post(response["Location"], {"action": "apply"})
    assert applied.status_code == 302
    simulation.refresh_from_db()
    assert simulation.status == StatutImport.APPLIQUE
    assert Esms.objects.count() == esms_before + 5
    assert messages_of(applied)[-1] == "Import appliqué : 5 fiches créées, 0 mise à jour."
    page = client.get(response["Location"])
    assert "Appliquer l'import" not in page.content.decode()

    again = client.post(response["Location"], {"action": "apply"})
    assert messages_of(again)[-1] == (
        "Cet import a déjà été appliqué : il ne peut pas l'être une seconde fois."
    )
    assert Esms.objects.count() == esms_before + 5


def test_upload_all_categories(cast, client_for):
    client = client_for(cast.admin)
    upload(client, include_all="on")
    simulation = FinessImport.objects.get()
    assert simulation.include_all
    client.post(reverse("grappe:finess_import_detail", args=[simulation.pk]), {"action": "apply"})
    numbers = {line.split(b";")[1].decode() for line in EXTRACT_BYTES.splitlines()[1:]}
    assert Esms.objects.filter(finess_et__in=numbers).count() == 14


def test_unknown_action_changes_nothing(cast, client_for):
    client = client_for(cast.admin)
    upload(client)
    simulation = FinessImport.objects.get()
    response = client.post(
        reverse("grappe:finess_import_detail", args=[simulation.pk]), {"action": "supprimer"}
    )
    assert messages_of(response)[-1] == "Action inconnue."
    simulation.refresh_from_db()
    assert simulation.status == StatutImport.SIMULATION


def test_rejected_lines_are_shown_with_their_line_number(cast, client_for):
    content = EXTRACT_BYTES.replace(b"970210126;970210118", b"970210127;970210118")
    client = client_for(cast.admin)
    response = upload(client, content=content)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "1 ligne rejetée" in html
    assert '<th scope="row">6</th><td>970210127</td>' in html
    assert "Numéro FINESS géographique (ET) invalide" in html


def test_a_non_finess_file_is_refused_by_the_form(cast, client_for):
    response = upload(client_for(cast.admin), content=b"nom;prenom\nDupont;Jean\n")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Ce fichier ne ressemble pas à une extraction FINESS : sa première ligne devrait être "
        "le commentaire « finess;etalab;… »."
    ]
    assert not FinessImport.objects.exists()


def test_a_file_with_a_finess_comment_but_no_record_fails(cast, client_for):
    client = client_for(cast.admin)
    response = upload(client, content=b"finess;etalab;111;2026-05-12\nrien;du;tout\n")
    failed = FinessImport.objects.get()
    assert failed.status == StatutImport.ECHEC
    assert messages_of(response)[0].startswith("Fichier refusé : Aucun enregistrement FINESS")
    page = client.get(response["Location"])
    assert "Import en échec." in page.content.decode()
    assert not page.context["can_apply"]
    refused = client.post(response["Location"], {"action": "apply"})
    assert messages_of(refused)[-1] == "Cet import a échoué : déposez à nouveau le fichier."


def test_too_large_a_file_is_refused(cast, client_for, monkeypatch):
    monkeypatch.setattr("grappe.forms.registre.MAX_UPLOAD_SIZE", 1000)
    response = upload(client_for(cast.admin))
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("Fichier trop volumineux")
    assert not FinessImport.objects.exists()


def test_a_utf8_bom_file_passes_the_form(cast, client_for):
    upload(client_for(cast.admin), content=b"\xef\xbb\xbf" + EXTRACT_BYTES)
    assert FinessImport.objects.get().encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXTRACT_BYTES.decode("latin-1").encode("utf-16"), "Le fichier est en UTF-16 :"),
        (EXTRACT_BYTES.decode("latin-1").encode("utf-16-le"), "Le fichier est en UTF-16 :"),
        (b"finess;\x00\x01\x02" * 20, "Le fichier contient des octets nuls"),
    ],
)
def test_a_file_in_another_encoding_is_refused_by_name(cast, client_for, content, message):
    response = upload(client_for(cast.admin), content=content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith(message)
    assert not FinessImport.objects.exists()


def test_import_page_lists_previous_imports(cast, client_for):
    client = client_for(cast.admin)
    upload(client, name="premier.csv")
    upload(client, name="second.csv")
    response = client.get(reverse("grappe:finess_import"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "premier.csv" in html and "second.csv" in html
    assert [i.original_name for i in response.context["page"].object_list] == [
        "second.csv",
        "premier.csv",
    ]


# ---------------------------------------------------------------------------------------------
# Searching the registry
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def registry(cast):
    import_finess(EXTRACT_BYTES, include_all=True)
    return cast


def search(client, **params):
    return client.get(reverse("grappe:registre"), params)


def test_first_visit_shows_esms_only(registry, client_for):
    response = search(client_for(registry.owner))
    numbers = registre_numbers(response)
    assert {"970302287", "970210126", "980501506"} <= numbers
    assert "010000024" not in numbers  # a hospital
    assert response.context["form"]["esms_only"].value() is True


def test_unticking_esms_only_shows_every_category(registry, client_for):
    response = search(client_for(registry.owner), q="")
    assert "010000024" in registre_numbers(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("970302287", {"970302287"}),  # FINESS ET
        ("970 302 287", {"970302287"}),
        ("970302022", {"970302287", "970300026"}),  # FINESS EJ: the hospital and its EHPAD
        ("mavouna", {"980501506"}),  # name
        ("fort de france", {"970216057"}),  # commune
        ("97224", {"970210126"}),  # postal code
        ("974", {"970400024", "970405767", "970409645"}),  # start of the postal codes
    ],
)
def test_search(registry, client_for, query, expected):
    response = search(client_for(registry.admin), q=query)
    assert registre_numbers(response) == expected


def test_filters(registry, client_for):
    client = client_for(registry.admin)
    martinique = Departement.objects.get(code="9B")
    response = search(client, departement=martinique.pk, esms_only="on")
    assert registre_numbers(response) == {"970210126", "970216057"}

    ehpad = Esms.objects.get(finess_et="970302287").categorie
    response = search(client, categorie=ehpad.pk)
    assert "970302287" in registre_numbers(response)
    assert all(e.categorie_id == ehpad.pk for e in response.context["page"].object_list)


def test_registry_table_shows_og_category_and_source(registry, client_for):
    response = search(client_for(registry.admin), q="970216057")
    html = response.content.decode()
    assert "ALEFPA S.M.J.P.M" in html
    assert "FINESS juridique 590799730" in html
    assert "340 — Service mandataire judiciaire à la protection des majeurs" in html
    assert "97200 FORT DE FRANCE" in html
    assert "Import FINESS" in html
    assert "<caption>1 établissement pour « 970216057 »</caption>" in html


def test_invalid_filter_shows_nothing(registry, client_for):
    response = search(client_for(registry.admin), departement="999999")
    assert response.status_code == 200
    assert registre_numbers(response) == set()
    assert "Critères de recherche invalides" in response.content.decode()


def make_registry(count):
    og = OrganismeGestionnaireFactory()
    categorie = CategorieFactory()
    for _ in range(count):
        EsmsFactory(og=og, categorie=categorie)


def test_pagination_keeps_the_criteria(cast, client_for):
    make_registry(30)  # and the 3 ESMS of the cast's grappe
    client = client_for(cast.admin)
    first = search(client, q="EHPAD", esms_only="on")
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.count == 33
    assert 'href="?q=EHPAD&amp;esms_only=on&amp;page=2"' in first.content.decode()
    second = search(client, q="EHPAD", esms_only="on", page=2)
    assert len(second.context["page"].object_list) == 8


def test_registry_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    make_registry(30)
    client = client_for(cast.owner)
    client.get(reverse("grappe:registre"))  # warm the session
    with django_assert_max_num_queries(12):
        response = search(client, q="EHPAD", esms_only="on")
    assert len(response.context["page"].object_list) == 25


def test_a_user_without_role_gets_403(client_for, db):
    user = UserFactory()
    assert client_for(user).get(reverse("grappe:registre")).status_code == 403


def test_number_helper_is_valid():
    # The registry fixtures rely on the factories' numbers being real-looking FINESS numbers.
    assert finess_number("59", 1) == "590000014"
