"""The « Finances » section of the projets progress report (page and PDF), registered in
FinancesConfig.ready() through projets.extensions: per poste the budget, engaged, invoiced, paid
and justified amounts with their totals, and the alerts — the figures of the finances page
(finances.services.synthese, one set of figures for both).

The report is read by whoever sees the grappe; its finances only by finances.perms
.can_view_finances (editors, COPIL, coopérateur OG directions, the region's ARS agents, the
national admin): the other readers (a référent, a plain member) get the report without it."""

from finances.perms import can_view_finances
from finances.services import synthese

TEMPLATE = "finances/_rapport_section.html"


def section_finances(grappe, today, user):
    """The section, or None for a reader who may not see the finances, and for a grappe with
    no money yet (no call, nothing budgeted, engaged nor invoiced, no alert)."""
    if user is None or not can_view_finances(user, grappe):
        return None
    data = synthese(grappe)
    totaux = data.totaux
    if not (totaux.budget or totaux.engage or totaux.facture or data.alertes):
        return None
    return {
        "template": TEMPLATE,
        "context": {
            "synthese": data,
            # Postes without any amount are left out: the report stays short; the totals count
            # every poste.
            "postes": [
                ligne
                for ligne in data.postes
                if ligne.budget or ligne.engage or ligne.facture or ligne.paye
            ],
            "today": today,
        },
    }
