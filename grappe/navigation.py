"""The header: who the user is on Grappe and where they work.

grappe shows its own entries (the grappes, the FINESS registry, the admin site); the apps built
on it register theirs (Projet, Consultation AMOA, Indicateurs, Appels à projets…) in
grappe.extensions with the predicate of their perms.py: grappe imports none of them.
"""

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Exists, OuterRef, Value
from django.urls import reverse

from core.text import agree
from grappe.enums import FonctionOg, RoleComite, RoleKind, TypeComite, label_for
from grappe.extensions import NAV_ENTRIES, nav_counter
from grappe.models import ArsAgent, ComiteMember, Grappe, OgPerson, Role


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False
    prefix: str = ""  # the item is active under this path (default: its URL)
    count: int | None = None  # a number beside the label (grappe.extensions.NAV_COUNTERS)
    count_label: str = ""  # what the number counts, for screen readers


def counted(item, url_name, user):
    """`item` with the count an app registered for its entry (one query at most)."""
    counter = nav_counter(url_name)
    if counter is not None:
        function, singular, plural = counter
        item.count = function(user)
        item.count_label = agree(item.count, singular, plural)
    return item


# A user id no account has: it marks, in the statement compiled once, where the user's id goes.
_USER_MARK = -4_242_424_242


def _attachments(user):
    """Every tie of the user to Grappe in one query: (source, grappe id, grappe or region name,
    role, committee kind, votes on a COPIL), for roles, committee seats and ARS regions.

    Simple rows read once per request: the header runs on every page. Compiling the statement
    cost more than running it (a fifth of a page's time in the permission matrix), so it is
    compiled once per database and run with the user's id in place of the mark."""
    sql, params, slots = _attachments_statement(connection.alias)
    params = list(params)
    for slot in slots:
        params[slot] = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # The last column is a boolean (SQLite returns 0 or 1).
        return [(*row[:5], bool(row[5])) for row in cursor.fetchall()]


@functools.cache
def _attachments_statement(alias):
    """(sql, params, positions of the user's id in params) of `_attachments_query`."""
    query = _attachments_query(_USER_MARK).query
    sql, params = query.get_compiler(using=alias).as_sql()
    slots = [index for index, param in enumerate(params) if param == _USER_MARK]
    assert len(slots) == 4, "one user id per part of the union"
    return sql, tuple(params), slots


def _attachments_query(user_id):
    copil_vote = Exists(ComiteMember.objects.copil_voters().filter(pk=OuterRef("pk")))
    # order_by(): a compound statement takes no ORDER BY in its parts (the models' orderings).
    roles = (
        Role.objects.filter(user_id=user_id)
        .order_by()
        .values_list(Value("role"), "grappe_id", "grappe__name", "kind", Value(""), Value(False))
    )
    seats = (
        ComiteMember.objects.filter(user_id=user_id)
        .order_by()
        .annotate(copil_vote=copil_vote)
        .values_list(
            Value("seat"),
            "comite__grappe_id",
            "comite__grappe__name",
            "role",
            "comite__kind",
            "copil_vote",
        )
    )
    regions = (
        ArsAgent.objects.filter(user_id=user_id)
        .order_by()
        .values_list(
            Value("ars"),
            Value(None, output_field=BigIntegerField()),
            "region__name",
            Value(""),
            Value(""),
            Value(False),
        )
    )
    # Directions of organismes gestionnaires answer for their OG in the "À valider" inbox (the
    # engagement on a grappe's dossier), with or without a role in the grappe.
    directions = (
        OgPerson.objects.filter(user_id=user_id, fonction=FonctionOg.DIRECTION)
        .order_by()
        .values_list(
            Value("og"),
            Value(None, output_field=BigIntegerField()),
            "og__raison_sociale",
            Value(""),
            Value(""),
            Value(False),
        )
    )
    return roles.union(seats, regions, directions, all=True)


def user_context(user):
    """What the header and the home page need, in one query (kept on the user for the request).

    `grappes`: at most two of the grappes where the user holds a role or a seat, those where they
    vote on the COPIL first — enough to tell "none, one, several" and "votes somewhere"."""
    if hasattr(user, "_grappe_context"):
        return user._grappe_context
    rows = _attachments(user)
    grappes = {}
    for source, grappe_id, name, kind, _comite, votes in rows:
        if source in ("ars", "og"):
            continue
        grappe = grappes.setdefault(grappe_id, Grappe(pk=grappe_id, name=name))
        grappe.copil_voter = getattr(grappe, "copil_voter", False) or bool(votes)
        if source == "role":
            grappe.role_kinds = getattr(grappe, "role_kinds", set()) | {kind}
    # The rows hold every role of the user: grappe.perms.roles reads them without a query.
    if getattr(user, "_grappe_roles_cache", None) is None:
        user._grappe_roles_cache = {}
    for grappe in grappes.values():
        user._grappe_roles_cache.setdefault(grappe.pk, getattr(grappe, "role_kinds", set()))
    ordered = sorted(grappes.values(), key=lambda g: (not g.copil_voter, g.name, g.pk))
    user._grappe_context = {
        "grappes": ordered[:2],
        "ars_regions": sorted(name for source, _, name, *_ in rows if source == "ars"),
        "copil_voter": any(grappe.copil_voter for grappe in ordered),
        "og_direction": any(source == "og" for source, *_ in rows),
        "rows": rows,
    }
    return user._grappe_context


def role_label(user):
    if user.is_staff:
        return "Administrateur national"
    ctx = user_context(user)
    if ctx["ars_regions"]:
        return "Agent ARS — " + ", ".join(ctx["ars_regions"])
    rows = ctx["rows"]
    roles = sorted((kind, name) for source, _, name, kind, *_ in rows if source == "role")
    if roles:
        kind, name = roles[0]
        return f"{label_for(RoleKind(kind), user)} — {name}"
    seats = [row for row in rows if row[0] == "seat"]
    if seats:
        _, _, name, role, comite, _ = seats[0]
        return f"{label_for(RoleComite(role), user)} du {TypeComite(comite).label} — {name}"
    return ""


def header_context(user):
    """user_context with the header's "scope" — "national" (the national admin), "region" (an
    ARS agent), "grappe" (one grappe), "grappes" (several, or none yet) — and "grappe", the one
    grappe in scope "grappe" (None otherwise): what the registered entries' predicates read."""
    ctx = user_context(user)
    if user.is_staff:
        scope = "national"
    elif ctx["ars_regions"]:
        scope = "region"
    elif len(ctx["grappes"]) == 1:
        scope = "grappe"
    else:
        scope = "grappes"
    return {**ctx, "scope": scope, "grappe": ctx["grappes"][0] if scope == "grappe" else None}


OWN_ENTRIES = {
    "national": [("Grappes", "grappe:list"), ("Registre FINESS", "grappe:registre")],
    "region": [("Grappes de ma région", "grappe:list")],
    "grappes": [("Mes grappes", "grappe:list")],
}


def _registered_item(entry, context):
    args = [context["grappe"].pk] if entry.for_grappe else []
    url = reverse(entry.url_name, args=args)
    prefix = entry.prefix or (url.rstrip("/").rpartition("/")[0] + "/" if entry.section else "")
    return NavItem(entry.label, url, prefix=prefix)


def navigation_for(user, path):
    context = header_context(user)
    if context["grappe"] is not None:
        items = [NavItem("Ma grappe", context["grappe"].get_absolute_url())]
    else:
        items = [NavItem(label, reverse(name)) for label, name in OWN_ENTRIES[context["scope"]]]
    for entry in NAV_ENTRIES:
        if entry.visible(user, context):
            items.append(counted(_registered_item(entry, context), entry.url_name, user))
    for item in items:
        prefix = item.prefix or item.url
        item.active = path.startswith(prefix) and prefix != "/"
    if user.is_staff:
        items.append(NavItem("Administration", reverse("admin:index")))
    return items, role_label(user)
