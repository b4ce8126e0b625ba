"""The cadre de réponse (seed 003 steps 8–9) as an XLSX workbook: exported from the grappe's
grid for the éditeurs, filled by them, imported back per offer.

The import is validated like every import of the product: every error names its sheet and
line, nothing is written when there is one error (the caller applies `parse`'s result in one
transaction), and the uploaded file is kept (amoa.models.ImportReponse).
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from amoa.enums import Couverture, NatureCout, Priorite, Profession
from core import exports
from core.money import CENT, XLSX_EUROS, euros
from core.uploads import UploadRefused, open_xlsx

SHEET_EXIGENCES = "Exigences"
SHEET_PRIX = "Prix"
HEADER_ROW = 3  # rows 1–2: title and instructions
EXIGENCE_COLUMNS = [
    "Référence",
    "Domaine",
    "Exigence",
    "Priorité",
    "Professions concernées",
    "Réponse",
    "Échéance du développement (JJ/MM/AAAA)",
    "Coût du développement (€ HT)",
    "Commentaire",
]
PRIX_COLUMNS = [
    "Nature",
    "Libellé",
    "Année (0 = acquisition, vide = chaque année)",
    "Montant (€ HT)",
]
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
FILL = PatternFill("solid", fgColor="FFF4CE")  # cells the éditeur fills
MAX_YEAR = 10
# The amounts' columns (ReponseExigence.cout, LignePrix.montant): 12 digits, 2 of them cents.
MAX_AMOUNT = Decimal("9999999999.99")
# A grid holds a few hundred exigences and the price sheet a few dozen lines: each sheet of a
# filled cadre has at most MAX_ROWS lines under its title rows, read no further (see
# core.uploads, bounded reading).
MAX_ROWS = 2_000


def _norm(value):
    return " ".join(str(value or "").strip().lower().replace("’", "'").split())


COUVERTURE_BY_TEXT = {}
for _code, _label in Couverture.choices:
    COUVERTURE_BY_TEXT[_norm(_code)] = _code
    COUVERTURE_BY_TEXT[_norm(_label)] = _code
COUVERTURE_BY_TEXT["non couvert"] = None  # ambiguous: developpable or impossible?
NATURE_BY_TEXT = {}
for _code, _label in NatureCout.choices:
    NATURE_BY_TEXT[_norm(_code)] = _code
    NATURE_BY_TEXT[_norm(_label)] = _code


def export_xlsx(consultation, rows, preferences=()):  # noqa: C901 (one pass writing every sheet and column of the cadre)
    """Bytes of the cadre de réponse. rows: GrilleFonctionnelle.tree()."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_EXIGENCES
    exports.append(sheet, [f"Cadre de réponse — {consultation.titre}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            "Pour chaque exigence, indiquez « Couvert », « Non couvert mais développable » (avec "
            "l'échéance et le coût) ou « Impossible ». Ne modifiez pas les références."
        ]
    )
    sheet.append(EXIGENCE_COLUMNS)
    for cell in sheet[HEADER_ROW]:
        cell.font = BOLD
    priorities = dict(Priorite.choices)
    professions = dict(Profession.choices)
    for domaine, depth, exigences in rows:
        label = ("  " * depth) + domaine.libelle
        for exigence in exigences:
            exports.append(
                sheet,
                [
                    exigence.code,
                    label.strip(),
                    exigence.libelle,
                    priorities.get(exigence.priorite, exigence.priorite),
                    ", ".join(professions.get(p, p) for p in exigence.professions),
                    None,
                    None,
                    None,
                    None,
                ],
            )
            row = sheet.max_row
            sheet.cell(row=row, column=3).alignment = WRAP
            for column in (6, 7, 8, 9):
                sheet.cell(row=row, column=column).fill = FILL
            # The éditeur types a number; the sheet shows it as an amount in euros.
            sheet.cell(row=row, column=8).number_format = XLSX_EUROS
    answers = DataValidation(
        type="list",
        formula1='"' + ",".join(label for _, label in Couverture.choices) + '"',
        allow_blank=True,
    )
    sheet.add_data_validation(answers)
    if sheet.max_row > HEADER_ROW:
        answers.add(f"F{HEADER_ROW + 1}:F{sheet.max_row}")
    for column, width in zip("ABCDEFGHI", (12, 28, 60, 14, 30, 30, 18, 18, 40), strict=True):
        sheet.column_dimensions[column].width = width

    prix = workbook.create_sheet(SHEET_PRIX)
    prix.append([f"Structure de prix — coût total reconstitué sur {consultation.tco_annees} ans"])
    prix["A1"].font = Font(bold=True, size=13)
    prix.append(
        [
            "Une ligne par élément de prix (€ HT). Année 0 : à l'acquisition ; année vide : "
            "récurrent chaque année (licences, maintenance, hébergement). N'oubliez pas le "
            "matériel nécessaire, les extensions de garantie et les prestations hors forfait."
        ]
    )
    prix.append(PRIX_COLUMNS)
    for cell in prix[HEADER_ROW]:
        cell.font = BOLD
    for _, label in NatureCout.choices:
        prix.append([label, None, None, None])
        for column in (2, 3, 4):
            prix.cell(row=prix.max_row, column=column).fill = FILL
    # Amounts in euros on every line the éditeur may add (as far as the natures' list goes).
    for row in range(HEADER_ROW + 1, HEADER_ROW + 201):
        prix.cell(row=row, column=4).number_format = XLSX_EUROS
    natures = DataValidation(
        type="list",
        formula1='"' + ",".join(label for _, label in NatureCout.choices) + '"',
        allow_blank=True,
    )
    prix.add_data_validation(natures)
    natures.add(f"A{HEADER_ROW + 1}:A{HEADER_ROW + 200}")
    for column, width in zip("ABCD", (32, 40, 22, 18), strict=True):
        prix.column_dimensions[column].width = width
    if preferences:
        pref = workbook.create_sheet("Préférences techniques")
        pref.append(["Thème", "Préférence de la grappe"])
        for cell in pref[1]:
            cell.font = BOLD
        for theme, text in preferences:
            pref.append([theme, text])
        pref.column_dimensions["A"].width = 30
        pref.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Parsed:
    reponses: list = field(default_factory=list)  # dicts: exigence, couverture, echeance…
    lignes: list = field(default_factory=list)  # dicts: nature, libelle, annee, montant, ordre
    errors: list = field(default_factory=list)  # {"feuille", "ligne", "message"}
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def report(self):
        counts = {}
        for reponse in self.reponses:
            counts[reponse["couverture"]] = counts.get(reponse["couverture"], 0) + 1
        labels = dict(Couverture.choices)
        return {
            "erreurs": self.errors,
            "avertissements": self.warnings,
            "reponses": len(self.reponses),
            "lignes": len(self.lignes),
            "par_reponse": {labels[code]: n for code, n in counts.items()},
            "montant_lignes": str(sum((line["montant"] for line in self.lignes), Decimal(0))),
        }


def _decimal(value):
    """An amount to the cent; InvalidOperation for anything else, « NaN » and amounts the
    database would refuse when the import is applied (MAX_AMOUNT) included."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidOperation(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        number = Decimal(text.replace("€", "").replace(",", "."))
    # copy_abs: abs() would round in the context and overflow on « 1e999999999 ».
    if not number.is_finite() or number.copy_abs() > MAX_AMOUNT:
        raise InvalidOperation(value)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _amount_range():
    return f"0 à {euros(MAX_AMOUNT, ht=True)}"


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse(content, exigences):
    """Parse a filled cadre de réponse. exigences: {code: Exigence}. Returns Parsed."""
    parsed = Parsed()
    try:
        with open_xlsx(content) as workbook:
            _parse(workbook, exigences, parsed)
    except UploadRefused as exc:
        # Refused as a whole (not a workbook, decompression bomb, over the row cap): what was
        # read before is dropped, the one error says why.
        parsed = Parsed(errors=[{"feuille": "", "ligne": None, "message": str(exc)}])
    return parsed


def _sheet_rows(workbook, sheet, width):
    return workbook.rows(sheet, min_row=HEADER_ROW + 1, max_rows=MAX_ROWS, max_col=width)


def _parse(workbook, exigences, parsed):  # noqa: C901 (a parser walking every sheet and column)
    def error(sheet, line, message):
        parsed.errors.append({"feuille": sheet, "ligne": line, "message": message})

    for name in (SHEET_EXIGENCES, SHEET_PRIX):
        if name not in workbook.sheetnames:
            error(name, None, f"La feuille « {name} » manque : partez du cadre de réponse exporté.")
    if parsed.errors:
        return

    seen = set()
    for line, row in _sheet_rows(workbook, SHEET_EXIGENCES, len(EXIGENCE_COLUMNS)):
        row = list(row) + [None] * (9 - len(row))
        code = str(row[0] or "").strip()
        if not code and not any(row[5:9]):
            continue
        if code not in exigences:
            error(SHEET_EXIGENCES, line, f"Référence inconnue « {code} » dans la grille.")
            continue
        if code in seen:
            error(SHEET_EXIGENCES, line, f"La référence {code} apparaît deux fois.")
            continue
        seen.add(code)
        answer_text = _norm(row[5])
        if not answer_text:
            parsed.warnings.append(
                {"feuille": SHEET_EXIGENCES, "ligne": line, "message": f"{code} : sans réponse."}
            )
            continue
        couverture = COUVERTURE_BY_TEXT.get(answer_text)
        if couverture is None:
            error(
                SHEET_EXIGENCES,
                line,
                f"{code} : réponse « {row[5]} » invalide (Couvert, Non couvert mais développable "
                "ou Impossible).",
            )
            continue
        try:
            echeance = _date(row[6])
        except ValueError:
            error(SHEET_EXIGENCES, line, f"{code} : échéance « {row[6]} » invalide (JJ/MM/AAAA).")
            continue
        try:
            cout = _decimal(row[7])
        except InvalidOperation:
            error(
                SHEET_EXIGENCES,
                line,
                f"{code} : coût « {row[7]} » n'est pas un montant ({_amount_range()}).",
            )
            continue
        if cout is not None and cout < 0:
            error(SHEET_EXIGENCES, line, f"{code} : le coût ne peut pas être négatif.")
            continue
        if couverture == Couverture.DEVELOPPABLE and (echeance is None or cout is None):
            error(
                SHEET_EXIGENCES,
                line,
                f"{code} : un développement doit indiquer son échéance et son coût.",
            )
            continue
        parsed.reponses.append(
            {
                "exigence": exigences[code],
                "couverture": couverture,
                "echeance": echeance if couverture == Couverture.DEVELOPPABLE else None,
                "cout": cout if couverture == Couverture.DEVELOPPABLE else None,
                "commentaire": str(row[8] or "").strip(),
            }
        )
    for code in exigences:
        if code not in seen:
            parsed.warnings.append(
                {"feuille": SHEET_EXIGENCES, "ligne": None, "message": f"{code} : absente."}
            )

    for line, row in _sheet_rows(workbook, SHEET_PRIX, len(PRIX_COLUMNS)):
        row = list(row) + [None] * (4 - len(row))
        if row[3] is None or str(row[3]).strip() == "":
            if row[1] or (row[2] not in (None, "")):
                error(SHEET_PRIX, line, "Montant manquant.")
            continue
        nature = NATURE_BY_TEXT.get(_norm(row[0]))
        if nature is None:
            error(SHEET_PRIX, line, f"Nature « {row[0]} » inconnue.")
            continue
        try:
            montant = _decimal(row[3])
        except InvalidOperation:
            error(SHEET_PRIX, line, f"Montant « {row[3]} » invalide ({_amount_range()}).")
            continue
        if montant < 0:
            error(SHEET_PRIX, line, "Le montant ne peut pas être négatif.")
            continue
        annee = row[2]
        if annee in (None, ""):
            annee = None
        else:
            try:
                annee = Decimal(str(annee).strip())
            except InvalidOperation:
                annee = None
            # Compared before int(): « Infinity » or « 1e999999999 » would not convert.
            if annee is None or not annee.is_finite() or not 0 <= annee <= MAX_YEAR:
                error(SHEET_PRIX, line, f"Année « {row[2]} » invalide (0 à {MAX_YEAR} ou vide).")
                continue
            annee = int(annee)
        parsed.lignes.append(
            {
                "nature": nature,
                "libelle": str(row[1] or "").strip()[:200],
                "annee": annee,
                "montant": montant,
                "ordre": len(parsed.lignes) + 1,
            }
        )
