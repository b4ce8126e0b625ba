from django.db import models


class Decision(models.TextChoices):
    """An answer on a document. The stored values are those of the deliverables' and the
    minutes' former answers, so each kind of document keeps its own words: deliverables offer
    approve / reject / comment, minutes approve / request changes."""

    APPROUVE = "approuve", "Approuve"
    REJETTE = "rejette", "Rejette"
    MODIFICATIONS = "modifications", "Demande des modifications"
    COMMENTAIRE = "commentaire", "Commentaire"


# The answers that count towards the outcome (a comment never does): one per person and round.
DECISIVE = (Decision.APPROUVE, Decision.REJETTE, Decision.MODIFICATIONS)
