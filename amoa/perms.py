"""Who may do what on a grappe's AMOA call for tenders. Built on grappe.perms (same cast).

The grappe's AMOA consultants do not see the call: they may be candidates to it."""

from grappe import perms as grappe_perms
from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import ComiteMember


def can_view_consultation(user, grappe):
    """The grappe's people, its comités, the ARS agents of its region and the national admin —
    except those whose only role on the grappe is AMOA consultant."""
    if not grappe_perms.can_view_grappe(user, grappe):
        return False
    if user.is_staff:
        return True
    roles = grappe_perms._roles(user, grappe)
    return not (roles and roles <= {RoleKind.AMOA})


def can_edit_consultation(user, grappe):
    """Prepare the call, the cahier des charges, record offers: the chef de projet, the admin."""
    if not user.is_authenticated:
        return False
    return user.is_staff or RoleKind.CHEF_PROJET in grappe_perms._roles(user, grappe)


def is_evaluator(user, grappe):
    """Score offers: a voting member of the grappe's comité de sélection (not a guest)."""
    return (
        user.is_authenticated
        and ComiteMember.objects.filter(
            comite__grappe=grappe, comite__kind=TypeComite.SELECTION, user=user
        )
        .exclude(role=RoleComite.INVITE)
        .exists()
    )
