"""Each tranche's single payment becomes its first Paiement row (amount, date, reference,
author). A tranche recorded « payée » for less than its amount is « partiellement payée »: the
ARS may record the rest. The tranches already due were told when they fell due, as far as the
application knows: their date is their due date."""

from django.db import migrations
from django.db.models import F

REPRISE = "Paiement enregistré avant le suivi des paiements partiels."


def payments_as_rows(apps, schema_editor):
    Tranche = apps.get_model("indicateurs", "Tranche")
    Paiement = apps.get_model("indicateurs", "Paiement")
    rows = []
    for tranche in Tranche.objects.filter(paye_le__isnull=False).iterator():
        montant = tranche.montant_paye if tranche.montant_paye is not None else tranche.montant
        if montant is None or montant <= 0:
            continue
        if tranche.montant_paye is None:
            tranche.montant_paye = montant
            tranche.save(update_fields=["montant_paye"])
        ecart = tranche.montant is not None and montant != tranche.montant
        rows.append(
            Paiement(
                tranche_id=tranche.pk,
                paye_le=tranche.paye_le,
                montant=montant,
                reference=tranche.reference_paiement or "—",
                motif=REPRISE if ecart else "",
                par_id=tranche.paiement_par_id,
            )
        )
    Paiement.objects.bulk_create(rows, batch_size=1000)
    Tranche.objects.filter(
        statut="payee", montant__isnull=False, montant_paye__lt=F("montant")
    ).update(statut="partielle")
    Tranche.objects.filter(due_le__isnull=False).update(ars_prevenue_le=F("due_le"))


def rows_as_payment(apps, schema_editor):
    """Backwards: the tranche keeps its sum and the latest payment's reference and author; a
    tranche paid in part is « payée » again, as the former single payment recorded it."""
    Tranche = apps.get_model("indicateurs", "Tranche")
    Paiement = apps.get_model("indicateurs", "Paiement")
    for paiement in Paiement.objects.order_by("tranche_id", "paye_le", "pk").iterator():
        Tranche.objects.filter(pk=paiement.tranche_id).update(
            reference_paiement=paiement.reference, paiement_par_id=paiement.par_id
        )
    Tranche.objects.filter(statut="partielle").update(statut="payee")


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0016_tranche_avis_ars_et_paiements"),
    ]

    operations = [migrations.RunPython(payments_as_rows, rows_as_payment)]
