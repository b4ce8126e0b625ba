"""Who may do what on a grappe. Views call these `can_*` functions; nothing else decides.

Convention: each function takes the user first, then the object, and returns a bool. Scoping of
lists goes through `Grappe.objects.for_user(user)`. Cast used in every view test: owner (chef de
projet), member, COPIL member, ARS agent of the region, stranger (on another grappe), anonymous,
plus the national admin (`is_staff`).
"""

from grappe.enums import FonctionOg, RoleKind, TypeComite
from grappe.models import ArsAgent, ComiteMember, Grappe, OgPerson, Role

EDITOR_ROLES = {RoleKind.CHEF_PROJET, RoleKind.AMOA}


def roles(user, grappe):
    """The kinds of the user's roles on the grappe (cached on the user for the request)."""
    if not user.is_authenticated:
        return set()
    cache = getattr(user, "_grappe_roles_cache", None)
    if cache is None:
        cache = {}
        user._grappe_roles_cache = cache
    if grappe.pk not in cache:
        cache[grappe.pk] = set(
            Role.objects.filter(grappe=grappe, user=user).values_list("kind", flat=True)
        )
    return cache[grappe.pk]


def is_ars_agent_for(user, grappe):
    return (
        user.is_authenticated
        and ArsAgent.objects.filter(user=user, region_id=grappe.region_id).exists()
    )


def is_copil_member(user, grappe):
    return (
        user.is_authenticated
        and ComiteMember.objects.filter(
            comite__grappe=grappe, comite__kind=TypeComite.COPIL, user=user
        ).exists()
    )


def is_amoa_only(user, grappe):
    """The grappe's AMOA consultant and nothing else on it: a possible candidate to its AMOA
    call, from which the call's pages, history and selection meetings are hidden."""
    if not user.is_authenticated or user.is_staff:
        return False
    kinds = roles(user, grappe)
    return bool(kinds) and kinds <= {RoleKind.AMOA}


def hidden_comite_kinds(user, grappe):
    """Comités whose composition the user may not see: the comité de sélection, who score the
    AMOA offers, for the grappe's AMOA consultants (possible candidates)."""
    return [TypeComite.SELECTION] if is_amoa_only(user, grappe) else []


def can_view_grappe(user, grappe):
    if not user.is_authenticated:
        return False
    return Grappe.objects.for_user(user).filter(pk=grappe.pk).exists()


def can_edit_grappe(user, grappe):
    """Work on the grappe's project: its plan, meetings, risks, the ESMS's own data, the
    cooperation agreement's draft. Its chef de projet, its AMOA consultant (who assists them), a
    national admin. ARS agents read only. What the grappe is and who is in it is decided by
    fewer people: can_decide_composition."""
    if not user.is_authenticated:
        return False
    return user.is_staff or bool(roles(user, grappe) & EDITOR_ROLES)


def can_decide_composition(user, grappe):
    """Decide what the grappe is and who is in it: its identity (the grappe's form: name, AAP,
    porteur, project type, AMOA envelopes asked for, ARS convention), adding an ESMS, releasing
    one for another grappe, removing a coopérateur, an ESMS's project type and entry date. The
    chef de projet, who carries these decisions for the organismes gestionnaires (seed 004), and
    the national admin; both traced in the grappe's history.

    Not the AMOA consultant, although an editor: they assist the chef de projet and read all of
    it, but the grappe's identity holds the AMOA funding they may be paid from, and its
    composition commits the OGs. The consultant proposes, the chef de projet decides."""
    if not user.is_authenticated:
        return False
    return user.is_staff or RoleKind.CHEF_PROJET in roles(user, grappe)


def can_manage_people(user, grappe):
    """Give roles and seats on committees: the chef de projet or a national admin."""
    if not user.is_authenticated:
        return False
    return user.is_staff or RoleKind.CHEF_PROJET in roles(user, grappe)


def can_create_grappe(user):
    """Start a grappe: a person who speaks for an organisme gestionnaire (its direction or a
    référent, declared by the national admin), who becomes its chef de projet, and the national
    admin. A grappe is carried by an OG (seed 004: the porteur signs for its coopérateurs), so a
    signed-in person with no OG behind them starts none; ARS agents supervise and carry none."""
    if not user.is_authenticated:
        return False
    return user.is_staff or OgPerson.objects.filter(user=user).exists()


def speaks_for_og(user, og):
    """The OG's direction or référent (or the national admin): their ESMS join a grappe
    without a request to the OG."""
    if not user.is_authenticated:
        return False
    return user.is_staff or OgPerson.objects.filter(user=user, og=og).exists()


def can_decide_join(user, join_request):
    """Agree to (or refuse) an ESMS joining a grappe: its OG's direction, the national admin."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return OgPerson.objects.filter(
        user=user, og_id=join_request.esms.og_id, fonction=FonctionOg.DIRECTION
    ).exists()


def can_browse_registre(user):
    """The registry is public data, but here it is a working tool for those who build grappes:
    national admins and the editors (chef de projet, AMOA) of a grappe."""
    if not user.is_authenticated:
        return False
    return user.is_staff or Role.objects.filter(user=user, kind__in=EDITOR_ROLES).exists()


def can_import_finess(user):
    return user.is_authenticated and user.is_staff


def can_edit_esms(user, esms):
    """An ESMS's own data (DUI situation, capacity): editors of the grappe it is active in (one
    at a time), the national admin."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return Role.objects.filter(
        user=user,
        kind__in=EDITOR_ROLES,
        grappe__memberships__esms=esms,
        grappe__memberships__left_on__isnull=True,
    ).exists()


def is_og_direction(user, grappe):
    """A direction of one of the grappe's active coopérateur OGs, with or without a role in the
    grappe: it commits its OG on the dossier (candidatures.engagements) and reads the project's
    finances (finances.perms), its OG's money."""
    return (
        user.is_authenticated
        and OgPerson.objects.filter(
            user=user,
            fonction=FonctionOg.DIRECTION,
            og__grappe_memberships__grappe=grappe,
            og__grappe_memberships__left_on__isnull=True,
        ).exists()
    )
