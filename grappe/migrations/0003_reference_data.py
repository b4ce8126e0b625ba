from django.db import migrations

from grappe.reference import AAPS, DEPARTEMENTS, REGIONS


def load(apps, schema_editor):
    Region = apps.get_model("grappe", "Region")
    Departement = apps.get_model("grappe", "Departement")
    Aap = apps.get_model("grappe", "Aap")
    AapTranche = apps.get_model("grappe", "AapTranche")
    regions = {}
    for code, name, ars, reduced in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "ars_name": ars, "reduced_threshold": reduced}
        )
    for code, insee, name, region in DEPARTEMENTS:
        Departement.objects.update_or_create(
            code=code,
            defaults={"insee_code": insee, "name": name, "region": regions.get(region)},
        )
    for data in AAPS:
        data = dict(data)
        tranches = data.pop("tranches")
        aap, _ = Aap.objects.update_or_create(name=data.pop("name"), defaults=data)
        for numero, pourcentage, evenement in tranches:
            AapTranche.objects.update_or_create(
                aap=aap,
                numero=numero,
                defaults={"pourcentage": pourcentage, "evenement": evenement},
            )


class Migration(migrations.Migration):
    dependencies = [("grappe", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
