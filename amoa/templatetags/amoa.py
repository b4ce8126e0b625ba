from django import template

from amoa import perms

register = template.Library()


@register.simple_tag(takes_context=True)
def can_score(context, grappe):
    """Whether the signed-in person scores offers (the "Ma notation" tab)."""
    request = context.get("request")
    return bool(request and perms.can_score(request.user, grappe))
