"""The header: who the user is on Grappe and where they work.

Later apps add their entries here (Projet, AMOA, Indicateurs, Tableau de bord ARS) by URL name;
no app module is imported, so the dependency direction stays indicateurs → projets → grappe.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from core.text import agree
from grappe.enums import RoleKind
from grappe.extensions import nav_counter
from grappe.models import ArsAgent, ComiteMember, Grappe, Role


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


def user_context(user):
    """What the header and the home page need, in a fixed number of queries."""
    if not hasattr(user, "_grappe_context"):
        # A voting COPIL seat is read with the grappes: those where the user votes come first,
        # so two rows tell both "how many grappes (0, 1, more)" and "votes somewhere".
        voting_seat = ComiteMember.objects.copil_voters().filter(
            comite__grappe=OuterRef("pk"), user=user
        )
        my_roles = Role.objects.filter(grappe=OuterRef("pk"), user=user)
        grappes = list(
            Grappe.objects.for_user(user)
            .annotate(
                copil_voter=Exists(voting_seat),
                # AMOA consultants only: the AMOA call is hidden from them (amoa.perms).
                amoa_only=Exists(my_roles.filter(kind=RoleKind.AMOA))
                & ~Exists(my_roles.exclude(kind=RoleKind.AMOA)),
            )
            .only("pk", "name", "region_id")
            .order_by("-copil_voter", "name", "pk")[:2]
        )
        regions = list(
            ArsAgent.objects.filter(user=user)
            .select_related("region")
            .values_list("region__name", flat=True)
        )
        user._grappe_context = {
            "grappes": grappes,
            "ars_regions": regions,
            "copil_voter": any(grappe.copil_voter for grappe in grappes),
        }
    return user._grappe_context


def role_label(user):
    if user.is_staff:
        return "Administrateur national"
    ctx = user_context(user)
    if ctx["ars_regions"]:
        return "Agent ARS — " + ", ".join(ctx["ars_regions"])
    role = Role.objects.filter(user=user).select_related("grappe").order_by("kind").first()
    if role:
        return f"{role.get_kind_display()} — {role.grappe.name}"
    seat = ComiteMember.objects.filter(user=user).select_related("comite__grappe").first()
    if seat:
        return f"{seat.get_role_display()} du {seat.comite.get_kind_display()} — {seat.comite.grappe.name}"
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
    elif ctx["ars_regions"]:
        items.append(NavItem("Grappes de ma région", reverse("grappe:list")))
        # /indicateurs/ars/ leads the agent to their region's dashboard.
        items.append(
            NavItem(
                "Tableau de bord ARS", reverse("indicateurs:tableau_ars"), prefix="/indicateurs/"
            )
        )
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
    if ctx["copil_voter"]:
        # The documents awaiting the voter's avis, counted by projets (registered in its ready()).
        items.append(counted(NavItem("À valider", reverse("projets:inbox")), "projets:inbox", user))
    for item in items:
        prefix = item.prefix or item.url
        item.active = path.startswith(prefix) and prefix != "/"
    if user.is_staff:
        items.append(NavItem("Administration", reverse("admin:index")))
    return items, role_label(user)
