import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from grappe.convention_defaults import comite_defaults
from grappe.enums import RegleValidation, RoleComite, RoleKind, TypeComite
from grappe.models import Comite, ComiteMember, HistoryEntry
from tests.grappe.factories import (
    OrganismeGestionnaireFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    copil_member,
)
from tests.helpers import EDIT, READ, assert_cast, messages_of
from users.models import User

pytestmark = pytest.mark.django_db


def comite_url(grappe, kind=TypeComite.COPIL):
    return reverse("grappe:comite", args=[grappe.pk, kind])


def remove_url(member):
    comite = member.comite
    return reverse("grappe:comite_member_remove", args=[comite.grappe_id, comite.kind, member.pk])


def copil_of(grappe):
    return Comite.objects.get(grappe=grappe, kind=TypeComite.COPIL)


def settings_data(**overrides):
    data = {
        "action": "comite",
        "comite-missions": "Piloter le projet.",
        "comite-fonctionnement": "Une réunion par trimestre.",
        "comite-regle_validation": RegleValidation.UNANIMITE,
        "comite-quorum": "",
    }
    data.update(overrides)
    return data


def member_data(**overrides):
    data = {
        "action": "membre",
        "membre-email": "",
        "membre-first_name": "",
        "membre-last_name": "",
        "membre-og": "",
        "membre-role": RoleComite.MEMBRE,
    }
    data.update({f"membre-{key}": value for key, value in overrides.items()})
    return data


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TypeComite.values)
def test_comite_page_permission_cast(cast, client_for, kind):
    assert_cast(cast, client_for, comite_url(cast.grappe, kind), READ)


def test_unknown_kind_is_404(cast, client_for):
    for user in (cast.owner, cast.admin, cast.member):
        assert client_for(user).get(comite_url(cast.grappe, "bureau")).status_code == 404
    assert not Comite.objects.filter(kind="bureau").exists()
    url = reverse("grappe:comite_member_remove", args=[cast.grappe.pk, "bureau", 1])
    assert client_for(cast.owner).get(url).status_code == 404


def test_changes_refused_to_non_managers(cast, client_for):
    comite = copil_of(cast.grappe)
    target = UserFactory(email="cible@exemple.fr")
    seats = ComiteMember.objects.count()
    for data in (
        settings_data(),
        member_data(email=target.email, og=cast.grappe.porteur_id),
        {"action": "texte_type"},
    ):
        assert_cast(
            cast,
            client_for,
            comite_url(cast.grappe),
            EDIT,
            method="post",
            data=data,
            skip={"owner", "admin"},
        )
    comite.refresh_from_db()
    assert comite.missions == ""
    assert ComiteMember.objects.count() == seats
    assert not HistoryEntry.objects.exists()


def test_member_remove_permission_cast(cast, client_for):
    member = ComiteMember.objects.get(user=cast.copil)
    assert_cast(cast, client_for, remove_url(member), EDIT)
    assert_cast(cast, client_for, remove_url(member), EDIT, method="post", skip={"owner", "admin"})
    assert ComiteMember.objects.filter(pk=member.pk).exists()


def test_member_of_another_comite_is_404(cast, client_for):
    member = ComiteMember.objects.get(user=cast.copil)
    url = reverse("grappe:comite_member_remove", args=[cast.grappe.pk, TypeComite.SUIVI, member.pk])
    assert client_for(cast.owner).get(url).status_code == 404
    other_member = copil_member(cast.other_grappe)
    seat = ComiteMember.objects.get(user=other_member)
    url = reverse("grappe:comite_member_remove", args=[cast.grappe.pk, TypeComite.COPIL, seat.pk])
    assert client_for(cast.owner).post(url).status_code == 404
    assert ComiteMember.objects.filter(pk=seat.pk).exists()


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_composition_table(cast, client_for):
    comite = copil_of(cast.grappe)
    porteur = cast.grappe.porteur
    ComiteMember.objects.filter(user=cast.copil).update(og=porteur)
    ComiteMember.objects.create(
        comite=comite,
        user=UserFactory(first_name="Hélène", last_name="Amoa", civilite="madame"),
        role=RoleComite.INVITE,
    )
    ComiteMember.objects.create(
        comite=comite,
        user=UserFactory(first_name="Jean", last_name="Président"),
        og=porteur,
        role=RoleComite.PRESIDENT,
    )
    response = client_for(cast.ars).get(comite_url(cast.grappe))
    assert response.status_code == 200
    body = response.content.decode()
    assert porteur.name in body
    assert "Personne extérieure" in body
    assert "Délibérative" in body and "Consultative" in body
    # Each seat named for its holder: Madame Amoa is « invitée », Jean Président (civility
    # unknown) is « Président », the masculine of administrative writing.
    assert "Invitée permanente à voix consultative" in body
    assert "<td>Président</td>" in body
    assert [m.role for m in response.context["members"]] == [
        RoleComite.PRESIDENT,
        RoleComite.MEMBRE,
        RoleComite.INVITE,
    ]
    # Unanimity: every voting member must approve.
    assert "2 approbations requises sur 2 votants." in body
    # Viewers read, without forms.
    assert response.context["comite_form"] is None
    assert "Ajouter un membre" not in body
    assert "Non encore définis." in body


def test_approvals_with_a_quorum(cast, client_for):
    comite = copil_of(cast.grappe)
    for _ in range(2):
        copil_member(cast.grappe)
    comite.regle_validation = RegleValidation.QUORUM
    comite.quorum = 2
    comite.save()
    assert comite.approvals_required() == 2
    body = client_for(cast.member).get(comite_url(cast.grappe)).content.decode()
    assert "Quorum : 2 approbations." in body
    assert "2 approbations requises sur 3 votants." in body


def test_empty_comite(cast, client_for):
    response = client_for(cast.owner).get(comite_url(cast.grappe, TypeComite.SELECTION))
    body = response.content.decode()
    assert "Composition à définir" in body
    assert "Aucun membre votant pour l'instant." in body


def test_missing_comite_is_created(cast, client_for):
    Comite.objects.filter(grappe=cast.grappe, kind=TypeComite.SUIVI).delete()
    assert client_for(cast.owner).get(comite_url(cast.grappe, TypeComite.SUIVI)).status_code == 200
    assert Comite.objects.filter(grappe=cast.grappe, kind=TypeComite.SUIVI).exists()


def test_comite_page_query_count_is_bounded(cast, client_for, django_assert_max_num_queries):
    grappe = cast.grappe
    og = OrganismeGestionnaireFactory()
    add_esms(grappe, 1, og=og)
    comite = copil_of(grappe)
    for index in range(12):
        ComiteMember.objects.create(
            comite=comite, user=UserFactory(), og=og if index % 2 else grappe.porteur
        )
    client = client_for(cast.owner)
    client.get(comite_url(grappe))
    with django_assert_max_num_queries(16):
        response = client.get(comite_url(grappe))
    assert len(response.context["members"]) == 13


# ---------------------------------------------------------------------------------------------
# Missions, fonctionnement and validation rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TypeComite.values)
def test_managers_get_the_model_texts_without_saving(cast, client_for, kind):
    response = client_for(cast.owner).get(comite_url(cast.grappe, kind))
    form = response.context["comite_form"]
    defaults = comite_defaults(kind)
    assert form["missions"].value() == defaults["missions"]
    assert form["fonctionnement"].value() == defaults["fonctionnement"]
    assert response.context["prefilled"] == ["missions", "fonctionnement"]
    assert "Texte type proposé" in response.content.decode()
    comite = Comite.objects.get(grappe=cast.grappe, kind=kind)
    assert comite.missions == comite.fonctionnement == ""


def test_model_texts_follow_the_seeds():
    copil = comite_defaults(TypeComite.COPIL)
    assert "valide les livrables" in copil["missions"]
    assert "8 jours ouvrés" in copil["fonctionnement"]
    selection = comite_defaults(TypeComite.SELECTION)
    assert "désigné par le COPIL" in selection["missions"]
    assert "cahier des charges" in selection["missions"]
    assert "référents" in comite_defaults(TypeComite.SUIVI)["missions"]


def test_saved_texts_are_not_replaced(cast, client_for):
    comite = copil_of(cast.grappe)
    comite.missions = "Nos missions à nous."
    comite.save()
    response = client_for(cast.owner).get(comite_url(cast.grappe))
    form = response.context["comite_form"]
    assert form["missions"].value() == "Nos missions à nous."
    assert form["fonctionnement"].value() == comite_defaults(TypeComite.COPIL)["fonctionnement"]
    assert response.context["prefilled"] == ["fonctionnement"]


def test_take_back_the_model_text(cast, client_for):
    comite = copil_of(cast.grappe)
    comite.missions = "Texte ancien."
    comite.save()
    response = client_for(cast.owner).post(comite_url(cast.grappe), {"action": "texte_type"})
    assert response.status_code == 200
    assert (
        response.context["comite_form"]["missions"].value() == comite_defaults("copil")["missions"]
    )
    comite.refresh_from_db()
    assert comite.missions == "Texte ancien."
    assert any("Le texte type est repris" in m for m in messages_of(response))


def test_save_settings_records_history(cast, client_for):
    response = client_for(cast.owner).post(comite_url(cast.grappe), settings_data())
    assert response.status_code == 302
    assert response["Location"] == comite_url(cast.grappe)
    comite = copil_of(cast.grappe)
    assert comite.missions == "Piloter le projet."
    assert comite.fonctionnement == "Une réunion par trimestre."
    entry = HistoryEntry.objects.get(action="Modification du comité")
    assert entry.target == "Comité de pilotage (COPIL)"
    assert entry.changes == {
        "Rôle et missions": "texte rédigé",
        "Modalités de fonctionnement": "texte rédigé",
    }
    # Saving the same again changes nothing and writes nothing.
    response = client_for(cast.owner).post(comite_url(cast.grappe), settings_data())
    assert messages_of(response) == ["Aucune modification."]
    assert HistoryEntry.objects.count() == 1


def test_saving_the_proposed_text_as_is_counts_as_a_change(cast, client_for):
    defaults = comite_defaults(TypeComite.SUIVI)
    data = settings_data(
        **{
            "comite-missions": defaults["missions"],
            "comite-fonctionnement": defaults["fonctionnement"],
        }
    )
    client_for(cast.admin).post(comite_url(cast.grappe, TypeComite.SUIVI), data)
    comite = Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SUIVI)
    assert comite.missions == defaults["missions"]
    assert HistoryEntry.objects.filter(action="Modification du comité").exists()


def test_quorum_rule_needs_a_quorum(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe), settings_data(**{"comite-regle_validation": "quorum"})
    )
    assert response.status_code == 200
    assert response.context["comite_form"].errors["quorum"] == [
        "Indiquez le nombre d'approbations requis pour le quorum."
    ]
    assert copil_of(cast.grappe).regle_validation == RegleValidation.UNANIMITE


def test_quorum_of_zero_is_refused(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe),
        settings_data(**{"comite-regle_validation": "quorum", "comite-quorum": "0"}),
    )
    assert response.status_code == 200
    assert response.context["comite_form"].errors["quorum"] == [
        "Le quorum est d'au moins une approbation."
    ]
    assert copil_of(cast.grappe).quorum is None


def test_negative_quorum_gives_a_single_error(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe),
        settings_data(**{"comite-regle_validation": "quorum", "comite-quorum": "-2"}),
    )
    assert response.status_code == 200
    assert len(response.context["comite_form"].errors["quorum"]) == 1


def test_quorum_above_the_voters_is_saved_with_a_warning(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe),
        settings_data(**{"comite-regle_validation": "quorum", "comite-quorum": "3"}),
    )
    assert response.status_code == 302
    comite = copil_of(cast.grappe)
    assert (comite.regle_validation, comite.quorum) == (RegleValidation.QUORUM, 3)
    assert any(
        "Le quorum (3) dépasse le nombre de membres votants (1)" in m for m in messages_of(response)
    )
    entry = HistoryEntry.objects.get(action="Modification du comité")
    assert entry.changes["Règle de validation"] == [
        "Tous les membres votants",
        "Quorum d'approbations",
    ]
    assert entry.changes["Quorum (nombre d'approbations)"] == ["", "3"]
    # The page keeps warning, and one approval is enough with one voter.
    body = client_for(cast.owner).get(comite_url(cast.grappe)).content.decode()
    assert "dépasse le nombre de membres votants" in body
    assert "1 approbation requise sur 1 votant." in body


def test_unanimity_clears_the_quorum(cast, client_for):
    comite = copil_of(cast.grappe)
    comite.regle_validation = RegleValidation.QUORUM
    comite.quorum = 1
    comite.save()
    client_for(cast.owner).post(comite_url(cast.grappe), settings_data(**{"comite-quorum": "4"}))
    comite.refresh_from_db()
    assert comite.regle_validation == RegleValidation.UNANIMITE
    assert comite.quorum is None


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


def test_add_an_existing_person_to_the_copil_gives_read_access(cast, client_for):
    person = UserFactory(email="directrice@exemple.fr", first_name="Anne", last_name="Roy")
    assert client_for(person).get(comite_url(cast.grappe)).status_code == 404
    response = client_for(cast.owner).post(
        comite_url(cast.grappe),
        member_data(email="Directrice@exemple.fr", og=cast.grappe.porteur_id, role="president"),
    )
    assert response.status_code == 302
    seat = ComiteMember.objects.get(user=person)
    assert (seat.comite.kind, seat.og, seat.role) == (
        TypeComite.COPIL,
        cast.grappe.porteur,
        RoleComite.PRESIDENT,
    )
    entry = HistoryEntry.objects.get(action="Ajout d'un membre de comité")
    assert entry.changes["Comité"] == "Comité de pilotage (COPIL)"
    assert entry.changes["Voix"] == "délibérative"
    text = " ".join(messages_of(response))
    assert "Anne Roy siège désormais au comité de pilotage (COPIL)." in text
    assert "validation des comptes rendus et des livrables" in text
    assert client_for(person).get(comite_url(cast.grappe)).status_code == 200
    assert client_for(person).post(comite_url(cast.grappe), settings_data()).status_code == 403


def test_add_a_new_person_creates_an_account(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe, TypeComite.SUIVI),
        member_data(
            email="nouveau@exemple.fr",
            first_name="Noé",
            last_name="Petit",
            og=cast.grappe.porteur_id,
        ),
    )
    assert response.status_code == 302
    person = User.objects.get(email="nouveau@exemple.fr")
    assert not person.has_usable_password()
    assert ComiteMember.objects.filter(user=person, comite__kind=TypeComite.SUIVI).exists()
    assert "« Mot de passe oublié »" in " ".join(messages_of(response))
    assert (
        HistoryEntry.objects.get(action="Ajout d'un membre de comité")
        .changes["Compte"]
        .startswith("créé")
    )


def test_a_new_person_needs_names(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe), member_data(email="x@exemple.fr", og=cast.grappe.porteur_id)
    )
    assert response.status_code == 200
    errors = response.context["member_form"].errors
    assert set(errors) == {"first_name", "last_name"}
    assert not User.objects.filter(email="x@exemple.fr").exists()


def test_duplicate_seat_is_refused(cast, client_for):
    response = client_for(cast.owner).post(
        comite_url(cast.grappe), member_data(email=cast.copil.email, og=cast.grappe.porteur_id)
    )
    assert response.status_code == 200
    assert (
        response.context["member_form"]
        .non_field_errors()[0]
        .startswith(f"{cast.copil} siège déjà au comité de pilotage (COPIL)")
    )
    assert ComiteMember.objects.filter(user=cast.copil).count() == 1


def test_voting_members_represent_a_cooperateur(cast, client_for):
    client = client_for(cast.owner)
    response = client.post(comite_url(cast.grappe), member_data(email=cast.member.email))
    assert (
        "Un membre votant représente un organisme gestionnaire"
        in (response.context["member_form"].errors["og"][0])
    )
    outsider = OrganismeGestionnaireFactory()
    response = client.post(
        comite_url(cast.grappe), member_data(email=cast.member.email, og=outsider.pk)
    )
    assert "og" in response.context["member_form"].errors
    assert not ComiteMember.objects.filter(user=cast.member).exists()
    # An outside person sits as a permanent guest.
    response = client.post(
        comite_url(cast.grappe), member_data(email=cast.member.email, role=RoleComite.INVITE)
    )
    assert response.status_code == 302
    seat = ComiteMember.objects.get(user=cast.member)
    assert seat.og is None and not seat.votes


def test_og_choices_are_the_active_cooperateurs(cast, client_for):
    second = OrganismeGestionnaireFactory()
    add_esms(cast.grappe, 1, og=second)
    response = client_for(cast.owner).get(comite_url(cast.grappe))
    choices = set(response.context["member_form"].fields["og"].queryset)
    assert choices == {cast.grappe.porteur, second}


def test_ars_agents_are_guests_only(cast, client_for):
    client = client_for(cast.owner)
    response = client.post(
        comite_url(cast.grappe), member_data(email=cast.ars.email, og=cast.grappe.porteur_id)
    )
    assert (
        response.context["member_form"].errors["email"][0].startswith("Les agents ARS supervisent")
    )
    response = client.post(
        comite_url(cast.grappe), member_data(email=cast.ars.email, role=RoleComite.INVITE)
    )
    assert response.status_code == 302
    assert ComiteMember.objects.get(user=cast.ars).role == RoleComite.INVITE


def test_guests_do_not_count_in_approvals(cast, client_for):
    client_for(cast.owner).post(
        comite_url(cast.grappe), member_data(email=cast.member.email, role=RoleComite.INVITE)
    )
    comite = copil_of(cast.grappe)
    assert comite.approvals_required() == 1
    body = client_for(cast.owner).get(comite_url(cast.grappe)).content.decode()
    assert "1 approbation requise sur 1 votant." in body


def test_remove_a_member(cast, client_for):
    seat = ComiteMember.objects.get(user=cast.copil)
    client = client_for(cast.owner)
    response = client.get(remove_url(seat))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ne participera plus à la validation" in body
    assert "plus accès" in body
    response = client.post(remove_url(seat))
    assert response.status_code == 302
    assert response["Location"] == comite_url(cast.grappe)
    assert not ComiteMember.objects.filter(pk=seat.pk).exists()
    entry = HistoryEntry.objects.get(action="Retrait d'un membre de comité")
    assert entry.target == str(cast.copil)
    assert entry.changes["Comité"] == "Comité de pilotage (COPIL)"
    assert any("ne siège plus au comité de pilotage (COPIL)" in m for m in messages_of(response))
    # The COPIL seat was their only link to the grappe.
    assert client_for(cast.copil).get(comite_url(cast.grappe)).status_code == 404


def test_removing_a_voter_warns_when_the_quorum_becomes_too_high(cast, client_for):
    comite = copil_of(cast.grappe)
    second = copil_member(cast.grappe)
    comite.regle_validation = RegleValidation.QUORUM
    comite.quorum = 2
    comite.save()
    seat = ComiteMember.objects.get(user=second)
    response = client_for(cast.admin).post(remove_url(seat))
    assert any("Le quorum (2) dépasse" in m for m in messages_of(response))


def test_a_person_with_a_role_keeps_access_after_leaving_a_comite(cast, client_for):
    client_for(cast.owner).post(
        comite_url(cast.grappe), member_data(email=cast.member.email, role=RoleComite.INVITE)
    )
    seat = ComiteMember.objects.get(user=cast.member)
    body = client_for(cast.owner).get(remove_url(seat)).content.decode()
    assert "plus accès" not in body
    client_for(cast.owner).post(remove_url(seat))
    assert client_for(cast.member).get(comite_url(cast.grappe)).status_code == 200


def test_role_kinds_other_than_chef_de_projet_cannot_manage(cast, client_for):
    amoa = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    response = client_for(amoa).post(comite_url(cast.grappe), settings_data())
    assert response.status_code == 403


def test_amoa_consultant_does_not_see_the_comite_de_selection(cast, client_for):
    # Who scores the AMOA offers stays hidden from a possible candidate, like the committee's
    # meetings and the call itself; the other comités stay readable.
    juror = UserFactory(first_name="Yvonne", last_name="Jurée")
    ComiteMember.objects.create(
        comite=Comite.objects.get(grappe=cast.grappe, kind=TypeComite.SELECTION),
        user=juror,
        role=RoleComite.MEMBRE,
    )
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    client = client_for(consultant)
    assert client.get(comite_url(cast.grappe, TypeComite.SELECTION)).status_code == 404
    copil_page = client.get(comite_url(cast.grappe)).content.decode()
    assert "Comité de sélection AMOA" not in copil_page
    grappe_page = client.get(reverse("grappe:detail", args=[cast.grappe.pk])).content.decode()
    assert "Comité de sélection AMOA" not in grappe_page
    assert "Jurée" not in grappe_page
    assert (
        "Comité de sélection AMOA"
        not in client.get(reverse("grappe:roles", args=[cast.grappe.pk])).content.decode()
    )
    # The chef de projet still sees it everywhere.
    owner = client_for(cast.owner)
    assert owner.get(comite_url(cast.grappe, TypeComite.SELECTION)).status_code == 200
    assert "Jurée" in owner.get(reverse("grappe:detail", args=[cast.grappe.pk])).content.decode()


def test_comite_de_selection_changes_are_hidden_from_amoa_consultants_history(cast, client_for):
    juror = UserFactory(email="jure@exemple.fr", first_name="Yvonne", last_name="Jurée")
    owner = client_for(cast.owner)
    selection = comite_url(cast.grappe, TypeComite.SELECTION)
    data = member_data(email="jure@exemple.fr", og=cast.grappe.porteur_id)
    assert owner.post(selection, data).status_code == 302
    assert owner.post(comite_url(cast.grappe), data).status_code == 302
    seat = ComiteMember.objects.get(user=juror, comite__kind=TypeComite.SELECTION)
    assert owner.post(remove_url(seat)).status_code == 302
    entries = HistoryEntry.objects.filter(action__contains="membre de comité")
    assert {(e.changes["Comité"], e.confidentiel) for e in entries} == {
        ("Comité de sélection AMOA", True),
        ("Comité de pilotage (COPIL)", False),
    }
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    history = reverse("grappe:history", args=[cast.grappe.pk])
    page = client_for(consultant).get(history).content.decode()
    assert "Comité de pilotage (COPIL)" in page
    assert "Comité de sélection AMOA" not in page
    # client_for logs the one test client in as each person: the chef de projet again.
    page = client_for(cast.owner).get(history).content.decode()
    assert "Comité de sélection AMOA" in page


def test_migration_marks_the_earlier_comite_de_selection_entries(cast):
    module = importlib.import_module("grappe.migrations.0006_history_comite_selection_confidentiel")
    added = HistoryEntry.record(
        cast.grappe, cast.owner, "Ajout d'un membre de comité", "X", {"Comité": module.SELECTION}
    )
    settings_changed = HistoryEntry.record(
        cast.grappe, cast.owner, "Modification du comité", module.SELECTION, {"Quorum": "3"}
    )
    copil = HistoryEntry.record(
        cast.grappe,
        cast.owner,
        "Retrait d'un membre de comité",
        "Y",
        {"Comité": "Comité de pilotage (COPIL)"},
    )
    module.mark(django_apps, None)
    for entry, expected in ((added, True), (settings_changed, True), (copil, False)):
        entry.refresh_from_db()
        assert entry.confidentiel is expected
    assert TypeComite.SELECTION.label == module.SELECTION
