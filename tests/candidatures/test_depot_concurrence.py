"""Filing under concurrency (PostgreSQL row locks): a double click files once."""

import threading

import pytest
import time_machine
from django.db import connection

from candidatures.models import SECTIONS, Candidature, Depot, PieceJointe
from candidatures.services import DepotRefuse, deposer
from grappe.enums import RoleKind
from tests.candidatures.factories import campagne_for, paris
from tests.candidatures.test_depot import engage_all
from tests.grappe.factories import GrappeFactory, RoleFactory, UserFactory, add_esms


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_filings_make_one_version():
    if connection.vendor != "postgresql":
        pytest.skip("Verrou de ligne (SELECT … FOR UPDATE) : vérifié sur PostgreSQL.")
    with time_machine.travel(paris(2026, 6, 15, 10), tick=False):
        grappe = GrappeFactory(achat_sad=True)
        campagne = campagne_for(grappe.region)
        grappe.aap = campagne.aap
        grappe.save()
        add_esms(grappe, 16)
        owner = UserFactory()
        RoleFactory(grappe=grappe, user=owner, kind=RoleKind.CHEF_PROJET)
        dossier = Candidature.objects.create(
            campagne=campagne, grappe=grappe, **{name: "Rédigé." for name, *_ in SECTIONS}
        )
        for piece in campagne.pieces.filter(obligatoire=True):
            PieceJointe.objects.create(
                candidature=dossier, piece=piece, size=1, sha256="0" * 64, file="x.pdf"
            )
        engage_all(dossier)
        barrier = threading.Barrier(2)
        outcomes = []

        def file():
            try:
                barrier.wait(timeout=10)
                outcomes.append(deposer(Candidature.objects.get(pk=dossier.pk), owner))
            except DepotRefuse as refusal:
                outcomes.append(refusal.message)
            finally:
                connection.close()

        threads = [threading.Thread(target=file) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert Depot.objects.filter(candidature=dossier).count() == 1
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert refusals == ["La candidature est « déposée » : le dossier ne se dépose pas à nouveau."]
