import pytest
from django.contrib.auth.models import AnonymousUser

from grappe import perms
from grappe.enums import RoleKind
from grappe.models import Grappe
from tests.grappe.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_for_user_scopes(cast):
    visible = {
        name: set(Grappe.objects.for_user(user).values_list("name", flat=True))
        for name, user in cast.users().items()
        if user is not None
    }
    assert (
        visible["owner"]
        == visible["member"]
        == visible["copil"]
        == visible["ars"]
        == {"Grappe des Flandres"}
    )
    assert visible["stranger"] == visible["ars_other"] == {"Grappe lointaine"}
    assert visible["admin"] == {"Grappe des Flandres", "Grappe lointaine"}


def test_for_user_anonymous(cast):
    assert not Grappe.objects.for_user(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("who", "view", "edit", "people"),
    [
        ("owner", True, True, True),
        ("member", True, False, False),
        ("copil", True, False, False),
        ("ars", True, False, False),
        ("ars_other", False, False, False),
        ("stranger", False, False, False),
        ("admin", True, True, True),
    ],
)
def test_can_functions(cast, who, view, edit, people):
    user = cast.users()[who]
    assert perms.can_view_grappe(user, cast.grappe) is view
    assert perms.can_edit_grappe(user, cast.grappe) is edit
    assert perms.can_manage_people(user, cast.grappe) is people


def test_the_amoa_consultant_works_on_the_project_but_does_not_decide_the_composition(cast):
    """grappe.perms.can_decide_composition: the consultant assists the chef de projet."""
    consultant = RoleFactory(grappe=cast.grappe, kind=RoleKind.AMOA).user
    assert perms.can_view_grappe(consultant, cast.grappe)
    assert perms.can_edit_grappe(consultant, cast.grappe)
    assert perms.can_edit_esms(consultant, cast.grappe.memberships.first().esms)
    assert not perms.can_decide_composition(consultant, cast.grappe)
    assert not perms.can_manage_people(consultant, cast.grappe)
    # Chef de projet as well: the other role decides.
    RoleFactory(grappe=cast.grappe, kind=RoleKind.CHEF_PROJET, user=consultant)
    del consultant._grappe_roles_cache
    assert perms.can_decide_composition(consultant, cast.grappe)
    for who, decides in [("owner", True), ("admin", True), ("member", False), ("ars", False)]:
        assert perms.can_decide_composition(cast.users()[who], cast.grappe) is decides, who
    assert not perms.can_decide_composition(AnonymousUser(), cast.grappe)


def test_copil_and_ars_helpers(cast):
    assert perms.is_copil_member(cast.copil, cast.grappe)
    assert not perms.is_copil_member(cast.owner, cast.grappe)
    assert perms.is_ars_agent_for(cast.ars, cast.grappe)
    assert not perms.is_ars_agent_for(cast.ars_other, cast.grappe)
