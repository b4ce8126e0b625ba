"""An OG's direction: the grappes asking to take its ESMS, to accept or refuse."""

from accueil.sections import Section
from grappe.models import JoinRequest


def section(user, ties, today):
    if not ties["og_direction"] and not user.is_staff:
        return None
    demandes = list(
        JoinRequest.objects.for_decider(user).pending().select_related("grappe", "esms")[:10]
    )
    if not demandes:
        return None
    return Section("adhesions", "Demandes d'adhésion à décider", {"demandes": demandes})
