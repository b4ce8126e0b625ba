"""The calls' rules are edited in the admin; their tranches must total 100 %."""

import json

import pytest
from django.urls import reverse

from grappe.models import Aap
from tests.helpers import text

pytestmark = pytest.mark.django_db


def change_data(aap, percentages):
    tranches = list(aap.tranches.order_by("numero"))
    data = {
        "tranches-TOTAL_FORMS": len(tranches),
        "tranches-INITIAL_FORMS": len(tranches),
        "tranches-MIN_NUM_FORMS": 0,
        "tranches-MAX_NUM_FORMS": 1000,
    }
    # The call as it is (a checkbox left out is False, an empty field None).
    for field in Aap._meta.concrete_fields:
        value = getattr(aap, field.attname)
        if field.attname == "id" or value is None or value is False:
            continue
        data[field.attname] = "on" if value is True else value
    data["sad_domains"] = json.dumps(aap.sad_domains)
    for index, (tranche, percentage) in enumerate(zip(tranches, percentages, strict=True)):
        data.update(
            {
                f"tranches-{index}-id": tranche.pk,
                f"tranches-{index}-aap": aap.pk,
                f"tranches-{index}-numero": tranche.numero,
                f"tranches-{index}-pourcentage": percentage,
                f"tranches-{index}-evenement": tranche.evenement,
            }
        )
    return data


def test_tranches_must_total_100_percent(admin_client):
    aap = Aap.objects.get(kind="generalisation")
    url = reverse("admin:grappe_aap_change", args=[aap.pk])
    refused = admin_client.post(url, change_data(aap, ["40", "50"]))
    assert refused.status_code == 200
    assert "Les tranches totalisent 90" in text(refused)
    assert list(aap.tranches.values_list("pourcentage", flat=True)) == [40, 60]

    saved = admin_client.post(url, change_data(aap, ["30", "70"]))
    assert saved.status_code == 302, text(saved)[:2000]
    assert list(aap.tranches.values_list("pourcentage", flat=True)) == [30, 70]
