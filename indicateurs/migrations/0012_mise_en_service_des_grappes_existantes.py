"""The grappes measured before the mise en service was recorded keep their measurement start:
until then it was the first month any of their ESMS sent figures, so that month becomes their
ESMS's recorded mise en service (the 1st of the month: measured from that month). The chef de
projet corrects it on the plan's milestone; the months are then recomputed."""

from django.db import migrations
from django.db.models import Min


def backfill(apps, schema_editor):
    EsmsMembership = apps.get_model("grappe", "EsmsMembership")
    UsageMensuel = apps.get_model("indicateurs", "UsageMensuel")
    grappe_ids = (
        EsmsMembership.objects.filter(left_on__isnull=True, dui_in_service_on__isnull=True)
        .values_list("grappe_id", flat=True)
        .distinct()
    )
    for grappe_id in list(grappe_ids):
        members = EsmsMembership.objects.filter(grappe_id=grappe_id, left_on__isnull=True)
        if members.filter(dui_in_service_on__isnull=False).exists():
            continue  # already recorded for this grappe
        first = UsageMensuel.objects.filter(esms_id__in=members.values("esms_id")).aggregate(
            first=Min("mois")
        )["first"]
        if first is not None:
            members.update(dui_in_service_on=first)


class Migration(migrations.Migration):
    dependencies = [
        ("grappe", "0014_comite_technique"),
        ("indicateurs", "0011_indicateurs_par_categorie"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
