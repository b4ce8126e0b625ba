from grappe.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_role": ""}
    items, role = navigation_for(user, request.path)
    return {"nav_items": items, "nav_role": role}
