"""`make bench`: every benchmark of the product, a table on screen, the figures in docs/benchmarks.md.

Runs on the database of config.settings (SQLite by default, PostgreSQL when DATABASE_URL is set);
each benchmark works inside a transaction it rolls back, so the database is left as it was.
"""

import os
import platform
import sys
from datetime import datetime

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402  (needs django.setup())

from bench import bench_dashboard, bench_finess_import, bench_usages  # noqa: E402
from bench.doc import cible, figure, write_section  # noqa: E402

BENCHMARKS = [bench_finess_import.run, bench_usages.run, bench_dashboard.run]


def main():
    rows = []
    for bench in BENCHMARKS:
        rows.extend(bench())
    header = f"{'opération':<42} {'taille':<26} {'durée':>9}  {'cible':>8}  résultat"
    print("\n" + header + "\n" + "-" * len(header))
    for name, size, seconds, target, ok in rows:
        print(
            f"{name:<42} {size:<26} {figure(seconds):>9}  {cible(target):>10}  "
            f"{'ok' if ok else 'TROP LENT'}"
        )
    lines = [
        "## Opérations (make bench)",
        "",
        "Machine : "
        f"{os.cpu_count()} cœurs, Python {platform.python_version()}, base {connection.vendor} ; "
        f"{datetime.now():%Y-%m-%d %H:%M}.",
        "",
        "| opération | taille | durée | cible | résultat |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {size} | {figure(seconds)} | {cible(target)} | "
            f"{'ok' if ok else 'trop lent'} |"
            for name, size, seconds, target, ok in rows
        ),
    ]
    doc = write_section("bench", lines)
    print(f"\nRésultats enregistrés dans {doc.relative_to(doc.parent.parent)}")
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
