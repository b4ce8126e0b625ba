"""Who may do what on a call for projects. A published call is read by every signed-in user;
the ARS agents of the AAP's region and the national admin set it up."""

from grappe import perms as grappe_perms
from grappe.models import ArsAgent


def can_view_campagne(user, campagne):
    return user.is_authenticated


def can_open_campagne(user):
    """Open a call: an ARS agent (on an AAP of their region) or the national admin."""
    return user.is_authenticated and (user.is_staff or ArsAgent.objects.filter(user=user).exists())


def can_manage_campagne(user, campagne):
    """Set up the call: the ARS agents of the AAP's region, the national admin."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    region_id = campagne.aap.region_id
    return (
        region_id is not None and ArsAgent.objects.filter(user=user, region_id=region_id).exists()
    )


def can_view_candidature(user, grappe):
    """A dossier being prepared is the grappe's: its readers see it, its region's ARS agents
    once it is filed (issue 14, next part), the national admin always."""

    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return grappe_perms.can_view_grappe(user, grappe) and not grappe_perms.is_ars_agent_for(
        user, grappe
    )


def can_edit_candidature(user, grappe):
    """Prepare the dossier: the chef de projet, who carries it for the OGs (seed 004), and the
    national admin."""

    return grappe_perms.can_decide_composition(user, grappe)
