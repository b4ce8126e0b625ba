"""The sections in the page's order (accueil.sections): what the user must act on first."""

from accueil.sections import adhesions, amoa, ars, copil, membre, national, porteur

# Functions (user, ties, today) -> Section | None.
SECTIONS = [
    copil.section,  # avis owed, with their deadlines
    porteur.section,  # the project the user leads
    adhesions.section,  # an OG direction's decisions
    amoa.section,
    ars.section,
    national.section,
    membre.section,  # the grappes the user belongs to without leading them
]


def for_user(user, ties, today):
    return [section for build in SECTIONS if (section := build(user, ties, today)) is not None]
