"""Benchmark of the FINESS import on a national-size file.

    .venv/bin/python -m bench.bench_finess_import [--lines 100000]

Generates a realistic structureet file (valid Luhn numbers, ~70 % ESMS categories, hospitals and
other health categories, a few doubled-quote fields, Windows-1252 accents), then times a first
import and a re-import (which must create and update nothing). Runs on the database of
config.settings: SQLite by default (after `manage.py migrate`), PostgreSQL when DATABASE_URL is
set. Everything happens in one transaction rolled back at the end, so the database is left as
it was.
"""

import argparse
import os
import random
import sys
import time

TARGET_SECONDS = 60

# (categetab, libcategetab, categagretab, libcategagretab, weight)
CATEGORIES = [
    (
        "500",
        "Etablissement d'hébergement pour personnes âgées dépendantes",
        "4401",
        "Etablissements d'Hébergement pour Personnes Âgées",
        20,
    ),
    ("202", "Résidence autonomie", "4401", "Etablissements d'Hébergement pour Personnes Âgées", 5),
    (
        "354",
        "Service de Soins Infirmiers A Domicile (S.S.I.A.D)",
        "4403",
        "Services de soins infirmiers à domicile",
        6,
    ),
    ("460", "Service autonomie aide", "4404", "Services d'aide à domicile", 6),
    (
        "183",
        "Institut Médico-Educatif (I.M.E.)",
        "4101",
        "Etablissements d'Education Spéciale pour Déficients",
        5,
    ),
    (
        "182",
        "Service d'Éducation Spéciale et de Soins à Domicile",
        "4106",
        "Services à Domicile ou Ambulatoires pour Handicapés",
        5,
    ),
    (
        "246",
        "Etablissement et Service d'Aide par le Travail (E.S.A.T.)",
        "4301",
        "Etablissements et Services de Travail Protégé",
        4,
    ),
    (
        "255",
        "Maison d'Accueil Spécialisée (M.A.S.)",
        "4302",
        "Etablissements d'hébergement pour adultes handicapés",
        3,
    ),
    (
        "448",
        "Etablissement d'Accueil Médicalisé en tout ou partie pour personnes handicapées",
        "4302",
        "Etablissements d'hébergement pour adultes handicapés",
        3,
    ),
    (
        "214",
        "Centre Hébergement & Réinsertion Sociale (C.H.R.S.)",
        "4601",
        "Etablissements et Services Sociaux d'Accueil",
        4,
    ),
    (
        "177",
        "Maison d'Enfants à Caractère Social",
        "4501",
        "Etablissements de l'Aide Sociale à l'Enfance",
        4,
    ),
    ("462", "Lieux de Vie et d'Accueil", "4605", "Etablissements et services multi-clientèles", 1),
    (
        "340",
        "Service mandataire judiciaire à la protection des majeurs",
        "4608",
        "Protection des majeurs",
        4,
    ),
    ("355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers", 4),
    (
        "365",
        "Etablissement de Soins Pluridisciplinaire",
        "1106",
        "Etablissements de Soins Pluridisciplinaires",
        3,
    ),
    ("620", "Pharmacie d'Officine", "3101", "Pharmacies d'Officine", 15),
    (
        "223",
        "Protection Maternelle et Infantile (P.M.I.)",
        "2202",
        "Etablissements de PMI et de Planification Familiale",
        5,
    ),
    ("124", "Centre de Santé", "2201", "Centres de Santé", 3),
]
NAMES = [
    "LES TILLEULS",
    "LE VAL FLEURI",
    "SAINT-JOSEPH",
    "LA RÉSIDENCE DU PARC",
    "L'ÉTOILE",
    "LES GENÊTS",
    "BEL AIR",
    "NOTRE-DAME",
    "LES CÈDRES",
    "LA ROSERAIE",
]
STREETS = [
    ("R", "DE LA RÉPUBLIQUE"),
    ("AV", "JEAN JAURÈS"),
    ("BD", "VICTOR HUGO"),
    ("CHE", "DES ÉCOLIERS"),
    ("PL", "DE L'ÉGLISE"),
]
COMMUNES = [
    "LILLE",
    "AMIENS",
    "SAINT-ÉTIENNE",
    "ORLÉANS",
    "BÉZIERS",
    "NÎMES",
    "VALENCIENNES",
    "CAEN",
]


def generate(lines, seed=2026):
    """Bytes of a cs1100502-like file (Windows-1252) with `lines` structureet lines."""
    # Imported here so that `--help` works without Django.
    from core.reference import read
    from grappe.finess import expected_key

    rng = random.Random(seed)
    departements = [
        (d["code"], d["nom"].upper())
        for d in read("grappe", "regions")["departements"]
        if d["code"].isdigit()
    ]
    weights = [c[4] for c in CATEGORIES]

    def number(prefix, n):
        body = f"{prefix}{n:06d}"
        return body + expected_key(body)

    rows = ["finess;etalab;111;2026-05-12"]
    for n in range(lines):
        dep_code, dep_label = departements[n % len(departements)]
        # Offsets keep the generated numbers away from the demo data of a development database.
        et = number(dep_code, 300000 + n)
        ej = number(dep_code, 700000 + n // 3)
        categorie, libelle, agregat, agregat_libelle, _weight = rng.choices(CATEGORIES, weights)[0]
        name = f"{libelle.split(' (')[0][:20].upper()} {rng.choice(NAMES)}"[:38]
        long_name = f"{name} {n}"
        if n % 500 == 0:
            name = f'LIEU DE VIE ""{rng.choice(NAMES)}""'
            long_name = f'"LIEU DE VIE ET D\'ACCUEIL ""{rng.choice(NAMES)} {n}"""'
            name = f'"{name}"'
        typvoie, voie = rng.choice(STREETS)
        commune = rng.choice(COMMUNES)
        cp = f"{dep_code}{rng.randrange(0, 1000):03d}"
        rows.append(
            ";".join(
                [
                    "structureet",
                    et,
                    ej,
                    name,
                    long_name,
                    "",
                    "",
                    str(rng.randrange(1, 300)),
                    typvoie,
                    voie,
                    "",
                    "",
                    f"{rng.randrange(1, 999):03d}",
                    dep_code,
                    dep_label,
                    f"{cp} {commune}",
                    f"03{rng.randrange(10**7, 10**8)}",
                    "",
                    categorie,
                    libelle,
                    agregat,
                    agregat_libelle,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"{rng.randrange(1950, 2025)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}",
                    "",
                    f"202{rng.randrange(0, 6)}-0{rng.randrange(1, 10)}-2{rng.randrange(0, 9)}",
                    "",
                ]
            )
        )
    return ("\n".join(rows) + "\n").encode("cp1252")


def run(lines=100_000):
    """Times a dry run, a first import and a re-import; returns the rows of the bench table."""
    # Django is set up by the caller (bench/__main__.py or main() below) before these imports.
    from django.db import connection, transaction

    from grappe.enums import StatutLigneImport
    from grappe.finess_import import import_finess

    data = generate(lines)
    print(f"{connection.vendor} — fichier de {len(data) / 1e6:.1f} Mo, {lines} lignes")
    with transaction.atomic():
        start = time.perf_counter()
        simulation = import_finess(data, dry_run=True)
        simulated = time.perf_counter() - start

        start = time.perf_counter()
        first = import_finess(data)
        first_seconds = time.perf_counter() - start

        start = time.perf_counter()
        again = import_finess(data)
        again_seconds = time.perf_counter() - start
        transaction.set_rollback(True)

    for label, result in [
        ("simulation", simulation),
        ("premier import", first),
        ("ré-import", again),
    ]:
        counts = ", ".join(f"{s.label.lower()} {result.count(s.value)}" for s in StatutLigneImport)
        print(f"  {label} : {counts}")
    idempotent = (
        again.count(StatutLigneImport.CREEE) == 0
        and again.count(StatutLigneImport.MISE_A_JOUR) == 0
    )
    if not idempotent:
        print("  ERREUR : le ré-import a créé ou modifié des lignes")
    size = f"{lines} lignes ({connection.vendor})"
    return [
        ("Import FINESS — simulation", size, simulated, TARGET_SECONDS, simulated < TARGET_SECONDS),
        (
            "Import FINESS — premier import",
            size,
            first_seconds,
            TARGET_SECONDS,
            idempotent and first_seconds < TARGET_SECONDS,
        ),
        (
            "Import FINESS — ré-import (idempotent)",
            size,
            again_seconds,
            TARGET_SECONDS,
            idempotent and again_seconds < TARGET_SECONDS,
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark de l'import FINESS.")
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    rows = run(args.lines)
    for name, size, seconds, target, ok in rows:
        print(
            f"{name:<40} {size:<24} {seconds:6.1f} s  cible < {target} s  {'ok' if ok else 'trop lent'}"
        )
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
