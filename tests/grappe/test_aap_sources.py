"""Migration grappe 0013 (issue 18): each call's dates, thresholds and barème carry their source,
and what the seeds contradict is corrected — the amorçage temps 2 opened in June 2021 (seed 001),
not 2022 — without undoing what the national admin changed."""

from importlib import import_module

import pytest
from django.apps import apps

from core.reference import read
from grappe.models import Aap

pytestmark = pytest.mark.django_db

migration = import_module("grappe.migrations.0013_editeurs_sad_sources_aap")
load = migration.load
T1 = "Amorçage — temps 1 (AAP n°1)"
T2 = "Amorçage — temps 2 (AAP n°2)"
CALLS = {call["name"]: call for call in read("grappe", "aaps")["aaps"]}


def test_every_call_of_the_reference_data_has_its_sources():
    assert Aap.objects.filter(name__in=CALLS).count() == len(CALLS) == 3
    for aap in Aap.objects.filter(name__in=CALLS):
        assert aap.regles_source == CALLS[aap.name]["regles_source"]
        assert aap.amoa_source and aap.tranches_source and aap.seuil_reduit_source


def test_amorcage_calls_are_of_2021_with_the_seeds_words():
    t1, t2 = Aap.objects.get(name=T1), Aap.objects.get(name=T2)
    assert (t1.year, t2.year) == (2021, 2021)
    assert "« Le 2ème temps va s'ouvrir en juin 2021 »" in t2.regles_source
    assert "25 juin 2021" in t2.regles_source
    assert "par défaut, à confirmer" in t2.regles_source
    assert "31/3/2021" in t1.regles_source and "capé à 30 structures" in t1.regles_source
    # Seed 002 recalls that the call n°1 could pay an AMOA out of its acquisition amount.
    assert "possibilité de financer une Assistance à Maîtrise d'Ouvrage" in t1.amoa_source
    assert not t1.finance_amoa


def test_existing_database_is_corrected_where_untouched():
    Aap.objects.filter(name=T2).update(year=2022, regles_source="")
    Aap.objects.filter(name=T1).update(amoa_source=migration.AMOA_SOURCE_T1_0011, regles_source="")
    load(apps, None)
    t1, t2 = Aap.objects.get(name=T1), Aap.objects.get(name=T2)
    assert t2.year == 2021
    assert t2.regles_source == CALLS[T2]["regles_source"]
    assert t1.amoa_source == CALLS[T1]["amoa_source"]
    assert t1.regles_source == CALLS[T1]["regles_source"]


def test_what_the_national_admin_changed_is_kept():
    Aap.objects.filter(name=T2).update(year=2023, regles_source="Instruction de l'ARS")
    Aap.objects.filter(name=T1).update(amoa_source="Règle de l'ARS")
    load(apps, None)
    load(apps, None)
    t1, t2 = Aap.objects.get(name=T1), Aap.objects.get(name=T2)
    assert (t2.year, t2.regles_source) == (2023, "Instruction de l'ARS")
    assert t1.amoa_source == "Règle de l'ARS"
