"""The header's one query is compiled once and run with each user's id: the rows are those the
ORM's own query gives, for every kind of tie."""

import pytest

from grappe import navigation
from grappe.enums import FonctionOg
from grappe.models import OgPerson
from tests.grappe.factories import UserFactory, ars_agent, copil_member

pytestmark = pytest.mark.django_db


def orm_rows(user):
    return [(*row[:5], bool(row[5])) for row in navigation._attachments_query(user.pk).iterator()]


def test_the_compiled_statement_gives_the_orm_rows_for_every_user(cast):
    direction = UserFactory()
    OgPerson.objects.create(user=direction, og=cast.grappe.porteur, fonction=FonctionOg.DIRECTION)
    both = copil_member(cast.other_grappe, ars_agent("11"))
    people = [cast.owner, cast.member, cast.copil, cast.ars, both, direction, cast.stranger]
    for user in people:
        rows = navigation._attachments(user)
        assert sorted(rows) == sorted(orm_rows(user)), user
        assert rows, user
    # Another user's rows never leak in: each run binds its own id.
    assert navigation._attachments(UserFactory()) == []
