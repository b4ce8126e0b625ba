"""Who may do what on a grappe's AMOA call for tenders. Built on grappe.perms (same cast).

The grappe's AMOA consultants do not see the call: they may be candidates to it."""

from amoa.models import Evaluation
from grappe import perms as grappe_perms
from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import ComiteMember


def can_view_consultation(user, grappe):
    """The grappe's people, its comités, the ARS agents of its region and the national admin —
    except those whose only role on the grappe is AMOA consultant."""
    return grappe_perms.can_view_grappe(user, grappe) and not grappe_perms.is_amoa_only(
        user, grappe
    )


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


def can_score(user, grappe):
    """Enter scores on the qualitative criteria: the comité de sélection's voting members."""
    return is_evaluator(user, grappe)


def can_decide(user, grappe):
    """Set a consensus score, check indispensable criteria: the chef de projet, the admin, the
    comité de sélection's voting members."""
    return can_edit_consultation(user, grappe) or is_evaluator(user, grappe)


def can_see_scores(user, consultation):
    """Everybody who may see the consultation sees the scores, except an evaluator who has not
    yet submitted their own grid: they must not be influenced by the others'."""
    if not can_view_consultation(user, consultation.grappe):
        return False
    if not is_evaluator(user, consultation.grappe):
        return True
    return Evaluation.objects.filter(
        consultation=consultation, evaluateur=user, soumise_le__isnull=False
    ).exists()
