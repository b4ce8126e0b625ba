"""The data migration of the payments (indicateurs 0016–0018): each tranche's single payment
becomes its first Paiement row; one recorded « payée » for less than the tranche is
« partiellement payée » (the ARS may record the rest); the tranches already due count as told
to the ARS. Going back gives the single payment again.

Replayed with Django's MigrationExecutor in a throw-away database of the suite's engine, in a
subprocess, as tests/approbations/test_migration_avis.py does."""

import datetime
from decimal import Decimal

import pytest

from tests.migrations import migrate_to, run_scenario

BEFORE = [("indicateurs", "0015_syntheses_existantes")]
AFTER = [("indicateurs", "0018_tranche_sans_reference_de_paiement")]
DUE = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)


def _before(apps):
    ars = apps.get_model("users", "User").objects.create(email="ars@exemple.fr")
    region, _ = apps.get_model("grappe", "Region").objects.get_or_create(
        code="32", defaults={"name": "Hauts-de-France", "ars_name": "ARS Hauts-de-France"}
    )
    grappe = apps.get_model("grappe", "Grappe").objects.create(name="Grappe", region=region)
    Tranche = apps.get_model("indicateurs", "Tranche")
    common = {"grappe": grappe, "pourcentage": 50, "montant": Decimal("341500.00")}
    Tranche.objects.create(
        numero=1,
        statut="payee",
        due_le=DUE,
        paye_le=datetime.date(2026, 7, 1),
        montant_paye=Decimal("341500.00"),
        reference_paiement="ARS-1",
        paiement_par=ars,
        **common,
    )
    Tranche.objects.create(
        numero=2,
        statut="payee",
        due_le=DUE,
        paye_le=datetime.date(2026, 8, 1),
        montant_paye=Decimal("102.00"),
        reference_paiement="ARS-2",
        **common,
    )
    Tranche.objects.create(numero=3, statut="due", due_le=DUE, **common)
    Tranche.objects.create(numero=4, statut="prevue", **common)


def scenario():
    _before(migrate_to(BEFORE))
    new = migrate_to(AFTER)
    Tranche = new.get_model("indicateurs", "Tranche")
    after = {
        "tranches": [
            [t.numero, t.statut, str(t.montant_paye), t.ars_prevenue_le is not None]
            for t in Tranche.objects.order_by("numero")
        ],
        "paiements": [
            [p.tranche.numero, str(p.montant), p.reference, p.motif, p.par_id is not None]
            for p in new.get_model("indicateurs", "Paiement")
            .objects.select_related("tranche")
            .order_by("tranche__numero")
        ],
    }
    old = migrate_to(BEFORE)
    back = [
        [t.numero, t.statut, t.reference_paiement, t.paiement_par_id is not None]
        for t in old.get_model("indicateurs", "Tranche").objects.order_by("numero")
    ]
    return {"after": after, "back": back}


@pytest.mark.django_db
def test_each_single_payment_becomes_a_row_and_back():
    result = run_scenario("tests.indicateurs.test_migration_paiements")
    assert result["after"]["tranches"] == [
        [1, "payee", "341500.00", True],
        [2, "partielle", "102.00", True],
        [3, "due", "None", True],
        [4, "prevue", "None", False],
    ]
    assert result["after"]["paiements"] == [
        [1, "341500.00", "ARS-1", "", True],
        [2, "102.00", "ARS-2", "Paiement enregistré avant le suivi des paiements partiels.", False],
    ]
    assert result["back"] == [
        [1, "payee", "ARS-1", True],
        [2, "payee", "ARS-2", False],
        [3, "due", "", False],
        [4, "prevue", "", False],
    ]
