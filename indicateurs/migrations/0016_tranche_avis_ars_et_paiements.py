"""A tranche is paid by one or several payments (Paiement rows, the reason of a partial one
kept), « partiellement payée » until they add up to its amount; and it records when the ARS was
told it is due (the e-mail now sent by its own retried task). The existing payments: 0017."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0015_syntheses_existantes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="tranche",
            name="ars_prevenue_le",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ARS prévenue le"),
        ),
        migrations.AlterField(
            model_name="tranche",
            name="statut",
            field=models.CharField(
                choices=[
                    ("prevue", "Prévue"),
                    ("due", "Due"),
                    ("a_revoir", "Due — à revoir (données corrigées)"),
                    ("partielle", "Partiellement payée"),
                    ("payee", "Payée"),
                ],
                default="prevue",
                max_length=20,
                verbose_name="statut",
            ),
        ),
        migrations.CreateModel(
            name="Paiement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("paye_le", models.DateField(verbose_name="payé le")),
                (
                    "montant",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="montant (€)"
                    ),
                ),
                (
                    "reference",
                    models.CharField(max_length=100, verbose_name="référence du paiement"),
                ),
                ("motif", models.TextField(blank=True, verbose_name="motif de l'écart")),
                (
                    "enregistre_le",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="enregistré le"
                    ),
                ),
                (
                    "par",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tranche",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="paiements",
                        to="indicateurs.tranche",
                    ),
                ),
            ],
            options={
                "verbose_name": "paiement de tranche",
                "verbose_name_plural": "paiements de tranches",
                "ordering": ["tranche", "paye_le", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("montant__gt", 0)), name="paiement_montant_positif"
                    )
                ],
            },
        ),
        # The rows (0017) and the removal of the tranche's own reference and author (0018)
        # are migrations of their own: PostgreSQL alters no table whose rows the same
        # transaction wrote with foreign keys still to check (deferred).
    ]
