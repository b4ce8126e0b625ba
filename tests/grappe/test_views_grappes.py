import pytest
from django.urls import reverse

from grappe.enums import FonctionOg, RoleKind, TypeComite
from grappe.models import Aap, Grappe, HistoryEntry, OgPerson, Region, Role
from tests.candidatures.factories import campagne_for, filed
from tests.grappe.factories import (
    GrappeFactory,
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
)
from tests.helpers import EDIT, READ, assert_cast, pdf_text

pytestmark = pytest.mark.django_db

# Expected status per member of the cast. 404: the grappe is invisible to them.


def test_detail_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:detail", args=[cast.grappe.pk]), READ)


def test_history_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:history", args=[cast.grappe.pk]), READ)


def test_fiche_pdf_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:fiche_pdf", args=[cast.grappe.pk]), READ)


def test_edit_permission_cast(cast, client_for):
    assert_cast(cast, client_for, reverse("grappe:edit", args=[cast.grappe.pk]), EDIT)


def test_list_is_scoped_by_user(cast, client_for):
    url = reverse("grappe:list")
    seen = {}
    for name, user in cast.users().items():
        response = client_for(user).get(url)
        if user is None:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        seen[name] = {g.name for g in response.context["page"].object_list}
    assert seen["owner"] == {"Grappe des Flandres"}
    assert seen["member"] == {"Grappe des Flandres"}
    assert seen["copil"] == {"Grappe des Flandres"}
    assert seen["ars"] == {"Grappe des Flandres"}
    assert seen["ars_other"] == {"Grappe lointaine"}
    assert seen["stranger"] == {"Grappe lointaine"}
    assert seen["admin"] == {"Grappe des Flandres", "Grappe lointaine"}


def test_list_query_count_does_not_grow_with_grappes(
    cast, client_for, django_assert_max_num_queries
):
    for _ in range(30):
        add_esms(GrappeFactory(), 2)
    client = client_for(cast.admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("grappe:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 32


def test_list_search_by_esms_finess(cast, client_for):
    finess = cast.grappe.memberships.first().esms.finess_et
    response = client_for(cast.admin).get(reverse("grappe:list"), {"q": finess})
    assert [g.name for g in response.context["page"].object_list] == ["Grappe des Flandres"]


def test_empty_list_says_so(client_for, db):
    user = UserFactory()
    response = client_for(user).get(reverse("grappe:list"))
    assert "Aucune grappe pour l'instant" in response.content.decode()


def test_detail_shows_composition_eligibility_and_funding(cast, client_for):
    response = client_for(cast.owner).get(reverse("grappe:detail", args=[cast.grappe.pk]))
    html = response.content.decode()
    for membership in cast.grappe.memberships.all():
        assert membership.esms.finess_et in html
    assert cast.grappe.porteur.finess_ej in html
    assert "Éligibilité" in html
    assert "Simulation du financement" in html
    assert response.context["can_edit"] is True


def test_detail_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    add_esms(cast.grappe, 25)
    client = client_for(cast.owner)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("grappe:detail", args=[cast.grappe.pk]))
    assert len(response.context["memberships"]) == 28


def test_ars_agent_reads_without_edit_links(cast, client_for):
    response = client_for(cast.ars).get(reverse("grappe:detail", args=[cast.grappe.pk]))
    assert response.context["can_edit"] is False
    assert reverse("grappe:edit", args=[cast.grappe.pk]) not in response.content.decode()


def og_person(fonction=FonctionOg.REFERENT):
    user = UserFactory()
    OgPerson.objects.create(og=OrganismeGestionnaireFactory(), user=user, fonction=fonction)
    return user


def test_create_grappe_makes_creator_chef_de_projet(client_for, db):
    user = og_person()
    response = client_for(user).post(
        reverse("grappe:create"),
        {
            "name": "Grappe de l'Artois",
            "region": Region.objects.get(code="32").pk,
            "aap": Aap.objects.get(kind="generalisation").pk,
            "type_projet": "acquisition",
            "hebergement": "",
        },
    )
    grappe = Grappe.objects.get(name="Grappe de l'Artois")
    assert response.status_code == 302
    assert response["Location"] == reverse("grappe:esms_add", args=[grappe.pk])
    assert Role.objects.filter(grappe=grappe, user=user, kind=RoleKind.CHEF_PROJET).exists()
    assert set(grappe.comites.values_list("kind", flat=True)) == set(TypeComite.values)
    assert HistoryEntry.objects.filter(
        grappe=grappe, action="Création de la grappe", user=user
    ).exists()


def test_create_refuses_regional_aap_of_another_region(client_for, db):
    aap = Aap.objects.create(
        name="AAP régional ARA",
        kind="generalisation",
        year=2026,
        region=Region.objects.get(code="84"),
    )
    response = client_for(og_person(FonctionOg.DIRECTION)).post(
        reverse("grappe:create"),
        {
            "name": "Grappe",
            "region": Region.objects.get(code="32").pk,
            "aap": aap.pk,
            "type_projet": "acquisition",
        },
    )
    assert response.status_code == 200
    assert (
        "Cet appel à projets est propre à la région Auvergne-Rhône-Alpes."
        in response.content.decode()
    )
    assert not Grappe.objects.filter(name="Grappe").exists()


def test_only_people_of_an_og_create_a_grappe(cast, client_for):
    """A grappe is carried by an OG: a signed-in person with no OG behind them (the stranger,
    chef de projet elsewhere; a newcomer) cannot start one, nor can ARS agents."""
    newcomer = UserFactory()
    for user in (cast.ars, cast.stranger, cast.member, cast.copil, newcomer):
        response = client_for(user).get(reverse("grappe:create"))
        assert response.status_code == 403
        assert "administrateur national" in response.content.decode()
    count = Grappe.objects.count()
    response = client_for(newcomer).post(
        reverse("grappe:create"),
        {"name": "Grappe pirate", "region": Region.objects.get(code="32").pk},
    )
    assert response.status_code == 403
    assert Grappe.objects.count() == count
    assert client_for(cast.owner).get(reverse("grappe:create")).status_code == 200
    assert client_for(cast.admin).get(reverse("grappe:create")).status_code == 200


def test_edit_records_history(cast, client_for):
    grappe = cast.grappe
    data = {
        "name": "Grappe des Flandres maritimes",
        "region": grappe.region_id,
        "aap": "",
        "porteur": grappe.porteur_id,
        "type_projet": "conformite",
        "hebergement": "hds_externe",
        "editeur": "",
        "solution": "",
        "origines": "",
        "enjeux": "",
        "convention_signed_on": "",
        "convention_amount": "",
    }
    response = client_for(cast.owner).post(reverse("grappe:edit", args=[grappe.pk]), data)
    assert response.status_code == 302
    entry = HistoryEntry.objects.get(grappe=grappe, action="Modification de la grappe")
    assert entry.user == cast.owner
    assert entry.changes["Nom"] == ["Grappe des Flandres", "Grappe des Flandres maritimes"]
    assert entry.changes["Type de projet"] == ["Acquisition", "Mise en conformité"]
    history = client_for(cast.ars).get(reverse("grappe:history", args=[grappe.pk])).content.decode()
    assert "Grappe des Flandres → Grappe des Flandres maritimes" in history


def test_edit_requires_amount_when_convention_signed(cast, client_for):
    grappe = cast.grappe
    data = {
        "name": grappe.name,
        "region": grappe.region_id,
        "porteur": grappe.porteur_id,
        "type_projet": "acquisition",
        "convention_signed_on": "2026-03-01",
        "convention_amount": "",
    }
    response = client_for(cast.admin).post(reverse("grappe:edit", args=[grappe.pk]), data)
    assert response.status_code == 200
    assert "Indiquez le montant de la convention signée." in response.content.decode()
    future = {**data, "convention_signed_on": "2999-01-01", "convention_amount": "1000"}
    response = client_for(cast.admin).post(reverse("grappe:edit", args=[grappe.pk]), future)
    assert "La date de signature ne peut pas être future." in response.content.decode()


def test_the_convention_is_the_ars_not_the_chef_de_projets(cast, client_for):
    """The ARS records the signature from the call (candidatures.conventions); the chef de
    projet cannot declare one, which would make a tranche due and lock the ARS out."""
    grappe = cast.grappe
    data = {
        "name": grappe.name,
        "region": grappe.region_id,
        "porteur": grappe.porteur_id,
        "type_projet": "acquisition",
        "convention_signed_on": "2026-03-01",
        "convention_amount": "300000",
    }
    client = client_for(cast.owner)
    assert (
        "convention_amount"
        not in client.get(reverse("grappe:edit", args=[grappe.pk])).context["form"].fields
    )
    assert client.post(reverse("grappe:edit", args=[grappe.pk]), data).status_code == 302
    grappe.refresh_from_db()
    assert grappe.convention_signed_on is None and grappe.convention_amount is None


def test_a_filed_dossier_locks_the_grappes_call(cast, client_for):
    campagne = campagne_for(cast.grappe.region)
    grappe = cast.grappe
    grappe.aap = campagne.aap
    grappe.save()
    filed(campagne, grappe)
    other = campagne_for(grappe.region, ouverture=campagne.ouverture, cloture=campagne.cloture)
    data = {
        "name": grappe.name,
        "region": grappe.region_id,
        "aap": other.aap_id,
        "porteur": grappe.porteur_id,
        "type_projet": "acquisition",
    }
    response = client_for(cast.owner).post(reverse("grappe:edit", args=[grappe.pk]), data)
    assert response.status_code == 302
    grappe.refresh_from_db()
    assert grappe.aap_id == campagne.aap_id
    page = client_for(cast.owner).get(reverse("grappe:edit", args=[grappe.pk]))
    assert "a déposé son dossier de candidature sur cet appel" in page.content.decode()


def test_porteur_must_be_a_cooperateur(cast, client_for):
    foreign = GrappeFactory().porteur
    grappe = cast.grappe
    data = {
        "name": grappe.name,
        "region": grappe.region_id,
        "porteur": foreign.pk,
        "type_projet": "acquisition",
    }
    response = client_for(cast.owner).post(reverse("grappe:edit", args=[grappe.pk]), data)
    assert response.status_code == 200
    assert "porteur" in response.context["form"].errors


@pytest.mark.pdf
def test_fiche_pdf_text(cast, client_for):
    response = client_for(cast.ars).get(reverse("grappe:fiche_pdf", args=[cast.grappe.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert "Fiche grappe — Grappe des Flandres" in text
    assert "Éligibilité" in text
    assert "Établissements et services" in text
    assert cast.grappe.memberships.first().esms.finess_et in text
    assert "Document généré par Grappe le" in text


def test_member_role_kinds_are_all_read_only(cast, client_for):
    grappe = cast.grappe
    for kind in [
        RoleKind.SPONSOR,
        RoleKind.REFERENT_DUI,
        RoleKind.REFERENT_FONCTIONNEL,
        RoleKind.MEMBRE,
    ]:
        user = RoleFactory(grappe=grappe, kind=kind).user
        assert client_for(user).get(reverse("grappe:edit", args=[grappe.pk])).status_code == 403
    # The AMOA consultant works on the project but does not change what the grappe is
    # (grappe.perms.can_decide_composition): they read it and are told who decides.
    amoa = RoleFactory(grappe=grappe, kind=RoleKind.AMOA).user
    response = client_for(amoa).get(reverse("grappe:edit", args=[grappe.pk]))
    assert response.status_code == 403
    assert "Seul le chef de projet de la grappe" in response.content.decode()
    page = client_for(amoa).get(grappe.get_absolute_url()).content.decode()
    assert reverse("grappe:edit", args=[grappe.pk]) not in page
    assert reverse("grappe:esms_add", args=[grappe.pk]) not in page
    assert reverse("grappe:esms_edit", args=[grappe.pk, grappe.memberships.first().pk]) in page


def test_history_hides_the_amoa_call_from_the_grappes_amoa_consultants(cast, client_for):
    HistoryEntry.record(cast.grappe, cast.owner, "Grappe modifiée", cast.grappe)
    HistoryEntry.record(
        cast.grappe, cast.owner, "Offre AMOA enregistrée", "Cabinet A", confidentiel=True
    )
    address = reverse("grappe:history", args=[cast.grappe.pk])
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    page = client_for(consultant).get(address).content.decode()
    assert "Grappe modifiée" in page and "Offre AMOA enregistrée" not in page
    for reader in (cast.owner, cast.ars, cast.admin):
        assert "Offre AMOA enregistrée" in client_for(reader).get(address).content.decode()
    # An AMOA consultant who also holds another role on the grappe is not a candidate.
    RoleFactory(grappe=cast.grappe, kind=RoleKind.REFERENT_DUI, user=consultant)
    page = client_for(consultant).get(address).content.decode()
    assert "Offre AMOA enregistrée" in page


def test_read_only_pages_refuse_post(cast, client_for):
    client = client_for(cast.owner)
    for address in (
        reverse("home"),
        reverse("grappe:list"),
        cast.grappe.get_absolute_url(),
        reverse("grappe:history", args=[cast.grappe.pk]),
        reverse("grappe:fiche_pdf", args=[cast.grappe.pk]),
    ):
        assert client.post(address).status_code == 405, address
