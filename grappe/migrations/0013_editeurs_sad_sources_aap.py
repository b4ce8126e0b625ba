"""Issue 18: the éditeurs referenced by the RESAH SAD per category (seed 002, mise en conformité),
each call's source for its dates, thresholds and barème (grappe/reference/aaps.toml), and the
corrections the seeds call for, applied to the calls that exist. The éditeurs themselves are
created by `manage.py load_reference` (editeurs_sad.toml, run after `migrate`).

Existing databases keep what the national admin changed: the year of the temps 2 is corrected
only where it is still the wrong 2022, a source only written where it is empty or still the text
migration 0011 first wrote."""

from django.db import migrations, models

from core.reference import read

T1 = "Amorçage — temps 1 (AAP n°1)"
# Seed 001 (8 April 2021): « Le 2ème temps va s'ouvrir en juin 2021 » — not 2022.
YEAR_FIXES = {"Amorçage — temps 2 (AAP n°2)": (2022, 2021)}
# The temps 1 AMOA rule as migration 0011 first wrote it, replaced where left unchanged: history,
# not reference data (seed 002 recalls that the call n°1 could fund an AMOA out of its 25 k€).
AMOA_SOURCE_T1_0011 = (
    "Seed 001 : l'AMOA fait partie des « nouveaux objets financés » du temps 2 "
    "(« accompagnement dans la procédure de marché, accompagnement au pilotage du "
    "projet ») : le temps 1 ne la finance pas."
)


def load(apps, schema_editor):
    """Idempotent: the calls are matched by name (those renamed in the admin are left alone)."""
    Aap = apps.get_model("grappe", "Aap")
    calls = {call["name"]: call for call in read("grappe", "aaps")["aaps"]}
    for name, (wrong, right) in YEAR_FIXES.items():
        Aap.objects.filter(name=name, year=wrong).update(year=right)
    Aap.objects.filter(name=T1, amoa_source=AMOA_SOURCE_T1_0011).update(
        amoa_source=calls[T1]["amoa_source"]
    )
    for name, call in calls.items():
        Aap.objects.filter(name=name, regles_source="").update(regles_source=call["regles_source"])


class Migration(migrations.Migration):
    dependencies = [
        ("grappe", "0012_esms_dui_mise_en_service"),
    ]

    operations = [
        migrations.AddField(
            model_name="aap",
            name="regles_source",
            field=models.TextField(
                blank=True,
                help_text="D'où viennent l'année, les seuils d'éligibilité et les montants de l'appel (document et citation, ou « par défaut, à confirmer »).",
                verbose_name="source des dates, seuils et barème",
            ),
        ),
        migrations.CreateModel(
            name="EditeurReference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nom", models.CharField(max_length=150, verbose_name="éditeur")),
                (
                    "domaine",
                    models.CharField(
                        choices=[
                            ("pa", "Personnes âgées"),
                            ("ph", "Personnes handicapées"),
                            ("domicile", "Domicile"),
                            ("enfance", "Protection de l'enfance"),
                            ("autre", "Autre ESMS"),
                        ],
                        max_length=20,
                        verbose_name="catégorie du SAD",
                    ),
                ),
                (
                    "actif",
                    models.BooleanField(
                        default=True,
                        help_text="Décochez quand l'éditeur n'est plus référencé dans cette catégorie : il n'est plus compté, sa trace reste.",
                        verbose_name="référencé",
                    ),
                ),
                (
                    "source",
                    models.TextField(
                        blank=True,
                        help_text="Document et date de la liste du RESAH qui le référence.",
                        verbose_name="source",
                    ),
                ),
                (
                    "cle",
                    models.CharField(
                        db_index=True,
                        editable=False,
                        max_length=150,
                        verbose_name="clé de comparaison",
                    ),
                ),
            ],
            options={
                "verbose_name": "éditeur référencé au SAD",
                "verbose_name_plural": "éditeurs référencés au SAD",
                "ordering": ["nom", "domaine"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cle", "domaine"),
                        name="editeur_reference_unique_domaine",
                        violation_error_message="Cet éditeur figure déjà dans cette catégorie.",
                    )
                ],
            },
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
