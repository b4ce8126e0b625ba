"""Who may do what on a grappe's plan. Built on grappe.perms (same cast, same rules)."""

from django.db.models import Exists, OuterRef, Q

from grappe import perms as grappe_perms
from grappe.enums import RoleKind
from grappe.models import ComiteMember, Grappe, Role
from projets.enums import TypeReunion

# The meetings of the comités grappe.perms.hidden_comite_kinds may hide: the comité de sélection's.
CONFIDENTIAL_KINDS = (TypeReunion.SELECTION,)


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


# ---------------------------------------------------------------------------------------------
# Confidential meetings. The grappe's AMOA consultant may be a candidate to its AMOA call: the
# meetings of the comités hidden from them (grappe.perms.hidden_comite_kinds: the comité de
# sélection, which discusses the offers) are hidden, and so is everything born in one — its
# actions, minutes, documents, history entries, calendar events and e-mails. Lists go through
# `visible_to` (projets.models: Reunion, Action, CompteRendu), single objects through
# `can_view_reunion` / `can_view_action`, e-mails through `readers_among`.
# ---------------------------------------------------------------------------------------------


def hidden_reunion_kinds(user, grappe):
    """The kinds of meeting the user may not see on the grappe: those of the comités hidden
    from them (the comité de sélection's, for the grappe's AMOA consultants)."""
    return [
        TypeReunion(kind)
        for kind in grappe_perms.hidden_comite_kinds(user, grappe)
        if kind in TypeReunion.values
    ]


def hidden_reunions(user, path=""):
    """The meetings hidden from `user` on every grappe at once, as one SQL condition on `path`
    (from the listed model to its meeting): for the lists that span the user's grappes (Mes
    actions, the calendar feed, the "À valider" inbox and its count in the header, reminders),
    without a query per grappe. The rule of hidden_reunion_kinds — the confidential meetings
    where the user is the grappe's AMOA consultant and nothing else (grappe.perms.is_amoa_only)
    —, tested to agree with it. None when nothing is hidden."""
    if not user.is_authenticated or user.is_staff:
        return None
    roles = Role.objects.filter(grappe=OuterRef("pk"), user=user)
    amoa_only = Grappe.objects.filter(Exists(roles.filter(kind=RoleKind.AMOA))).exclude(
        Exists(roles.exclude(kind=RoleKind.AMOA))
    )
    return Q(**{f"{path}kind__in": CONFIDENTIAL_KINDS, f"{path}grappe__in": amoa_only})


def is_confidential(reunion):
    """Whether the grappe's history keeps what it says about the meeting, its actions and
    minutes from the people the meeting is hidden from (HistoryEntry.confidentiel). Not
    user-dependent: the kinds hidden_reunion_kinds may hide (tested to agree)."""
    return reunion.kind in CONFIDENTIAL_KINDS


def can_view_reunion(user, reunion):
    """A meeting and what was born in it (actions, minutes, documents): whoever sees the
    grappe, unless the meeting is hidden from them — the rule of Reunion.objects.visible_to."""
    grappe = reunion.grappe
    return can_view_plan(user, grappe) and reunion.kind not in hidden_reunion_kinds(user, grappe)


def can_view_action(user, action):
    """An action is as confidential as the meeting that decided it."""
    return can_view_reunion(user, action.reunion)


def can_update_action(user, action):
    """Change an action's status: its owner or an editor, if they may see the action."""
    if not can_view_action(user, action):
        return False
    is_owner = user.is_authenticated and action.owner_id == user.pk
    return is_owner or can_edit_plan(user, action.grappe)


def readers_among(users, reunion):
    """Those of `users` (people of the meeting's grappe) from whom the meeting is not hidden:
    the recipients of an e-mail about it, the people an action of it may be given to."""
    grappe = reunion.grappe
    return [user for user in users if reunion.kind not in hidden_reunion_kinds(user, grappe)]


# The header's entries (grappe.extensions.NavEntry): `context` is grappe.navigation's
# header_context, read without a query.


def shows_plan_in_header(user, context):
    """« Projet »: the plan of the one grappe the user works on."""
    return context["scope"] == "grappe"


def shows_actions_in_header(user, context):
    """« Mes actions »: the user's actions on their grappes (neither admin nor ARS agent)."""
    return bool(context["grappes"]) and context["scope"] in ("grappe", "grappes")


def shows_inbox_in_header(user, context):
    """« À valider »: the COPIL's voters and the OG directions answer there."""
    return context["copil_voter"] or context["og_direction"]
