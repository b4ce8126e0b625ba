"""Benchmark of the usage data at national scale: 35 000 ESMS in 1 500 grappes, 24 months of data.

    .venv/bin/python -m bench.bench_usages [--esms 35000] [--grappes 1500] [--months 24]

Generates the registry and the 24 months of history fast (bulk_create, COPY on PostgreSQL), then
times: importing one new month for every ESMS (35 000 lines: read, validate, write), re-sending
it (35 000 replacements kept in the history), and computing that month for all grappes — compared
with a bare SQL GROUP BY of the same sums (4 levels × 5 indicators), which the computation must
stay within 5× of. Everything happens in one transaction rolled back at the end.
"""

import argparse
import datetime
import io
import os
import sys
import time

from core.text import plural

TARGET_IMPORT = 30
TARGET_COMPUTE = 30
MAX_RATIO = 5


def _counts(i, k):
    """Deterministic counts for ESMS i, month index k (rising rates, every value consistent)."""
    personnes = 20 + (i * 7) % 90
    rate = min(0.35 + 0.025 * k + (i % 10) / 100, 0.99)
    actifs = round(personnes * min(rate + 0.2, 0.99))
    return (
        personnes,
        round(personnes * rate),
        round(personnes * rate * 0.9),
        actifs,
        round(actifs * rate),
        round(actifs * min(rate + 0.1, 0.99)),
    )


def generate(n_esms, n_grappes, months):
    """Registry + history; returns (esms list [(id, finess)], list of months)."""
    from django.db import connection

    from core.months import add_months, elapsed_month
    from grappe.finess import expected_key
    from grappe.models import (
        Categorie,
        Esms,
        EsmsMembership,
        Grappe,
        OrganismeGestionnaire,
        Region,
    )
    from indicateurs.models import MONTHLY_FIELDS, UsageMensuel

    def number(prefix, n):
        body = f"{prefix}{n:06d}"
        return body + expected_key(body)

    categorie, _ = Categorie.objects.get_or_create(
        code="500",
        defaults={
            "libelle": "Etablissement d'hébergement pour personnes âgées dépendantes",
            "agregat_code": "4401",
        },
    )
    n_og = max(n_esms // 5, 1)
    ogs = OrganismeGestionnaire.objects.bulk_create(
        [
            OrganismeGestionnaire(finess_ej=number("97", n), raison_sociale=f"OG BENCH {n}")
            for n in range(n_og)
        ],
        batch_size=5000,
    )
    esms = Esms.objects.bulk_create(
        [
            Esms(
                finess_et=number("98", n),
                og=ogs[n // 5 % n_og],
                raison_sociale=f"ESMS BENCH {n}",
                categorie=categorie,
            )
            for n in range(n_esms)
        ],
        batch_size=5000,
    )
    regions = list(Region.objects.all())
    grappes = Grappe.objects.bulk_create(
        [
            Grappe(
                name=f"Grappe bench {n}",
                region=regions[n % len(regions)],
                porteur=ogs[(n * n_og // n_grappes) % n_og],
            )
            for n in range(n_grappes)
        ],
        batch_size=2000,
    )
    EsmsMembership.objects.bulk_create(
        [
            EsmsMembership(
                grappe=grappes[n * n_grappes // n_esms],
                esms=e,
                joined_on=datetime.date(2020, 1, 1),
                # In service long before the history: every month is assessed.
                dui_in_service_on=datetime.date(2020, 1, 1),
            )
            for n, e in enumerate(esms)
        ],
        batch_size=5000,
    )
    last = elapsed_month()
    history = [add_months(last, -months + k) for k in range(months)]
    table = UsageMensuel._meta.db_table
    columns = ["esms_id", "mois", *MONTHLY_FIELDS, "source", "updated_at"]
    now = "2026-01-01 00:00:00+00"
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for k, month in enumerate(history[:-1]):
            for i, e in enumerate(esms):
                values = "\t".join(str(v) for v in _counts(i, k))
                buffer.write(f"{e.pk}\t{month.isoformat()}\t{values}\tfichier\t{now}\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer, size=1 << 20
            )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                f"({', '.join(['%s'] * len(columns))})",
                [
                    (e.pk, month.isoformat(), *_counts(i, k), "fichier", now)
                    for k, month in enumerate(history[:-1])
                    for i, e in enumerate(esms)
                ],
            )
    if connection.vendor == "postgresql":
        # Fresh tables have no statistics yet; a production database has (autovacuum).
        with connection.cursor() as cursor:
            for model in (UsageMensuel, Esms, EsmsMembership, Grappe, OrganismeGestionnaire):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    # The last month of the 24 is the one the benchmark imports.
    return [(e.pk, e.finess_et) for e in esms], history


def import_file(esms, month, k, bump=0):
    from indicateurs.models import MONTHLY_FIELDS

    lines = [";".join(["finess_et", "mois", *MONTHLY_FIELDS])]
    for i, (_pk, finess) in enumerate(esms):
        counts = list(_counts(i, k))
        counts[1] += bump
        lines.append(";".join([finess, f"{month:%Y-%m}", *map(str, counts)]))
    return ("\n".join(lines) + "\n").encode()


def bare_group_by(month):
    """The same sums as the computation, read without writing: per ESMS, (OG, grappe), grappe,
    region, for the five indicators (numerator and denominator each)."""
    from django.db import connection

    sums = (
        "SUM(u.messages_mssante), SUM(u.personnes_accompagnees), SUM(u.dmp_alimentes), "
        "SUM(u.dossiers_actifs), SUM(u.dossiers_actifs_avec_pp), "
        "SUM(u.dossiers_actifs_avec_evenement)"
    )
    base = (
        "FROM indicateurs_usagemensuel u JOIN grappe_esmsmembership m ON m.esms_id = u.esms_id "
        "JOIN grappe_esms e ON e.id = u.esms_id JOIN grappe_grappe g ON g.id = m.grappe_id "
        "WHERE u.mois = %s AND m.left_on IS NULL"
    )
    rows = 0
    with connection.cursor() as cursor:
        for group in ["u.esms_id", "e.og_id, m.grappe_id", "m.grappe_id", "g.region_id"]:
            cursor.execute(f"SELECT {group}, {sums} {base} GROUP BY {group}", [month])
            rows += len(cursor.fetchall())
    return rows


def run(n_esms=35_000, n_grappes=1_500, months=24):
    from django.db import connection, transaction

    from indicateurs import services, usage_import
    from indicateurs.models import ValeurIndicateur

    size = f"{n_esms} ESMS, {n_grappes} grappes ({connection.vendor})"
    with transaction.atomic():
        start = time.perf_counter()
        esms, history = generate(n_esms, n_grappes, months)
        generated = time.perf_counter() - start
        month = history[-1]
        print(
            f"{connection.vendor} — {n_esms} ESMS, {n_grappes} grappes, "
            f"{n_esms * (months - 1)} lignes d'historique générées en {generated:.1f} s"
        )
        data = import_file(esms, month, months - 1)

        start = time.perf_counter()
        rapport = usage_import.validate(usage_import.read_rows(data))
        created, replaced = usage_import.apply(rapport)
        import_seconds = time.perf_counter() - start
        print(
            f"  import d'un mois : {len(rapport.lignes)} lignes, {plural(rapport.erreurs, 'erreur')}, "
            f"{created} créées, {replaced} remplacées"
        )

        data = import_file(esms, month, months - 1, bump=1)
        start = time.perf_counter()
        rapport = usage_import.validate(usage_import.read_rows(data))
        created2, replaced2 = usage_import.apply(rapport)
        reimport_seconds = time.perf_counter() - start

        # The run's foreign-key checks are deferred to COMMIT, which this rolled-back
        # benchmark never reaches: check them at once so that the time includes them, as a
        # real (committed) computation pays them.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        start = time.perf_counter()
        run_ = services.compute_month(month)
        compute_seconds = time.perf_counter() - start
        written = ValeurIndicateur.objects.filter(mois=month).count()

        start = time.perf_counter()
        bare_rows = bare_group_by(month)
        bare_seconds = time.perf_counter() - start
        transaction.set_rollback(True)

    ratio = compute_seconds / bare_seconds if bare_seconds else float("inf")
    print(
        f"  calcul du mois : {run_.lignes} valeurs écrites ({written} en base) en "
        f"{compute_seconds:.2f} s ; GROUP BY brut des mêmes sommes ({bare_rows} lignes lues) "
        f"en {bare_seconds:.2f} s : rapport ×{ratio:.1f} (cible ≤ ×{MAX_RATIO})"
    )
    import_ok = rapport.ok and created == n_esms and replaced2 == n_esms and created2 == 0
    return [
        (
            "Usages — import d'un mois (toutes les ESMS)",
            size,
            import_seconds,
            TARGET_IMPORT,
            import_ok and import_seconds < TARGET_IMPORT,
        ),
        (
            "Usages — ré-envoi du mois (remplacements)",
            size,
            reimport_seconds,
            TARGET_IMPORT,
            import_ok and reimport_seconds < TARGET_IMPORT,
        ),
        (
            f"Indicateurs — calcul d'un mois (×{ratio:.1f} GROUP BY)",
            size,
            compute_seconds,
            TARGET_COMPUTE,
            compute_seconds < TARGET_COMPUTE and ratio <= MAX_RATIO,
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark des données d'usage.")
    parser.add_argument("--esms", type=int, default=35_000)
    parser.add_argument("--grappes", type=int, default=1_500)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    rows = run(args.esms, args.grappes, args.months)
    for name, size, seconds, target, ok in rows:
        print(
            f"{name:<48} {size:<36} {seconds:6.1f} s  cible < {target} s  "
            f"{'ok' if ok else 'trop lent'}"
        )
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
