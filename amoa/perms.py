"""Who may do what on a grappe's AMOA call for tenders. Built on grappe.perms (same cast).

The grappe's AMOA consultants do not see the call: they may be candidates to it."""

from amoa.models import Consultation, Evaluation
from grappe import perms as grappe_perms
from grappe.enums import RoleComite, RoleKind, TypeComite
from grappe.models import ComiteMember

# Why the grappe's AMOA consultant is refused the call's pages. They know the grappe, so they
# are told (403) rather than shown a bare 404; strangers to the grappe still get the 404 that
# tells them nothing.
HIDDEN_FROM_CONSULTANT = (
    "La consultation AMOA de cette grappe n'est pas visible du consultant AMOA, qui peut y "
    "être candidat."
)


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
    return user.is_staff or RoleKind.CHEF_PROJET in grappe_perms.roles(user, grappe)


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


def can_reopen_grid(user, grappe):
    """Unlock a submitted grid: the comité de sélection's president, the national admin."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or ComiteMember.objects.filter(
            comite__grappe=grappe,
            comite__kind=TypeComite.SELECTION,
            user=user,
            role=RoleComite.PRESIDENT,
        ).exists()
    )


def can_reopen_consultation(user, grappe):
    """Clear a recorded choice (and its frozen ranking): the chef de projet, the admin."""
    return can_edit_consultation(user, grappe)


def _submitted(user):
    return Evaluation.objects.filter(evaluateur=user, soumise_le__isnull=False).values(
        "consultation_id"
    )


def is_blind(user, consultation):
    """An evaluator who has not submitted their grid for this consultation — one added to the
    comité after the choice included: they must not be influenced by the others' scores, the
    consensus, the eliminations or the choice."""
    return (
        is_evaluator(user, consultation.grappe)
        and not _submitted(user).filter(consultation_id=consultation.pk).exists()
    )


def can_see_scores(user, consultation):
    """Everybody who may see the consultation sees the scores, except a blind evaluator."""
    return can_view_consultation(user, consultation.grappe) and not is_blind(user, consultation)


def is_blind_on_grappe(user, grappe):
    """Blind on at least one consultation of the grappe that has offers (the history's
    entries do not say which consultation they are about, so all are hidden then)."""
    if not is_evaluator(user, grappe):
        return False
    return (
        Consultation.objects.filter(grappe=grappe, offres__isnull=False)
        .exclude(pk__in=_submitted(user))
        .exists()
    )


def history_filter(user, grappe, entries):
    """Registered in grappe.extensions (amoa.apps): the grappe's history without the AMOA
    call's confidential entries (scores, consensus, eliminations, choice) for a blind
    evaluator."""
    if is_blind_on_grappe(user, grappe):
        return entries.without_confidential()
    return entries


def shows_consultation_in_header(user, context):
    """« Consultation AMOA » in the header (grappe.extensions.NavEntry): the call of the one
    grappe the user works on, unless they are its AMOA consultant (no query: the header's ties
    hold the roles)."""
    grappe = context["grappe"]
    return grappe is not None and not grappe_perms.is_amoa_only(user, grappe)
