"""`make load`: loopback load test — gunicorn on PostgreSQL, wrk on the ARS, national and grappe
pages.

    .venv/bin/python -m bench.load [--duration 10] [--connections 8] [--workers 4]

Needs DATABASE_URL (PostgreSQL) and wrk (Debian package `wrk`). A throwaway database
`<name>_charge` is created, migrated and filled by bench_dashboard.build (200 grappes of ≈ 23 ESMS
in one region, 24 months of values and their monthly summaries), with a chef de projet on one
grappe and a national admin. gunicorn serves it with production settings (DEBUG off; behind the
TLS proxy of docs/exploitation.md, which the `X-Forwarded-Proto: https` header stands for). Each page is first fetched once and must answer 200
with its title; then wrk keeps `--connections` signed-in users requesting it for `--duration`
seconds, and a Lua hook counts every answer that is not a 200 (wrk alone counts redirects as
successes, and a lost session is a redirect to the login page).

Fails unless every page gives 0 errors and holds its stated rate (requests per second, set at
about half what this 2-core machine reaches with wrk on the same cores, so that a loaded CI machine
still passes). The rate catches a page that collapses under load (a query per row, a lost index
on a large table), not a twofold slowdown: the ARS dashboard with its old join of every ESMS into
each grappe's count held 12.8 req/s against 21.4 now. Query counts, asserted in the tests, guard
the rest. The figures go to the "Charge" section of docs/benchmarks.md. The database is dropped at
the end.
"""

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

import dj_database_url
import psycopg2
from psycopg2 import sql

from bench.doc import write_section
from bench.loopback import HEADERS, get, gunicorn, session_cookie
from core.text import plural

SECRET_KEY = "charge-" + "x" * 50  # the script and gunicorn must sign sessions alike

# wrk runs one Lua state per thread: each counts its non-200 answers, done() adds them up and
# prints one JSON line the script reads.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local non200 = 0
  for _, thread in ipairs(threads) do non200 = non200 + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "non200": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, non200,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def load_database(url):
    """(admin connection, name, URL) of the throwaway database next to DATABASE_URL's."""
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make load : DATABASE_URL doit désigner une base PostgreSQL (postgres://…).")
    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_charge"
    path, _, query = url.partition("?")
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    return admin, name, path.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


def drop(admin, name):
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def create(admin, name):
    drop(admin, name)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(grappes):
    """Migrate the load database, fill it, return {page label: (path, title, cookie)}."""
    # Imported here: Django is set up only once os.environ points at the load database.
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from bench.bench_dashboard import build, national_admin
    from grappe.enums import RoleKind
    from grappe.models import Role
    from users.models import User

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Production serves hashed static names (ManifestStaticFilesStorage): as in a deployment.
    call_command("collectstatic", interactive=False, verbosity=0)
    agent, region, sample, nb_values, nb_esms = build(grappes, random.Random(2026))
    chef = User.objects.create(
        email="cheffe-charge@exemple.fr", first_name="Cheffe", last_name="Charge"
    )
    Role.objects.create(grappe=sample, user=chef, kind=RoleKind.CHEF_PROJET)
    print(
        f"Base de charge prête en {time.perf_counter() - start:.0f} s : {grappes} grappes, "
        f"{nb_esms} ESMS, {nb_values} valeurs."
    )
    ars, porteur = session_cookie(agent), session_cookie(chef)
    admin = session_cookie(national_admin())
    region_url = reverse("indicateurs:tableau_region", args=[region.code])
    return {
        "Tableau de bord ARS de la région": (region_url, "Tableau de bord ARS", ars),
        "Tableau de bord ARS filtré, trié, page 2": (
            region_url + "?cibles=non_atteintes&tri=-retards&page=2",
            "Tableau de bord ARS",
            ars,
        ),
        "Tableau de bord national": (
            reverse("indicateurs:tableau_national"),
            "Tableau national des indicateurs d'usage",
            admin,
        ),
        "Page de la grappe": (reverse("grappe:detail", args=[sample.pk]), sample.name, porteur),
        "Plan projet de la grappe": (reverse("projets:plan", args=[sample.pk]), "Plan", porteur),
        "Indicateurs de la grappe": (
            reverse("indicateurs:tableau_grappe", args=[sample.pk]),
            "Indicateurs d'usage",
            porteur,
        ),
    }


def wrk(url, cookie, duration, connections, script):
    headers = [
        arg
        for name, value in {**HEADERS, "Cookie": cookie}.items()
        for arg in ("-H", f"{name}: {value}")
    ]
    output = subprocess.run(
        [
            "wrk",
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=10s",
            f"--script={script}",
            *headers,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# Stated rates (requests per second that each page must hold), see the module docstring.
RATES = {
    "Tableau de bord ARS de la région": 10,
    "Tableau de bord ARS filtré, trié, page 2": 10,
    "Tableau de bord national": 10,
    "Page de la grappe": 30,
    "Plan projet de la grappe": 30,
    "Indicateurs de la grappe": 10,
}


def _stop(signum, frame):
    # `timeout` (CI) sends SIGTERM: leave through the cleanups (gunicorn, database, files).
    sys.exit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Test de charge sur la boucle locale (wrk + gunicorn)."
    )
    parser.add_argument("--duration", type=int, default=10, help="secondes par page")
    parser.add_argument("--connections", type=int, default=8, help="utilisateurs simultanés")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--grappes", type=int, default=200)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("make load : wrk introuvable (apt-get install wrk).")
    signal.signal(signal.SIGTERM, _stop)

    rows = []
    with contextlib.ExitStack() as cleanup:
        admin, name, url = load_database(os.environ.get("DATABASE_URL", ""))
        cleanup.callback(admin.close)
        cleanup.callback(drop, admin, name)
        create(admin, name)
        static_root = cleanup.enter_context(
            tempfile.TemporaryDirectory(prefix="grappe-charge-static-")
        )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": static_root,
        }
        os.environ.update(env)
        pages = prepare(args.grappes)
        from django.db import connections  # once prepare() has set Django up

        cleanup.callback(connections.close_all)  # before the database is dropped
        base = cleanup.enter_context(gunicorn(env, workers=args.workers))
        script = cleanup.enter_context(tempfile.NamedTemporaryFile("w", suffix=".lua"))
        script.write(WRK_SCRIPT)
        script.flush()
        for label, (path, title, cookie) in pages.items():
            status, html = get(base + path, cookie)
            if status != 200 or title not in html:
                sys.exit(f"{label} ({path}) : réponse {status} sans « {title} » avant la charge.")
            result = wrk(base + path, cookie, args.duration, args.connections, script.name)
            rate = result["requests"] / (result["duration_us"] / 1e6)
            errors = result["non200"] + result["socket_errors"]
            ok = errors == 0 and rate >= RATES[label]
            rows.append((label, result, rate, errors, ok))
            print(
                f"{label:<42} {rate:6.1f} req/s (cible ≥ {RATES[label]})  "
                f"p50 {result['p50_us'] / 1000:.0f} ms  p99 {result['p99_us'] / 1000:.0f} ms  "
                f"{result['requests']} requêtes, {plural(errors, 'erreur')}  {'ok' if ok else 'ÉCHEC'}"
            )

    write_section(
        "charge",
        [
            "## Charge (make load)",
            "",
            f"gunicorn ({args.workers} processus, réglages de production) sur PostgreSQL, wrk sur la "
            f"boucle locale : {args.connections} utilisateurs connectés simultanés, {args.duration} s "
            f"par page, {args.grappes} grappes dans la région. Machine : {os.cpu_count()} cœurs "
            f"(wrk et gunicorn sur les mêmes cœurs), Python {platform.python_version()} ; "
            f"{datetime.now():%Y-%m-%d %H:%M}.",
            "",
            "| page | requêtes/s | cible | p50 | p99 | requêtes | erreurs | résultat |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {label} | {rate:.1f} | ≥ {RATES[label]} | {result['p50_us'] / 1000:.0f} ms | "
                f"{result['p99_us'] / 1000:.0f} ms | {result['requests']} | {errors} | "
                f"{'ok' if ok else 'échec'} |"
                for label, result, rate, errors, ok in rows
            ),
        ],
    )
    return 0 if rows and all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
