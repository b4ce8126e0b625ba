"""Monthly usage data in: reading a file (CSV or XLSX), validating rows, writing them.

One validation for every way in (file page, `import_usage` command, manual entry form, API):
`validate(rows, user)` checks everything before anything is written and returns a report (errors
block, warnings do not); `apply(report, …)` writes the valid rows in one transaction with
set-based queries (one upsert, one bulk insert of the replaced values), then asks Celery to
recompute the months it touched once the transaction has committed.
"""

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.comments import Comment

from core import exports
from core.months import add_months, elapsed_month, next_month, parse_month, previous_month
from core.text import agree
from core.uploads import UploadRefused, decode_text, format_count, open_xlsx, read_csv
from grappe.finess import check_finess
from grappe.models import Esms, EsmsMembership
from indicateurs.charts import mois_label
from indicateurs.enums import SourceUsage
from indicateurs.models import (
    MONTHLY_FIELDS,
    PERIOD_FIELDS,
    PERSONNES_ACCOMPAGNEES_AIDE,
    USAGE_FIELDS,
    UsageHistorique,
    UsageMensuel,
)
from indicateurs.perms import fed_grappe_ids
from indicateurs.tasks import compute_indicators

HEADER = ["finess_et", "mois", *USAGE_FIELDS]
# Usage data starts with the programme: an earlier year is a typing error (« 0226-03 »).
FIRST_YEAR = 2000
# A value more than JUMP_FACTOR times (or less than 1/JUMP_FACTOR of) the previous month warns.
JUMP_FACTOR = 3
# The report kept on an ImportUsage lists at most this many lines with messages.
REPORT_MAX_LINES = 2000
# Imports of at least this many lines refresh the PostgreSQL statistics of the usage table.
ANALYZE_FROM = 5_000
# `IN (…)` lists are cut in chunks: SQLite allows 32 766 parameters per statement.
CHUNK = 10_000
# One month of the whole country is 35 000 ESMS: a file holds at most MAX_ROWS lines (header
# aside, empty lines included), read no further (see core.uploads, bounded reading).
MAX_ROWS = 40_000
# Columns read in a workbook (the template has 8; extra ones are ignored, far ones never read).
MAX_COLUMNS = 100
# Any count, whatever the column: ten times the people a whole region's ESMS accompany. A count
# past it is a typing error, and past 2 147 483 647 the database (PostgreSQL integer) would
# refuse it when the import is applied, after a dry run that said « vérifié ». Each column's
# plausible ceilings are data (PLAUSIBILITY_FILE).
MAX_COUNT = 10_000_000
PLAUSIBILITY_FILE = Path(__file__).parent / "reference" / "plausibilite.toml"


def compte(count, singular, plural=None):
    """« 12 000 lignes »: core.text.plural with the thousands grouped as on the pages (counts
    of a national file run into tens of thousands)."""
    return f"{format_count(count)} {agree(count, singular, plural)}"


def applied_summary(created, replaced):
    """« 12 données créées, 0 remplacée »: what an applied import wrote."""
    return f"{compte(created, 'donnée créée', 'données créées')}, {compte(replaced, 'remplacée')}"


def chunked(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class FichierRefuse(Exception):
    """The file cannot be read at all (format, encoding, header)."""


@dataclass
class LigneRapport:
    ligne: int
    finess: str = ""
    mois: str = ""
    erreurs: list = field(default_factory=list)
    avertissements: list = field(default_factory=list)
    # Values past a plausibility ceiling (PLAUSIBILITY_FILE): written only once confirmed.
    a_confirmer: list = field(default_factory=list)
    confirme: bool = False
    # Parsed values, set when the line has no error.
    esms_id: int | None = None
    grappe_id: int | None = None  # the grappe holding the ESMS at the end of the month
    mois_date: date | None = None
    valeurs: dict = field(default_factory=dict)

    def as_dict(self):
        return {
            "ligne": self.ligne,
            "finess": self.finess,
            "mois": self.mois,
            "erreurs": self.erreurs,
            "avertissements": self.avertissements,
            "a_confirmer": self.a_confirmer,
        }


@dataclass
class Rapport:
    lignes: list

    @property
    def erreurs(self):
        return sum(len(line.erreurs) for line in self.lignes)

    @property
    def avertissements(self):
        return sum(len(line.avertissements) for line in self.lignes)

    @property
    def a_confirmer(self):
        return sum(len(line.a_confirmer) for line in self.lignes)

    @property
    def ok(self):
        """No error: the dry run passes (values « à confirmer » are confirmed at apply)."""
        return bool(self.lignes) and not self.erreurs

    @property
    def applicable(self):
        """No error and every value « à confirmer » confirmed: what apply writes."""
        return self.ok and all(line.confirme for line in self.lignes if line.a_confirmer)

    def refuse_unconfirmed(self, how):
        """Turn each unconfirmed value « à confirmer » into an error saying `how` to confirm it
        (the entry form, the API: one request, no second step)."""
        for line in self.lignes:
            if line.a_confirmer and not line.confirme:
                line.erreurs.extend(f"{message} {how}" for message in line.a_confirmer)

    @property
    def mois(self):
        return sorted({line.mois_date for line in self.lignes if line.mois_date})

    def resume(self):
        """« 2 lignes, 0 erreur, 1 avertissement. » (and the values to confirm, if any)"""
        to_confirm = (
            f", {compte(self.a_confirmer, 'valeur à confirmer', 'valeurs à confirmer')}"
            if self.a_confirmer
            else ""
        )
        return (
            f"{compte(len(self.lignes), 'ligne')}, {compte(self.erreurs, 'erreur')}, "
            f"{compte(self.avertissements, 'avertissement')}{to_confirm}."
        )

    def as_dict(self):
        with_messages = [
            line.as_dict()
            for line in self.lignes
            if line.erreurs or line.avertissements or line.a_confirmer
        ]
        return {
            "compte": {
                "lignes": len(self.lignes),
                "lignes_en_erreur": sum(1 for line in self.lignes if line.erreurs),
                "lignes_avec_avertissement": sum(1 for line in self.lignes if line.avertissements),
                "erreurs": self.erreurs,
                "avertissements": self.avertissements,
                "a_confirmer": self.a_confirmer,
            },
            "lignes": with_messages[:REPORT_MAX_LINES],
            "tronque": len(with_messages) > REPORT_MAX_LINES,
            "mois": [f"{m:%Y-%m}" for m in self.mois],
        }


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _normalize_header(cells):
    return [str(cell or "").strip().lstrip("\ufeff").strip().lower() for cell in cells]


def _check_header(header):
    """{column: index} of the columns present; the period counts (PERIOD_FIELDS) are optional,
    so that files made before they existed still import."""
    missing = [name for name in HEADER if name not in header and name not in PERIOD_FIELDS]
    if missing:
        raise FichierRefuse(
            f"En-tête incorrect : {agree(len(missing), 'colonne manquante', 'colonnes manquantes')} "
            + ", ".join(f"« {name} »" for name in missing)
            + ". Utilisez le modèle de fichier."
        )
    return {name: header.index(name) for name in HEADER if name in header}


def read_rows(data, filename=""):
    """[(line number, {column: raw value})] from CSV or XLSX bytes, MAX_ROWS lines at most;
    FichierRefuse if unreadable or longer (read no further than the cap)."""
    try:
        if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
            return _read_xlsx(data)
        return _read_csv(data)
    except UploadRefused as exc:
        raise FichierRefuse(exc.sentence) from None


def _read_csv(data):
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's French CSV); see
    core.uploads.decode_text and read_csv for what is refused."""
    text, _ = decode_text(data)
    rows = read_csv(text, max_rows=MAX_ROWS, header_rows=1)
    try:
        _, header = next(rows)
    except StopIteration:
        raise FichierRefuse("Le fichier est vide.") from None
    return _table(header, rows)


def _table(header, numbered_rows):
    """[(line number, {column: raw value})] of the non-empty rows under a checked header, help
    lines (the CSV template's, see HELP_MARK) aside."""
    columns = _check_header(_normalize_header(header))
    return [
        (number, _pick(cells, columns))
        for number, cells in numbered_rows
        if any(cell is not None and str(cell).strip() for cell in cells) and not _is_help(cells)
    ]


def _is_help(cells):
    return bool(cells) and str(cells[0] or "").strip().startswith(HELP_MARK)


def _pick(cells, columns):
    return {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}


def _read_xlsx(data):
    """The first sheet, streamed within the bounds of core.uploads.open_xlsx."""
    with open_xlsx(data) as workbook:
        rows = workbook.rows(0, max_rows=MAX_ROWS, max_col=MAX_COLUMNS, header_rows=1)
        try:
            _, header = next(rows)
        except StopIteration:
            raise FichierRefuse("La première feuille du classeur est vide.") from None
        return _table(header, rows)


# ---------------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------------

EXAMPLE = ["590000014", "2026-01", 120, 95, 88, 115, 104, 110, None]
# A pre-filled template names each ESMS in a last column, to find one's way while typing; the
# import reads the HEADER columns only, so it ignores this one.
NAME_COLUMN = "esms (pour information, non importé)"

# The human help of the template's columns (the column names stay as they are, machine-read):
# a line under the CSV header, starting with HELP_MARK, that the import skips (no FINESS starts
# so); comments on the XLSX header cells.
HELP_MARK = "#"
HEADER_HELP = {
    "finess_et": "FINESS géographique de l'ESMS (9 caractères)",
    "mois": "Mois écoulé ou passé, AAAA-MM",
    "personnes_accompagnees": PERSONNES_ACCOMPAGNEES_AIDE,
    **{
        name: capfirst(UsageMensuel._meta.get_field(name).verbose_name) for name in USAGE_FIELDS[1:]
    },
}
HELP_ROW = [
    f"{HELP_MARK} Ligne d'aide, ignorée à l'import. {HEADER_HELP['finess_et']}",
    *(HEADER_HELP[name] for name in HEADER[1:]),
]


@dataclass
class Prefill:
    """What a grappe's pre-filled template holds: the month to send and the ESMS it holds then."""

    mois: date
    memberships: list


def month_to_send(grappe, today=None):
    """The month after the latest one the grappe sent figures for, the elapsed month at most
    (a month is sent once it is over); the elapsed month when nothing was sent yet."""
    elapsed = elapsed_month(today)
    latest = (
        UsageMensuel.objects.filter(
            esms_id__in=EsmsMembership.objects.filter(grappe=grappe).values("esms_id")
        )
        .held_by(grappe)
        .aggregate(latest=Max("mois"))["latest"]
    )
    return elapsed if latest is None else min(add_months(latest, 1), elapsed)


def prefill(grappe, today=None):
    mois = month_to_send(grappe, today)
    memberships = list(
        EsmsMembership.objects.filter(grappe=grappe)
        .held_in(mois)
        .select_related("esms")
        .order_by("esms__raison_sociale", "esms__finess_et")
    )
    return Prefill(mois, memberships)


def template_rows(filled=None):
    """The template's rows: the header and an example line; pre-filled (a Prefill), one line
    per ESMS with its FINESS and the month, the counts left empty to type."""
    if filled is None:
        return [HEADER, EXAMPLE]
    blanks = [None] * len(USAGE_FIELDS)
    return [
        [*HEADER, NAME_COLUMN],
        *(
            [m.esms.finess_et, f"{filled.mois:%Y-%m}", *blanks, m.esms.name]
            for m in filled.memberships
        ),
    ]


def template_csv(rows):
    """UTF-8 with a BOM and semicolons: the file opens as is in a French spreadsheet. Text is
    formula-safe (core.exports)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header, *lines = rows
    for row in [header, HELP_ROW, *lines]:
        writer.writerow(exports.csv_row(["" if cell is None else cell for cell in row]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Usages"
    for row in rows:
        exports.append(sheet, row)
    sheet.freeze_panes = "A2"
    for cell in sheet[1][: len(HEADER)]:
        cell.comment = Comment(HEADER_HELP[cell.value], "Grappe", width=300, height=80)
    for column, width in zip("ABCDEFGHI", [12, 10, *[16] * len(USAGE_FIELDS), 45], strict=False):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def parse_count(value):
    """(int or None, error message or '')."""
    if value is None:
        return None, ""
    if isinstance(value, bool):
        return None, "n'est pas un nombre entier"
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None, "n'est pas un nombre entier"
        number = int(value)
    else:
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if text == "":
            return None, ""
        if not re.fullmatch(r"-?[0-9]+", text):
            return None, "n'est pas un nombre entier"
        if len(text.lstrip("-0")) > len(str(MAX_COUNT)):
            # Not even converted: Python refuses to convert more than 4 300 digits.
            return None, f"dépasse {format_count(MAX_COUNT)}, le maximum accepté"
        number = int(text)
    if number < 0:
        return None, "est négatif"
    if number > MAX_COUNT:
        return None, f"dépasse {format_count(MAX_COUNT)}, le maximum accepté"
    return number, ""


@dataclass(frozen=True)
class Plafond:
    """A column's plausibility ceilings (PLAUSIBILITY_FILE)."""

    colonne: str
    a_confirmer: Decimal
    erreur: Decimal
    unite: str
    par: str = ""


@cache
def plausibility():
    """The ceilings of PLAUSIBILITY_FILE, read once per process."""
    with PLAUSIBILITY_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        Plafond(
            colonne=name,
            a_confirmer=Decimal(str(rule["a_confirmer"])),
            erreur=Decimal(str(rule["erreur"])),
            unite=rule["unite"],
            par=rule.get("par", ""),
        )
        for name, rule in data.items()
    )


def check_plausibility(line):
    """Put each value past its ceilings on the line: an error, or a value « à confirmer »."""
    for plafond in plausibility():
        value = line.valeurs.get(plafond.colonne)
        per = line.valeurs.get(plafond.par) if plafond.par else 1
        if value is None or not per:
            continue
        measure = Decimal(value) / Decimal(per)
        shown = f"{measure:.1f}".replace(".", ",").removesuffix(",0")
        what = (
            f"Ligne {line.ligne} : « {plafond.colonne} » ({value}) : {shown} {plafond.unite}"
            if plafond.par
            else f"Ligne {line.ligne} : « {plafond.colonne} » : {value} {plafond.unite}"
        )
        if measure > plafond.erreur:
            line.erreurs.append(
                f"{what}, plus de {format_count(int(plafond.erreur))} : valeur invraisemblable, "
                "corrigez-la."
            )
        elif measure > plafond.a_confirmer:
            line.a_confirmer.append(
                f"{what}, plus de {format_count(int(plafond.a_confirmer))} : à confirmer."
            )


def month_holders(esms_ids):
    """{esms_id: [(first month, month after the last or None, grappe_id)]}: which grappe held
    each ESMS at the end of which months (EsmsMembership.held_in, evaluated here in Python so
    that a file of any size costs one query per chunk)."""
    holders = {}
    for chunk in chunked(esms_ids):
        for esms_id, joined_on, left_on, grappe_id in EsmsMembership.objects.filter(
            esms_id__in=chunk
        ).values_list("esms_id", "joined_on", "left_on", "grappe_id"):
            end = left_on.replace(day=1) if left_on else None
            holders.setdefault(esms_id, []).append((joined_on.replace(day=1), end, grappe_id))
    return holders


def holder_of(periods, month):
    """The grappe holding the ESMS at the end of `month`, or None."""
    for first, end, grappe_id in periods:
        if first <= month and (end is None or month < end):
            return grappe_id
    return None


def check_holder(line, periods, fed, grappe):
    """Only the feeders of the grappe holding the ESMS at the end of the month write its
    figures for that month: an ESMS's data belongs to its grappe of the time. Returns an error
    (without naming a grappe the user does not feed) or ""."""
    holder = holder_of(periods, line.mois_date)
    if grappe is not None:
        if holder != grappe.pk:
            return (
                f"Ligne {line.ligne} : l'ESMS {line.finess} n'était pas dans la grappe "
                f"« {grappe} » à la fin du mois {line.mois}."
            )
    elif holder is None or (fed is not None and holder not in fed):
        return (
            f"Ligne {line.ligne} : l'ESMS {line.finess} n'était pas, à la fin du mois "
            f"{line.mois}, dans une grappe que vous alimentez."
        )
    line.grappe_id = holder
    return ""


def validate(rows, user=None, grappe=None, today=None, confirmed=False):  # noqa: C901 (checks every column of every row, in one pass)
    """Check every row (see the module docstring); returns a Rapport. Six queries whatever the
    number of rows. `grappe`: restrict to the ESMS of this grappe (its import page).
    `confirmed`: the sender confirmed the values « à confirmer » of every line (a row may also
    confirm its own with `confirme: True`, the API's field)."""
    # A month is sent once it is over, in France's time (TIME_ZONE, Europe/Paris).
    elapsed = elapsed_month(today or timezone.localdate())
    lines = []
    numbers = set()
    for number, raw in rows:
        line = LigneRapport(ligne=number, confirme=confirmed or raw.get("confirme") is True)
        check = check_finess(raw.get("finess_et"))
        line.finess = check.number
        line.mois = str(raw.get("mois") or "").strip()
        if check.error:
            line.erreurs.append(
                f"Ligne {number} : FINESS « {line.finess} » invalide — {check.error}"
            )
        else:
            numbers.add(check.number)
        month = parse_month(raw.get("mois"))
        if month is None or month.year < FIRST_YEAR:
            line.erreurs.append(
                f"Ligne {number} : mois « {line.mois} » mal formé (attendu AAAA-MM, ex. 2026-03)."
            )
        elif month > next_month(elapsed):
            line.erreurs.append(f"Ligne {number} : le mois {month:%Y-%m} est dans le futur.")
        elif month > elapsed:
            line.erreurs.append(
                f"Ligne {number} : le mois {month:%Y-%m} n'est pas terminé : ses chiffres "
                f"s'envoient à partir du {_first_day(next_month(month))} (le mois écoulé ou un "
                "mois passé)."
            )
        else:
            line.mois = f"{month:%Y-%m}"
            line.mois_date = month
        for name in USAGE_FIELDS:
            value, error = parse_count(raw.get(name))
            if error:
                line.erreurs.append(
                    f"Ligne {number} : « {name} » {error} (valeur « {_shown(raw.get(name))} »)."
                )
            line.valeurs[name] = value
        values = line.valeurs
        actifs = values["dossiers_actifs"]
        for name in ("dossiers_actifs_avec_pp", "dossiers_actifs_avec_evenement"):
            if values[name] is not None and actifs is not None and values[name] > actifs:
                line.erreurs.append(
                    f"Ligne {number} : « {name} » ({values[name]}) dépasse « dossiers_actifs » "
                    f"({actifs})."
                )
        periode, dmp = values["dmp_alimentes_periode"], values["dmp_alimentes"]
        if periode is not None and dmp is not None and periode < dmp:
            line.erreurs.append(
                f"Ligne {number} : « dmp_alimentes_periode » ({periode}) est inférieur à "
                f"« dmp_alimentes » ({dmp}) : les personnes du mois font partie de celles des "
                "trois mois."
            )
        personnes = values["personnes_accompagnees"]
        for name in ("dmp_alimentes", "dossiers_actifs"):
            if values[name] is not None and personnes is not None and values[name] > personnes:
                line.avertissements.append(
                    f"Ligne {number} : « {name} » ({values[name]}) dépasse "
                    f"« personnes_accompagnees » ({personnes}) : vérifiez."
                )
        check_plausibility(line)
        lines.append(line)

    esms_by_finess = {}
    for chunk in chunked(numbers):
        esms_by_finess.update(
            Esms.objects.filter(finess_et__in=chunk).values_list("finess_et", "id")
        )
    holders = month_holders(esms_by_finess.values())
    fed = fed_grappe_ids(user)
    seen = {}
    for line in lines:
        if not line.finess or line.finess not in numbers:
            continue
        esms_id = esms_by_finess.get(line.finess)
        if esms_id is None:
            line.erreurs.append(
                f"Ligne {line.ligne} : FINESS {line.finess} inconnu du registre (aucun ESMS)."
            )
            continue
        if line.mois_date is None:
            continue
        error = check_holder(line, holders.get(esms_id, []), fed, grappe)
        if error:
            line.erreurs.append(error)
            continue
        line.esms_id = esms_id
        if line.mois_date:
            key = (esms_id, line.mois_date)
            if key in seen:
                line.erreurs.append(
                    f"Ligne {line.ligne} : doublon de la ligne {seen[key]} "
                    f"({line.finess}, {line.mois})."
                )
            else:
                seen[key] = line.ligne
    _warn_jumps(lines, seen)
    _check_kept_period(lines)
    return Rapport(lines)


def _shown(value, limit=30):
    """A raw value as a message quotes it: a 5 000-digit « count » is cut."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def _first_day(month):
    """« 1er décembre 2026 »."""
    return f"1er {mois_label(month, short=False)}"


def _check_kept_period(lines):
    """A line without the period's DMP count keeps the one stored for the month (apply): it
    must still be at least the month's own count, as a sent one must."""
    candidates = [
        line
        for line in lines
        if line.esms_id
        and line.mois_date
        and not line.erreurs
        and line.valeurs.get("dmp_alimentes_periode") is None
        and line.valeurs.get("dmp_alimentes") is not None
    ]
    if not candidates:
        return
    stored = {}
    months = {line.mois_date for line in candidates}
    for chunk in chunked({line.esms_id for line in candidates}):
        stored.update(
            {
                (esms_id, mois): periode
                for esms_id, mois, periode in UsageMensuel.objects.filter(
                    esms_id__in=chunk, mois__in=months, dmp_alimentes_periode__isnull=False
                ).values_list("esms_id", "mois", "dmp_alimentes_periode")
            }
        )
    for line in candidates:
        periode = stored.get((line.esms_id, line.mois_date))
        dmp = line.valeurs["dmp_alimentes"]
        if periode is not None and periode < dmp:
            line.erreurs.append(
                f"Ligne {line.ligne} : « dmp_alimentes » ({dmp}) dépasse le nombre de personnes "
                f"des trois mois déjà enregistré pour ce mois (« dmp_alimentes_periode » : "
                f"{periode}) : envoyez aussi ce nombre, corrigé."
            )


def _warn_jumps(lines, seen):
    """Warn when a count jumps by more than ×3 from the previous month (file first, then base)."""
    candidates = [line for line in lines if line.esms_id and line.mois_date and not line.erreurs]
    if not candidates:
        return
    in_file = {(line.esms_id, line.mois_date): line.valeurs for line in candidates}
    wanted = {(line.esms_id, previous_month(line.mois_date)) for line in candidates}
    missing = wanted - in_file.keys()
    stored = {}
    if missing:
        months = {key[1] for key in missing}
        for chunk in chunked({key[0] for key in missing}):
            for row in UsageMensuel.objects.filter(esms_id__in=chunk, mois__in=months).values(
                "esms_id", "mois", *USAGE_FIELDS
            ):
                stored[(row["esms_id"], row["mois"])] = row
    for line in candidates:
        key = (line.esms_id, previous_month(line.mois_date))
        previous = in_file.get(key) or stored.get(key)
        if not previous:
            continue
        for name in MONTHLY_FIELDS:
            new, old = line.valeurs[name], previous.get(name)
            if new and old and (new > JUMP_FACTOR * old or old > JUMP_FACTOR * new):
                line.avertissements.append(
                    f"Ligne {line.ligne} : « {name} » passe de {old} à {new} par rapport au mois "
                    "précédent (plus de ×3) : vérifiez."
                )


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def apply(rapport, *, user=None, source=SourceUsage.FICHIER, import_usage=None, recompute=True):
    """Write the rows of an error-free report, all or nothing. Replaced values go to
    UsageHistorique. Returns (created, replaced)."""
    if not rapport.applicable:
        raise ValueError(
            "Un rapport avec des erreurs ou des valeurs non confirmées ne peut pas être appliqué."
        )
    user = user if user is not None and user.is_authenticated else None
    lines = rapport.lignes
    keys = {(line.esms_id, line.mois_date) for line in lines}
    with transaction.atomic():
        months = {key[1] for key in keys}
        existing = {}
        for chunk in chunked({key[0] for key in keys}):
            for row in UsageMensuel.objects.filter(esms_id__in=chunk, mois__in=months).only(
                "id", "esms_id", "mois", "source", "import_usage_id", *USAGE_FIELDS
            ):
                if (row.esms_id, row.mois) in keys:
                    existing[(row.esms_id, row.mois)] = row
        UsageHistorique.objects.bulk_create(
            [
                UsageHistorique(
                    usage_id=row.id,
                    valeurs={name: getattr(row, name) for name in USAGE_FIELDS},
                    source=row.source,
                    import_usage_id=row.import_usage_id,
                    replaced_by=user,
                )
                for row in existing.values()
            ],
            batch_size=2000,
        )
        UsageMensuel.objects.bulk_create(
            [
                UsageMensuel(
                    esms_id=line.esms_id,
                    mois=line.mois_date,
                    source=source,
                    import_usage=import_usage,
                    updated_by=user,
                    **_kept_period_counts(line, existing.get((line.esms_id, line.mois_date))),
                )
                for line in lines
            ],
            update_conflicts=True,
            unique_fields=["esms", "mois"],
            update_fields=[*USAGE_FIELDS, "source", "import_usage", "updated_by", "updated_at"],
            batch_size=2000,
        )
        if len(lines) >= ANALYZE_FROM and connection.vendor == "postgresql":
            # A national file changes the table's statistics a lot; without fresh ones the
            # planner of the computation that follows picks nested loops (seconds, not ms).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {UsageMensuel._meta.db_table}")
        if recompute:
            schedule_recompute(rapport.mois, {line.grappe_id for line in lines})
    return len(lines) - len(existing), len(existing)


def _kept_period_counts(line, row):
    """The line's counts, where a period count (optional, often sent once) is missing the one
    already stored for the month: a later file without that column does not erase it."""
    values = dict(line.valeurs)
    for name in PERIOD_FIELDS:
        if values.get(name) is None and row is not None:
            values[name] = getattr(row, name)
    return values


# Above this many grappes touched, one national computation per month is cheaper than one per
# grappe.
PER_GRAPPE_LIMIT = 10


def schedule_recompute(months, grappe_ids):
    """After commit: recompute the months touched, for the grappes that held the ESMS written."""
    grappe_ids = sorted(grappe_ids - {None})
    if not grappe_ids:
        return
    targets = grappe_ids if len(grappe_ids) <= PER_GRAPPE_LIMIT else [None]
    # A month's counts also enter the first measure (3-month window) of the next two months, so
    # those are recomputed too (up to the current month). Each computation reads only usage
    # data, so the tasks may run in any order or in parallel.
    current = timezone.localdate().replace(day=1)
    to_compute = sorted({add_months(month, shift) for month in months for shift in (0, 1, 2)})
    for month in (month for month in to_compute if month <= current):
        for grappe_id in targets:
            # robust: with the broker down the import stays applied; the monthly run or the
            # compute_indicators command catches up (tests/indicateurs/test_faults.py).
            transaction.on_commit(
                lambda m=month, g=grappe_id: compute_indicators.delay(f"{m:%Y-%m}", g),
                robust=True,
            )


def recompute_since(grappe, since):
    """After the DUI's mise en service of a grappe is recorded or changed (projets): its
    measurement start moved, so every month from `since` to the current one is recomputed."""
    current = timezone.localdate().replace(day=1)
    month = since.replace(day=1)
    while month <= current:
        transaction.on_commit(
            lambda m=month: compute_indicators.delay(f"{m:%Y-%m}", grappe.pk), robust=True
        )
        month = add_months(month, 1)
