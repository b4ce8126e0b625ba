"""The « Consommation de la subvention » column of the ARS region dashboard (registered in
FinancesConfig.ready() through indicateurs.extensions): per grappe, the justified expenses
against the subsidy.

Justified: paid and eligible invoices, TTC — the rule of finances.services.Regles, applied to
many grappes at once. Two queries whatever the number of grappes: the grappes with their call and
its campaign (its opening), then one grouped sum of the invoices whose filter is an OR of one
eligibility rule per call (a region has few calls); none for an empty page, and no sum when no
call funds anything.

The subsidy is the convention's amount (`Grappe.convention_amount`) only. Before the convention
the grappe page shows the funding simulation's total (grappe.funding.simulate_funding), but that
costs queries per grappe (its active memberships, the small-OG count in the FINESS registry, the
call's tranches): the column says « convention non signée » instead.

No reader check: the dashboard is the region's ARS agents' and the national admin's
(indicateurs.perms.can_view_region), who all read the finances of the region's grappes
(finances.perms.can_view_finances).
"""

import functools
import operator
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q, Sum

from candidatures.models import Campagne
from core.money import euros
from finances.enums import postes_eligibles
from finances.models import Facture
from finances.services import ZERO, Regles, ouverture_aap
from grappe.models import Grappe

CLE = "consommation_subvention"
LIBELLE = "Consommation de la subvention"
CENT_POUR_CENT = Decimal(100)


def ouverture(aap):
    """services.ouverture_aap for a call whose campaign is already loaded
    (select_related("aap__campagne")): no query."""
    try:
        campagne = aap.campagne
    except Campagne.DoesNotExist:
        campagne = None
    return ouverture_aap(aap, campagne)


def regles_par_aap(aaps):
    """{aap_id: Regles} for these calls (their campaign loaded), without a query."""
    return {aap.pk: Regles(postes_eligibles(aap), ouverture(aap)) for aap in aaps}


def justifie_par_grappe(grappes, regles):
    """{grappe_id: justified TTC} for grappes with any, in one query (none when no call funds
    anything)."""
    rules = [
        Q(engagement__grappe__aap_id=aap_id) & regle.q()
        for aap_id, regle in regles.items()
        if regle.postes
    ]
    if not rules:
        return {}
    eligible = functools.reduce(operator.or_, rules)
    return dict(
        Facture.objects.filter(
            eligible,
            engagement__grappe_id__in=[grappe.pk for grappe in grappes],
            payee_le__isnull=False,
        )
        .order_by()
        .values("engagement__grappe_id")
        .annotate(total=Sum("montant_ttc"))
        .values_list("engagement__grappe_id", "total")
    )


def pourcentage(part, total):
    """Whole percent, rounded down: a subsidy 99,6 % consumed does not show « 100 % »."""
    return (part * CENT_POUR_CENT / total).quantize(Decimal(1), rounding=ROUND_DOWN)


def cellule(justifie, subvention, aap_id):
    data = {"justifie": justifie, "subvention": subvention, "pourcentage": None, "detail": ""}
    if subvention is None:
        texte = "Pas de subvention" if aap_id is None else "Convention non signée"
        detail = f"{euros(justifie)} justifiés" if justifie else ""
        return {**data, "texte": texte, "detail": detail}
    if not subvention:
        detail = f"{euros(justifie)} justifiés" if justifie else ""
        return {**data, "texte": "Pas de subvention", "detail": detail}
    taux = pourcentage(justifie, subvention)
    texte = f"{euros(justifie)} / {euros(subvention)} ({taux} %)"
    return {**data, "pourcentage": taux, "texte": texte}


def consommation_subvention(grappes):
    """The column for these grappes (indicateurs.extensions.register_region_column)."""
    colonne = {"cle": CLE, "libelle": LIBELLE, "valeurs": {}}
    if not grappes:
        return colonne
    # The dashboard's rows carry only pk and name: the call and the convention are read here.
    rows = list(
        Grappe.objects.filter(pk__in=[grappe.pk for grappe in grappes])
        .select_related("aap__campagne")
        .only("pk", "convention_amount", "aap")
    )
    aaps = {row.aap_id: row.aap for row in rows if row.aap_id is not None}
    regles = regles_par_aap(aaps.values())
    justifie = justifie_par_grappe(rows, regles)
    for row in rows:
        colonne["valeurs"][row.pk] = cellule(
            justifie.get(row.pk, ZERO), row.convention_amount, row.aap_id
        )
    return colonne
