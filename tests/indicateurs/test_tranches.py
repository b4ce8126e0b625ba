import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from grappe.enums import EvenementTranche, TypeAap
from grappe.models import Aap, AapTranche, HistoryEntry
from indicateurs.enums import StatutTranche
from indicateurs.models import Tranche
from indicateurs.services import compute_month, ensure_tranches, trigger_tranche
from tests.grappe.factories import GrappeFactory, UserFactory, add_esms, ars_agent
from tests.indicateurs.factories import in_service, meeting, usage

M1, M2, M3, M4 = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def funded_grappe(amount=Decimal("400000")):
    grappe = GrappeFactory(convention_amount=amount, convention_signed_on=date(2025, 12, 1))
    esms = add_esms(grappe, 2)
    in_service(grappe, M1)
    return grappe, esms


def tranche2(grappe):
    return Tranche.objects.get(grappe=grappe, numero=2)


def tranche2_mails():
    return [message for message in mail.outbox if "Tranche 2 due" in message.subject]


@pytest.mark.django_db
def test_tranches_come_from_the_aap_percentages_times_the_convention_amount():
    aap = Aap.objects.create(name="AAP test", kind=TypeAap.GENERALISATION, year=2026)
    AapTranche.objects.create(
        aap=aap, numero=1, pourcentage=40, evenement=EvenementTranche.SIGNATURE
    )
    AapTranche.objects.create(aap=aap, numero=2, pourcentage=60, evenement=EvenementTranche.CIBLES)
    grappe = GrappeFactory(aap=aap, convention_amount=Decimal("123456.78"))
    no_amount = GrappeFactory()
    assert ensure_tranches() == 2
    assert ensure_tranches() == 0  # idempotent
    rows = list(grappe.tranches.values_list("numero", "pourcentage", "montant"))
    assert rows == [(1, Decimal(40), Decimal("49382.71")), (2, Decimal(60), Decimal("74074.07"))]
    assert not no_amount.tranches.exists()


@pytest.mark.django_db
def test_the_tranches_add_up_to_the_convention_amount_to_the_cent():
    grappe, _ = funded_grappe(amount=Decimal("100000.01"))
    ensure_tranches()
    # 50 % is 50 000,005 €: the first tranche rounds half up, the last takes the remainder.
    assert list(grappe.tranches.values_list("montant", flat=True)) == [
        Decimal("50000.01"),
        Decimal("50000.00"),
    ]


@pytest.mark.django_db
def test_default_split_is_50_50():
    grappe, _ = funded_grappe()
    ensure_tranches()
    assert list(grappe.tranches.values_list("montant", flat=True)) == [
        Decimal("200000.00"),
        Decimal("200000.00"),
    ]


@pytest.mark.django_db
def test_targets_met_make_tranche_2_due_exactly_once(django_capture_on_commit_callbacks):
    grappe, (a, b) = funded_grappe()
    agent = ars_agent("32", UserFactory(email="ars-hdf@exemple.fr"))
    ars_agent("84", UserFactory(email="ars-ailleurs@exemple.fr"))
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    for mois in (M1, M2):
        compute_month(mois)
        assert tranche2(grappe).statut == StatutTranche.PREVUE
    with django_capture_on_commit_callbacks(execute=True):
        compute_month(M3)
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.DUE
    assert tranche.mois_declenchement == M3
    assert tranche.due_le is not None
    frozen = tranche.declenchement
    assert frozen["premiere_mesure"] is True
    assert {item["code"] for item in frozen["indicateurs"]} == {
        "mssante",
        "dmp",
        "dui_actifs",
        "dui_pp",
        "dui_evenement",
    }
    assert all(item["atteinte"] for item in frozen["indicateurs"])
    # Tranche 1's own mail (due since M1, its callback not run here) goes with this run too
    # (services.retell_untold_tranches): the targets tranche's is the one followed.
    (message,) = tranche2_mails()
    assert message.to == [agent.email]
    assert "/indicateurs/grappes/" in message.body
    # Repeated runs, later months: still once.
    meeting(a, M4)
    meeting(b, M4)
    with django_capture_on_commit_callbacks(execute=True):
        compute_month(M3)
        compute_month(M4)
        compute_month(M3, grappe)
    tranche = tranche2(grappe)
    assert tranche.mois_declenchement == M3
    assert tranche.declenchement == frozen
    assert len(tranche2_mails()) == 1
    assert (
        HistoryEntry.objects.filter(grappe=grappe, action__startswith="Tranche 2 due").count() == 1
    )
    # Tranche 1 fell due at the convention's signature, not with the targets.
    tranche1 = Tranche.objects.get(grappe=grappe, numero=1)
    assert tranche1.statut == StatutTranche.DUE
    assert tranche1.declenchement == {"signature": grappe.convention_signed_on.isoformat()}
    assert tranche1.mois_declenchement is None


@pytest.mark.django_db
def test_one_target_missed_keeps_tranche_prevue():
    grappe, (a, b) = funded_grappe()
    for mois in (M1, M2, M3):
        meeting(a, mois)
        usage(b, mois, personnes=100, mssante=80, dmp=80, actifs=95, pp=95, evt=50)
    compute_month(M3)
    assert tranche2(grappe).statut == StatutTranche.PREVUE


@pytest.mark.django_db
def test_later_correction_flags_for_review_without_revoking():
    grappe, (a, b) = funded_grappe()
    for mois in (M1, M2, M3, M4):
        meeting(a, mois)
        meeting(b, mois)
    compute_month(M4)
    assert tranche2(grappe).mois_declenchement == M4
    usage(a, M4, personnes=100, mssante=0, dmp=80, actifs=95, pp=95, evt=95)
    usage(b, M4, personnes=100, mssante=0, dmp=80, actifs=95, pp=95, evt=95)
    compute_month(M4, grappe)
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.A_REVOIR
    assert "ne sont plus toutes atteintes" in tranche.revue_motif
    assert tranche.mois_declenchement == M4
    # Another recomputation does not stack entries.
    compute_month(M4, grappe)
    assert (
        HistoryEntry.objects.filter(grappe=grappe, action__startswith="Tranche à revoir").count()
        == 1
    )


@pytest.mark.django_db
def test_correction_of_a_paid_tranche_keeps_it_paid_with_a_motif():
    grappe, (a, b) = funded_grappe()
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    compute_month(M3)
    Tranche.objects.filter(grappe=grappe, numero=2).update(statut=StatutTranche.PAYEE)
    usage(a, M3, personnes=100, mssante=80, dmp=80, actifs=95, pp=10, evt=95)
    compute_month(M3)
    tranche = tranche2(grappe)
    assert tranche.statut == StatutTranche.PAYEE
    assert tranche.revue_motif


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_make_the_tranche_due_once():
    if connection.vendor != "postgresql":
        pytest.skip("Verrou de ligne et verrou consultatif : vérifiés sur PostgreSQL.")
    grappe, (a, b) = funded_grappe()
    ars_agent("32", UserFactory(email="ars-concurrence@exemple.fr"))
    for mois in (M1, M2, M3):
        meeting(a, mois)
        meeting(b, mois)
    ensure_tranches()
    barrier = threading.Barrier(4)
    errors = []
    wins = []

    def run_month():
        try:
            barrier.wait(timeout=10)
            compute_month(M3)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    def trigger():
        try:
            tranche = Tranche.objects.select_related("grappe").get(grappe=grappe, numero=2)
            barrier.wait(timeout=10)
            wins.append(trigger_tranche(tranche, M3, {"indicateurs": [], "premiere_mesure": True}))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_month) for _ in range(2)] + [
        threading.Thread(target=trigger) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert tranche2(grappe).statut == StatutTranche.DUE
    assert (
        HistoryEntry.objects.filter(grappe=grappe, action__startswith="Tranche 2 due").count() == 1
    )
    # One e-mail per tranche made due: tranche 2 by its targets, tranche 1 by the signature —
    # each once although four workers raced (the conditional UPDATE).
    assert sorted(m.subject.split(" — ")[0] for m in mail.outbox) == [
        "[Grappe] Tranche 1 due",
        "[Grappe] Tranche 2 due",
    ]
    assert wins.count(True) <= 1


# --- The signature tranche (issue 14: « tranche 1 falls due at signature ») -------------------


@pytest.mark.django_db
def test_the_signature_tranche_falls_due_when_the_convention_is_signed_once(
    django_capture_on_commit_callbacks,
):
    agent = ars_agent("32", UserFactory(email="ars-hdf@exemple.fr"))
    aap = Aap.objects.create(name="AAP en trois temps", kind=TypeAap.GENERALISATION, year=2026)
    for numero, pourcentage, evenement in [
        (1, 30, EvenementTranche.SIGNATURE),
        (2, 20, EvenementTranche.SIGNATURE),
        (3, 50, EvenementTranche.CIBLES),
    ]:
        AapTranche.objects.create(
            aap=aap, numero=numero, pourcentage=pourcentage, evenement=evenement
        )
    grappe = GrappeFactory(aap=aap, convention_amount=Decimal("100000"))
    ensure_tranches()
    # An amount without a signature: nothing is due yet.
    assert set(grappe.tranches.values_list("statut", flat=True)) == {StatutTranche.PREVUE}
    grappe.convention_signed_on = date(2026, 11, 30)
    grappe.save()
    with django_capture_on_commit_callbacks(execute=True):
        ensure_tranches()
        ensure_tranches()
    statuts = dict(grappe.tranches.values_list("numero", "statut"))
    assert statuts == {1: StatutTranche.DUE, 2: StatutTranche.DUE, 3: StatutTranche.PREVUE}
    first = grappe.tranches.get(numero=1)
    assert first.declenchement == {"signature": "2026-11-30"}
    assert timezone.localtime(first.due_le).isoformat() == "2026-11-30T00:00:00+01:00"
    assert sorted(m.subject for m in mail.outbox) == [
        f"[Grappe] Tranche 1 due — {grappe.name}",
        f"[Grappe] Tranche 2 due — {grappe.name}",
    ]
    assert all(m.to == [agent.email] for m in mail.outbox)
    assert "La convention ARS de la grappe" in mail.outbox[0].body
    assert "est signée (le 30 novembre 2026)" in mail.outbox[0].body
    entry = HistoryEntry.objects.get(grappe=grappe, action="Tranche 1 due : convention ARS signée")
    assert entry.changes == {"Signée le": "30/11/2026", "Montant": "30\u00a0000,00\u00a0€"}
