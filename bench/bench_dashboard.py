"""Benchmark of the ARS region dashboard at national scale.

    .venv/bin/python -m bench.bench_dashboard [--grappes 200] [--requests 20]

35 000 ESMS in 1 500 grappes nationally puts about 200 grappes (≈ 23 ESMS each) in the largest
region. We build them with bulk_create — ESMS and memberships, an 18-step plan each, two tranches,
24 months of values at grappe and region level (and at ESMS level for one grappe) — then time
the region dashboard (and one grappe's dashboard) through the Django test Client: median server
time over `--requests` requests, target < 300 ms. Everything happens in one transaction rolled
back at the end, so the database is left as it was.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

TARGET_SECONDS = 0.3
REGION_CODE = "84"  # Auvergne-Rhône-Alpes, the region with the most ESMS
ESMS_PER_GRAPPE = 23
MONTHS = 24


def _months(count, last=datetime.date(2026, 5, 1)):
    months = []
    year, month = last.year, last.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return months[::-1]


def _value(rng, indicateur, mois, niveau, **where):
    denominateur = rng.randrange(200, 2000)
    rate = Decimal(rng.randrange(30, 110))
    numerateur = int(rate * denominateur / 100)
    valeur = (Decimal(numerateur) * 100 / denominateur).quantize(Decimal("0.01"))
    from indicateurs.models import ValeurIndicateur

    return ValeurIndicateur(
        indicateur=indicateur,
        mois=mois,
        niveau=niveau,
        numerateur=numerateur,
        denominateur=denominateur,
        valeur=valeur,
        cible=indicateur.cible,
        atteinte=valeur >= indicateur.cible,
        **where,
    )


def build(grappes_count, rng):
    """The region's grappes and their data; returns (ARS agent, region, one grappe, number of
    values, number of ESMS)."""
    from django.db import connection

    from grappe.models import (
        ArsAgent,
        Categorie,
        Esms,
        EsmsMembership,
        Grappe,
        OrganismeGestionnaire,
        Region,
    )
    from indicateurs.enums import Niveau, StatutTranche
    from indicateurs.models import Indicateur, Tranche, ValeurIndicateur
    from projets.models import Etape, Plan
    from users.models import User

    indicateurs = []
    for ordre, (code, libelle, cible) in enumerate(
        [
            ("mssante", "Taux d'utilisation de la MSSanté", 70),
            ("dmp", "Taux d'utilisation du DMP", 70),
            ("dui_actifs", "Taux de dossiers actifs", 90),
            ("dui_pp", "Taux de dossiers actifs avec un projet personnalisé", 90),
            ("dui_evenement", "Taux de dossiers actifs ayant au moins un événement", 90),
        ],
        start=1,
    ):
        indicateur, _ = Indicateur.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "numerateur": "messages_mssante",
                "denominateur": "personnes_accompagnees",
                "cible": Decimal(cible),
                "ordre": ordre,
            },
        )
        indicateurs.append(indicateur)
    region = Region.objects.get(code=REGION_CODE)
    categorie, _ = Categorie.objects.get_or_create(
        code="500",
        defaults={"libelle": "EHPAD", "agregat_code": "4401", "agregat_libelle": "EHPA"},
    )
    # Bench identifiers start with letters: they can never collide with real FINESS numbers.
    ogs = OrganismeGestionnaire.objects.bulk_create(
        OrganismeGestionnaire(finess_ej=f"Y{n:08d}", raison_sociale=f"OG BENCH {n}")
        for n in range(grappes_count * 3)
    )
    grappes = Grappe.objects.bulk_create(
        Grappe(name=f"Grappe bench {n:04d}", region=region, porteur=ogs[n * 3])
        for n in range(grappes_count)
    )
    esms = Esms.objects.bulk_create(
        (
            Esms(
                finess_et=f"Z{n:08d}",
                og=ogs[n // ESMS_PER_GRAPPE * 3 + n % 3],
                raison_sociale=f"EHPAD BENCH {n}",
                categorie=categorie,
            )
            for n in range(grappes_count * ESMS_PER_GRAPPE)
        ),
        batch_size=2000,
    )
    EsmsMembership.objects.bulk_create(
        (
            # Members since before the first month of values: the grappe reads them all.
            EsmsMembership(
                grappe=grappes[n // ESMS_PER_GRAPPE], esms=item, joined_on=datetime.date(2024, 1, 1)
            )
            for n, item in enumerate(esms)
        ),
        batch_size=2000,
    )
    plans = Plan.objects.bulk_create(
        Plan(grappe=grappe, start_on=datetime.date(2025, 6, 2)) for grappe in grappes
    )
    etapes = []
    for plan in plans:
        start = plan.start_on
        for ordre in range(1, 19):
            end = start + datetime.timedelta(days=35)
            done = ordre <= rng.randrange(3, 12)
            etapes.append(
                Etape(
                    plan=plan,
                    phase=min(4, 1 + (ordre - 1) // 5),
                    ordre=ordre,
                    titre=f"Étape {ordre}",
                    planned_start=start,
                    planned_end=end,
                    actual_start=start if done else None,
                    actual_end=end if done else None,
                )
            )
            start = end
    Etape.objects.bulk_create(etapes, batch_size=2000)
    Tranche.objects.bulk_create(
        Tranche(
            grappe=grappe,
            numero=numero,
            pourcentage=Decimal(50),
            montant=Decimal(rng.randrange(100, 400) * 1000),
            statut=StatutTranche.PAYEE if numero == 1 else rng.choice(StatutTranche.values),
        )
        for grappe in grappes
        for numero in (1, 2)
    )
    months = _months(MONTHS)
    values = [
        _value(rng, indicateur, mois, Niveau.GRAPPE, grappe=grappe)
        for grappe in grappes
        for indicateur in indicateurs
        for mois in months
    ]
    values += [
        _value(rng, indicateur, mois, Niveau.REGION, region=region)
        for indicateur in indicateurs
        for mois in months
    ]
    sample = grappes[0]
    values += [
        _value(rng, indicateur, mois, Niveau.ESMS, esms=item, og_id=item.og_id)
        for item in esms[:ESMS_PER_GRAPPE]
        for indicateur in indicateurs
        for mois in months
    ]
    ValeurIndicateur.objects.bulk_create(values, batch_size=5000)
    agent = User.objects.create(email="ars-bench@exemple.fr", first_name="ARS", last_name="Bench")
    ArsAgent.objects.create(user=agent, region=region)
    if connection.vendor == "postgresql":
        # A production database has planner statistics; rows just bulk-inserted in an open
        # transaction have none, and PostgreSQL would plan for empty tables (nested loops).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return agent, region, sample, len(values), len(esms)


def _median_seconds(client, url, requests):
    client.get(url)  # warm-up: templates compiled, caches filled
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def run(grappes=200, requests=20):
    """Rows of the bench table: the region dashboard, and one grappe's dashboard."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    rng = random.Random(2026)
    try:
        setup_test_environment()  # ALLOWED_HOSTS gets "testserver" for the test Client
        owned_environment = True
    except RuntimeError:
        owned_environment = False
    try:
        with transaction.atomic():
            start = time.perf_counter()
            agent, region, sample, nb_values, nb_esms = build(grappes, rng)
            print(
                f"{connection.vendor} — {grappes} grappes, {nb_esms} ESMS, {nb_values} valeurs "
                f"créées en {time.perf_counter() - start:.1f} s"
            )
            client = Client()
            client.force_login(agent)
            region_url = reverse("indicateurs:tableau_region", args=[region.code])
            region_seconds = _median_seconds(client, region_url, requests)
            filtered_seconds = _median_seconds(
                client, region_url + "?cibles=non_atteintes&tri=-retards&page=2", requests
            )
            grappe_seconds = _median_seconds(
                client, reverse("indicateurs:tableau_grappe", args=[sample.pk]), requests
            )
            transaction.set_rollback(True)
    finally:
        if owned_environment:
            teardown_test_environment()
    size = f"{grappes} grappes ({connection.vendor})"
    return [
        (
            "Tableau de bord ARS (médiane)",
            size,
            region_seconds,
            TARGET_SECONDS,
            region_seconds < TARGET_SECONDS,
        ),
        (
            "Tableau de bord ARS filtré, trié (médiane)",
            size,
            filtered_seconds,
            TARGET_SECONDS,
            filtered_seconds < TARGET_SECONDS,
        ),
        (
            "Tableau de bord d'une grappe (médiane)",
            f"{ESMS_PER_GRAPPE} ESMS × {MONTHS} mois ({connection.vendor})",
            grappe_seconds,
            TARGET_SECONDS,
            grappe_seconds < TARGET_SECONDS,
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark du tableau de bord ARS.")
    parser.add_argument("--grappes", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    rows = run(args.grappes, args.requests)
    for name, size, seconds, target, ok in rows:
        print(
            f"{name:<44} {size:<28} {seconds * 1000:6.0f} ms  cible < {target * 1000:.0f} ms  "
            f"{'ok' if ok else 'trop lent'}"
        )
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
