"""The FINESS categories of social and medico-social establishments (grappe.reference), so that
an ESMS typed by hand may take any of them before any FINESS import. A category already in the
table (from an import) is left as it is: the file it came from is the more recent source."""

from django.db import migrations

from grappe.reference import ESMS_AGREGATS, ESMS_CATEGORIES


def load(apps, schema_editor):
    Categorie = apps.get_model("grappe", "Categorie")
    known = set(Categorie.objects.values_list("code", flat=True))
    Categorie.objects.bulk_create(
        [
            Categorie(
                code=code,
                libelle=libelle,
                agregat_code=agregat,
                agregat_libelle=ESMS_AGREGATS[agregat],
            )
            for code, libelle, agregat in ESMS_CATEGORIES
            if code not in known
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("grappe", "0007_esms_one_grappe_og_people")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
