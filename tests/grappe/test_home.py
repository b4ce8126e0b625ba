import pytest
from django.urls import reverse

from grappe.enums import RoleComite, RoleKind
from grappe.navigation import navigation_for
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, copil_member

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/"


def test_login_page_is_public_and_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Connexion" in response.content.decode()
    assert client.get(reverse("password_reset")).status_code == 200


def test_login_by_email(client):
    UserFactory(email="camille@exemple.fr")
    response = client.post(
        reverse("login"), {"username": "Camille@Exemple.fr", "password": "motdepasse-de-test"}
    )
    assert response.status_code == 302


def test_owner_of_one_grappe_sees_their_project_on_the_home(cast, client_for):
    response = client_for(cast.owner).get("/")
    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == ["porteur"]
    content = response.content.decode()
    assert "Votre projet : Grappe des Flandres" in content
    assert reverse("projets:plan_create", args=[cast.grappe.pk]) in content


def test_copil_member_home_shows_what_awaits_their_avis(cast, client_for):
    response = client_for(cast.copil).get("/")
    assert response.status_code == 200
    assert "copil" in [section.key for section in response.context["sections"]]
    page = response.content.decode()
    assert 'data-testid="section-copil"' in page
    assert "Rien à valider pour le moment." in page


def test_ars_agent_and_admin_home_show_their_region_and_the_nation(cast, client_for):
    ars = client_for(cast.ars).get("/")
    assert ars.status_code == 200
    keys = [section.key for section in ars.context["sections"]]
    assert "ars" in keys and "national" not in keys
    assert reverse("indicateurs:tableau_region", args=["32"]) in ars.content.decode()
    admin = client_for(cast.admin).get("/")
    assert admin.status_code == 200
    keys = [section.key for section in admin.context["sections"]]
    assert "national" in keys and "ars" not in keys
    assert reverse("indicateurs:tableau_national") in admin.content.decode()


def test_person_with_two_grappes_sees_both_on_the_home(db, client_for):
    user = UserFactory()
    led = RoleFactory(user=user, kind=RoleKind.CHEF_PROJET).grappe
    joined = RoleFactory(user=user, kind=RoleKind.MEMBRE).grappe
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == ["porteur", "membre"]
    content = response.content.decode()
    assert f"Votre projet : {led.name}" in content
    assert joined.get_absolute_url() in content


def test_person_without_grappe_sees_how_to_start(db, client_for):
    response = client_for(UserFactory()).get("/")
    assert response.status_code == 200
    assert "Vous n'êtes encore rattaché à aucune grappe." in response.content.decode()
    # Agreed with the person where her civility is known, never « rattaché(e) ».
    page = client_for(UserFactory(civilite="madame")).get("/").content.decode()
    assert "Vous n'êtes encore rattachée à aucune grappe." in page
    assert "(e)" not in page


def test_header_shows_role_and_navigation(cast, client_for):
    response = client_for(cast.owner).get(cast.grappe.get_absolute_url())
    assert response.context["nav_role"] == "Chef de projet interne — Grappe des Flandres"
    assert [item.label for item in response.context["nav_items"]] == [
        "Ma grappe",
        "Projet",
        "Consultation AMOA",
        "Indicateurs",
        "Mes actions",
    ]
    projet, amoa, indicateurs, actions = response.context["nav_items"][1:]
    assert amoa.url == reverse("amoa:consultations", args=[cast.grappe.pk])
    assert indicateurs.url == reverse("indicateurs:tableau_grappe", args=[cast.grappe.pk])
    assert projet.url == reverse("projets:plan", args=[cast.grappe.pk])
    assert actions.url == reverse("projets:my_actions")
    assert not projet.active
    # "Projet" stays active on every project page of the grappe.
    risques, _ = navigation_for(cast.owner, reverse("projets:risques", args=[cast.grappe.pk]))
    assert [item.active for item in risques] == [False, True, False, False, False]
    copil = client_for(cast.copil).get(cast.grappe.get_absolute_url())
    assert [item.label for item in copil.context["nav_items"]] == [
        "Ma grappe",
        "Projet",
        "Consultation AMOA",
        "Indicateurs",
        "Mes actions",
        "À valider",
    ]
    assert copil.context["nav_items"][5].url == reverse("projets:inbox")
    ars = client_for(cast.ars).get(reverse("grappe:list"))
    assert ars.context["nav_role"] == "Agent ARS — Hauts-de-France"
    admin = client_for(cast.admin).get(reverse("grappe:list"))
    assert admin.context["nav_role"] == "Administrateur national"
    assert "Administration" in [item.label for item in admin.context["nav_items"]]
    assert "Projet" not in [item.label for item in admin.context["nav_items"]]
    assert "Tableau national" in [item.label for item in admin.context["nav_items"]]
    assert [item.label for item in ars.context["nav_items"]] == [
        "Grappes de ma région",
        "Tableau de bord ARS",
        "Appels à projets",
    ]
    assert "Appels à projets" in [item.label for item in admin.context["nav_items"]]


def test_copil_guest_and_voter_of_another_grappe_in_the_header(cast, client_for):
    guest = copil_member(cast.grappe, role=RoleComite.INVITE)
    response = client_for(guest).get(cast.grappe.get_absolute_url())
    assert [item.label for item in response.context["nav_items"]] == [
        "Ma grappe",
        "Projet",
        "Consultation AMOA",
        "Indicateurs",
        "Mes actions",
    ]
    # Member of two grappes, voting on the COPIL of only one of them.
    RoleFactory(user=cast.copil, kind=RoleKind.MEMBRE)
    response = client_for(cast.copil).get(reverse("grappe:list"))
    assert [item.label for item in response.context["nav_items"]] == [
        "Mes grappes",
        "Mes actions",
        "À valider",
    ]


def test_password_reset_sends_french_email(client, mailoutbox):
    UserFactory(email="camille@exemple.fr")
    client.post(reverse("password_reset"), {"email": "camille@exemple.fr"})
    assert len(mailoutbox) == 1
    assert "réinitialisation" in mailoutbox[0].subject
    assert "/mot-de-passe/nouveau/" in mailoutbox[0].body


def test_other_grappe_is_hidden(cast, client_for):
    other = GrappeFactory()
    assert client_for(cast.owner).get(other.get_absolute_url()).status_code == 404


def test_invited_person_without_password_can_choose_one(client, mailoutbox):
    user = UserFactory(email="invitee@exemple.fr")
    user.set_unusable_password()
    user.save()
    client.post(reverse("password_reset"), {"email": "Invitee@exemple.fr"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["invitee@exemple.fr"]


def test_inactive_account_gets_no_reset_email(client, mailoutbox):
    UserFactory(email="parti@exemple.fr", is_active=False)
    client.post(reverse("password_reset"), {"email": "parti@exemple.fr"})
    assert mailoutbox == []


def test_amoa_consultants_do_not_see_the_amoa_call_in_the_header(cast, client_for):
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    response = client_for(consultant).get(cast.grappe.get_absolute_url())
    labels = [item.label for item in response.context["nav_items"]]
    assert "Projet" in labels and "Consultation AMOA" not in labels
    RoleFactory(grappe=cast.grappe, kind=RoleKind.REFERENT_DUI, user=consultant)
    consultant = type(consultant).objects.get(pk=consultant.pk)  # a fresh header context
    response = client_for(consultant).get(cast.grappe.get_absolute_url())
    assert "Consultation AMOA" in [item.label for item in response.context["nav_items"]]
