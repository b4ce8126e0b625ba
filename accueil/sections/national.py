"""The national admin: the programme in figures — grappes and ESMS, grappes by stage of their
project plan, tranches due and paid, the latest usage figures — from the national dashboard's
context (indicateurs.tableaux.national_context), not computed again."""

from collections import Counter
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery

from accueil.sections import Section
from grappe.models import Grappe
from indicateurs.enums import StatutTranche
from indicateurs.tableaux import national_context
from projets.models import Etape, PhaseReference


def _stages():
    """Grappes by stage of their plan: the phase of the first step neither done nor skipped
    (the region dashboard's current step), « sans plan » or « plan achevé ». Two queries.
    The plan, not the dossier's status: every grappe has one once started, while a dossier of
    candidature exists only for the grappes of a call run on Grappe."""
    pending = Etape.objects.filter(
        plan__grappe=OuterRef("pk"), skipped=False, actual_end__isnull=True
    ).order_by("ordre", "pk")
    rows = (
        Grappe.objects.order_by()
        .annotate(
            phase=Subquery(pending.values("phase")[:1]),
            avec_plan=Exists(Etape.objects.filter(plan__grappe=OuterRef("pk"))),
        )
        .values_list("phase", "avec_plan")
    )
    counts = Counter(phase if avec_plan else "sans_plan" for phase, avec_plan in rows)
    stages = [{"label": "Sans plan projet", "nombre": counts["sans_plan"]}]
    for phase in PhaseReference.objects.order_by("numero"):
        stages.append(
            {"label": f"Phase {phase.numero} — {phase.titre}", "nombre": counts[phase.numero]}
        )
    stages.append({"label": "Plan achevé", "nombre": counts[None]})
    return stages


def section(user, ties, today):
    if not user.is_staff:
        return None
    context = national_context(today)
    rows = context["rows"]
    # The dashboard's tranche columns (one per status, in StatutTranche's order), summed over
    # the regions.
    tranches = []
    for index, (statut, label) in enumerate(StatutTranche.choices):
        cells = [row["tranches"][index] for row in rows]
        tranches.append(
            {
                "statut": statut,
                "label": label,
                "nombre": sum(cell["nombre"] for cell in cells),
                "montant": sum((cell["montant"] for cell in cells), Decimal(0)),
            }
        )
    # Latest usage: per indicator, the regions whose latest month meets the target and the
    # grappes meeting it on their region's latest month (the national dashboard's cells).
    with_data = [row for row in rows if row["dernier_mois"]]
    usages = []
    for index, indicateur in enumerate(context["indicateurs"]):
        cells = [row["cellules"][index] for row in with_data]
        usages.append(
            {
                "indicateur": indicateur,
                "regions_atteintes": sum(1 for cell in cells if cell["atteinte"]),
                "regions_mesurees": sum(1 for cell in cells if cell["taux"] is not None),
                "grappes_atteintes": sum(cell["grappes_atteintes"] for cell in cells),
            }
        )
    return Section(
        "national",
        "Le programme au niveau national",
        {
            "nb_grappes": sum(row["nb_grappes"] for row in rows),
            "nb_esms": sum(row["nb_esms"] for row in rows),
            "nb_regions_donnees": len(with_data),
            "dernier_mois": max((row["dernier_mois"] for row in with_data), default=None),
            "stages": _stages(),
            "tranches": tranches,
            "usages": usages,
        },
    )
