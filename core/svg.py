"""Primitives of the server-side SVG charts (plan, risks, indicators, finances).

Pages and PDFs embed the very same SVG (WeasyPrint lays out inline SVG): the same picture
without JavaScript. Every function is pure (same input, same SVG: the tests compare bytes).
Text coming from users goes through escape(); only the assembled SVG is marked safe.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
TEXT = "#161616"
MUTED = "#666666"
PRIMARY = "#000091"

MOIS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def n(value):
    """A coordinate, rounded to 0.1 and written without a useless ".0" (stable output)."""
    value = round(value, 1)
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def text(x, y, content, *, size=11, anchor="start", weight=None, fill=TEXT, extra=""):
    attrs = f'x="{n(x)}" y="{n(y)}" font-size="{n(size)}" fill="{fill}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if extra:
        attrs += f" {extra}"
    return f"<text {attrs}>{escape(content)}</text>"


def title(content):
    return f"<title>{escape(content)}</title>"


def svg(width, height, label, body, *, css_class, desc=""):
    desc_tag = f"<desc>{escape(desc)}</desc>" if desc else ""
    # Every piece of text inside went through escape(): only the assembled SVG is marked safe.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}" style="max-width:100%;height:auto">'
        f"{title(label)}{desc_tag}{''.join(body)}</svg>"
    )


def truncate(content, length):
    return content if len(content) <= length else content[: length - 1].rstrip() + "…"
