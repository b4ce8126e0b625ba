"""Who may read and feed usage data, and record payments. Built on grappe.perms (same cast)."""

from grappe import perms as grappe_perms
from grappe.enums import RoleKind
from grappe.models import ArsAgent, Role

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
    return user.is_staff or bool(grappe_perms.roles(user, grappe) & FEEDER_ROLES)


def feeds_any_grappe(user):
    """Whether the user sends usage data for at least one grappe (the API's entry check; each
    line is then checked against fed_grappe_ids)."""
    return user.is_staff or Role.objects.filter(user=user, kind__in=FEEDER_ROLES).exists()


def fed_grappe_ids(user):
    """The grappes whose usage data the user sends; None for all (national admin, or the
    command line: user None)."""
    if user is None or user.is_staff:
        return None
    return set(
        Role.objects.filter(user=user, kind__in=FEEDER_ROLES).values_list("grappe_id", flat=True)
    )


def can_view_national(user):
    """The national dashboard: the national admins."""
    return user.is_authenticated and user.is_staff


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


# The header's entries (grappe.extensions.NavEntry): `context` is grappe.navigation's
# header_context, read without a query.


def shows_national_dashboard_in_header(user, context):
    return context["scope"] == "national"


def shows_region_dashboard_in_header(user, context):
    return context["scope"] == "region"


def shows_grappe_dashboard_in_header(user, context):
    return context["scope"] == "grappe"
