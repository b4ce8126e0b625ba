"""Usage rates in templates: {% load taux %}.

{{ item|figure }}   → « 94,9 % (cible 90 %) », an indicator of a tranche's frozen figures
                      (Tranche.declenchement), as the tranche's history entry writes it
{{ couv|couverture }} → « 15 ESMS déclarants sur 16 (couverture minimale : 90 %), … », the
                      coverage frozen with them
"""

from django import template

from indicateurs.services import couverture_texte, figure_texte

register = template.Library()


@register.filter
def figure(item):
    return figure_texte(item)


@register.filter
def couverture(item):
    return couverture_texte(item)
