"""French writing in templates: {% load fr %}.

{{ n|nombre:"grappe" }}                        → « 0 grappe », « 3 grappes »
{{ n|nombre:"ESMS actif,ESMS actifs" }}         → the plural given when it is not « + s »
{{ n|accord:"affichée" }}                       → the word alone, agreed with n
{{ user|selon_personne:"Présent,Présente" }}     → by the person's civility
{{ document.size|taille }}                      → « 5,5 ko », « 20 Mo »
{{ reunion.starts_at|heure }}                   → « 14 h 00 »
{{ montant|chiffre }}, {{ taux|chiffre:1 }}      → « 341 500 », « 85,2 » (any active language)
{{ tranche.pourcentage|pourcent }}              → « 50 % », « 40,5 % » (no-break space)
Money has its own filters: {% load montants %} (core/money.py).
"""

from django import template
from django.utils import timezone

from core import text

register = template.Library()


def _forms(arg):
    singular, _, plural_form = arg.partition(",")
    return singular, plural_form or None


@register.filter
def nombre(count, arg):
    return text.plural(count or 0, *_forms(arg))


@register.filter
def accord(count, arg):
    return text.agree(count or 0, *_forms(arg))


@register.filter
def selon_personne(user, arg):
    masculine, _, feminine = arg.partition(",")
    return text.for_person(user, masculine, feminine or masculine)


@register.filter
def taille(num_bytes):
    return text.size(num_bytes)


@register.filter
def heure(value):
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "date") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return text.time_fr(value)


@register.filter
def chiffre(value, places=None):
    return text.number(value, None if places in (None, "") else int(places))


@register.filter
def pourcent(value, places=None):
    return text.percent(value, None if places in (None, "") else int(places))
