import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grappe", "0009_comite_member_role_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="aap",
            name="couverture_min",
            field=models.PositiveSmallIntegerField(
                default=100,
                help_text=(
                    "Part des ESMS actifs de la grappe qui doivent avoir transmis toutes les "
                    "données d'un mois pour que ses cibles soient évaluées (tranche « cibles »). "
                    "Par défaut, à confirmer : 100 %, chaque ESMS actif de la grappe ; l'ARS "
                    "peut fixer une part plus basse."
                ),
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="couverture minimale des ESMS (%)",
            ),
        ),
    ]
