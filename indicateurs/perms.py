"""Who may read and feed usage data, and record payments. Built on grappe.perms (same cast)."""

from grappe import perms as grappe_perms
from grappe.enums import RoleKind
from grappe.models import ArsAgent

# Who sends the monthly usage data of a grappe's ESMS (file, API, form).
FEEDER_ROLES = {
    RoleKind.CHEF_PROJET,
    RoleKind.AMOA,
    RoleKind.REFERENT_DUI,
    RoleKind.REFERENT_FONCTIONNEL,
}


def can_view_indicateurs(user, grappe):
    return grappe_perms.can_view_grappe(user, grappe)


def can_feed_usage(user, grappe):
    if not user.is_authenticated:
        return False
    return user.is_staff or bool(grappe_perms._roles(user, grappe) & FEEDER_ROLES)


def can_record_payment(user, grappe):
    """Record the payment of a tranche: the ARS agents of the grappe's region, the admin."""
    if not user.is_authenticated:
        return False
    return user.is_staff or grappe_perms.is_ars_agent_for(user, grappe)


def can_view_region(user, region):
    """The regional dashboard: the region's ARS agents and the national admin."""
    if not user.is_authenticated:
        return False
    return user.is_staff or ArsAgent.objects.filter(user=user, region=region).exists()
