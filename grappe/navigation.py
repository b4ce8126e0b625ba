"""The header: who the user is on Grappe and where they work.

Later apps add their entries here (Projet, AMOA, Indicateurs, Tableau de bord ARS) by URL name;
no app module is imported, so the dependency direction stays indicateurs → projets → grappe.
"""

from dataclasses import dataclass

from django.db.models import BigIntegerField, Exists, OuterRef, Value
from django.urls import reverse

from core.text import agree
from grappe.enums import FonctionOg, RoleComite, RoleKind, TypeComite, label_for
from grappe.extensions import nav_counter
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


def _attachments(user):
    """Every tie of the user to Grappe in one query: (source, grappe id, grappe or region name,
    role, committee kind, votes on a COPIL), for roles, committee seats and ARS regions.

    Simple rows read once per request: the header runs on every page, and the correlated
    subqueries it used before cost more to build in Python than to run."""
    copil_vote = Exists(ComiteMember.objects.copil_voters().filter(pk=OuterRef("pk")))
    # order_by(): a compound statement takes no ORDER BY in its parts (the models' orderings).
    roles = (
        Role.objects.filter(user=user)
        .order_by()
        .values_list(Value("role"), "grappe_id", "grappe__name", "kind", Value(""), Value(False))
    )
    seats = (
        ComiteMember.objects.filter(user=user)
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
        ArsAgent.objects.filter(user=user)
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
        OgPerson.objects.filter(user=user, fonction=FonctionOg.DIRECTION)
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
    return list(roles.union(seats, regions, directions, all=True))


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
    for grappe in grappes.values():
        # AMOA consultants only: the AMOA call is hidden from them (amoa.perms).
        grappe.amoa_only = getattr(grappe, "role_kinds", set()) == {RoleKind.AMOA}
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


def navigation_for(user, path):
    ctx = user_context(user)
    items = []
    grappes = ctx["grappes"]
    if user.is_staff:
        items.append(NavItem("Grappes", reverse("grappe:list")))
        items.append(NavItem("Registre FINESS", reverse("grappe:registre")))
        items.append(
            NavItem(
                "Tableau national", reverse("indicateurs:tableau_national"), prefix="/indicateurs/"
            )
        )
        items.append(NavItem("Appels à projets", reverse("candidatures:campagnes")))
    elif ctx["ars_regions"]:
        items.append(NavItem("Grappes de ma région", reverse("grappe:list")))
        # /indicateurs/ars/ leads the agent to their region's dashboard.
        items.append(
            NavItem(
                "Tableau de bord ARS", reverse("indicateurs:tableau_ars"), prefix="/indicateurs/"
            )
        )
        items.append(NavItem("Appels à projets", reverse("candidatures:campagnes")))
    elif len(grappes) == 1:
        grappe = grappes[0]
        items.append(NavItem("Ma grappe", grappe.get_absolute_url()))
        plan_url = reverse("projets:plan", args=[grappe.pk])
        # Active on every project page of the grappe (plan, livrables, planning, risques…).
        items.append(NavItem("Projet", plan_url, prefix=plan_url.removesuffix("plan/")))
        if not grappe.amoa_only:
            items.append(
                NavItem(
                    "Consultation AMOA",
                    reverse("amoa:consultations", args=[grappe.pk]),
                    prefix=f"/amoa/grappes/{grappe.pk}/",
                )
            )
        indicateurs_url = reverse("indicateurs:tableau_grappe", args=[grappe.pk])
        items.append(
            NavItem(
                "Indicateurs",
                indicateurs_url,
                prefix=indicateurs_url.removesuffix("tableau-de-bord/"),
            )
        )
    else:
        items.append(NavItem("Mes grappes", reverse("grappe:list")))
    if grappes and not user.is_staff and not ctx["ars_regions"]:
        items.append(NavItem("Mes actions", reverse("projets:my_actions")))
    if ctx["copil_voter"] or ctx["og_direction"]:
        # The documents awaiting the person's answer, counted by approbations.inbox (each app
        # registers its kinds in its ready(); the counter is registered by projets).
        items.append(counted(NavItem("À valider", reverse("projets:inbox")), "projets:inbox", user))
    for item in items:
        prefix = item.prefix or item.url
        item.active = path.startswith(prefix) and prefix != "/"
    if user.is_staff:
        items.append(NavItem("Administration", reverse("admin:index")))
    return items, role_label(user)
