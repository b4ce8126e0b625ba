"""Benchmark of the ARS region dashboard and the national dashboard at national scale.

    .venv/bin/python -m bench.bench_dashboard [--grappes 200 1500] [--requests 20]

35 000 ESMS in 1 500 grappes nationally puts about 200 grappes (≈ 23 ESMS each) in the largest
region. For each size we build them with bulk_create — ESMS and memberships, an 18-step plan
each, two tranches, 24 months of values at grappe and region level (and at ESMS level for one
grappe) — and the monthly summaries through the computation's own function
(services.write_syntheses), then time the region dashboard (plain, then filtered, sorted, page
2), the national dashboard and one grappe's dashboard through the Django test Client: median
server time over `--requests` requests, target < 300 ms. Every grappe is in the same region: the
worst case for the region page, and the same rows for the national page (which reads one month's
grappe rows and the region rows, however the grappes are spread). Issue 17: a page shows a few
grappes, so its time at 1 500 grappes must stay within 2× its time at 200 (the « rapport »
rows). Each size is built in one transaction rolled back at the end, so the database is left as
it was.
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
TARGET_RATIO = 2.0  # time at the largest size ÷ time at the smallest, for the same page
SIZES = (200, 1500)
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
    from indicateurs.services import write_syntheses
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
    # The computation writes each month's summaries with its values: the same function here.
    for mois in months:
        write_syntheses(mois, [grappe.pk for grappe in grappes])
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


def national_admin():
    """A national admin (staff): the national dashboard's reader."""
    from users.models import User

    return User.objects.create(
        email="admin-bench@exemple.fr", first_name="Admin", last_name="Bench", is_staff=True
    )


def measure(grappes, requests, rng):
    """{page: median seconds} for one size, in a transaction rolled back."""
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    with transaction.atomic():
        start = time.perf_counter()
        agent, region, sample, nb_values, nb_esms = build(grappes, rng)
        print(
            f"{connection.vendor} — {grappes} grappes, {nb_esms} ESMS, {nb_values} valeurs "
            f"créées en {time.perf_counter() - start:.1f} s"
        )
        client = Client()
        client.force_login(agent)
        admin = Client()
        admin.force_login(national_admin())
        region_url = reverse("indicateurs:tableau_region", args=[region.code])
        timings = {
            "region": _median_seconds(client, region_url, requests),
            "filtered": _median_seconds(
                client, region_url + "?cibles=non_atteintes&tri=-retards&page=2", requests
            ),
            "national": _median_seconds(admin, reverse("indicateurs:tableau_national"), requests),
            "grappe": _median_seconds(
                client, reverse("indicateurs:tableau_grappe", args=[sample.pk]), requests
            ),
        }
        transaction.set_rollback(True)
    print(
        "  "
        + ", ".join(f"{page} {seconds * 1000:.0f} ms" for page, seconds in timings.items())
        + f" (charge de la machine : {os.getloadavg()[0]:.1f})"
    )
    return timings


PAGES = [
    ("region", "Tableau de bord ARS (médiane)"),
    ("filtered", "Tableau de bord ARS filtré, trié (médiane)"),
    ("national", "Tableau de bord national (médiane)"),
]


def run(sizes=SIZES, requests=20):
    """Rows of the bench table: for each size the region dashboard (plain, filtered and
    sorted), the national dashboard; the ratio of the largest size to the smallest for each;
    one grappe's dashboard (its cost does not depend on the number of grappes)."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from bench.doc import Ratio

    rng = random.Random(2026)
    try:
        setup_test_environment()  # ALLOWED_HOSTS gets "testserver" for the test Client
        owned_environment = True
    except RuntimeError:
        owned_environment = False
    try:
        timings = {size: measure(size, requests, rng) for size in sizes}
    finally:
        if owned_environment:
            teardown_test_environment()
    rows = []
    for size in sizes:
        for page, label in PAGES:
            seconds = timings[size][page]
            rows.append(
                (
                    label,
                    f"{size} grappes ({connection.vendor})",
                    seconds,
                    TARGET_SECONDS,
                    seconds < TARGET_SECONDS,
                )
            )
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for page, label in PAGES:
            ratio = Ratio(timings[large][page] / timings[small][page])
            rows.append(
                (
                    label.replace("(médiane)", f"— rapport {large} / {small} grappes"),
                    f"{large} et {small} grappes ({connection.vendor})",
                    ratio,
                    Ratio(TARGET_RATIO),
                    ratio <= TARGET_RATIO,
                )
            )
    grappe_seconds = timings[max(sizes)]["grappe"]
    rows.append(
        (
            "Tableau de bord d'une grappe (médiane)",
            f"{ESMS_PER_GRAPPE} ESMS × {MONTHS} mois ({connection.vendor})",
            grappe_seconds,
            TARGET_SECONDS,
            grappe_seconds < TARGET_SECONDS,
        )
    )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark des tableaux de bord ARS et national.")
    parser.add_argument("--grappes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.doc import cible, figure

    rows = run(args.grappes, args.requests)
    for name, size, value, target, ok in rows:
        print(
            f"{name:<56} {size:<34} {figure(value):>8}  cible {cible(target):<9} "
            f"{'ok' if ok else 'trop lent'}"
        )
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
