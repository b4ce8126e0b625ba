"""The sums of a grappe's finances (issue 15): budget, subsidy, engaged, invoiced, paid and
justified, by poste and by OG, and the alerts. A fixed number of queries whatever the number of
engagements and invoices: the sums are made by the database, grouped by (poste, OG).

Rules:
- **Subsidy per poste**: the funding simulation's lines (grappe.funding.simulate_funding) mapped
  to the postes (finances.enums.POSTES). Once the convention carries an amount
  (`Grappe.convention_amount`) that differs from the simulation's total, each poste gets its
  share of the convention's amount, to the cent (half-up), the last poste taking the remainder
  so that the postes add up to the convention. Before the convention, the simulation's amounts.
- **Budget** = subsidy + the OGs' own funding (FinancementPropre).
- **Engaged, invoiced, paid, justified** are TTC. Paid: `payee_le` set. Justified: paid and
  eligible. Eligible: the call funds the poste (finances.enums.postes_eligibles) and the invoice
  is dated on or after the call's opening (`ouverture_appel`), unless its eligibility is forced
  with a reason — the forcing lifts the date rule only, never the poste's.
- **Alerts**: a poste whose engagements exceed its budget; an engagement with no invoice 90 days
  after its date; a paid tranche not fully transferred to the coopérateur OGs 30 days after its
  payment (`paye_le`); invoices imported without their PDF.
- **Sharing the subsidy** (`repartition`): what the ARS paid of each tranche (`montant_paye`, the
  sum of its payments, `Tranche.objects.versees()`: paid wholly or in part) shared by the key
  (per ESMS, equal, typed percentages) with core.money.allocate; per OG `recu` (its shares),
  `reverse` (its transfers; the porteur's own share counts as transferred on payment) and `du`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from amoa.enums import Mission, ObjetConsultation
from amoa.models import Choix
from candidatures.models import Campagne
from core.money import allocate, euros
from finances.charts import postes_svg
from finances.enums import AMOA_POSTES, Poste, postes_eligibles
from finances.models import (
    CleRepartition,
    Engagement,
    Facture,
    FinancementPropre,
    ModeRepartition,
    Reversement,
)
from grappe.funding import simulate_funding
from grappe.models import EsmsMembership, OgMembership, OrganismeGestionnaire
from indicateurs.models import Tranche

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SANS_FACTURE_JOURS = 90
KEYS = ("budget", "subvention", "propre", "engage", "facture", "paye", "justifie")


def subventions(grappe, simulation=None):
    """{poste: subsidy} for every poste (0.00 for the postes the simulation does not fund)."""
    simulation = simulation or simulate_funding(grappe)
    amounts = dict.fromkeys(Poste, ZERO)
    for line in simulation.lines:
        poste = Poste(line.code) if line.code else None
        if poste is not None:
            amounts[poste] += line.amount
    convention = grappe.convention_amount
    if convention is not None and convention != simulation.total:
        funded = [poste for poste in Poste if amounts[poste]]
        for poste, share in zip(
            funded, allocate(convention, [amounts[p] for p in funded]), strict=True
        ):
            amounts[poste] = share
    return {poste: amount.quantize(CENT) for poste, amount in amounts.items()}


def ouverture_aap(aap, campagne=None):
    """The day a call opened: its campaign's opening (candidatures.Campagne), else the AAP's
    opening date, else the 1st of January of the AAP's year."""
    if campagne is not None:
        return timezone.localdate(campagne.ouverture)
    return aap.opens_on or datetime.date(aap.year, 1, 1)


def ouverture_appel(grappe):
    """The day the grappe's call opened (ouverture_aap); None without a call."""
    aap = grappe.aap
    if aap is None:
        return None
    return ouverture_aap(aap, Campagne.objects.filter(aap_id=aap.pk).first())


@dataclass
class Regles:
    """What makes an invoice eligible for this grappe."""

    postes: set
    ouverture: datetime.date | None

    @classmethod
    def of(cls, grappe):
        return cls(postes_eligibles(grappe.aap), ouverture_appel(grappe))

    def date_ok(self, facture):
        return self.ouverture is None or facture.date >= self.ouverture

    def eligible(self, facture, poste):
        return poste in self.postes and (facture.eligibilite_forcee or self.date_ok(facture))

    def motif(self, facture, poste):
        """Why the invoice is not eligible (French), "" if it is."""
        if poste not in self.postes:
            return "Poste non financé par l'appel à projets."
        if not facture.eligibilite_forcee and not self.date_ok(facture):
            return f"Datée avant l'ouverture de l'appel ({self.ouverture:%d/%m/%Y})."
        return ""

    def q(self):
        """The eligible invoices, as a filter on Facture."""
        if not self.postes:
            return Q(pk__isnull=True)  # nothing
        date = Q(eligibilite_forcee=True)
        if self.ouverture is None:
            date = Q()
        else:
            date |= Q(date__gte=self.ouverture)
        return Q(engagement__poste__in=self.postes) & date


@dataclass
class Ligne:
    code: str
    libelle: str
    eligible: bool = True
    budget: Decimal = ZERO
    subvention: Decimal = ZERO
    propre: Decimal = ZERO
    engage: Decimal = ZERO
    facture: Decimal = ZERO
    paye: Decimal = ZERO
    justifie: Decimal = ZERO

    @property
    def depasse(self):
        return self.engage > self.budget

    @property
    def part_subvention(self):
        """The subsidy's share of the budget, in % to one decimal (None without a budget)."""
        if not self.budget:
            return None
        return (self.subvention * 100 / self.budget).quantize(Decimal("0.1"))

    def add(self, key, amount):
        setattr(self, key, getattr(self, key) + (amount or ZERO))


@dataclass
class LigneOg(Ligne):
    og: OrganismeGestionnaire | None = None
    part: Decimal = ZERO  # the OG's share of the budget: its own funding, for now
    recu: Decimal = ZERO  # its shares of the paid tranches (services.repartition)
    reverse: Decimal = ZERO  # what the porteur transferred to it (its own share, for the porteur)

    @property
    def du(self):
        return self.recu - self.reverse


@dataclass
class Synthese:
    postes: list
    totaux: Ligne
    ogs: list
    alertes: list = field(default_factory=list)
    sans_facture: list = field(default_factory=list)
    regles: Regles | None = None
    convention: bool = False  # the subsidy is the convention's (not the simulation's)
    warnings: list = field(default_factory=list)
    repartition: object = None  # services.Repartition


def _lignes_og(grappe, par_og, og_line):
    """The OGs' lines, by name: the active coopérateurs and any other that holds money in the
    project (`par_og`: the lines summed so far, by OG id; `og_line` adds a missing one)."""
    ogs = OrganismeGestionnaire.objects.filter(
        Q(grappe_memberships__grappe=grappe, grappe_memberships__left_on__isnull=True)
        | Q(pk__in=list(par_og))
    ).distinct()
    lignes_og = []
    for og in sorted(ogs, key=lambda og: (og.raison_sociale, og.finess_ej)):
        ligne = og_line(og.pk)
        ligne.og, ligne.code, ligne.libelle = og, og.finess_ej, og.raison_sociale or og.finess_ej
        ligne.budget = ligne.part = ligne.propre
        lignes_og.append(ligne)
    return lignes_og


def synthese(grappe):
    """The finances of the grappe: per poste, totals, per OG, alerts. About ten queries."""
    simulation = simulate_funding(grappe)
    regles = Regles.of(grappe)
    lignes = {
        poste: Ligne(poste.value, poste.label, eligible=poste in regles.postes) for poste in Poste
    }
    par_og = {}

    def og_line(og_id):
        return par_og.setdefault(og_id, LigneOg("", ""))

    for poste, amount in subventions(grappe, simulation).items():
        lignes[poste].subvention = amount
    for row in (
        FinancementPropre.objects.filter(grappe=grappe)
        .order_by()
        .values("poste", "og_id")
        .annotate(total=Sum("montant"))
    ):
        lignes[row["poste"]].add("propre", row["total"])
        og_line(row["og_id"]).add("propre", row["total"])
    for row in (
        Engagement.objects.filter(grappe=grappe)
        .order_by()
        .values("poste", "og_id")
        .annotate(total=Sum("montant_ttc"))
    ):
        lignes[row["poste"]].add("engage", row["total"])
        og_line(row["og_id"]).add("engage", row["total"])
    paid = Q(payee_le__isnull=False)
    for row in (
        Facture.objects.filter(engagement__grappe=grappe)
        .order_by()
        .values("engagement__poste", "engagement__og_id")
        .annotate(
            facture=Sum("montant_ttc"),
            paye=Sum("montant_ttc", filter=paid),
            justifie=Sum("montant_ttc", filter=paid & regles.q()),
        )
    ):
        for key in ("facture", "paye", "justifie"):
            lignes[row["engagement__poste"]].add(key, row[key])
            og_line(row["engagement__og_id"]).add(key, row[key])

    partage = repartition(grappe)
    for total in partage.ogs:
        if total.recu or total.reverse:
            ligne = og_line(total.og.pk)
            ligne.recu, ligne.reverse = total.recu, total.reverse

    totaux = Ligne("total", "Total")
    for ligne in lignes.values():
        ligne.budget = ligne.subvention + ligne.propre
        for key in KEYS:
            totaux.add(key, getattr(ligne, key))

    lignes_og = _lignes_og(grappe, par_og, og_line)

    limite = timezone.localdate() - datetime.timedelta(days=SANS_FACTURE_JOURS)
    sans_facture = list(
        Engagement.objects.filter(grappe=grappe, date__lte=limite, factures__isnull=True)
        .order_by("date", "pk")
        .select_related("og")
    )
    alertes = [
        f"{ligne.libelle} : {euros(ligne.engage)} engagés pour un budget de "
        f"{euros(ligne.budget)} (dépassement de {euros(ligne.engage - ligne.budget)})."
        for ligne in lignes.values()
        if ligne.depasse
    ]
    alertes += [
        f"Engagement « {engagement.objet} » ({engagement.fournisseur}) du "
        f"{engagement.date:%d/%m/%Y} : aucune facture après {SANS_FACTURE_JOURS} jours."
        for engagement in sans_facture
    ]
    alertes += partage.alertes
    sans_pdf = Facture.objects.filter(engagement__grappe=grappe, fichier="").count()
    if sans_pdf:
        alertes.append(
            f"{sans_pdf} facture{'s' if sans_pdf > 1 else ''} sans PDF (importée"
            f"{'s' if sans_pdf > 1 else ''} d'un classeur) : joignez la pièce justificative, "
            "l'ARS la demande au bilan."
        )
    return Synthese(
        postes=list(lignes.values()),
        totaux=totaux,
        ogs=lignes_og,
        alertes=alertes,
        sans_facture=sans_facture,
        regles=regles,
        convention=grappe.convention_amount is not None,
        warnings=simulation.warnings,
        repartition=partage,
    )


# --- Prefill from the AMOA / DUI choices (amoa.Choix) ----------------------------------------


def propositions(grappe):
    """The engagements the choices recorded in `amoa` suggest, not yet engaged: dicts of initial
    values for the engagement form, with the choice's id. An AMOA consultation buying the
    « marché » mission only → poste AMOA marché, any other → AMOA projet; an éditeur
    consultation → acquisition part éditeur. The amount: the offer's global price, else (an
    éditeur's price structure) its acquisition lines (year 0)."""
    choix = (
        Choix.objects.filter(consultation__grappe=grappe)
        .exclude(pk__in=Engagement.objects.filter(choix__isnull=False).values("choix_id"))
        .select_related("consultation", "offre__candidat")
        .prefetch_related("offre__lignes_prix")
        .order_by("date", "pk")
    )
    result = []
    for item in choix:
        consultation, offre = item.consultation, item.offre
        if consultation.objet == ObjetConsultation.EDITEUR:
            poste = Poste.EDITEUR
        elif list(consultation.missions) == [Mission.MARCHE]:
            poste = Poste.AMOA_MARCHE
        else:
            poste = Poste.AMOA_PROJET
        montant = offre.prix_total_ht
        if montant is None:
            acquisition = [line.montant for line in offre.lignes_prix.all() if line.annee == 0]
            montant = sum(acquisition, Decimal(0)) if acquisition else None
        result.append(
            {
                "choix": item.pk,
                "poste": poste,
                "fournisseur": offre.candidat.societe,
                "objet": consultation.titre,
                "date": item.date,
                "montant_ht": montant,
                "og": grappe.porteur_id,
                "libelle": f"{consultation.titre} — {offre.candidat.societe}",
                "amoa": poste in AMOA_POSTES,
            }
        )
    return result


# --- Sharing the subsidy among the coopérateur OGs --------------------------------------------

PARTAGE_JOURS = 30


@dataclass
class PartTranche:
    """One OG's share of one paid tranche."""

    og: OrganismeGestionnaire
    part: Decimal = ZERO
    reverse: Decimal = ZERO
    porteur: bool = False

    @property
    def reste(self):
        return self.part - self.reverse


@dataclass
class TranchePartagee:
    tranche: object
    parts: list

    @property
    def reste(self):
        return sum((part.reste for part in self.parts), ZERO)


@dataclass
class TotalOg:
    og: OrganismeGestionnaire
    poids: Decimal = ZERO
    recu: Decimal = ZERO
    reverse: Decimal = ZERO
    porteur: bool = False

    @property
    def du(self):
        return self.recu - self.reverse


@dataclass
class Repartition:
    mode: str
    mode_libelle: str
    ogs: list  # TotalOg, in the key's order (the last takes the rounding remainder)
    tranches: list  # TranchePartagee, paid tranches by numero
    alertes: list = field(default_factory=list)
    en_retard: list = field(default_factory=list)  # TranchePartagee not shared after 30 days
    pourcentages: dict = field(default_factory=dict)  # og_id → typed %, mode « parts saisies »

    @property
    def is_per_esms(self):
        """Each OG's share in proportion to its ESMS."""
        return self.mode == ModeRepartition.ESMS

    @property
    def is_typed_shares(self):
        """Percentages typed in the cooperation agreement (`pourcentages`)."""
        return self.mode == ModeRepartition.SAISIE

    def par_og(self):
        return {total.og.pk: total for total in self.ogs}

    def reste(self, tranche_id, og_id):
        """What the porteur still owes the OG on the tranche (0.00 if no share)."""
        for ligne in self.tranches:
            if ligne.tranche.pk == tranche_id:
                for part in ligne.parts:
                    if part.og.pk == og_id and not part.porteur:
                        return part.reste
        return ZERO


def repartition(grappe, today=None):
    """Each paid tranche (`montant_paye`) shared among the active coopérateur OGs by the grappe's
    key, to the cent (core.money.allocate: the shares add up to the amount paid, the last OG in
    the key's order taking the remainder), what the porteur transferred to each (Reversement) and
    what it still owes. The porteur's own share counts as transferred on payment: the ARS pays
    the porteur, which keeps its share. Five queries, whatever the number of tranches and OGs.

    The key in force shares every paid tranche (changing the key re-shares the past tranches;
    transfers already made stay and the remaining owed follows)."""
    today = today or timezone.localdate()
    cle = CleRepartition.objects.filter(grappe=grappe).prefetch_related("parts").first()
    mode = ModeRepartition(cle.mode) if cle else ModeRepartition.ESMS
    ogs = sorted(
        {
            m.og
            for m in OgMembership.objects.filter(
                grappe=grappe, left_on__isnull=True
            ).select_related("og")
        },
        key=lambda og: (og.raison_sociale, og.finess_ej),
    )
    totaux = [TotalOg(og, porteur=og.pk == grappe.porteur_id) for og in ogs]
    pourcentages = {part.og_id: part.pourcentage for part in cle.parts.all()} if cle else {}
    if mode == ModeRepartition.ESMS:
        counts = {
            row["esms__og_id"]: row["total"]
            for row in EsmsMembership.objects.filter(grappe=grappe, left_on__isnull=True)
            .order_by()
            .values("esms__og_id")
            .annotate(total=Count("pk"))
        }
        for total in totaux:
            total.poids = Decimal(counts.get(total.og.pk, 0))
    elif mode == ModeRepartition.EGAL:
        for total in totaux:
            total.poids = Decimal(1)
    else:
        for total in totaux:
            total.poids = pourcentages.get(total.og.pk, ZERO)
    sharing = [total for total in totaux if total.poids]

    transferred = {
        (row["tranche_id"], row["og_id"]): row["total"]
        for row in Reversement.objects.filter(grappe=grappe)
        .order_by()
        .values("tranche_id", "og_id")
        .annotate(total=Sum("montant"))
    }
    tranches = []
    par_og = {total.og.pk: total for total in totaux}
    for tranche in Tranche.objects.versees().filter(grappe=grappe).order_by("numero"):
        shares = allocate(tranche.montant_paye, [total.poids for total in sharing])
        parts = []
        for total, share in zip(sharing, shares, strict=True):
            part = PartTranche(total.og, share, porteur=total.porteur)
            part.reverse = (
                share if total.porteur else transferred.get((tranche.pk, total.og.pk), ZERO)
            )
            parts.append(part)
        # Transfers to an OG with no share (it left, the key changed): still shown.
        for (tranche_id, og_id), montant in transferred.items():
            if tranche_id == tranche.pk and og_id in par_og and par_og[og_id] not in sharing:
                parts.append(PartTranche(par_og[og_id].og, ZERO, montant))
        for part in parts:
            par_og[part.og.pk].recu += part.part
            par_og[part.og.pk].reverse += part.reverse
        tranches.append(TranchePartagee(tranche, parts))

    limite = today - datetime.timedelta(days=PARTAGE_JOURS)
    en_retard = [
        ligne
        for ligne in tranches
        if ligne.tranche.paye_le and ligne.tranche.paye_le <= limite and ligne.reste > 0
    ]
    alertes = [
        f"Tranche {ligne.tranche.numero} reçue le {ligne.tranche.paye_le:%d/%m/%Y} : "
        f"{euros(ligne.reste)} restent à reverser aux organismes gestionnaires après "
        f"{PARTAGE_JOURS} jours."
        for ligne in en_retard
    ]
    return Repartition(
        mode=mode.value,
        mode_libelle=mode.label,
        ogs=totaux,
        tranches=tranches,
        alertes=alertes,
        en_retard=en_retard,
        pourcentages=pourcentages,
    )


# --- The financial statement for the ARS (PDF) and the spreadsheet export ---------------------


@dataclass
class PosteBilan:
    ligne: Ligne
    factures: list  # Facture, each with `.eligible` and `.motif`


def bilan(grappe):
    """The synthese and, per poste, its invoices (oldest first) with their eligibility and, if
    not eligible, why: what the ARS statement and the export show. Two queries over synthese's."""
    data = synthese(grappe)
    factures = list(
        Facture.objects.filter(engagement__grappe=grappe)
        .select_related("engagement__og")
        .order_by("date", "numero", "pk")
    )
    par_poste = {ligne.code: [] for ligne in data.postes}
    for item in factures:
        poste = Poste(item.engagement.poste)
        item.motif = data.regles.motif(item, poste)
        item.eligible = not item.motif
        par_poste[poste.value].append(item)
    engagements = list(
        Engagement.objects.filter(grappe=grappe).select_related("og").order_by("date", "pk")
    )
    return {
        "synthese": data,
        "graphique": postes_svg(data.postes),
        "postes_bilan": [PosteBilan(ligne, par_poste[ligne.code]) for ligne in data.postes],
        "factures": factures,
        "engagements": engagements,
        "arrete_le": timezone.localdate(),
    }
