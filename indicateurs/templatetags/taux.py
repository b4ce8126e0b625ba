"""Usage rates in templates: {% load taux %}.

{{ item|figure }}   → « 94,9 % (cible 90 %) », an indicator of a tranche's frozen figures
                      (Tranche.declenchement), as the tranche's history entry writes it
"""

from django import template

from indicateurs.services import figure_texte

register = template.Library()


@register.filter
def figure(item):
    return figure_texte(item)
