import datetime

from grappe.enums import RoleComite
from projets.services import instantiate_plan
from tests.grappe.factories import copil_member


def plan_for(grappe, start_on=datetime.date(2026, 1, 5), user=None):
    """The grappe's plan copied from the reference plan (18 steps, 6 milestones, 41 deliverables)."""
    return instantiate_plan(grappe, start_on, user)


def copil_voters(grappe, count=3):
    """`count` extra voting COPIL members."""
    return [copil_member(grappe, role=RoleComite.MEMBRE) for _ in range(count)]
