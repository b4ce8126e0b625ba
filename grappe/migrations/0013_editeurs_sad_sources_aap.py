"""Issue 18: the éditeurs referenced by the RESAH SAD per category (seed 002, mise en conformité),
each call's source for its dates, thresholds and barème, and the corrections the seeds call for
(grappe.reference: AAP_SOURCES, EDITEURS_SAD).

Existing databases keep what the national admin changed: the year of the temps 2 is corrected
only where it is still the wrong 2022, a source only written where it is empty or still the text
migration 0011 wrote."""

from django.db import migrations, models

from grappe.reference import (
    AAP_SOURCES,
    AMOA_SOURCE_AMORCAGE_T1,
    AMOA_SOURCE_AMORCAGE_T1_0011,
    EDITEURS_SAD,
    editeur_key,
)

# Seed 001 (8 April 2021): « Le 2ème temps va s'ouvrir en juin 2021 » — not 2022.
YEAR_FIXES = {"Amorçage — temps 2 (AAP n°2)": (2022, 2021)}
AMOA_FIXES = {
    "Amorçage — temps 1 (AAP n°1)": (AMOA_SOURCE_AMORCAGE_T1_0011, AMOA_SOURCE_AMORCAGE_T1)
}


def load(apps, schema_editor):
    """Idempotent: the calls are matched by name (those renamed in the admin are left alone),
    the éditeurs by name and category."""
    Aap = apps.get_model("grappe", "Aap")
    EditeurReference = apps.get_model("grappe", "EditeurReference")
    for name, (wrong, right) in YEAR_FIXES.items():
        Aap.objects.filter(name=name, year=wrong).update(year=right)
    for name, (old, new) in AMOA_FIXES.items():
        Aap.objects.filter(name=name, amoa_source=old).update(amoa_source=new)
    for name, source in AAP_SOURCES.items():
        Aap.objects.filter(name=name, regles_source="").update(regles_source=source)
    for nom, domaines, source in EDITEURS_SAD:
        for domaine in domaines:
            EditeurReference.objects.get_or_create(
                cle=editeur_key(nom),
                domaine=domaine,
                defaults={"nom": nom, "source": source, "actif": True},
            )


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
