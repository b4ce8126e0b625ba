"""Who reads and who writes a grappe's finances (issue 15).

Read: the editors of the grappe (chef de projet, AMOA consultant), its COPIL members, the
directions of its active coopérateur OGs (whose money it is, with or without a role in the
grappe), its region's ARS agents, the national admin. Write: the chef de projet, the AMOA
consultant, the national admin (grappe.perms.can_edit_grappe). Nobody else: the other people of
the grappe get 403, strangers 404 (finances.views.finances_grappe)."""

from grappe import perms as grappe_perms
from grappe.perms import is_og_direction


def can_view_finances(user, grappe):
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or grappe_perms.can_edit_grappe(user, grappe)
        or grappe_perms.is_copil_member(user, grappe)
        or grappe_perms.is_ars_agent_for(user, grappe)
        or is_og_direction(user, grappe)
    )


def can_edit_finances(user, grappe):
    return grappe_perms.can_edit_grappe(user, grappe)
