"""Invoices imported from a workbook (issue 15), the same way as the usage data
(indicateurs.usage_import): the file is kept, a dry run checks every line and reports its errors
in French, nothing is written unless every line is right, and then all the lines are written in
one transaction, once.

Columns (first sheet, a header row): `engagement` — the engagement's number (its id, shown on
the import page and in the template's « Engagements » sheet; an engagement has no other stable
key), `numero`, `date`, `montant_ht`, `taux_tva`, `echeance` and `payee_le` (both optional).
Dates are JJ/MM/AAAA or Excel dates. Each line goes through FactureForm (same messages, same
rules as the invoice page) but for its file: an imported invoice has none, its PDF is attached
later on the invoice's page."""

import datetime
import io
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Font

from core import exports
from core.uploads import UploadRefused, open_xlsx
from finances.forms import FactureForm
from finances.models import Engagement, Facture

COLUMNS = ("engagement", "numero", "date", "montant_ht", "taux_tva", "echeance", "payee_le")
REQUIRED = COLUMNS[:5]
LABELS = {
    "engagement": "engagement",
    "numero": "numéro",
    "date": "date",
    "montant_ht": "montant HT",
    "taux_tva": "taux de TVA",
    "echeance": "échéance",
    "payee_le": "payée le",
}
DATES = ("date", "echeance", "payee_le")
MONEY = ("montant_ht", "taux_tva")
# A grappe records a few dozen invoices a year: 2 000 lines is years of them.
MAX_ROWS = 2000
# Columns read: ours, plus a few the user may have added (ignored).
MAX_COL = 20


def _label(column):
    label = LABELS.get(column, column)
    return label[:1].upper() + label[1:]


def read_rows(data):
    """[(line number, {column: raw value})] of the non-empty lines of the first sheet; raises
    UploadRefused (the file as a whole) if unreadable, too long or without our header."""
    with open_xlsx(data) as workbook:
        rows = workbook.rows(0, max_rows=MAX_ROWS, max_col=MAX_COL, header_rows=1)
        try:
            _, header = next(rows)
        except StopIteration:
            raise UploadRefused("le classeur est vide.") from None
        names = [str(cell or "").strip().lower() for cell in header]
        missing = [column for column in REQUIRED if column not in names]
        if missing:
            raise UploadRefused(
                "colonnes manquantes dans l'en-tête : "
                + ", ".join(f"« {column} »" for column in missing)
                + f". En-tête attendu : {', '.join(COLUMNS)}."
            )
        index = {column: names.index(column) for column in COLUMNS if column in names}
        return [
            (number, {column: cells[position] for column, position in index.items()})
            for number, cells in rows
            if any(cell is not None and str(cell).strip() for cell in cells)
        ]


def _date(value, label):
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, f"{label} : « {text} » n'est pas une date valide (JJ/MM/AAAA)."


def _decimal(value, label):
    if isinstance(value, bool):
        return None, f"{label} : « {value} » n'est pas un nombre."
    if isinstance(value, int | float):
        return Decimal(str(value)), None
    text = str(value).strip().replace("\xa0", "").replace(" ", "").replace("€", "")
    text = text.replace("%", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"{label} : « {value} » n'est pas un nombre."
    if not number.is_finite():
        return None, f"{label} : « {value} » n'est pas un nombre."
    return number, None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in Excel: 1234.0 → "1234"
    return str(value).strip()


def _engagement_id(value):
    text = _text(value).lstrip("n°").strip()
    # ASCII digits only (str.isdigit() takes « ² », which int() refuses), and a length an id
    # has: int() refuses more than 4 300 digits.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def check_line(raw, engagements):
    """(values for Facture, errors) of one line: parsed here, then checked by FactureForm."""
    errors = []
    failed = set()
    data = {"numero": _text(raw.get("numero"))}
    for column, parse in [(c, _date) for c in DATES] + [(c, _decimal) for c in MONEY]:
        value = raw.get(column)
        if value is None or not _text(value):
            continue
        data[column], error = parse(value, _label(column))
        if error:
            errors.append(error)
            failed.add(column)
    key = _text(raw.get("engagement"))
    engagement = engagements.get(_engagement_id(key))
    if not key:
        errors.insert(0, "Indiquez le numéro de l'engagement.")
    elif engagement is None:
        errors.insert(0, f"Engagement n° {key} inconnu parmi les engagements de la grappe.")
    else:
        errors.extend(_form_errors(data, engagement, failed))
    return data, errors


def _form_errors(data, engagement, failed):
    """FactureForm's errors on the line, but for the fields already refused above."""
    form = FactureForm(
        data={key: value for key, value in data.items() if value is not None},
        engagement=engagement,
    )
    form.fields["fichier"].required = False  # an import brings no file
    form.is_valid()
    messages = []
    for field, field_errors in form.errors.items():
        if field in failed:
            continue
        label = LABELS.get(field, "")
        for message in field_errors:
            messages.append(f"{_label(field)} : {message}" if label else message)
    return messages


def validate(rows, grappe):
    """The dry run: a report (JSON-ready) with one entry per line."""
    engagements = {item.pk: item for item in Engagement.objects.filter(grappe=grappe)}
    seen = {}
    lignes = []
    for number, raw in rows:
        data, errors = check_line(raw, engagements)
        engagement_id = _engagement_id(_text(raw.get("engagement")))
        numero = data.get("numero")
        if numero and engagement_id in engagements:
            first = seen.setdefault((engagement_id, numero), number)
            if first != number:
                errors.append(
                    f"La facture n° {numero} de cet engagement figure déjà ligne {first} du "
                    "fichier."
                )
        lignes.append(
            {
                "ligne": number,
                "engagement": engagement_id if engagement_id in engagements else None,
                "engagement_libelle": (
                    str(engagements[engagement_id]) if engagement_id in engagements else ""
                ),
                "numero": numero or "",
                "date": data["date"].isoformat() if data.get("date") else None,
                "montant_ht": (
                    str(data["montant_ht"]) if data.get("montant_ht") is not None else None
                ),
                "taux_tva": str(data["taux_tva"]) if data.get("taux_tva") is not None else None,
                "echeance": data["echeance"].isoformat() if data.get("echeance") else None,
                "payee_le": data["payee_le"].isoformat() if data.get("payee_le") else None,
                "erreurs": errors,
            }
        )
    if not lignes:
        return {"fichier": "Le classeur ne contient aucune facture sous l'en-tête.", "lignes": []}
    return {"lignes": lignes}


def is_ok(rapport):
    return (
        not rapport.get("fichier")
        and bool(rapport.get("lignes"))
        and not any(ligne["erreurs"] for ligne in rapport["lignes"])
    )


def apply(rapport, grappe, user):
    """Create the invoices of a clean report (the caller holds the transaction)."""
    engagements = {item.pk: item for item in Engagement.objects.filter(grappe=grappe)}
    created = []
    for ligne in rapport["lignes"]:
        facture = Facture(
            engagement=engagements[ligne["engagement"]],
            numero=ligne["numero"],
            date=datetime.date.fromisoformat(ligne["date"]),
            montant_ht=Decimal(ligne["montant_ht"]),
            taux_tva=Decimal(ligne["taux_tva"]),
            echeance=_iso(ligne["echeance"]),
            payee_le=_iso(ligne["payee_le"]),
            created_by=user,
        )
        facture.save()
        created.append(facture)
    return created


def shown(rapport):
    """The report's lines for the page: dates as dates, amounts as Decimal."""
    return [
        {
            **ligne,
            "date": _iso(ligne["date"]),
            "montant_ht": Decimal(ligne["montant_ht"]) if ligne["montant_ht"] is not None else None,
            "taux_tva": Decimal(ligne["taux_tva"]) if ligne["taux_tva"] is not None else None,
        }
        for ligne in rapport.get("lignes", [])
    ]


def _iso(value):
    return datetime.date.fromisoformat(value) if value else None


def template_xlsx(grappe):
    """The template: the header and an example line; a second sheet lists the engagements."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Factures"
    exports.append(sheet, list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    engagements = list(Engagement.objects.filter(grappe=grappe).order_by("pk"))
    example = engagements[0].pk if engagements else 1
    exports.append(
        sheet,
        [
            example,
            "F-2026-001",
            datetime.date(2026, 4, 1),
            1000,
            20,
            datetime.date(2026, 5, 1),
            None,
        ],
    )
    for cell in (sheet["C2"], sheet["F2"], sheet["G2"]):
        cell.number_format = "DD/MM/YYYY"
    listing = workbook.create_sheet("Engagements")
    exports.append(listing, ["engagement", "fournisseur", "objet", "date"])
    for item in engagements:
        exports.append(listing, [item.pk, item.fournisseur, item.objet, item.date])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
