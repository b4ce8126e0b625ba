"""The signature tranche now falls due when the convention is signed
(indicateurs.services.signature_tranches_due); until then the ARS could pay a planned tranche 1.
The tranches of conventions already signed become due as of their signature day, without the
e-mail a new signature sends: their ARS knows them (and may have paid them already)."""

import datetime

from django.db import migrations
from django.utils import timezone


def signature_numeros(AapTranche, aap_id):
    numeros = set(
        AapTranche.objects.filter(aap_id=aap_id, evenement="signature").values_list(
            "numero", flat=True
        )
    )
    if numeros or AapTranche.objects.filter(aap_id=aap_id).exists():
        return numeros
    return {1}


def make_due(apps, schema_editor):
    Tranche = apps.get_model("indicateurs", "Tranche")
    AapTranche = apps.get_model("grappe", "AapTranche")
    planned = Tranche.objects.filter(
        statut="prevue", grappe__convention_signed_on__isnull=False
    ).select_related("grappe")
    numeros = {}
    for tranche in planned:
        aap_id = tranche.grappe.aap_id
        if aap_id not in numeros:
            numeros[aap_id] = signature_numeros(AapTranche, aap_id)
        if tranche.numero not in numeros[aap_id]:
            continue
        signed_on = tranche.grappe.convention_signed_on
        tranche.statut = "due"
        tranche.due_le = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time()))
        tranche.declenchement = {"signature": signed_on.isoformat()}
        tranche.save(update_fields=["statut", "due_le", "declenchement"])


class Migration(migrations.Migration):
    dependencies = [
        ("grappe", "0014_comite_technique"),
        ("indicateurs", "0012_mise_en_service_des_grappes_existantes"),
    ]

    operations = [migrations.RunPython(make_due, migrations.RunPython.noop)]
