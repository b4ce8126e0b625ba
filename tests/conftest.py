import os
from dataclasses import dataclass

import pytest

from grappe.enums import RoleKind
from tests.grappe.factories import (
    GrappeFactory,
    RoleFactory,
    UserFactory,
    add_esms,
    ars_agent,
    copil_member,
)

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by the
# browser tests' set-up are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Cast:
    """The fixed cast every view is tested against."""

    grappe: object
    owner: object  # chef de projet of the grappe
    member: object  # a référent / member of the grappe
    copil: object  # COPIL member of the grappe (no other role)
    ars: object  # ARS agent of the grappe's region
    ars_other: object  # ARS agent of another region
    stranger: object  # chef de projet of another grappe
    admin: object  # national admin
    other_grappe: object

    def users(self):
        return {
            "owner": self.owner,
            "member": self.member,
            "copil": self.copil,
            "ars": self.ars,
            "ars_other": self.ars_other,
            "stranger": self.stranger,
            "admin": self.admin,
            "anonymous": None,
        }


@pytest.fixture
def cast(db):
    grappe = GrappeFactory(name="Grappe des Flandres")
    add_esms(grappe, 3)
    owner = RoleFactory(grappe=grappe, kind=RoleKind.CHEF_PROJET, user=UserFactory(email="cheffe@exemple.fr")).user
    member = RoleFactory(grappe=grappe, kind=RoleKind.REFERENT_METIER, user=UserFactory(email="referent@exemple.fr")).user
    copil = copil_member(grappe, UserFactory(email="copil@exemple.fr"))
    ars = ars_agent("32", UserFactory(email="ars@exemple.fr"))
    ars_other = ars_agent("84", UserFactory(email="ars-ara@exemple.fr"))
    other = GrappeFactory(name="Grappe lointaine", region_id=ars_other.ars_regions.first().region_id)
    stranger = RoleFactory(grappe=other, kind=RoleKind.CHEF_PROJET, user=UserFactory(email="autre@exemple.fr")).user
    admin = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    return Cast(grappe, owner, member, copil, ars, ars_other, stranger, admin, other)


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user (anonymous for None)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make
