"""The header: who the user is on Grappe and where they work.

Later apps add their entries here (Projet, AMOA, Indicateurs, Tableau de bord ARS) by URL name;
no app module is imported, so the dependency direction stays indicateurs → projets → grappe.
"""

from dataclasses import dataclass

from django.urls import reverse

from grappe.models import ArsAgent, ComiteMember, Grappe, Role


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False


def user_context(user):
    """What the header and the home page need, in a fixed number of queries."""
    if not hasattr(user, "_grappe_context"):
        grappes = list(Grappe.objects.for_user(user).only("pk", "name", "region_id")[:2])
        regions = list(
            ArsAgent.objects.filter(user=user)
            .select_related("region")
            .values_list("region__name", flat=True)
        )
        user._grappe_context = {"grappes": grappes, "ars_regions": regions}
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
    elif ctx["ars_regions"]:
        items.append(NavItem("Grappes de ma région", reverse("grappe:list")))
    elif len(grappes) == 1:
        items.append(NavItem("Ma grappe", grappes[0].get_absolute_url()))
    else:
        items.append(NavItem("Mes grappes", reverse("grappe:list")))
    for item in items:
        item.active = path.startswith(item.url) and item.url != "/"
    if user.is_staff:
        items.append(NavItem("Administration", reverse("admin:index")))
    return items, role_label(user)
