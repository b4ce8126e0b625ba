"""The reference and the author of a payment are the Paiement row's (0017 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0017_paiements_existants"),
    ]

    operations = [
        migrations.RemoveField(model_name="tranche", name="paiement_par"),
        migrations.RemoveField(model_name="tranche", name="reference_paiement"),
    ]
