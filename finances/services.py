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
  after its date.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from amoa.enums import Mission, ObjetConsultation
from amoa.models import Choix
from candidatures.models import Campagne
from core.money import allocate, euros
from finances.enums import AMOA_POSTES, Poste, postes_eligibles
from finances.models import Engagement, Facture, FinancementPropre
from grappe.funding import simulate_funding
from grappe.models import OrganismeGestionnaire

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


def ouverture_appel(grappe):
    """The day the grappe's call opened: its campaign's opening (candidatures.Campagne), else the
    AAP's opening date, else the 1st of January of the AAP's year; None without a call."""
    aap = grappe.aap
    if aap is None:
        return None
    ouverture = Campagne.objects.filter(aap_id=aap.pk).values_list("ouverture", flat=True).first()
    if ouverture is not None:
        return timezone.localdate(ouverture)
    return aap.opens_on or datetime.date(aap.year, 1, 1)


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

    def add(self, key, amount):
        setattr(self, key, getattr(self, key) + (amount or ZERO))


@dataclass
class LigneOg(Ligne):
    og: OrganismeGestionnaire | None = None
    part: Decimal = ZERO  # the OG's share of the budget: its own funding, for now
    recu: Decimal = ZERO  # the subsidy it received from the porteur (sharing: later)
    reverse: Decimal = ZERO  # what it paid back (sharing: later)


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

    totaux = Ligne("total", "Total")
    for ligne in lignes.values():
        ligne.budget = ligne.subvention + ligne.propre
        for key in KEYS:
            totaux.add(key, getattr(ligne, key))

    # The OGs: the active coopérateurs and any other that holds money in the project.
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
    return Synthese(
        postes=list(lignes.values()),
        totaux=totaux,
        ogs=lignes_og,
        alertes=alertes,
        sans_facture=sans_facture,
        regles=regles,
        convention=grappe.convention_amount is not None,
        warnings=simulation.warnings,
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
