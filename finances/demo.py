"""Demo data of the project's money (called last by `python manage.py seed_demo`), told up to
the demo's today like the other demo modules:

- the demo grappe (convention of 683 000 € signed on 16/03/2026, tranche 1 paid on 15/04/2026,
  tranche 2 planned: its DUI is chosen, not deployed — demo/stages.py): the sharing key of its convention de coopération (au prorata des ESMS), its
  OGs' own funding, the transfers of tranche 1 — the Avesnois paid in full, the Ternois in part,
  so that « reste dû » and its alert (the one alert of the page) show; the AMOA contract
  prefilled from the AMOA choice (amoa.Choix), with its advance paid and a first situation
  unpaid; a small OG's hardware order delivered and paid; two orders placed in spring 2025,
  before the call opened: one invoice left ineligible by its date, one forced with the ARS's
  agreement. No éditeur contract: the comité de sélection chose Médi-Logis, but the COPIL has
  not given its go at step 11 (projets.demo) — the page proposes the contract to engage;
- the Hauts-de-France 2026 grappes (candidatures.demo_grappes): only those whose convention is
  signed (the Calaisis, on 02/12/2026) get their own funding and their typed sharing key;
  nothing is engaged yet, nothing paid. The others are still applying: no finances.

Idempotent: every row is looked up by its natural key (grappe, OG, poste; supplier and object;
invoice number; tranche and transfer reference) before being created, and nothing dated after
today is written."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from amoa.enums import ObjetConsultation
from amoa.models import Choix
from candidatures import demo_grappes
from core.money import euros
from core.pdf import simple_pdf
from finances import services
from finances.enums import Poste
from finances.models import (
    CENT,
    CleRepartition,
    Engagement,
    Facture,
    FinancementPropre,
    ModeRepartition,
    PartCle,
    Reversement,
)
from grappe.demo import OGS, finess
from grappe.models import Grappe, HistoryEntry, OrganismeGestionnaire
from users.models import User

D = Decimal
PDF = "application/pdf"

# The plan step (projets, its `ordre`) whose start begins the work a poste pays for: nothing of
# a poste is invoiced before. Hardware is invoiced on delivery, whatever the plan's stage.
ETAPE_DES_TRAVAUX = {
    Poste.AMOA_MARCHE: 9,  # lancer la consultation
    # The AMOA « projet » mission (governance, planning, COPIL) starts with the project team
    # it joins (step 2), from February 2026 since the AMOA was chosen on 30/01/2026 (issue 16).
    Poste.AMOA_PROJET: 2,
    Poste.EDITEUR: 12,  # paramétrages
    Poste.CONFORMITE: 12,
    Poste.USAGES: 15,  # formation et mise en service
}

# --- The demo grappe --------------------------------------------------------------------------

OG_BODIES = {key: body for key, body, *_ in OGS}

# (OG key, poste, montant): what each OG puts of its own money beside the subsidy.
FINANCEMENTS_PROPRES = [
    ("flandres", Poste.EDITEUR, D("36000.00")),
    ("flandres", Poste.USAGES, D("24000.00")),
    ("ternois", Poste.USAGES, D("15000.00")),
    ("ternois", Poste.MATERIEL, D("12000.00")),
    ("avesnois", Poste.MATERIEL, D("6500.00")),
]

# Engagements with fixed dates (hardware orders; the plan's dates are fixed too):
# (OG key, poste, fournisseur, objet, date, montant HT, invoices), an invoice being
# (numéro, date, montant HT, échéance, payée le, motif of a forced eligibility or "").
COMMANDES = [
    (
        # A small OG equips its carers once the COPIL validated the cahier des charges
        # (28/07/2026) and the referents counted the workstations (action due 30/09/2026).
        "avesnois",
        Poste.MATERIEL,
        "Nord Informatique Services",
        "14 ordinateurs portables et 10 tablettes pour l'EHPAD du Bocage et le SSIAD de l'Avesnois",
        datetime.date(2026, 10, 5),
        D("15120.00"),
        [
            (
                "NIS-F2026-1043",
                datetime.date(2026, 10, 23),
                D("15120.00"),
                datetime.date(2026, 11, 22),
                datetime.date(2026, 11, 20),
                "",
            ),
        ],
    ),
    (
        # Ordered before the call opened (02/06/2025): the advance stays ineligible — the ARS
        # did not agree to it —, the balance, invoiced after the opening, is eligible.
        "ternois",
        Poste.MATERIEL,
        "Artois Réseaux",
        "Bornes Wi-Fi de l'EHPAD Sainte-Thérèse et de l'EHPAD Les Jardins de la Ternoise",
        datetime.date(2025, 4, 14),
        D("9850.00"),
        [
            (
                "AR-2025-0412",
                datetime.date(2025, 5, 20),
                D("3940.00"),
                datetime.date(2025, 6, 19),
                datetime.date(2025, 6, 10),
                "",
            ),
            (
                "AR-2025-0588",
                datetime.date(2025, 7, 4),
                D("5910.00"),
                datetime.date(2025, 8, 3),
                datetime.date(2025, 7, 31),
                "",
            ),
        ],
    ),
    (
        # Also before the opening, but asked for by the ARS: eligible, the reason recorded.
        "flandres",
        Poste.MATERIEL,
        "Flandre Télécom Services",
        "Câblage réseau et bornes Wi-Fi de l'EHPAD Les Tilleuls",
        datetime.date(2025, 5, 12),
        D("6480.00"),
        [
            (
                "FTS-25-0311",
                datetime.date(2025, 5, 30),
                D("6480.00"),
                datetime.date(2025, 6, 29),
                datetime.date(2025, 6, 27),
                "Travaux demandés par l'ARS dans son avis technique du 07/05/2025 pour sécuriser "
                "le réseau avant le déploiement ; prise en charge confirmée par l'ARS à la "
                "signature de la convention du 16/03/2026.",
            ),
        ],
    ),
]

# The AMOA contract, dated from the AMOA choice (amoa.demo dates it from today): notified a
# few days after the choice; the 20 % advance invoiced then paid; the first situation (analysis
# of the éditeurs' offers and their auditions, 8 days at the offer's 850 € a day) unpaid.
# (numéro, days after the engagement, montant HT or None for 20 % of the contract, days to pay
# or None if unpaid)
AMOA_NOTIFICATION_JOURS = 6
AMOA_FACTURES = [
    ("CMSC-2026-118", 3, None, 10),
    ("CMSC-2026-131", 16, D("6800.00"), None),
]
AMOA_AVANCE = D("0.20")
ECHEANCE_JOURS = 30

# The transfers of each paid tranche to the coopérateur OGs (the porteur keeps its share):
# made some weeks after the ARS paid; the Ternois's is partial, the balance waiting for the
# invoices of its hardware (the « reste dû » of the page, and its alert).
REVERSEMENT_JOURS = 22
PARTIEL = {"ternois": D("60000.00")}

# --- The regional grappes ---------------------------------------------------------------------

# Grappe key (candidatures.demo_grappes) → own funding per OG rank and the typed key (% per OG
# rank), for the grappes whose convention is signed.
REGIONALES = {
    "calaisis": {
        "propres": [
            (0, Poste.USAGES, D("18000.00")),
            (1, Poste.USAGES, D("12000.00")),
            (1, Poste.MATERIEL, D("7500.00")),
        ],
        "parts": [D("60.00"), D("40.00")],
    },
}


def _at(day, hour=10):
    """The moment of a day's event, never after now (a row written today is not from tonight)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _history(grappe, user, action, target, changes, day):
    """The grappe's history says it as the views do, on the day it happened."""
    entry = HistoryEntry.record(grappe, user, action, target, changes)
    HistoryEntry.objects.filter(pk=entry.pk).update(created_at=_at(day, 18))


def _pdf_bytes(*lines):
    return simple_pdf([*lines, "Document de démonstration."])


class Seeder:
    def __init__(self, grappe, people, today):
        self.grappe = grappe
        self.people = people
        self.today = today
        self.user = people.get("porteur")

    def og(self, key):
        return OrganismeGestionnaire.objects.get(finess_ej=finess(OG_BODIES[key]))

    def propres(self, rows):
        for og, poste, montant in rows:
            FinancementPropre.objects.get_or_create(
                grappe=self.grappe, og=og, poste=poste, defaults={"montant": montant}
            )

    def engagement(self, og, poste, fournisseur, objet, date, montant_ht, choix=None):
        """The engagement (created with its order or contract as a PDF), or None if dated
        after today."""
        if date > self.today:
            return None
        engagement = Engagement.objects.filter(
            grappe=self.grappe, fournisseur=fournisseur, objet=objet
        ).first()
        if engagement is not None:
            return engagement
        engagement = Engagement(
            grappe=self.grappe,
            og=og,
            poste=poste,
            fournisseur=fournisseur,
            objet=objet,
            date=date,
            montant_ht=montant_ht,
            choix=choix,
            created_by=self.user,
            created_at=_at(date),
        )
        kind = "marche" if choix else "commande"
        nom = f"{kind}-{date:%Y%m%d}-{fournisseur.split()[0].lower()}.pdf"
        content = _pdf_bytes(
            "Marché notifié" if choix else "Bon de commande",
            fournisseur,
            objet,
            f"Commande du {date:%d/%m/%Y} : {euros(montant_ht, ht=True)}",
        )
        engagement.document_nom, engagement.document_type = nom, PDF
        engagement.document.save(nom, ContentFile(content), save=False)
        engagement.save()
        _history(
            self.grappe,
            self.user,
            "Engagement enregistré",
            engagement,
            {
                "Poste": engagement.get_poste_display(),
                "Organisme gestionnaire": str(og),
                "Montant TTC": euros(engagement.montant_ttc),
            },
            date,
        )
        return engagement

    def facture(self, engagement, numero, date, montant_ht, echeance, payee_le, motif=""):
        if date > self.today or date < engagement.date:
            return None
        if payee_le is not None and payee_le > self.today:
            payee_le = None  # not paid yet, as of today
        facture = Facture.objects.filter(engagement=engagement, numero=numero).first()
        if facture is not None:
            return facture
        facture = Facture(
            engagement=engagement,
            numero=numero,
            date=date,
            montant_ht=montant_ht,
            taux_tva=engagement.taux_tva,
            echeance=echeance,
            payee_le=payee_le,
            eligibilite_forcee=bool(motif),
            motif_forcage=motif,
            created_by=self.user,
            created_at=_at(date + datetime.timedelta(days=2)),
        )
        content = _pdf_bytes(
            f"Facture n° {numero} du {date:%d/%m/%Y}",
            engagement.fournisseur,
            engagement.objet,
            f"Montant : {euros(montant_ht, ht=True)}",
        )
        facture.nom_fichier = f"facture-{numero.lower()}.pdf"
        facture.type_fichier = PDF
        facture.taille = len(content)
        facture.fichier.save(facture.nom_fichier, ContentFile(content), save=False)
        facture.save()
        changes = {
            "Engagement": str(engagement),
            "Montant TTC": euros(facture.montant_ttc),
            "Payée le": f"{payee_le:%d/%m/%Y}" if payee_le else "non payée",
        }
        if motif:
            changes["Éligible malgré sa date"] = motif
        _history(
            self.grappe,
            self.user,
            "Facture enregistrée",
            facture,
            changes,
            min(date + datetime.timedelta(days=2), self.today),
        )
        return facture

    # --- the demo grappe ----------------------------------------------------------------------

    def run(self):
        ogs = {key: self.og(key) for key in OG_BODIES}
        CleRepartition.objects.get_or_create(
            grappe=self.grappe,
            defaults={
                "mode": ModeRepartition.ESMS,
                "updated_by": self.user,
                # The key of the convention de coopération, signed on 12/01/2026 (grappe.demo).
                "updated_at": _at(datetime.date(2026, 1, 12)),
            },
        )
        self.propres((ogs[key], poste, montant) for key, poste, montant in FINANCEMENTS_PROPRES)
        for key, poste, fournisseur, objet, date, montant_ht, factures in COMMANDES:
            engagement = self.engagement(ogs[key], poste, fournisseur, objet, date, montant_ht)
            for numero, day, ht, echeance, payee_le, motif in factures if engagement else []:
                self.facture(engagement, numero, day, ht, echeance, payee_le, motif)
        self.amoa()
        self.reversements(ogs)

    def amoa(self):
        """The AMOA contract, from the AMOA choice's proposition (finances.services)."""
        engagement = Engagement.objects.filter(
            grappe=self.grappe, choix__consultation__objet=ObjetConsultation.AMOA
        ).first()
        if engagement is None:
            proposition = next((p for p in services.propositions(self.grappe) if p["amoa"]), None)
            if proposition is None:
                return  # no AMOA chosen: nothing to engage
            choix = Choix.objects.get(pk=proposition["choix"])
            date = proposition["date"] + datetime.timedelta(days=AMOA_NOTIFICATION_JOURS)
            engagement = self.engagement(
                self.grappe.porteur,
                proposition["poste"],
                proposition["fournisseur"],
                proposition["objet"],
                date,
                proposition["montant_ht"],
                choix=choix,
            )
            if engagement is None:
                return  # notified after today
        for numero, days, montant_ht, pay_days in AMOA_FACTURES:
            date = engagement.date + datetime.timedelta(days=days)
            if montant_ht is None:
                montant_ht = (engagement.montant_ht * AMOA_AVANCE).quantize(CENT, ROUND_HALF_UP)
            self.facture(
                engagement,
                numero,
                date,
                montant_ht,
                date + datetime.timedelta(days=ECHEANCE_JOURS),
                date + datetime.timedelta(days=pay_days) if pay_days is not None else None,
            )

    def reversements(self, ogs):
        partiel = {ogs[key].pk: montant for key, montant in PARTIEL.items()}
        partage = services.repartition(self.grappe, today=self.today)
        for ligne in partage.tranches:
            tranche = ligne.tranche
            if tranche.paye_le is None:
                continue
            date = tranche.paye_le + datetime.timedelta(days=REVERSEMENT_JOURS)
            if date > self.today:
                continue
            for part in ligne.parts:
                if part.porteur or part.part <= 0:
                    continue
                reference = f"VIR-T{tranche.numero}-{part.og.finess_ej}"
                if Reversement.objects.filter(
                    grappe=self.grappe, tranche=tranche, og=part.og, reference=reference
                ).exists():
                    continue
                # Whatever else was transferred meanwhile, never more than the share.
                montant = min(partiel.get(part.og.pk, part.part), part.reste)
                if montant <= 0:
                    continue
                reversement = Reversement.objects.create(
                    grappe=self.grappe,
                    og=part.og,
                    tranche=tranche,
                    montant=montant,
                    date=date,
                    reference=reference,
                    created_by=self.user,
                    created_at=_at(date),
                )
                _history(
                    self.grappe,
                    self.user,
                    "Reversement enregistré",
                    reversement,
                    {
                        "Organisme gestionnaire": part.og.raison_sociale or part.og.finess_ej,
                        "Tranche": tranche.numero,
                        "Montant": euros(montant),
                    },
                    date,
                )


def seed_regionales(today):
    """Own funding and the typed key of the regional grappes whose convention is signed."""
    specs = {spec.key: spec for spec in demo_grappes.GRAPPES}
    for key, data in REGIONALES.items():
        spec = specs[key]
        grappe = Grappe.objects.filter(name=spec.name).first()
        signed = grappe.convention_signed_on if grappe else None
        if signed is None or signed > today:
            continue  # still applying, or its convention is not signed: no finances yet
        ogs = [OrganismeGestionnaire.objects.get(finess_ej=finess(og.body)) for og in spec.ogs]
        chef = User.objects.filter(email=spec.chef[0]).first()
        seeder = Seeder(grappe, {"porteur": chef}, today)
        seeder.propres((ogs[rank], poste, montant) for rank, poste, montant in data["propres"])
        cle, created = CleRepartition.objects.get_or_create(
            grappe=grappe,
            defaults={
                "mode": ModeRepartition.SAISIE,
                "updated_by": chef,
                "updated_at": _at(signed),
            },
        )
        if created:
            # The porteur carries the coordination: a larger share than its ESMS would give.
            PartCle.objects.bulk_create(
                PartCle(cle=cle, og=og, pourcentage=pourcentage)
                for og, pourcentage in zip(ogs, data["parts"], strict=True)
            )


def seed(grappe, people):
    today = timezone.localdate()
    Seeder(grappe, people, today).run()
    seed_regionales(today)
    return grappe
