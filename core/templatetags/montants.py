"""Amounts of money in templates: {% load montants %} (core/money.py).

{{ offre.prix_total_ht|euros_ht }}   → « 12 500,00 € HT »
{{ ligne.montant|euros }}            → « 12 500,00 € »
Without an amount both give "", so `|default:"—"` shows a dash.
"""

from django import template

from core import money

register = template.Library()


@register.filter
def euros(amount):
    return money.euros(amount)


@register.filter
def euros_ht(amount):
    return money.euros(amount, ht=True)
