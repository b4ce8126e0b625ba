"""`make load`: loopback load test — gunicorn on PostgreSQL, wrk on the ARS and grappe pages.

    .venv/bin/python -m bench.load [--duration 10] [--connections 8] [--workers 4]

Needs DATABASE_URL (PostgreSQL) and wrk (Debian package `wrk`). A throwaway database
`<name>_charge` is created, migrated and filled by bench_dashboard.build (200 grappes of ≈ 23 ESMS
in one region, 24 months of values), with a chef de projet on one grappe. gunicorn serves it with
production settings (DEBUG off; behind the TLS proxy of docs/exploitation.md, which the
`X-Forwarded-Proto: https` header stands for). Each page is first fetched once and must answer 200
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
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import dj_database_url
import psycopg2
from psycopg2 import sql

from bench.doc import write_section

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "charge-" + "x" * 50  # the script and gunicorn must sign sessions alike
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}

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


def load_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make load : DATABASE_URL doit désigner une base PostgreSQL (postgres://…).")
    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_charge"
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    return admin, name, url.rsplit("/", 1)[0] + f"/{name}"


def recreate(admin, name):
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(admin, name):
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def prepare(grappes):
    """Migrate the load database, fill it, return {page label: (path, title, cookie)}."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.bench_dashboard import build
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

    def cookie(user):
        client = Client()
        client.force_login(user)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    ars, porteur = cookie(agent), cookie(chef)
    region_url = reverse("indicateurs:tableau_region", args=[region.code])
    return {
        "Tableau de bord ARS de la région": (region_url, "Tableau de bord ARS", ars),
        "Tableau de bord ARS filtré, trié, page 2": (
            region_url + "?cibles=non_atteintes&tri=-retards&page=2",
            "Tableau de bord ARS",
            ars,
        ),
        "Page de la grappe": (reverse("grappe:detail", args=[sample.pk]), sample.name, porteur),
        "Plan projet de la grappe": (reverse("projets:plan", args=[sample.pk]), "Plan", porteur),
        "Indicateurs de la grappe": (
            reverse("indicateurs:tableau_grappe", args=[sample.pk]),
            "Indicateurs d'usage",
            porteur,
        ),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(base, path, cookie):
    request = urllib.request.Request(base + path, headers={**HEADERS, "Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_gunicorn(env, port, workers):
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                sys.exit("gunicorn s'est arrêté au démarrage.")
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("gunicorn n'écoute pas après 20 s.")


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
    "Page de la grappe": 30,
    "Plan projet de la grappe": 30,
    "Indicateurs de la grappe": 10,
}


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

    admin, name, url = load_database_url()
    recreate(admin, name)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    static_root = tempfile.TemporaryDirectory(prefix="grappe-charge-static-")
    env["STATIC_ROOT"] = static_root.name
    os.environ.update(env)
    process = None
    rows = []
    try:
        pages = prepare(args.grappes)
        port = free_port()
        process = start_gunicorn(env, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            for label, (path, title, cookie) in pages.items():
                status, html = fetch(base, path, cookie)
                if status != 200 or title not in html:
                    sys.exit(
                        f"{label} ({path}) : réponse {status} sans « {title} » avant la charge."
                    )
                result = wrk(base + path, cookie, args.duration, args.connections, script.name)
                rate = result["requests"] / (result["duration_us"] / 1e6)
                errors = result["non200"] + result["socket_errors"]
                ok = errors == 0 and rate >= RATES[label]
                rows.append((label, result, rate, errors, ok))
                print(
                    f"{label:<42} {rate:6.1f} req/s (cible ≥ {RATES[label]})  "
                    f"p50 {result['p50_us'] / 1000:.0f} ms  p99 {result['p99_us'] / 1000:.0f} ms  "
                    f"{result['requests']} requêtes, {errors} erreur(s)  {'ok' if ok else 'ÉCHEC'}"
                )
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop(admin, name)
        admin.close()
        static_root.cleanup()

    write_section(
        "charge",
        [
            "## Charge (make load)",
            "",
            f"gunicorn ({args.workers} processus, réglages de production) sur PostgreSQL, wrk sur la "
            f"boucle locale : {args.connections} utilisateurs connectés simultanés, {args.duration} s "
            f"par page, {args.grappes} grappes dans la région. Machine : {os.cpu_count()} cœurs "
            f"(wrk et gunicorn sur les mêmes cœurs), Python {platform.python_version()}; "
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
