"""What amoa shows on the milestones of the project plan, through projets' extension point
(registered in AmoaConfig.ready(): projets does not import amoa, nor amoa projets' code)."""

from amoa import perms
from amoa.enums import ObjetConsultation
from amoa.models import Choix

# Step 11 of the plan type (« Procéder au choix de la solution »): its milestone is the COPIL's
# go / no go on the éditeur the comité de sélection chose here.
ETAPE_CHOIX_SOLUTION = 11


def choix_editeur(user, grappe):
    """The DUI éditeur the comité de sélection chose, for a user who may see the consultation."""
    choix = (
        Choix.objects.filter(
            consultation__grappe=grappe, consultation__objet=ObjetConsultation.EDITEUR
        )
        .select_related("offre__candidat", "consultation")
        .order_by("-date", "-pk")
        .first()
    )
    if choix is None or not perms.can_view_consultation(user, grappe):
        return None
    return {"template": "amoa/_jalon_choix_editeur.html", "context": {"choix": choix}}
