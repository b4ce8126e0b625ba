"""Funding simulation: the AAP's barème applied to the grappe, then split into payment tranches.

Amounts, caps and the tranche split are data on the `Aap` and its `AapTranche` rows (DOMAIN.md §4:
one phase paid 40 %/60 % instead of 50 %/50 %), never constants here. Money is Decimal throughout;
tranches are rounded to the cent and the last one takes the remainder, so that what the page shows
adds up to the total to the cent — the figure the ARS convention will carry.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.money import euros
from core.text import agree, number, plural
from grappe.enums import TypeProjet, UniteSeuil
from grappe.models import OrganismeGestionnaire

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass
class FundingLine:
    label: str
    quantity: int
    unit_amount: Decimal
    amount: Decimal
    note: str = ""
    # Which line of the barème it is, whatever its wording (the budget's postes: finances).
    code: str = ""


@dataclass
class TrancheLine:
    numero: int
    pourcentage: Decimal
    evenement_label: str
    montant: Decimal


@dataclass
class FundingSimulation:
    lines: list[FundingLine] = field(default_factory=list)
    total: Decimal = Decimal(0)
    tranches: list[TrancheLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (rule, source) of the call, shown under the simulation.
    rules: list[tuple[str, str]] = field(default_factory=list)

    def line(self, label_start):
        """The first line whose label starts with `label_start`, or None."""
        return next((line for line in self.lines if line.label.startswith(label_start)), None)


def small_og_counts(grappe, aap, memberships):
    """{og_id: establishments run} for the OG of the grappe running fewer than `seuil_petit_og`.

    "Establishments run" is the OG's ESMS count in the whole FINESS registry (one aggregate query
    for every OG of the grappe), never less than its ESMS count in the grappe — the registry may
    lag behind an ESMS entered by hand.
    """
    if aap.seuil_petit_og is None:
        return {}
    in_grappe = Counter(m.esms.og_id for m in memberships)
    if not in_grappe:
        return {}
    registry = dict(
        OrganismeGestionnaire.objects.with_esms_count()
        .filter(pk__in=in_grappe)
        .values_list("pk", "esms_count")
    )
    runs = {og_id: max(registry.get(og_id, 0), count) for og_id, count in in_grappe.items()}
    return {og_id: count for og_id, count in runs.items() if count < aap.seuil_petit_og}


def amoa_refusal(aap, requested, acquisition, small):
    """Why the AMOA envelopes asked for are not funded (a French sentence), or "" if they are.

    The envelopes are for acquisition projects only (seed 000 §1), in the calls that fund them
    (`Aap.finance_amoa`, with its source), and in some calls only with a small OG."""
    if not requested:
        return ""
    if not aap.finance_amoa:
        return f"l'appel « {aap.name} » ne finance pas l'AMOA."
    if not acquisition:
        return (
            "les enveloppes AMOA sont réservées aux projets d'acquisition du DUI, et aucun ESMS "
            "de la grappe n'est en acquisition (mise en conformité uniquement)."
        )
    if aap.amoa_small_og_only and not small:
        who = (
            f"un organisme gestionnaire de moins de {aap.seuil_petit_og} établissements"
            if aap.seuil_petit_og is not None
            else "un petit organisme gestionnaire"
        )
        return (
            f"l'appel « {aap.name} » réserve l'AMOA aux grappes comprenant {who}, et aucun "
            "organisme gestionnaire de la grappe n'est dans ce cas."
        )
    return ""


def call_rules(aap, tranches):
    """(rule, source) of the call's rules whose source the simulation shows."""
    if aap.seuil_reduit is None:
        threshold = "Corse et outre-mer : pas de seuil réduit"
    else:
        threshold = (
            f"Corse et outre-mer : seuil réduit à {aap.seuil_reduit} "
            f"{UniteSeuil(aap.seuil_reduit_unite or UniteSeuil.ESMS).label}"
        )
    tranches = " / ".join(
        f"{number(tranche.pourcentage)} %"
        for tranche in sorted(tranches, key=lambda tranche: tranche.numero)
    )
    rules = [
        (
            "AMOA « marché » et « projet » financées (projets d'acquisition)"
            if aap.finance_amoa
            else "AMOA non financée",
            aap.amoa_source,
        ),
        (threshold, aap.seuil_reduit_source),
        (f"Tranches de versement : {tranches or 'aucune'}", aap.tranches_source),
    ]
    return [(rule, source or "Par défaut, à confirmer.") for rule, source in rules]


def simulate_funding(grappe, memberships=None):
    """Lines of the barème for this grappe, their total and the tranches.

    `memberships`: the active EsmsMembership rows with esms__og/categorie selected, as the grappe
    page already loads them; fetched here when not given.
    """
    aap = grappe.aap
    if aap is None:
        return FundingSimulation(
            warnings=["Choisissez un appel à projets pour simuler le financement."]
        )
    if memberships is None:
        memberships = list(grappe.active_memberships())

    simulation = FundingSimulation()
    lines, warnings = simulation.lines, simulation.warnings

    # Only establishments of art. L.312-1 CASF are funded; the eligibility report names the others.
    funded = [m for m in memberships if m.esms.categorie.is_esms]
    excluded = len(memberships) - len(funded)
    if excluded:
        warnings.append(
            f"{plural(excluded, 'établissement')} hors champ ESMS "
            f"{agree(excluded, 'non financé', 'non financés')}."
        )

    acquisition = [m for m in funded if grappe.type_projet_for(m) == TypeProjet.ACQUISITION]
    conformite = [m for m in funded if grappe.type_projet_for(m) == TypeProjet.CONFORMITE]

    if acquisition:
        count = len(acquisition)
        if grappe.solution_segur and aap.montant_acquisition_segur is not None:
            unit = aap.montant_acquisition_segur
            label = "Acquisition du DUI — part éditeur (solution référencée Ségur)"
            note = ""
        else:
            unit = aap.montant_acquisition
            label = "Acquisition du DUI — part éditeur"
            note = (
                "L'appel ne prévoit pas de montant spécifique pour une solution référencée Ségur."
                if grappe.solution_segur
                else ""
            )
        lines.append(FundingLine(label, count, unit, unit * count, note, code="editeur"))
        if aap.montant_usages:
            lines.append(
                FundingLine(
                    "Acquisition du DUI — déploiement des usages",
                    count,
                    aap.montant_usages,
                    aap.montant_usages * count,
                    code="usages",
                )
            )

    if conformite and aap.montant_conformite:
        count = len(conformite)
        financed = count
        note = ""
        cap = aap.plafond_conformite
        if cap is not None and count > cap:
            financed = cap
            note = f"Plafonné à {cap} structures ({count} ESMS en mise en conformité)."
            unfunded = count - cap
            verb = agree(unfunded, "n'est pas financé", "ne sont pas financés")
            rest = f"{unfunded} {verb}"
            warnings.append(
                f"{count} ESMS en mise en conformité : l'appel « {aap.name} » en finance au plus "
                f"{cap}, {rest}."
            )
        lines.append(
            FundingLine(
                "ESMS déjà équipé — mise en conformité et usages",
                financed,
                aap.montant_conformite,
                aap.montant_conformite * financed,
                note,
                code="conformite",
            )
        )

    small = small_og_counts(grappe, aap, funded)
    if small and aap.montant_equipement_petit_og:
        equipped = [m for m in funded if m.esms.og_id in small]
        names = {m.esms.og_id: m.esms.og.name for m in equipped}
        listed = "; ".join(
            f"{names[og_id]} ({plural(small[og_id], 'établissement')})"
            for og_id in sorted(small, key=lambda og_id: names[og_id])
        )
        note = (
            f"Organismes gestionnaires de moins de {aap.seuil_petit_og} établissements : {listed}."
        )
        lines.append(
            FundingLine(
                "Équipement matériel (petits organismes gestionnaires)",
                len(equipped),
                aap.montant_equipement_petit_og,
                aap.montant_equipement_petit_og * len(equipped),
                note,
                code="materiel",
            )
        )

    # (name, line label, amount) of each AMOA envelope the grappe asks for; once per project.
    requested = [
        (name, f"{name} ({purpose})", amount, code)
        for asked, name, purpose, amount, code in [
            (
                grappe.amoa_marche,
                "AMOA « marché »",
                "procédure de marché",
                aap.montant_amoa_marche,
                "amoa_marche",
            ),
            (
                grappe.amoa_projet,
                "AMOA « projet »",
                "pilotage du projet",
                aap.montant_amoa_projet,
                "amoa_projet",
            ),
        ]
        if asked and amount
    ]
    refused = amoa_refusal(aap, requested, acquisition, small)
    if refused:
        asked = " et ".join(
            f"{name} ({euros(amount, whole=True)})" for name, _, amount, _ in requested
        )
        warnings.append(
            f"{asked} {agree(len(requested), 'non financée', 'non financées')} : {refused}"
        )
    else:
        lines.extend(
            FundingLine(label, 1, amount, amount, code=code) for _, label, amount, code in requested
        )

    simulation.total = sum((line.amount for line in lines), Decimal(0))
    tranches = list(aap.tranches.all())
    simulation.tranches = split_tranches(simulation.total, tranches, warnings)
    simulation.rules = call_rules(aap, tranches)
    return simulation


def split_tranches(total, tranches, warnings):
    """Each tranche = total × % rounded half-up to the cent; the last takes the remainder.

    The remainder rule only applies when the percentages add up to 100: otherwise the schedule is
    wrong and each tranche shows its own share, with a warning, rather than hiding the gap.
    """
    if not tranches:
        warnings.append("L'appel à projets ne définit aucune tranche de versement.")
        return []
    tranches = sorted(tranches, key=lambda tranche: tranche.numero)
    percent_sum = sum((tranche.pourcentage for tranche in tranches), Decimal(0))
    complete = percent_sum == HUNDRED
    if not complete:
        warnings.append(
            f"Les tranches de versement de l'appel totalisent {number(percent_sum)} % "
            "au lieu de 100 % : le calendrier de versement est à corriger."
        )
    result, allocated = [], Decimal(0)
    for index, tranche in enumerate(tranches):
        if complete and index == len(tranches) - 1:
            montant = total - allocated
        else:
            montant = (total * tranche.pourcentage / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        allocated += montant
        result.append(
            TrancheLine(
                tranche.numero, tranche.pourcentage, tranche.get_evenement_display(), montant
            )
        )
    return result
