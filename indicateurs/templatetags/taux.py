"""Usage rates in templates: {% load taux %}.

{{ item|figure }}   → « 94,9 % (cible 90 %) », an indicator of a tranche's frozen figures
                      (Tranche.declenchement), as the tranche's history entry writes it
{{ synthese|sur_personnes_accompagnees }} → the indicators whose denominator is the persons
                      accompanied; {% definition_personnes_accompagnees %} says what it counts
{{ couv|couverture }} → « 15 ESMS déclarants sur 16 (couverture minimale : 90 %), … », the
                      coverage frozen with them
"""

from django import template

from indicateurs.models import PERSONNES_ACCOMPAGNEES_DEFINITION
from indicateurs.services import couverture_texte, figure_texte

register = template.Library()


@register.filter
def figure(item):
    return figure_texte(item)


@register.filter
def couverture(item):
    return couverture_texte(item)


@register.filter
def sur_personnes_accompagnees(synthese):
    """The indicators of a synthesis (cells with .indicateur) whose denominator is the persons
    accompanied, to say what that figure counts (seed 000 §2.3)."""
    return [
        cellule.indicateur
        for cellule in synthese
        if cellule.indicateur.denominateur == "personnes_accompagnees"
    ]


@register.simple_tag
def definition_personnes_accompagnees():
    return PERSONNES_ACCOMPAGNEES_DEFINITION
