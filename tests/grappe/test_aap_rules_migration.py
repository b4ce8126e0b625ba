"""Migration grappe 0011 (issue 18): per-call rules; a new tranche split never changes the
tranches of a convention already signed (indicateurs 0009 freezes them first)."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from grappe.models import Aap, AapTranche
from indicateurs.models import Tranche
from tests.grappe.factories import GrappeFactory

pytestmark = pytest.mark.django_db

D = Decimal
load = import_module("grappe.migrations.0011_aap_rules_per_call").load
freeze = import_module("indicateurs.migrations.0009_figer_tranches_signees").freeze_signed_tranches


def migrate(apps):
    """The two data steps in the order the migration graph runs them."""
    freeze(apps, None)
    load(apps, None)


def as_before_0011(call):
    """The généralisation call as migration 0003 left it: 50/50, no rule of issue 18."""
    call.tranches.all().delete()
    for numero, event in [(1, "signature"), (2, "cibles")]:
        AapTranche.objects.create(aap=call, numero=numero, pourcentage=D(50), evenement=event)
    Aap.objects.filter(pk=call.pk).update(finance_amoa=False, amoa_source="", tranches_source="")


def test_signed_convention_keeps_its_split_new_ones_get_the_new_one():
    call = Aap.objects.get(kind="generalisation")
    as_before_0011(call)
    signed = GrappeFactory(aap=call, convention_amount=D("683000.00"))
    unsigned = GrappeFactory(aap=call)
    other_call = GrappeFactory(
        aap=Aap.objects.get(kind="amorcage_t2"), convention_amount=D("1000.00")
    )

    migrate(apps)

    assert list(signed.tranches.values_list("numero", "pourcentage", "montant")) == [
        (1, D(50), D("341500.00")),
        (2, D(50), D("341500.00")),
    ]
    assert not unsigned.tranches.exists()
    # Its split does not change, its tranches are the ones the tranche page would create.
    assert list(other_call.tranches.values_list("pourcentage", flat=True)) == [D(50), D(50)]
    assert list(call.tranches.values_list("pourcentage", flat=True)) == [D(40), D(60)]
    call.refresh_from_db()
    assert call.finance_amoa and "Seed 000 §1" in call.amoa_source


def test_loader_is_idempotent():
    call = Aap.objects.get(kind="generalisation")
    GrappeFactory(aap=call, convention_amount=D("1000.00"))
    load(apps, None)
    load(apps, None)
    assert list(call.tranches.values_list("numero", "pourcentage")) == [(1, D(40)), (2, D(60))]
    # The split was already the new one: nothing to freeze.
    assert not Tranche.objects.exists()
