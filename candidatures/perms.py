"""Who may do what on a call for projects. A published call is read by every signed-in user;
the ARS agents of the AAP's region and the national admin set it up."""

from candidatures.models import Instructeur
from grappe import perms as grappe_perms
from grappe.models import ArsAgent
from grappe.perms import is_og_direction


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


def can_view_candidature(user, grappe, dossier=None):
    """A dossier being prepared is the grappe's: its readers and its OGs' directions see it;
    its region's ARS agents once it has been filed (a dossier sent back for missing pieces stays
    theirs to read); the national admin always."""

    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not grappe_perms.can_view_grappe(user, grappe):
        return is_og_direction(user, grappe)
    if grappe_perms.is_ars_agent_for(user, grappe):
        # The call's managers read it once filed: not the grappe's region's agents when the
        # call is national (its managers are the national admins).
        return (
            dossier is not None
            and dossier.depots.exists()
            and can_manage_campagne(user, dossier.campagne)
        )
    return True


def can_edit_candidature(user, grappe):
    """Prepare the dossier: the chef de projet, who carries it for the OGs (seed 004), and the
    national admin."""

    return grappe_perms.can_decide_composition(user, grappe)


def can_grant_derogation(user):
    """Lift the non-redundancy block of funding: the national admin alone (issue 14)."""
    return user.is_authenticated and user.is_staff


# =============================================================================================
# Instruction (ARS)
# The filed dossiers are the campaign's managers' to instruct: nobody else learns they exist
# (404). Among the managers, the designated instructors score, blind until they submitted.


def can_follow_instruction(user, campagne):
    """See the filed dossiers, their instruction and ranking: the campaign's managers (the
    designated instructors are among them: instruction.eligible_instructeurs)."""
    return can_manage_campagne(user, campagne)


def is_instructeur(user, campagne):
    """Designated to score the campaign's dossiers, and still one of its managers (an agent
    who left the region's ARS no longer instructs)."""
    return (
        can_manage_campagne(user, campagne)
        and Instructeur.objects.filter(campagne=campagne, user=user).exists()
    )


def can_read_decision(user, candidature):
    """The decision letter: the campaign's managers and the grappe's readers (its porteur and
    coopérateurs' people), once the committee decided."""
    return can_manage_campagne(user, candidature.campagne) or grappe_perms.can_view_grappe(
        user, candidature.grappe
    )


def shows_campagnes_in_header(user, context):
    """« Appels à projets » in the header (grappe.extensions.NavEntry): the national admin and
    the ARS agents, who open the calls (can_open_campagne, read here from the header's ties)."""
    return context["scope"] in ("national", "region")
