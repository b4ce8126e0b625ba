import pytest
from django.urls import reverse

from grappe.enums import RoleKind
from grappe.models import HistoryEntry, Role
from tests.grappe.factories import (
    EsmsFactory,
    GrappeFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    ars_agent,
)
from tests.helpers import EDIT, READ, assert_cast, messages_of
from users.models import User

pytestmark = pytest.mark.django_db


def roles_url(grappe):
    return reverse("grappe:roles", args=[grappe.pk])


def remove_url(role):
    return reverse("grappe:role_remove", args=[role.grappe_id, role.pk])


def add_role(client, grappe, **data):
    payload = {"email": "", "first_name": "", "last_name": "", "kind": "", "esms": ""}
    payload.update(data)
    return client.post(roles_url(grappe), payload)


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


def test_roles_page_permission_cast(cast, client_for):
    assert_cast(cast, client_for, roles_url(cast.grappe), READ)


def test_role_remove_confirmation_permission_cast(cast, client_for):
    role = Role.objects.get(grappe=cast.grappe, user=cast.member)
    assert_cast(cast, client_for, remove_url(role), EDIT)


def test_add_role_refused_to_non_managers_changes_nothing(cast, client_for):
    target = UserFactory(email="cible@exemple.fr")
    before = Role.objects.count()
    expected = {**EDIT, "owner": None, "admin": None}
    for name, user in cast.users().items():
        if user is not None and expected[name] is None:
            continue
        response = add_role(client_for(user), cast.grappe, email=target.email, kind=RoleKind.MEMBRE)
        if user is None:
            assert response.status_code == 302
            assert response["Location"].startswith("/connexion/")
        else:
            assert response.status_code == expected[name], name
    assert Role.objects.count() == before
    assert not HistoryEntry.objects.filter(action__startswith="Attribution").exists()


def test_remove_role_refused_to_non_managers_changes_nothing(cast, client_for):
    role = Role.objects.get(grappe=cast.grappe, user=cast.member)
    for name, user in cast.users().items():
        if name in {"owner", "admin"}:
            continue
        response = client_for(user).post(remove_url(role))
        if user is None:
            assert response.status_code == 302
        else:
            assert response.status_code == EDIT[name], name
    assert Role.objects.filter(pk=role.pk).exists()


def test_remove_role_of_another_grappe_is_404(cast, client_for):
    other_role = Role.objects.get(grappe=cast.other_grappe, user=cast.stranger)
    url = reverse("grappe:role_remove", args=[cast.grappe.pk, other_role.pk])
    assert client_for(cast.owner).get(url).status_code == 404
    assert client_for(cast.owner).post(url).status_code == 404
    assert Role.objects.filter(pk=other_role.pk).exists()


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_viewers_see_people_grouped_by_role_without_management(cast, client_for):
    esms = cast.grappe.memberships.first().esms
    referent = RoleFactory(
        grappe=cast.grappe,
        kind=RoleKind.REFERENT_DUI,
        esms=esms,
        user=UserFactory(first_name="Aline", last_name="Durand"),
    ).user
    response = client_for(cast.ars).get(roles_url(cast.grappe))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chef de projet interne" in body
    assert "Référent DUI" in body
    assert "Aline Durand" in body
    assert esms.name in body and esms.finess_et in body
    assert response.context["form"] is None
    assert "Attribuer un rôle" not in body
    assert "/retirer/" not in body
    groups = {kind: roles for kind, _label, roles in response.context["groups"]}
    assert [r.user for r in groups[RoleKind.REFERENT_DUI]] == [referent]
    assert [r.user for r in groups[RoleKind.CHEF_PROJET]] == [cast.owner]


def test_managers_see_the_form_and_remove_links(cast, client_for):
    for user in (cast.owner, cast.admin):
        response = client_for(user).get(roles_url(cast.grappe))
        body = response.content.decode()
        assert "Attribuer un rôle" in body
        assert "Mot de passe oublié" in body
        role = Role.objects.get(grappe=cast.grappe, user=cast.member)
        assert remove_url(role) in body


def test_roles_page_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    grappe = cast.grappe
    for esms in add_esms(grappe, 6):
        RoleFactory(grappe=grappe, kind=RoleKind.REFERENT_DUI, esms=esms)
    for _ in range(6):
        RoleFactory(grappe=grappe, kind=RoleKind.REFERENT_FONCTIONNEL)
    client = client_for(cast.owner)
    client.get(roles_url(grappe))  # warm-up (session, content types)
    with django_assert_max_num_queries(15):
        response = client.get(roles_url(grappe))
    assert response.status_code == 200
    assert response.context["role_count"] == 14


# ---------------------------------------------------------------------------------------------
# Adding a role
# ---------------------------------------------------------------------------------------------


def test_add_role_to_an_existing_person(cast, client_for):
    person = UserFactory(email="sponsor@exemple.fr", first_name="Paul", last_name="Martin")
    response = add_role(
        client_for(cast.owner), cast.grappe, email="Sponsor@Exemple.fr", kind=RoleKind.SPONSOR
    )
    assert response.status_code == 302
    assert response["Location"] == roles_url(cast.grappe)
    role = Role.objects.get(grappe=cast.grappe, user=person)
    assert role.kind == RoleKind.SPONSOR and role.esms is None
    assert User.objects.filter(email__iexact="sponsor@exemple.fr").count() == 1
    entry = HistoryEntry.objects.get(grappe=cast.grappe, action__startswith="Attribution du rôle")
    assert entry.action == "Attribution du rôle « Sponsor (direction) »"
    assert entry.user == cast.owner
    assert entry.changes["Personne"] == "Paul Martin (sponsor@exemple.fr)"
    assert "Compte" not in entry.changes
    assert any("Paul Martin a désormais le rôle" in m for m in messages_of(response))


def test_add_role_creates_an_account_without_password(cast, client_for):
    response = add_role(
        client_for(cast.owner),
        cast.grappe,
        email=" Nouvelle.Personne@Exemple.fr ",
        first_name="Zoé",
        last_name="Lefèvre",
        kind=RoleKind.REFERENT_METIER,
    )
    assert response.status_code == 302
    person = User.objects.get(email="nouvelle.personne@exemple.fr")
    assert (person.first_name, person.last_name) == ("Zoé", "Lefèvre")
    assert not person.has_usable_password()
    assert not person.is_staff
    assert Role.objects.filter(
        grappe=cast.grappe, user=person, kind=RoleKind.REFERENT_METIER
    ).exists()
    entry = HistoryEntry.objects.get(action="Attribution du rôle « Référent métier »")
    assert entry.changes["Compte"].startswith("créé")
    text = " ".join(messages_of(response))
    assert "Un compte est créé pour Zoé Lefèvre" in text
    assert "« Mot de passe oublié »" in text
    # The new person now sees the grappe.
    assert client_for(person).get(roles_url(cast.grappe)).status_code == 200


def test_a_new_person_may_be_given_a_civility_which_agrees_her_role(cast, client_for):
    response = add_role(
        client_for(cast.owner),
        cast.grappe,
        email="claire.martin@exemple.fr",
        civilite="madame",
        first_name="Claire",
        last_name="Martin",
        kind=RoleKind.REFERENT_DUI,
        esms=cast.grappe.memberships.first().esms.pk,
    )
    assert response.status_code == 302
    person = User.objects.get(email="claire.martin@exemple.fr")
    assert person.civilite == "madame"
    assert HistoryEntry.objects.filter(action="Attribution du rôle « Référente DUI »").exists()
    page = client_for(cast.owner).get(cast.grappe.get_absolute_url()).content.decode()
    assert "Claire Martin — Référente DUI" in page
    # Optional: without it, the masculine of administrative writing.
    add_role(
        client_for(cast.owner),
        cast.grappe,
        email="dominique@exemple.fr",
        first_name="Dominique",
        last_name="Leroy",
        kind=RoleKind.REFERENT_METIER,
    )
    assert User.objects.get(email="dominique@exemple.fr").civilite == ""
    page = client_for(cast.owner).get(roles_url(cast.grappe)).content.decode()
    assert "Référente DUI" in page and "Référent métier" in page


def test_a_new_person_needs_first_and_last_names(cast, client_for):
    response = add_role(
        client_for(cast.owner), cast.grappe, email="inconnu@exemple.fr", kind=RoleKind.MEMBRE
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "indiquez son prénom" in errors["first_name"][0]
    assert "indiquez son nom" in errors["last_name"][0]
    assert not User.objects.filter(email="inconnu@exemple.fr").exists()


def test_duplicate_role_is_refused(cast, client_for):
    before = Role.objects.count()
    response = add_role(
        client_for(cast.owner), cast.grappe, email=cast.member.email, kind=RoleKind.REFERENT_METIER
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [f"{cast.member} a déjà le rôle « Référent métier » dans cette grappe."]
    assert "a déjà le rôle" in response.content.decode()
    assert Role.objects.count() == before


def test_a_person_may_hold_several_roles(cast, client_for):
    response = add_role(
        client_for(cast.owner), cast.grappe, email=cast.member.email, kind=RoleKind.SPONSOR
    )
    assert response.status_code == 302
    assert set(
        Role.objects.filter(grappe=cast.grappe, user=cast.member).values_list("kind", flat=True)
    ) == {RoleKind.REFERENT_METIER, RoleKind.SPONSOR}


def test_referent_dui_needs_an_esms(cast, client_for):
    response = add_role(
        client_for(cast.owner), cast.grappe, email=cast.member.email, kind=RoleKind.REFERENT_DUI
    )
    assert response.status_code == 200
    assert response.context["form"].errors["esms"] == [
        "Choisissez l'ESMS dont cette personne est le référent DUI."
    ]
    assert not Role.objects.filter(kind=RoleKind.REFERENT_DUI).exists()


def test_referent_dui_of_two_esms_and_duplicate_per_esms(cast, client_for):
    first, second = (m.esms for m in cast.grappe.active_memberships()[:2])
    client = client_for(cast.owner)
    for esms in (first, second):
        response = add_role(
            client, cast.grappe, email=cast.member.email, kind=RoleKind.REFERENT_DUI, esms=esms.pk
        )
        assert response.status_code == 302
    assert Role.objects.filter(user=cast.member, kind=RoleKind.REFERENT_DUI).count() == 2
    response = add_role(
        client, cast.grappe, email=cast.member.email, kind=RoleKind.REFERENT_DUI, esms=first.pk
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"{cast.member} a déjà le rôle « Référent DUI » de « {first.name} » dans cette grappe."
    ]
    entry = HistoryEntry.objects.filter(action="Attribution du rôle « Référent DUI »").first()
    assert entry.changes["ESMS"].endswith(f"({second.finess_et})")


def test_esms_is_refused_for_other_roles(cast, client_for):
    esms = cast.grappe.memberships.first().esms
    response = add_role(
        client_for(cast.owner),
        cast.grappe,
        email=cast.member.email,
        kind=RoleKind.SPONSOR,
        esms=esms.pk,
    )
    assert response.status_code == 200
    assert "concerne toute la grappe" in response.context["form"].errors["esms"][0]
    assert not Role.objects.filter(kind=RoleKind.SPONSOR).exists()


def test_esms_must_be_active_in_the_grappe(cast, client_for):
    outside = EsmsFactory()
    left = cast.grappe.memberships.first()
    left.left_on = left.joined_on
    left.save()
    client = client_for(cast.owner)
    for esms in (outside, left.esms):
        response = add_role(
            client, cast.grappe, email=cast.member.email, kind=RoleKind.REFERENT_DUI, esms=esms.pk
        )
        assert response.status_code == 200
        assert "esms" in response.context["form"].errors
    choices = response.context["form"].fields["esms"].queryset
    assert set(choices) == {m.esms for m in cast.grappe.active_memberships()}


def test_ars_agent_cannot_be_given_a_role(cast, client_for):
    response = add_role(
        client_for(cast.admin), cast.grappe, email=cast.ars.email, kind=RoleKind.MEMBRE
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"][0].startswith("Les agents ARS supervisent")
    assert not Role.objects.filter(user=cast.ars).exists()
    # Whatever their region.
    other = ars_agent("84")
    response = add_role(client_for(cast.owner), cast.grappe, email=other.email, kind=RoleKind.AMOA)
    assert "Les agents ARS supervisent" in response.context["form"].errors["email"][0]


def test_invalid_email_and_missing_kind(cast, client_for):
    response = add_role(client_for(cast.owner), cast.grappe, email="pas-une-adresse", kind="")
    errors = response.context["form"].errors
    assert "email" in errors and "kind" in errors


def test_admin_manages_roles_of_any_grappe(cast, client_for):
    response = add_role(
        client_for(cast.admin),
        cast.other_grappe,
        email=cast.member.email,
        kind=RoleKind.AMOA,
    )
    assert response.status_code == 302
    assert Role.objects.filter(
        grappe=cast.other_grappe, user=cast.member, kind=RoleKind.AMOA
    ).exists()


# ---------------------------------------------------------------------------------------------
# Removing a role
# ---------------------------------------------------------------------------------------------


def test_remove_role_asks_for_confirmation_then_records_history(cast, client_for):
    role = Role.objects.get(grappe=cast.grappe, user=cast.member)
    client = client_for(cast.owner)
    response = client.get(remove_url(role))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Retirer le rôle « Référent métier »" in body
    assert "n&#x27;y aura plus accès" in body or "n'y aura plus accès" in body
    assert Role.objects.filter(pk=role.pk).exists()

    response = client.post(remove_url(role))
    assert response.status_code == 302
    assert response["Location"] == roles_url(cast.grappe)
    assert not Role.objects.filter(pk=role.pk).exists()
    entry = HistoryEntry.objects.get(action="Retrait du rôle « Référent métier »")
    assert entry.user == cast.owner
    assert entry.target == str(cast.member)
    assert any("n'a plus le rôle" in m for m in messages_of(response))
    # Without any other role or seat, the person no longer sees the grappe.
    assert client_for(cast.member).get(roles_url(cast.grappe)).status_code == 404


def test_the_last_chef_de_projet_cannot_be_removed(cast, client_for):
    role = Role.objects.get(grappe=cast.grappe, kind=RoleKind.CHEF_PROJET)
    for user in (cast.owner, cast.admin):
        client = client_for(user)
        response = client.get(remove_url(role))
        assert response.status_code == 200
        assert "dernier chef de projet" in response.content.decode()
        assert response.context["blockers"]
        assert "<form" not in response.content.decode().split("Retrait impossible")[1]
        response = client.post(remove_url(role))
        assert response.status_code == 302
        assert any("dernier chef de projet" in m for m in messages_of(response))
    assert Role.objects.filter(pk=role.pk).exists()
    assert not HistoryEntry.objects.filter(action__startswith="Retrait du rôle").exists()


def test_a_chef_de_projet_may_go_once_another_is_designated(cast, client_for):
    second = RoleFactory(grappe=cast.grappe, kind=RoleKind.CHEF_PROJET).user
    role = Role.objects.get(grappe=cast.grappe, user=cast.owner, kind=RoleKind.CHEF_PROJET)
    response = client_for(cast.owner).post(remove_url(role))
    # The owner took back their own last role: they no longer see the grappe.
    assert response.status_code == 302
    assert response["Location"] == reverse("grappe:list")
    assert list(
        Role.objects.filter(grappe=cast.grappe, kind=RoleKind.CHEF_PROJET).values_list(
            "user", flat=True
        )
    ) == [second.pk]
    assert client_for(cast.owner).get(roles_url(cast.grappe)).status_code == 404


def test_chefs_of_another_grappe_do_not_count(cast, client_for):
    other = GrappeFactory()
    RoleFactory(grappe=other, kind=RoleKind.CHEF_PROJET)
    role = Role.objects.get(grappe=cast.grappe, kind=RoleKind.CHEF_PROJET)
    client_for(cast.admin).post(remove_url(role))
    assert Role.objects.filter(pk=role.pk).exists()


def test_remove_role_only_on_post_or_get(cast, client_for):
    role = Role.objects.get(grappe=cast.grappe, user=cast.member)
    assert client_for(cast.owner).delete(remove_url(role)).status_code == 405
