"""Who may do what on a grappe's plan. Built on grappe.perms (same cast, same rules)."""

from grappe import perms as grappe_perms
from grappe.models import ComiteMember
from projets.enums import TypeReunion


def can_view_plan(user, grappe):
    return grappe_perms.can_view_grappe(user, grappe)


def can_edit_plan(user, grappe):
    """Schedule steps, upload deliverables, keep the risk register: chef de projet, AMOA, admin."""
    return grappe_perms.can_edit_grappe(user, grappe)


def is_copil_voter(user, grappe):
    """A COPIL member with a vote (not a permanent guest)."""
    return (
        user.is_authenticated
        and ComiteMember.objects.copil_voters().filter(comite__grappe=grappe, user=user).exists()
    )


def can_give_avis(user, grappe):
    """Approve or reject a submitted deliverable: voting COPIL members only."""
    return is_copil_voter(user, grappe)


def can_comment(user, grappe):
    """Comment a submitted deliverable: anyone on the grappe who may edit or sits on the COPIL."""
    return can_edit_plan(user, grappe) or grappe_perms.is_copil_member(user, grappe)


def can_record_decision(user, grappe):
    """Record the COPIL's go/no-go decision on a milestone (the secretary of the meeting, i.e. the
    chef de projet or AMOA, or a national admin)."""
    return can_edit_plan(user, grappe)


def hidden_reunion_kinds(user, grappe):
    """Meetings the user may not see: the comité de sélection's, where the AMOA offers are
    discussed, for the grappe's AMOA consultants (possible candidates)."""
    return [TypeReunion.SELECTION] if grappe_perms.is_amoa_only(user, grappe) else []
