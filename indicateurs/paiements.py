"""The ARS's payments of a tranche: one row each (Paiement), adding up to the tranche's amount,
never beyond. The tranche keeps their sum and the date of the latest (`montant_paye`, `paye_le`,
read by the pages and by the finances' sharing of the money received) and its status: « payée »
once fully paid, « partiellement payée » until then (still to pay: the ARS records the rest)."""

from decimal import Decimal

from django.db import transaction

from core.money import euros
from grappe.models import HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Paiement, Tranche


class PaiementRefuse(Exception):
    """The payment cannot be recorded: the tranche changed since the form was shown (paid
    meanwhile, no longer to pay), or the amount exceeds what remains, or differs without a
    reason."""


def _attendu(tranche):
    """What the ARS is expected to pay now, as the messages name it: the tranche's amount, or
    what remains after a partial payment."""
    if tranche.montant_paye:
        return "le reste à payer de la tranche", "du reste à payer de la tranche"
    return "celui de la tranche", "de celui de la tranche"


def depassement(tranche, montant):
    """The refusal of an amount beyond what remains to pay, or ""."""
    reste = tranche.reste_a_payer
    if montant <= reste:
        return ""
    return f"Le montant payé ({euros(montant)}) dépasse {_attendu(tranche)[0]} ({euros(reste)})."


def motif_requis(tranche, montant):
    """The request for a reason when the amount differs from what remains to pay, or ""."""
    reste = tranche.reste_a_payer
    if montant == reste:
        return ""
    return (
        f"Le montant payé ({euros(montant)}) diffère {_attendu(tranche)[1]} ({euros(reste)}) : "
        "indiquez le motif de l'écart (paiement partiel, retenue…)."
    )


def enregistrer(tranche, user, *, paye_le, montant, reference, motif=""):
    """Record one payment of `tranche` by `user` (an ARS agent), under a lock on the tranche:
    two payments at once never add up beyond its amount. Returns the Paiement; raises
    PaiementRefuse when the tranche is no longer to pay or the amount exceeds what remains."""
    with transaction.atomic():
        tranche = Tranche.objects.select_for_update().select_related("grappe").get(pk=tranche.pk)
        if not tranche.is_payable:
            raise PaiementRefuse("La tranche a changé entre-temps : elle n'est plus à payer.")
        if refus := depassement(tranche, montant):
            raise PaiementRefuse(refus)
        if motif_requis(tranche, montant) and not motif:
            raise PaiementRefuse(motif_requis(tranche, montant))
        reste = tranche.reste_a_payer
        paiement = Paiement.objects.create(
            tranche=tranche,
            paye_le=paye_le,
            montant=montant,
            reference=reference,
            motif=motif if montant != reste else "",
            par=user,
        )
        tranche.montant_paye = (tranche.montant_paye or Decimal(0)) + montant
        tranche.paye_le = max(paye_le, tranche.paye_le or paye_le)
        tranche.statut = (
            StatutTranche.PAYEE if tranche.reste_a_payer == 0 else StatutTranche.PARTIELLE
        )
        tranche.save(update_fields=["montant_paye", "paye_le", "statut"])
        HistoryEntry.record(
            tranche.grappe,
            user,
            f"Paiement de la tranche {tranche.numero} enregistré",
            f"Tranche {tranche.numero}",
            {
                "Payée le": f"{paye_le:%d/%m/%Y}",
                "Montant": euros(montant),
                "Référence": reference,
                **({"Motif de l'écart": paiement.motif} if paiement.motif else {}),
                "Reste à payer": euros(tranche.reste_a_payer),
            },
        )
    return paiement
