"""An ARS agent: for each of their regions, the grappes at risk (late steps, targets far from met
on their latest month, minutes late), the tranches to pay, and the region's calls for
projects."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from accueil.sections import Section
from candidatures.enums import StatutCandidature
from candidatures.models import Campagne
from grappe.models import ArsAgent
from indicateurs.charts import LOIN
from indicateurs.models import TRANCHE_A_PAYER
from indicateurs.tableaux import region_alertes
from projets.comptes_rendus import late_minutes
from projets.models import Reunion

RISQUES_MAX = 10  # grappes at risk listed per region, the worst first
CAMPAGNES_MAX = 3
# What the ARS pays (Tranche.objects.a_payer(): the payment page takes only these), a tranche
# paid in part included.
A_PAYER = TRANCHE_A_PAYER


def _risque(row, cr_retards):
    """A row of the region dashboard as a grappe at risk, or None: its late steps, its targets
    « loin » (more than 10 points below: the dashboard's own status) on its latest month, its
    late minutes."""
    grappe = row["grappe"]
    loin = [cellule for cellule in row["cellules"] if cellule.statut["code"] == LOIN]
    retards = grappe.retards
    if not (retards or loin or cr_retards):
        return None
    return {
        "grappe": grappe,
        "retards": retards,
        "cibles_loin": [cellule.indicateur.libelle for cellule in loin],
        "dernier_mois": row["dernier_mois"],
        "cr_retards": cr_retards,
        # The worst first: most problems, then the farthest from the targets.
        "gravite": (retards + len(loin) + cr_retards, sum(c.ecart for c in loin)),
    }


def _region(region, today, cr_retards):
    # The region's grappes at risk and tranches to pay, from the stored monthly summaries (one
    # fixed set of queries per region, whatever its number of grappes).
    alertes = region_alertes(region, today, cr_retards, limit=RISQUES_MAX, statuts=A_PAYER)
    risques = [
        risque
        for row in alertes["rows"]
        if (risque := _risque(row, cr_retards.get(row["grappe"].pk, 0))) is not None
    ]
    risques.sort(key=lambda risque: risque["grappe"].name.lower())
    risques.sort(key=lambda risque: risque["gravite"], reverse=True)
    tranches = alertes["tranches"]
    tranches.sort(key=lambda t: (t.due_le is None, t.due_le or timezone.now(), t.grappe.name))
    return {
        "region": region,
        "nb_grappes": alertes["nb_grappes"],
        "risques": risques,
        "nb_risques": alertes["nb_risques"],
        "tranches": tranches,
        "total_a_payer": sum((t.reste_a_payer for t in tranches), Decimal(0)),
    }


def section(user, ties, today):
    if not ties["ars_regions"]:
        return None
    regions = [
        agent.region
        for agent in ArsAgent.objects.filter(user=user)
        .select_related("region")
        .order_by("region__name")
    ]
    cr_retards = late_minutes(Reunion.objects.filter(grappe__region__in=regions), today)
    campagnes = list(
        Campagne.objects.filter(aap__region__in=regions)
        .select_related("aap__region")
        .annotate(
            deposes=Count(
                "candidatures", filter=~Q(candidatures__statut=StatutCandidature.BROUILLON)
            ),
            a_instruire=Count(
                "candidatures", filter=Q(candidatures__statut=StatutCandidature.DEPOSEE)
            ),
        )
        .order_by("-cloture", "pk")[:CAMPAGNES_MAX]
    )
    now = timezone.now()
    return Section(
        "ars",
        "Ma région",
        {
            "regions": [_region(region, today, cr_retards) for region in regions],
            "campagnes": [(campagne, campagne.statut(now)) for campagne in campagnes],
        },
    )
