"""Import of the FINESS open-data extraction into the registry (OrganismeGestionnaire, Esms).

The files are the official "FINESS Extraction du Fichier des établissements" (DOMAIN.md §3):
semicolon-separated, no header, a first comment line `finess;etalab;…`, then one record per line,
prefixed by its type:

- `structureet` (cs1100502, cs1100507): an establishment (ET) and the number of its EJ;
- `geolocalisation` (cs1100507): the coordinates of an ET, before or after its `structureet` line;
- `structureej` (cs1100501): an entité juridique, i.e. an organisme gestionnaire.

The import runs in three steps so that a simulation (dry run) reports exactly what the real run
would do, without writing anything:

1. parse and validate every line (rejected lines are reported with their number and the reason);
2. plan: load the existing rows in a few queries and diff them in Python, keyed on the FINESS
   numbers and codes (no database id is needed, so new rows can be planned without writing);
3. apply: bulk-create and bulk-update in batches, in one transaction.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.imports import ALREADY_APPLIED, AlreadyApplied, applying
from core.uploads import UploadRefused, capped, decode_text
from grappe.enums import SourceDonnee, StatutImport, StatutLigneImport
from grappe.finess import check_finess, normalize_finess
from grappe.models import Categorie, Departement, Esms, FinessImport, OrganismeGestionnaire

RECORD_ET = "structureet"
RECORD_GEO = "geolocalisation"
RECORD_EJ = "structureej"

# Column order of each record type (finess_format_spec_cs110050{1,2,7}.csv). The trailing `;` of
# a structureet line makes the 32nd cell, where recent files put the UAI number.
ET_COLUMNS = [
    "structureet",
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
    "numuai",
]
GEO_COLUMNS = ["geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj"]
EJ_COLUMNS = [
    "structureej",
    "nofiness",
    "rs",
    "rslongue",
    "complrs",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "compldistrib",
    "lieuditbp",
    "commune",
    "ligneacheminement",
    "departement",
    "libdepartement",
    "telephone",
    "statutjuridique",
    "libstatutjuridique",
    "categetab",
    "libcategetab",
    "siren",
    "codeape",
    "datecrea",
]
COLUMNS = {RECORD_ET: ET_COLUMNS, RECORD_GEO: GEO_COLUMNS, RECORD_EJ: EJ_COLUMNS}
ET_INDEX = {name: i for i, name in enumerate(ET_COLUMNS)}
GEO_INDEX = {name: i for i, name in enumerate(GEO_COLUMNS)}
EJ_INDEX = {name: i for i, name in enumerate(EJ_COLUMNS)}

# Fields the import owns. Everything else on an ESMS (capacité, situation DUI, éditeur) is
# maintained by the grappe's users and never touched here.
ESMS_FIELDS = (
    "raison_sociale",
    "raison_sociale_longue",
    "complement_raison_sociale",
    "og",
    "categorie",
    "siret",
    "numero_voie",
    "type_voie",
    "voie",
    "complement_voie",
    "lieu_dit_bp",
    "code_commune",
    "code_postal",
    "commune",
    "departement",
    "telephone",
    "date_ouverture",
    "finess_updated_on",
    "source",
)
COORD_FIELDS = ("coord_x", "coord_y", "coord_source")
OG_FIELDS = (
    "raison_sociale",
    "raison_sociale_longue",
    "numero_voie",
    "type_voie",
    "voie",
    "complement_voie",
    "lieu_dit_bp",
    "code_commune",
    "code_postal",
    "commune",
    "departement",
    "telephone",
    "statut_juridique",
    "statut_juridique_libelle",
    "siren",
    "date_creation",
    "source",
)
# In the plan, foreign keys are carried by natural key; the lookups read them back the same way.
ESMS_LOOKUPS = {
    "og": "og__finess_ej",
    "categorie": "categorie__code",
    "departement": "departement__code",
}
OG_LOOKUPS = {"departement": "departement__code"}

HEADER_PATTERN = re.compile(r"finess;etalab\b", re.IGNORECASE)
CATEGORIE_PATTERN = re.compile(r"[0-9]{3}")
AGREGAT_PATTERN = re.compile(r"[0-9]{4}")
DEPARTEMENT_PATTERN = re.compile(r"[0-9][0-9A-Z]")
ACHEMINEMENT_PATTERN = re.compile(r"([0-9]{5})\s+(.*)")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# The national extraction of establishments holds about 100 000 of them (a structureet and a
# geolocalisation line each): a file has at most MAX_LINES lines after its comment line, blank
# ones included, read no further (see core.uploads, bounded reading).
MAX_LINES = 500_000
BATCH_SIZE = 1000
# Above this many keys one scan of the table is cheaper than chunks of `IN (…)`.
FULL_SCAN_THRESHOLD = 5000
IN_CHUNK = 900  # under SQLite's historical limit of 999 query parameters
REJECTED_KEPT = 1000
WARNINGS_KEPT = 200

STATUTS = tuple(StatutLigneImport.values)


class FinessFileError(Exception):
    """The whole file is refused (not a FINESS extraction, no record): nothing is written."""


class LineError(Exception):
    def __init__(self, reason, finess=""):
        super().__init__(reason)
        self.reason = reason
        self.finess = finess


@dataclass
class ImportResult:
    encoding: str = ""
    kind: str = ""
    dry_run: bool = False
    include_all: bool = False
    lines: int = 0
    counts: Counter = field(default_factory=Counter)
    rejected: list = field(default_factory=list)  # [{"line", "finess", "reason"}], first ones
    warnings: list = field(default_factory=list)  # same shape: accepted with a warning
    organismes_crees: int = 0  # stub OG for an EJ not yet known (filled by the EJ file later)
    categories_creees: int = 0
    categories_mises_a_jour: int = 0
    departements_crees: list = field(default_factory=list)

    def count(self, statut):
        return self.counts.get(statut, 0)

    def counts_dict(self):
        data = {statut: self.counts.get(statut, 0) for statut in STATUTS}
        data.update(
            lignes=self.lines,
            organismes_crees=self.organismes_crees,
            categories_creees=self.categories_creees,
            categories_mises_a_jour=self.categories_mises_a_jour,
            departements_crees=list(self.departements_crees),
            avertissements=len(self.warnings),
        )
        return data

    def reject(self, line, finess, reason):
        self.counts[StatutLigneImport.REJETEE] += 1
        if len(self.rejected) < REJECTED_KEPT:
            self.rejected.append({"line": line, "finess": finess, "reason": reason})

    def warn(self, line, finess, reason):
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append({"line": line, "finess": finess, "reason": reason})


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def decode(data):
    """(text, encoding). Recent files are UTF-8 (sometimes with a BOM), older ones Windows-1252;
    bytes undefined in Windows-1252 (0x81, 0x8D…) are read as Latin-1, which decodes everything.
    UTF-16 and binary files are refused by name (core.uploads.decode_text)."""
    try:
        return decode_text(data, ("cp1252", "latin-1"))
    except UploadRefused as exc:
        raise FinessFileError(exc.sentence) from None


def split_cells(line):
    # One line at a time: an unbalanced quote then spoils its own line only, and most lines have
    # no quote at all, where a plain split is much faster than the csv module.
    if '"' not in line:
        return line.split(";")
    try:
        return next(
            csv.reader([line], delimiter=";", quotechar='"', doublequote=True, strict=False)
        )
    except csv.Error:
        # A quoted cell over the csv module's 128 KB: no FINESS value is that long, the line is
        # rejected by the length checks instead of failing the whole import.
        return line.split(";")


def iter_lines(text):
    """(line number, cells) for every non-blank line after the comment line (line 1); at most
    MAX_LINES lines after it, FinessFileError past them."""
    lines = split_lines(text)
    first = next(lines).strip()
    if not first:
        raise FinessFileError("Le fichier est vide ou sa première ligne est vide.")
    if not HEADER_PATTERN.match(first):
        raise FinessFileError(
            "Ce fichier n'est pas une extraction FINESS : la première ligne devrait être le "
            f"commentaire « finess;etalab;… » (lu : « {first[:60]} »)."
        )
    try:
        for number, line in capped(enumerate(lines, start=2), MAX_LINES):
            line = line.rstrip("\r")
            if line.strip():
                yield number, split_cells(line)
    except UploadRefused as exc:
        raise FinessFileError(exc.sentence) from None


def split_lines(text):
    """The lines of text one at a time, as text.split("\\n") would give them without building
    the list of them all (a file past the cap is never cut up beyond it)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


# ---------------------------------------------------------------------------------------------
# Line validation
# ---------------------------------------------------------------------------------------------


def _max_lengths(model):
    return {
        f.name: f.max_length
        for f in model._meta.get_fields()
        if getattr(f, "max_length", None) and f.concrete
    }


ESMS_MAX = _max_lengths(Esms)
OG_MAX = _max_lengths(OrganismeGestionnaire)

LABELS = {
    "raison_sociale": "raison sociale",
    "raison_sociale_longue": "raison sociale longue",
    "complement_raison_sociale": "complément de raison sociale",
    "numero_voie": "numéro de voie",
    "type_voie": "type de voie",
    "voie": "voie",
    "complement_voie": "complément de voie",
    "lieu_dit_bp": "lieu-dit / BP",
    "code_commune": "code commune",
    "code_postal": "code postal",
    "commune": "commune",
    "telephone": "téléphone",
    "siret": "SIRET",
    "siren": "SIREN",
    "statut_juridique": "statut juridique",
    "statut_juridique_libelle": "libellé du statut juridique",
    "coord_source": "source des coordonnées",
}


def check_lengths(values, max_lengths):
    # PostgreSQL refuses an over-long value and would abort the whole transaction: refuse the line.
    for name, value in values.items():
        limit = max_lengths.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            label = LABELS.get(name, name)
            raise LineError(f"Le champ « {label} » dépasse {limit} caractères.")


def parse_finess(value, label, result, line):
    check = check_finess(value)
    if check.error:
        raise LineError(f"{label} invalide : {check.error}", value.strip())
    if check.warning:
        result.warn(line, check.number, check.warning)
    return check.number


def parse_date(value, label):
    value = value.strip()
    if not value:
        return None
    if DATE_PATTERN.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise LineError(f"Date malformée pour « {label} » : « {value} » (format attendu AAAA-MM-JJ).")


def parse_coord(value, label):
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise LineError(f"Coordonnée {label} malformée : « {value} ».")
    return number


def parse_departement(code, label):
    code = code.strip().upper()
    if not code:
        return None, ""
    if not DEPARTEMENT_PATTERN.fullmatch(code):
        raise LineError(f"Code département malformé : « {code} ».")
    return code, label.strip()


def parse_acheminement(value):
    """'97306 CAYENNE CEDEX' → ('97306', 'CAYENNE CEDEX')."""
    value = value.strip()
    match = ACHEMINEMENT_PATTERN.fullmatch(value)
    if match:
        return match.group(1), match.group(2).strip()
    return "", value


def join_nonempty(*parts):
    return ", ".join(part for part in parts if part)


def strip_cells(cells):
    return [cell.strip() for cell in cells]


def check_cell_count(cells, record):
    # A `;` after the last column is tolerated: some producers end every line with one.
    expected = len(COLUMNS[record])
    if len(cells) == expected + 1 and not cells[-1].strip():
        cells = cells[:-1]
    if len(cells) != expected:
        raise LineError(
            f"Nombre de champs incorrect pour une ligne {record} : {len(cells)} au lieu de {expected}.",
            normalize_finess(cells[1]) if len(cells) > 1 else "",
        )
    return cells


@dataclass
class EtLine:
    line: int
    values: dict
    categorie: tuple  # (code, libellé, agrégat, libellé de l'agrégat)
    departement: tuple  # (code, libellé) or (None, "")


def parse_et(cells, line, result):
    c = strip_cells(cells)
    et = parse_finess(c[ET_INDEX["nofinesset"]], "Numéro FINESS géographique (ET)", result, line)
    try:
        ej = parse_finess(c[ET_INDEX["nofinessej"]], "Numéro FINESS juridique (EJ)", result, line)
        raison_sociale = c[ET_INDEX["rs"]]
        if not raison_sociale:
            raise LineError("Raison sociale manquante.")
        categorie = c[ET_INDEX["categetab"]]
        if not CATEGORIE_PATTERN.fullmatch(categorie):
            raise LineError(
                f"Code catégorie d'établissement malformé : « {categorie} » (3 chiffres attendus)."
            )
        agregat = c[ET_INDEX["categagretab"]]
        if not AGREGAT_PATTERN.fullmatch(agregat):
            raise LineError(
                f"Code d'agrégat de catégorie malformé : « {agregat} » (4 chiffres attendus)."
            )
        departement = parse_departement(c[ET_INDEX["departement"]], c[ET_INDEX["libdepartement"]])
        code_postal, commune = parse_acheminement(c[ET_INDEX["ligneacheminement"]])
        values = {
            "raison_sociale": raison_sociale,
            "raison_sociale_longue": c[ET_INDEX["rslongue"]],
            "complement_raison_sociale": c[ET_INDEX["complrs"]],
            "og": ej,
            "categorie": categorie,
            "siret": c[ET_INDEX["siret"]],
            "numero_voie": c[ET_INDEX["numvoie"]],
            "type_voie": c[ET_INDEX["typvoie"]],
            "voie": c[ET_INDEX["voie"]],
            "complement_voie": c[ET_INDEX["compvoie"]],
            # No model field holds the complément de distribution (building, residence): it goes
            # before the lieu-dit/BP, in postal-address order, rather than being lost.
            "lieu_dit_bp": join_nonempty(c[ET_INDEX["compldistrib"]], c[ET_INDEX["lieuditbp"]]),
            "code_commune": c[ET_INDEX["commune"]],
            "code_postal": code_postal,
            "commune": commune,
            "departement": departement[0],
            "telephone": c[ET_INDEX["telephone"]],
            "date_ouverture": parse_date(c[ET_INDEX["dateouv"]], "date d'ouverture"),
            "finess_updated_on": parse_date(c[ET_INDEX["datemaj"]], "date de mise à jour"),
            "source": SourceDonnee.FINESS.value,
        }
        check_lengths(values, ESMS_MAX)
    except LineError as error:
        # The ET number identifies the line, even when the EJ number is the faulty one.
        error.finess = et
        raise
    labels = (
        categorie,
        c[ET_INDEX["libcategetab"]],
        agregat,
        c[ET_INDEX["libcategagretab"]],
    )
    return et, EtLine(line, values, labels, departement)


def parse_geo(cells, line, result):
    c = strip_cells(cells)
    et = parse_finess(c[GEO_INDEX["nofinesset"]], "Numéro FINESS géographique (ET)", result, line)
    try:
        values = {
            "coord_x": parse_coord(c[GEO_INDEX["coordxet"]], "X"),
            "coord_y": parse_coord(c[GEO_INDEX["coordyet"]], "Y"),
            "coord_source": c[GEO_INDEX["sourcecoordet"]],
        }
        parse_date(c[GEO_INDEX["datemaj"]], "date de mise à jour des coordonnées")
        check_lengths(values, ESMS_MAX)
    except LineError as error:
        error.finess = et
        raise
    return et, values


def parse_ej(cells, line, result):
    c = strip_cells(cells)
    ej = parse_finess(c[EJ_INDEX["nofiness"]], "Numéro FINESS juridique (EJ)", result, line)
    try:
        raison_sociale = c[EJ_INDEX["rs"]]
        if not raison_sociale:
            raise LineError("Raison sociale manquante.")
        departement = parse_departement(c[EJ_INDEX["departement"]], c[EJ_INDEX["libdepartement"]])
        code_postal, commune = parse_acheminement(c[EJ_INDEX["ligneacheminement"]])
        values = {
            "raison_sociale": raison_sociale,
            "raison_sociale_longue": c[EJ_INDEX["rslongue"]],
            "numero_voie": c[EJ_INDEX["numvoie"]],
            "type_voie": c[EJ_INDEX["typvoie"]],
            "voie": c[EJ_INDEX["voie"]],
            "complement_voie": c[EJ_INDEX["compvoie"]],
            "lieu_dit_bp": join_nonempty(c[EJ_INDEX["compldistrib"]], c[EJ_INDEX["lieuditbp"]]),
            "code_commune": c[EJ_INDEX["commune"]],
            "code_postal": code_postal,
            "commune": commune,
            "departement": departement[0],
            "telephone": c[EJ_INDEX["telephone"]],
            "statut_juridique": c[EJ_INDEX["statutjuridique"]],
            "statut_juridique_libelle": c[EJ_INDEX["libstatutjuridique"]],
            "siren": c[EJ_INDEX["siren"]],
            "date_creation": parse_date(c[EJ_INDEX["datecrea"]], "date de création"),
            "source": SourceDonnee.FINESS.value,
        }
        check_lengths(values, OG_MAX)
    except LineError as error:
        error.finess = ej
        raise
    return ej, values, departement


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    ets: dict = field(default_factory=dict)  # finess_et → EtLine
    geos: dict = field(default_factory=dict)  # finess_et → (line, values)
    ejs: dict = field(default_factory=dict)  # finess_ej → (line, values, (code, libellé))
    ignored_ets: set = field(default_factory=set)
    rejected_ets: dict = field(default_factory=dict)  # finess_et → line
    record_types: set = field(default_factory=set)


def parse_file(text, result):
    parsed = ParsedFile()
    for line, cells in iter_lines(text):
        result.lines += 1
        record = cells[0].strip().lower()
        if record not in COLUMNS:
            result.reject(
                line,
                normalize_finess(cells[1]) if len(cells) > 1 else "",
                f"Type d'enregistrement inconnu : « {cells[0].strip()[:40]} » (attendu : "
                f"{RECORD_ET}, {RECORD_GEO} ou {RECORD_EJ}).",
            )
            continue
        parsed.record_types.add(record)
        try:
            cells = check_cell_count(cells, record)
            if record == RECORD_ET:
                parse_et_line(parsed, cells, line, result)
            elif record == RECORD_GEO:
                number, values = parse_geo(cells, line, result)
                if number in parsed.geos:
                    raise duplicate(number, parsed.geos[number][0])
                parsed.geos[number] = (line, values)
            else:
                number, values, departement = parse_ej(cells, line, result)
                if number in parsed.ejs:
                    raise duplicate(number, parsed.ejs[number][0])
                parsed.ejs[number] = (line, values, departement)
        except LineError as error:
            if record == RECORD_ET and error.finess:
                parsed.rejected_ets.setdefault(error.finess, line)
            result.reject(line, error.finess, error.reason)
    if not parsed.record_types:
        raise FinessFileError(
            "Aucun enregistrement FINESS reconnu dans ce fichier (lignes structureet, "
            "geolocalisation ou structureej attendues)."
        )
    return parsed


def duplicate(number, first_line):
    return LineError(f"Numéro FINESS en double : déjà présent ligne {first_line}.", number)


def parse_et_line(parsed, cells, line, result):
    # Scope first: a hospital line is out of the import's field even if it is malformed.
    agregat = cells[ET_INDEX["categagretab"]].strip()
    if not result.include_all and AGREGAT_PATTERN.fullmatch(agregat) and agregat[0] != "4":
        result.counts[StatutLigneImport.IGNOREE] += 1
        parsed.ignored_ets.add(normalize_finess(cells[ET_INDEX["nofinesset"]]))
        return
    number, et_line = parse_et(cells, line, result)
    if number in parsed.ets:
        raise duplicate(number, parsed.ets[number].line)
    parsed.ets[number] = et_line


def file_kind(record_types):
    parts = []
    if RECORD_ET in record_types:
        parts.append("et")
    if RECORD_GEO in record_types:
        parts.append("geo")
    if RECORD_EJ in record_types:
        parts.append("ej")
    return "+".join(parts)


def load_existing(queryset, key, keys, fields):
    """{key: values dict} for the rows whose `key` is in `keys`, in a few queries."""
    if not keys:
        return {}
    fields = ("pk", key, *fields)
    if len(keys) > FULL_SCAN_THRESHOLD:
        return {
            row[key]: row
            for row in queryset.values(*fields).iterator(chunk_size=5000)
            if row[key] in keys
        }
    found = {}
    keys = sorted(keys)
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        for row in queryset.filter(**{f"{key}__in": chunk}).values(*fields):
            found[row[key]] = row
    return found


def existing_values(row, fields, lookups):
    return {name: row[lookups.get(name, name)] for name in fields}


def changed_fields(new, old):
    return frozenset(name for name, value in new.items() if old.get(name) != value)


@dataclass
class Plan:
    departements: dict = field(default_factory=dict)  # code → name, to create
    categories_new: dict = field(default_factory=dict)  # code → (libellé, agrégat, libellé)
    categories_changed: dict = field(default_factory=dict)  # code → (pk, values)
    og_new: dict = field(default_factory=dict)  # finess_ej → values
    og_changed: list = field(default_factory=list)  # (pk, {field: value})
    esms_new: dict = field(default_factory=dict)  # finess_et → values
    esms_changed: list = field(default_factory=list)  # (pk, {field: value})


def plan_import(parsed, result):
    plan = Plan()
    plan_departements(parsed, plan, result)
    plan_categories(parsed, plan, result)
    plan_organismes(parsed, plan, result)
    plan_esms(parsed, plan, result)
    return plan


def plan_departements(parsed, plan, result):
    known = set(Departement.objects.values_list("code", flat=True))
    for source in (
        [et.departement for et in parsed.ets.values()],
        [ej[2] for ej in parsed.ejs.values()],
    ):
        for code, label in source:
            if code and code not in known and code not in plan.departements:
                plan.departements[code] = label or f"Département {code}"
    result.departements_crees = sorted(plan.departements)


def plan_categories(parsed, plan, result):
    wanted = {}
    for et in parsed.ets.values():
        wanted.setdefault(et.categorie[0], et.categorie[1:])
    existing = {
        row["code"]: row
        for row in Categorie.objects.filter(code__in=list(wanted)).values(
            "pk", "code", "libelle", "agregat_code", "agregat_libelle"
        )
    }
    for code, (libelle, agregat, agregat_libelle) in wanted.items():
        row = existing.get(code)
        if row is None:
            plan.categories_new[code] = (libelle or f"Catégorie {code}", agregat, agregat_libelle)
            continue
        # An empty label in the file does not erase the one we have.
        values = {
            "libelle": libelle or row["libelle"],
            "agregat_code": agregat,
            "agregat_libelle": agregat_libelle or row["agregat_libelle"],
        }
        if any(row[name] != value for name, value in values.items()):
            plan.categories_changed[code] = (row["pk"], values)
    result.categories_creees = len(plan.categories_new)
    result.categories_mises_a_jour = len(plan.categories_changed)


def plan_organismes(parsed, plan, result):
    keys = set(parsed.ejs) | {et.values["og"] for et in parsed.ets.values()}
    lookups = [OG_LOOKUPS.get(name, name) for name in OG_FIELDS]
    existing = load_existing(OrganismeGestionnaire.objects.all(), "finess_ej", keys, lookups)
    for number, (_line, values, _departement) in parsed.ejs.items():
        row = existing.get(number)
        if row is None:
            plan.og_new[number] = values
            result.counts[StatutLigneImport.CREEE] += 1
            continue
        changed = changed_fields(values, existing_values(row, OG_FIELDS, OG_LOOKUPS))
        if changed:
            plan.og_changed.append((row["pk"], {name: values[name] for name in changed}))
            result.counts[StatutLigneImport.MISE_A_JOUR] += 1
        else:
            result.counts[StatutLigneImport.INCHANGEE] += 1
    for et in parsed.ets.values():
        number = et.values["og"]
        if number not in existing and number not in plan.og_new:
            plan.og_new[number] = {"source": SourceDonnee.FINESS.value}
            result.organismes_crees += 1


def plan_esms(parsed, plan, result):
    keys = set(parsed.ets) | set(parsed.geos)
    lookups = [ESMS_LOOKUPS.get(name, name) for name in (*ESMS_FIELDS, *COORD_FIELDS)]
    existing = load_existing(Esms.objects.all(), "finess_et", keys, lookups)
    for number, et in parsed.ets.items():
        row = existing.get(number)
        if row is None:
            plan.esms_new[number] = dict(et.values)
            result.counts[StatutLigneImport.CREEE] += 1
            continue
        changed = changed_fields(et.values, existing_values(row, ESMS_FIELDS, ESMS_LOOKUPS))
        result.counts[
            StatutLigneImport.MISE_A_JOUR if changed else StatutLigneImport.INCHANGEE
        ] += 1
        row["_changes"] = {name: et.values[name] for name in changed}
    for number, (line, coords) in parsed.geos.items():
        if number in plan.esms_new:
            plan.esms_new[number].update(coords)
            result.counts[StatutLigneImport.CREEE] += 1
            continue
        row = existing.get(number)
        if row is None:
            if number in parsed.ignored_ets:
                result.counts[StatutLigneImport.IGNOREE] += 1
            elif number in parsed.rejected_ets:
                result.reject(
                    line,
                    number,
                    f"Coordonnées d'un établissement rejeté (ligne {parsed.rejected_ets[number]}).",
                )
            else:
                result.reject(
                    line,
                    number,
                    "Aucun établissement de ce numéro, ni dans le fichier ni dans le registre.",
                )
            continue
        if number in parsed.ignored_ets:
            result.counts[StatutLigneImport.IGNOREE] += 1
            continue
        changed = changed_fields(coords, existing_values(row, COORD_FIELDS, {}))
        result.counts[
            StatutLigneImport.MISE_A_JOUR if changed else StatutLigneImport.INCHANGEE
        ] += 1
        row.setdefault("_changes", {}).update({name: coords[name] for name in changed})
    for row in existing.values():
        if row.get("_changes"):
            plan.esms_changed.append((row["pk"], row["_changes"]))


def apply_plan(plan):
    now = timezone.now()
    if plan.departements:
        Departement.objects.bulk_create(
            [
                # Unknown code (a new collectivité…): no region, and the FINESS code stands in
                # for the INSEE one until an admin corrects it.
                Departement(code=code, insee_code=code, name=name[:100], region=None)
                for code, name in plan.departements.items()
            ]
        )
    departement_ids = dict(Departement.objects.values_list("code", "pk"))

    if plan.categories_new:
        Categorie.objects.bulk_create(
            [
                Categorie(
                    code=code,
                    libelle=libelle,
                    agregat_code=agregat,
                    agregat_libelle=agregat_libelle,
                )
                for code, (libelle, agregat, agregat_libelle) in plan.categories_new.items()
            ]
        )
    if plan.categories_changed:
        Categorie.objects.bulk_update(
            [Categorie(pk=pk, **values) for pk, values in plan.categories_changed.values()],
            ["libelle", "agregat_code", "agregat_libelle"],
        )
    categorie_ids = dict(Categorie.objects.values_list("code", "pk"))

    def resolve(values, resolvers):
        resolved = {}
        for name, value in values.items():
            if name in resolvers:
                resolved[f"{name}_id"] = resolvers[name](value) if value is not None else None
            else:
                resolved[name] = value
        return resolved

    og_resolvers = {"departement": departement_ids.__getitem__}
    OrganismeGestionnaire.objects.bulk_create(
        [
            OrganismeGestionnaire(finess_ej=number, **resolve(values, og_resolvers))
            for number, values in plan.og_new.items()
        ],
        batch_size=BATCH_SIZE,
    )
    bulk_update_grouped(OrganismeGestionnaire, plan.og_changed, og_resolvers, resolve, now)

    og_numbers = {values["og"] for values in plan.esms_new.values()}
    og_numbers |= {changes["og"] for _pk, changes in plan.esms_changed if "og" in changes}
    og_ids = {
        number: row["pk"]
        for number, row in load_existing(
            OrganismeGestionnaire.objects.all(), "finess_ej", og_numbers, ()
        ).items()
    }
    esms_resolvers = {
        "departement": departement_ids.__getitem__,
        "categorie": categorie_ids.__getitem__,
        "og": og_ids.__getitem__,
    }
    Esms.objects.bulk_create(
        [
            Esms(finess_et=number, **resolve(values, esms_resolvers))
            for number, values in plan.esms_new.items()
        ],
        batch_size=BATCH_SIZE,
    )
    bulk_update_grouped(Esms, plan.esms_changed, esms_resolvers, resolve, now)


def bulk_update_grouped(model, changes, resolvers, resolve, now):
    # One bulk_update per set of changed fields: a monthly file changes a few fields of a few rows,
    # and updating only those keeps the generated CASE … WHEN statements small.
    groups = {}
    for pk, values in changes:
        groups.setdefault(frozenset(values), []).append(
            model(pk=pk, updated_at=now, **resolve(values, resolvers))
        )
    for names, objects in groups.items():
        model.objects.bulk_update(objects, [*sorted(names), "updated_at"], batch_size=BATCH_SIZE)


def import_finess(data, *, include_all=False, dry_run=False):
    """Import a FINESS file (bytes). Returns an ImportResult; raises FinessFileError when the file
    is refused as a whole. In a dry run nothing is written; otherwise the valid lines are written
    in one transaction (all or nothing)."""
    text, encoding = decode(data)
    result = ImportResult(encoding=encoding, dry_run=dry_run, include_all=include_all)
    parsed = parse_file(text, result)
    result.kind = file_kind(parsed.record_types)
    plan = plan_import(parsed, result)
    if not dry_run:
        with transaction.atomic():
            apply_plan(plan)
    return result


# ---------------------------------------------------------------------------------------------
# Recorded imports (FinessImport): the command and the web pages go through here
# ---------------------------------------------------------------------------------------------


def record_upload(file, *, name, user=None, include_all=False):
    """Keep the uploaded file in a FinessImport row (status SIMULATION until run)."""
    finess_import = FinessImport(
        original_name=Path(name).name[:255],
        user=user if user is not None and user.is_authenticated else None,
        status=StatutImport.SIMULATION,
        include_all=include_all,
    )
    finess_import.file.save(
        Path(name).name, file if isinstance(file, File) else File(file), save=False
    )
    finess_import.save()
    return finess_import


def run_recorded(finess_import, *, dry_run):
    """Run the import from the kept file and store the report on the row.

    Returns the ImportResult, or None when the file was refused or the database failed (the row
    then has status ECHEC and the error)."""
    finess_import.started_at = timezone.now()
    result = None
    try:
        with finess_import.file.open("rb") as handle:
            data = handle.read()
        # A savepoint, so that a database error leaves the connection usable to record the failure.
        with transaction.atomic():
            result = import_finess(data, include_all=finess_import.include_all, dry_run=dry_run)
    except FinessFileError as error:
        finess_import.status = StatutImport.ECHEC
        finess_import.error = str(error)
    except OSError as error:
        finess_import.status = StatutImport.ECHEC
        finess_import.error = f"Le fichier conservé est illisible ou introuvable ({error})."
    except DatabaseError as error:
        finess_import.status = StatutImport.ECHEC
        finess_import.error = (
            f"Erreur de la base de données : rien n'a été écrit ({type(error).__name__} : {error})."
        )
    except SoftTimeLimitExceeded:
        # The task's time limit (grappe.tasks): the savepoint rolled back, the page stops waiting.
        finess_import.status = StatutImport.ECHEC
        finess_import.error = (
            "L'import a dépassé le temps alloué : rien n'a été écrit. Déposez à nouveau le "
            "fichier ; si cela se reproduit, signalez-le à l'exploitant."
        )
    else:
        finess_import.status = StatutImport.SIMULATION if dry_run else StatutImport.APPLIQUE
        finess_import.error = ""
        finess_import.encoding = result.encoding
        finess_import.kind = result.kind
        finess_import.counts = result.counts_dict()
        finess_import.rejected = result.rejected
    finess_import.finished_at = timezone.now()
    finess_import.save()
    return result


def queue_apply(finess_import_id):
    """Mark a simulated import to be applied. Returns (FinessImport, error message or "").

    Claimed like every import (core.imports): a double click queues the file once; the work
    itself runs in the Celery task `apply_finess_import`, since a national file takes longer
    than a web request should."""
    try:
        with applying(
            FinessImport.objects.filter(pk=finess_import_id, status=StatutImport.SIMULATION),
            status=StatutImport.EN_COURS,
        ):
            pass
    except AlreadyApplied:
        finess_import = FinessImport.objects.get(pk=finess_import_id)
        if finess_import.status == StatutImport.APPLIQUE:
            message = f"{ALREADY_APPLIED[:-1]} : il ne peut pas l'être une seconde fois."
        elif finess_import.status == StatutImport.EN_COURS:
            message = "Cet import est déjà en cours d'application."
        else:
            message = "Cet import a échoué : déposez à nouveau le fichier."
        return finess_import, message
    return FinessImport.objects.get(pk=finess_import_id), ""


def apply_queued(finess_import_id):
    """Apply an import queued by queue_apply (idempotent: anything else is left alone)."""
    with transaction.atomic():
        finess_import = FinessImport.objects.select_for_update().get(pk=finess_import_id)
        if finess_import.status != StatutImport.EN_COURS:
            return finess_import
        run_recorded(finess_import, dry_run=False)
    return finess_import


def apply_recorded(finess_import_id):
    """Apply a simulated import now (queue + apply in one go). Returns (FinessImport, error)."""
    finess_import, error = queue_apply(finess_import_id)
    if error:
        return finess_import, error
    finess_import = apply_queued(finess_import_id)
    return finess_import, finess_import.error


def summary_lines(result, *, limit=20):
    """French summary of a run (the command prints it)."""
    lines = [
        f"Lignes lues : {result.lines} (encodage {result.encoding}, type {result.kind})",
    ]
    for statut in StatutLigneImport:
        lines.append(f"  {statut.label} : {result.count(statut.value)}")
    if result.organismes_crees:
        lines.append(
            f"Organismes gestionnaires créés sans fiche (à compléter par le fichier des entités "
            f"juridiques) : {result.organismes_crees}"
        )
    if result.categories_creees or result.categories_mises_a_jour:
        lines.append(
            f"Catégories créées : {result.categories_creees}, mises à jour : "
            f"{result.categories_mises_a_jour}"
        )
    if result.departements_crees:
        lines.append("Départements créés : " + ", ".join(result.departements_crees))
    if result.rejected:
        total = result.count(StatutLigneImport.REJETEE)
        shown = result.rejected[:limit]
        lines.append(f"Lignes rejetées ({len(shown)} premières sur {total}) :")
        for item in shown:
            number = f" [{item['finess']}]" if item["finess"] else ""
            lines.append(f"  ligne {item['line']}{number} : {item['reason']}")
    if result.warnings:
        lines.append(f"Avertissements ({len(result.warnings)}) :")
        for item in result.warnings[:limit]:
            lines.append(f"  ligne {item['line']} [{item['finess']}] : {item['reason']}")
    return lines
