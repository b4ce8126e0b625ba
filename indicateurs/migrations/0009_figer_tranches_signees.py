"""Freeze the tranches of the conventions already made, before grappe 0011 changes the calls'
splits (issue 18): the Tranche rows that indicateurs.services.ensure_tranches would create on
the tranche page, at the split in force, so that a signed convention's figures never change
silently. Idempotent: grappes that already have their tranches are left alone."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations


def freeze_signed_tranches(apps, schema_editor):
    Grappe = apps.get_model("grappe", "Grappe")
    AapTranche = apps.get_model("grappe", "AapTranche")
    Tranche = apps.get_model("indicateurs", "Tranche")
    splits = {}
    for aap_id, numero, pourcentage in AapTranche.objects.values_list(
        "aap_id", "numero", "pourcentage"
    ):
        splits.setdefault(aap_id, []).append((numero, pourcentage))
    grappes = Grappe.objects.filter(convention_amount__isnull=False).exclude(
        pk__in=Tranche.objects.values("grappe_id")
    )
    Tranche.objects.bulk_create(
        [
            Tranche(
                grappe=grappe,
                numero=numero,
                pourcentage=pourcentage,
                montant=(grappe.convention_amount * pourcentage / 100).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
            )
            for grappe in grappes
            for numero, pourcentage in splits.get(grappe.aap_id, [])
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0008_declenchement_arrondi_une_fois"),
        ("grappe", "0010_aap_couverture"),
    ]
    run_before = [("grappe", "0011_aap_rules_per_call")]

    operations = [migrations.RunPython(freeze_signed_tranches, migrations.RunPython.noop)]
