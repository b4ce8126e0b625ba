"""Issue 18: per-call reduced threshold (with its unit), AMOA funding and tranche split, each
with its source (grappe/reference/aaps.toml), applied to the calls that exist.

The tranches of conventions already signed are frozen first, by indicateurs' migration 0009
(which runs before this one: grappe knows nothing of indicateurs), so that a new split of the
call only applies to new conventions. On a fresh database there is no call yet:
`manage.py load_reference` (run after `migrate`) creates them with these rules."""

from decimal import Decimal

from django.db import migrations, models

from core.reference import read

RULES = [
    "seuil_reduit",
    "seuil_reduit_unite",
    "seuil_reduit_source",
    "finance_amoa",
    "amoa_source",
    "tranches_source",
]


def load(apps, schema_editor):
    """Idempotent: applies the rules of aaps.toml to the calls that exist (matched by name)."""
    Aap = apps.get_model("grappe", "Aap")
    AapTranche = apps.get_model("grappe", "AapTranche")
    for call in read("grappe", "aaps")["aaps"]:
        tranches = [(t["numero"], t["pourcentage"], t["evenement"]) for t in call["tranches"]]
        aap = Aap.objects.filter(name=call["name"]).first()
        if aap is None:  # renamed or deleted in the admin: leave it to the national admin
            continue
        # A key left out of the file is empty (TOML has no null).
        Aap.objects.filter(pk=aap.pk).update(**{field: call.get(field) for field in RULES})
        wanted = {(n, Decimal(p), e) for n, p, e in tranches}
        existing = set(
            AapTranche.objects.filter(aap=aap).values_list("numero", "pourcentage", "evenement")
        )
        if wanted == existing:
            continue
        AapTranche.objects.filter(aap=aap).exclude(numero__in=[n for n, _, _ in tranches]).delete()
        for numero, pourcentage, evenement in tranches:
            AapTranche.objects.update_or_create(
                aap=aap,
                numero=numero,
                defaults={"pourcentage": pourcentage, "evenement": evenement},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("grappe", "0010_aap_couverture"),
    ]

    operations = [
        migrations.RemoveField(model_name="aap", name="min_esms_reduced"),
        migrations.AddField(
            model_name="aap",
            name="seuil_reduit",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Vide si l'appel ne prévoit pas de seuil réduit : le seuil national s'applique.",
                null=True,
                verbose_name="seuil réduit (Corse et outre-mer)",
            ),
        ),
        migrations.AddField(
            model_name="aap",
            name="seuil_reduit_unite",
            field=models.CharField(
                blank=True,
                choices=[("esms", "ESMS"), ("og", "organismes gestionnaires")],
                max_length=10,
                verbose_name="unité du seuil réduit",
            ),
        ),
        migrations.AddField(
            model_name="aap",
            name="seuil_reduit_source",
            field=models.TextField(blank=True, verbose_name="source du seuil réduit"),
        ),
        migrations.AddField(
            model_name="aap",
            name="finance_amoa",
            field=models.BooleanField(
                default=False,
                help_text="Enveloppes AMOA « marché » et « projet », pour les projets d'acquisition.",
                verbose_name="finance l'AMOA",
            ),
        ),
        migrations.AddField(
            model_name="aap",
            name="amoa_source",
            field=models.TextField(blank=True, verbose_name="source de la règle AMOA"),
        ),
        migrations.AddField(
            model_name="aap",
            name="tranches_source",
            field=models.TextField(
                blank=True,
                help_text="S'applique aux tranches des nouvelles conventions ; celles déjà créées ne changent pas.",
                verbose_name="source des tranches de versement",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
