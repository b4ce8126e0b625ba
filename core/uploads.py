"""Uploaded files (deliverables, meeting documents, offer pieces, imports): size limit, type
checked by content — never by the browser's word — and safe names. One set of rules for every
app; files are then stored by the default storage (MEDIA_ROOT, or an S3 bucket when S3_BUCKET
is set) and served only through permission-checked views (file_response).
Uploaded tables that are parsed (imports) are also read within bounds: see the second part."""

import codecs
import csv
import io
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet import _read_only
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from core.text import size

# Sizes in decimal megabytes, as the messages state them (core.text.size: « 20 Mo »).
MAX_UPLOAD_SIZE = 20_000_000

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

# Extension → (content type, what the bytes must look like).
ALLOWED_TYPES = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
    ".odt": ODT,
    ".ods": ODS,
    ".odp": ODP,
}
# Office Open XML: the part every such document holds.
OOXML_PARTS = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".pptx": "ppt/presentation.xml",
}
OPENDOCUMENT = {".odt": ODT, ".ods": ODS, ".odp": ODP}
ALLOWED_LABEL = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument (.odt, .ods, .odp), PNG ou JPEG"

ZIP_MAGIC = b"PK\x03\x04"
MAGIC = {
    PDF: (b"%PDF-",),
    PNG: (b"\x89PNG\r\n\x1a\n",),
    JPEG: (b"\xff\xd8\xff",),
}


def _zip_matches(upload, extension):
    """An Office Open XML or OpenDocument file is a ZIP archive holding a known part."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if extension in OOXML_PARTS:
                return "[Content_Types].xml" in names and OOXML_PARTS[extension] in names
            if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
                return False
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return declared == OPENDOCUMENT[extension]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def detect_content_type(upload):
    """The content type of an allowed file, checked by its content (magic numbers, ZIP parts),
    never by the browser's word; raises ValidationError with a French message otherwise."""
    extension = Path(upload.name or "").suffix.lower()
    content_type = ALLOWED_TYPES.get(extension)
    if content_type is None:
        raise ValidationError(
            f"Type de fichier non accepté ({extension or 'sans extension'}). "
            f"Formats acceptés : {ALLOWED_LABEL}.",
            code="type",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if content_type in MAGIC:
        matches = head.startswith(MAGIC[content_type])
    else:
        matches = head.startswith(ZIP_MAGIC) and _zip_matches(upload, extension)
    if not matches:
        raise ValidationError(
            f"Le contenu du fichier ne correspond pas à un fichier {extension} : il est peut-être "
            f"endommagé ou mal nommé. Formats acceptés : {ALLOWED_LABEL}.",
            code="content",
        )
    return content_type


def clean_filename(name):
    """A safe file name to show and to offer on download, keeping its extension."""
    path = Path(name or "")
    extension = path.suffix.lower()
    try:
        stem = get_valid_filename(path.stem)
    except SuspiciousFileOperation:
        stem = "fichier"
    return f"{stem[: 255 - len(extension)]}{extension}"


def check_upload(upload):
    """The content type of an acceptable upload (size, then content); ValidationError with a
    French message otherwise."""
    if upload.size > MAX_UPLOAD_SIZE:
        raise ValidationError(
            f"Fichier trop volumineux ({size(upload.size)}) : {size(MAX_UPLOAD_SIZE)} au plus.",
            code="size",
        )
    return detect_content_type(upload)


# ---------------------------------------------------------------------------------------------
# Bounded reading of uploaded tables (usage files, cadre de réponse, FINESS extraction, invoices)
# ---------------------------------------------------------------------------------------------
# The size limits above count the bytes received. An XLSX is a ZIP archive: 300 KB of it can
# inflate to hundreds of MB of XML, and a table of a few MB to millions of rows, each parsed and
# validated in Python. So a workbook is first judged by its ZIP directory alone (the sizes it
# declares: nothing is inflated), then read by openpyxl in read-only mode, metered: what it
# inflates to load the workbook, what it inflates between two rows, and the number of rows.
# Each app states its own row cap (the number is domain knowledge) in its upload form.

# Inflated size of a whole workbook: a 40 000-row usage file is about 15 MB of XML.
MAX_XLSX_UNCOMPRESSED = 50_000_000
# Ordinary sheet XML compresses 5 to 20 times; only repeated filler reaches 100 (DEFLATE's
# ceiling is about 1 000). Checked on members above RATIO_CHECKED_FROM: a smaller one cannot
# inflate to much whatever its ratio.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# A workbook holds a few dozen parts; thousands of members only cost time to list.
MAX_XLSX_MEMBERS = 1000
# openpyxl parses some parts whole before the first row (shared strings, styles, the workbook,
# the start of each sheet — all of it when the sheet does not state its dimensions): 5 MB of
# tiny shared strings take about 4 s. A 40 000-row usage file's weigh about 1.5 MB.
MAX_XLSX_LOADED = 5_000_000
# openpyxl builds a whole row (every cell) before handing it out, and keeps what lies between
# rows: a 50 MB single row costs a gigabyte. An ordinary row is a few KB of XML.
MAX_ROW_XML = 1_000_000
READ_CHUNK = 64 * 1024


class UploadRefused(Exception):
    """The file is refused as a whole. str(): « Fichier refusé : <reason> »; `reason` alone for
    callers that write their own prefix."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(f"Fichier refusé : {reason}")

    @property
    def sentence(self):
        """The reason as a sentence of its own (capitalised)."""
        return self.reason[:1].upper() + self.reason[1:]


def format_count(number):
    """40000 → "40 000" (no-break space, as Django formats numbers in French), in any language."""
    return f"{number:,}".replace(",", "\xa0")


# Text files (CSV, the FINESS extraction). What a spreadsheet saves as « Unicode text » is UTF-16
# (or UTF-32): decoded as UTF-8 or Windows-1252 it reads as garbage, and the user would be told
# their header is wrong. So the encoding is recognised by name first (byte order mark, or the
# NUL bytes every other byte of UTF-16 text), and refused as such.
BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# A line of a table is a few hundred characters (a FINESS line about 700): past this, the file
# is not a table of ours, and the csv module's own limit (one field of 128 K) would end in an
# English error.
MAX_CSV_LINE = 10_000
SAVE_AS_UTF8 = "enregistrez-le en UTF-8 (« CSV UTF-8 » dans Excel ou LibreOffice) et renvoyez-le."


def decode_text(data, encodings=("cp1252",)):
    """(text, encoding name) of an uploaded text file: UTF-8 (with or without BOM), else each of
    `encodings` in turn. UploadRefused naming the encoding when it is UTF-16/32 or binary, or
    when no encoding reads it."""
    for bom, name in BOMS:
        if data.startswith(bom):
            raise UploadRefused(f"le fichier est en {name} : {SAVE_AS_UTF8}")
    head = data[:4000]
    if b"\x00" in head:
        # UTF-16 text without a BOM: NUL bytes on one parity (ASCII characters' high bytes).
        if head.count(b"\x00") * 3 >= len(head):
            raise UploadRefused(f"le fichier est en UTF-16 : {SAVE_AS_UTF8}")
        raise UploadRefused(
            "le fichier contient des octets nuls : ce n'est pas un fichier texte (CSV)."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = exc
    else:
        if text.startswith("\ufeff"):
            return text[1:], "utf-8-sig"
        return text, "utf-8"
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            error = exc
    raise UploadRefused(
        f"le fichier n'est ni en UTF-8 ni en Windows-1252 (octet 0x{data[error.start]:02X} "
        f"illisible, position {format_count(error.start + 1)}) : {SAVE_AS_UTF8}"
    )


def read_csv(text, *, max_rows, header_rows=1):
    """(line number, cells) of CSV text, streamed; the separator is « ; » when the first line
    holds one, else « , ». UploadRefused past header_rows + max_rows rows (see capped), on a line
    longer than MAX_CSV_LINE characters or on a malformed field (an unclosed quote swallowing
    the rest of the file)."""
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    numbered = capped(enumerate(reader, start=1), max_rows, header_rows=header_rows)
    while True:
        start = reader.line_num + 1  # the line the next row starts on
        try:
            item = next(numbered)
        except StopIteration:
            return
        except csv.Error:
            raise UploadRefused(
                f"ligne {format_count(start)} illisible : un champ y dépasse "
                f"{format_count(csv.field_size_limit())} caractères ou un guillemet n'y est "
                "pas refermé."
            ) from None
        yield item


def _bounded_lines(text):
    """The lines of text (newline kept, as the csv module wants them), MAX_CSV_LINE characters
    each at most."""
    start, number = 0, 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        number += 1
        if len(text[start:end].rstrip("\r\n")) > MAX_CSV_LINE:
            raise UploadRefused(
                f"la ligne {format_count(number)} dépasse {format_count(MAX_CSV_LINE)} "
                "caractères : ce n'est pas un tableau ordinaire, il n'a pas été lu."
            )
        yield text[start:end]
        start = end


def check_xlsx_archive(source, *, max_uncompressed=MAX_XLSX_UNCOMPRESSED):
    """Refuse an XLSX (bytes or binary file) from its ZIP directory alone, before openpyxl: not a
    ZIP, too many members, too much once inflated, or a member inflating suspiciously. Reads the
    central directory only, so it takes milliseconds whatever the archive announces.

    The declared sizes can be trusted as a bound: Python's zipfile (which openpyxl uses) never
    inflates a member past its declared size — it stops there and fails the CRC check."""
    infos = _zip_directory(source)
    if len(infos) > MAX_XLSX_MEMBERS:
        raise UploadRefused(
            f"le classeur contient {format_count(len(infos))} éléments "
            f"({format_count(MAX_XLSX_MEMBERS)} au plus) : ce n'est pas un classeur ordinaire."
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed:
        raise UploadRefused(
            f"une fois décompressé, le classeur ferait {size(total)} "
            f"({size(max_uncompressed)} au plus)."
        )
    for info in infos:
        if info.file_size > RATIO_CHECKED_FROM and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise UploadRefused(
                f"l'élément « {info.filename[:80]} » du classeur se décompresse plus de "
                f"{MAX_COMPRESSION_RATIO} fois ({size(info.compress_size)} → "
                f"{size(info.file_size)}) : fichier suspect, non lu."
            )


def inflated_size(upload):
    """What an uploaded file weighs once inflated: a ZIP archive's declared total (its directory
    alone, see check_xlsx_archive), any other file's size."""
    upload.seek(0)
    head = upload.read(len(ZIP_MAGIC))
    upload.seek(0)
    if head != ZIP_MAGIC:
        return upload.size
    return sum(info.file_size for info in _zip_directory(upload))


def _zip_directory(source):
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    position = source.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(
            "ce n'est pas un classeur Excel (.xlsx) lisible : l'archive ZIP est invalide."
        ) from None
    finally:
        source.seek(position)


# What a damaged or hostile workbook makes openpyxl raise (SyntaxError: the XML ParseError).
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    SyntaxError,
)


@contextmanager
def open_xlsx(data, *, max_uncompressed=MAX_XLSX_UNCOMPRESSED):
    """A BoundedWorkbook of XLSX bytes, once check_xlsx_archive accepted them; closed on exit.
    UploadRefused if refused or unreadable."""
    check_xlsx_archive(data, max_uncompressed=max_uncompressed)
    archive = _MeteredArchive(io.BytesIO(data))
    try:
        # load_workbook(read_only=True, data_only=True), with our archive: ExcelReader is what
        # load_workbook runs. keep_links=False: external links are not needed, never read them.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive = archive
        archive.meter = _Meter(MAX_XLSX_LOADED, _load_refused)
        try:
            reader.read()
        except UNREADABLE as exc:
            raise _unreadable(exc) from None
        yield BoundedWorkbook(reader.wb, archive)
    finally:
        archive.close()


def _unreadable(exc):
    # The technical detail is kept for whoever helps the user, after what the user can do.
    return UploadRefused(
        "classeur Excel illisible (endommagé ou tronqué) : ouvrez-le et enregistrez-le à nouveau "
        f"dans un tableur, puis renvoyez-le. Détail : {type(exc).__name__} : {exc}"[:400]
        + "."
    )


class BoundedWorkbook:
    """A read-only openpyxl workbook whose rows are streamed within bounds."""

    def __init__(self, workbook, archive):
        self.workbook = workbook
        self.archive = archive

    @property
    def sheetnames(self):
        return self.workbook.sheetnames

    def rows(self, sheet=0, *, max_rows, max_col, min_row=1, header_rows=0):
        """(row number, tuple of max_col values) of a sheet (index or name) from min_row, empty
        rows included: header_rows + max_rows of them at most (see capped). max_row and max_col
        are always given to openpyxl: otherwise it trusts the sheet's declared dimensions, and a
        cell in column XFD or a row numbered 10⁹ would make it pad millions of cells or rows."""
        if isinstance(sheet, int) and sheet >= len(self.workbook.worksheets):
            raise UploadRefused("le classeur ne contient aucune feuille de calcul.")
        worksheet = (
            self.workbook.worksheets[sheet] if isinstance(sheet, int) else self.workbook[sheet]
        )
        meter = self.archive.meter = _Meter(MAX_ROW_XML, _row_refused)
        rows = worksheet.iter_rows(
            min_row=min_row,
            max_row=min_row + header_rows + max_rows,
            max_col=max_col,
            values_only=True,
        )
        try:
            for item in capped(enumerate(rows, start=min_row), max_rows, header_rows=header_rows):
                meter.used = 0
                yield item
        except UNREADABLE as exc:
            raise _unreadable(exc) from None
        except _FormulaWithoutValue as exc:
            raise UploadRefused(
                f"cellule {exc.coordinate} de la feuille « {worksheet.title} » : formule sans "
                "valeur calculée — ouvrez et enregistrez le fichier dans un tableur, ou saisissez "
                "la valeur."
            ) from None


class _FormulaWithoutValue(Exception):
    def __init__(self, coordinate):
        self.coordinate = coordinate


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser, which reads a formula cell without a cached result (a file
    written by a program that computes nothing, openpyxl included) as an empty cell: the value
    typed would silently become « missing ». Ours stops there, naming the cell. A formula whose
    result is the empty text is marked t="str" by spreadsheets: that one is a value.

    Only the workbooks of open_xlsx (read through a _MeteredStream) are concerned: openpyxl's
    read-only sheets build their parser by this module-level name, set below."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if (
            cell["value"] is None
            and isinstance(self.source, _MeteredStream)
            and element.find(FORMULA_TAG) is not None
            and element.get("t") != "str"
            and not element.findtext(VALUE_TAG)
        ):
            raise _FormulaWithoutValue(f"{get_column_letter(cell['column'])}{cell['row']}")
        return cell


_read_only.WorkSheetParser = _SheetParser


def capped(items, max_rows, *, header_rows=0):
    """The items of an iterable, streamed; UploadRefused as soon as one more than header_rows +
    max_rows is read, so a file over the cap is never read (nor kept in memory) beyond it."""
    for count, item in enumerate(items, start=1):
        if count > header_rows + max_rows:
            raise UploadRefused(
                f"le fichier dépasse {format_count(max_rows)} lignes"
                + (" (en-tête non compris)" if header_rows else "")
                + ", le maximum accepté."
            )
        yield item


def _load_refused(member):
    # A sheet without its <dimension> is read whole at this stage by openpyxl: Excel and
    # LibreOffice always write one, hence the advice.
    return (
        f"le classeur demande de lire d'un bloc plus de {size(MAX_XLSX_LOADED)} "
        f"avant ses lignes (élément « {member[:80]} ») : ce n'est pas un classeur ordinaire, il "
        "n'a pas été lu. S'il sort d'un autre logiciel, ouvrez-le et enregistrez-le avec Excel "
        "ou LibreOffice avant de l'envoyer."
    )


def _row_refused(member):
    return (
        f"une ligne du classeur (élément « {member[:80]} ») dépasse "
        f"{size(MAX_ROW_XML)} une fois décompressée : ce n'est pas un classeur "
        "ordinaire, il n'a pas été lu."
    )


class _Meter:
    """Counts inflated bytes; UploadRefused(reason(member)) past the limit (the message is built
    then: it is translated, which cannot happen at import time)."""

    def __init__(self, limit, reason):
        self.limit, self.reason, self.used = limit, reason, 0

    def add(self, count, member):
        self.used += count
        if self.used > self.limit:
            raise UploadRefused(self.reason(member))


class _MeteredArchive(zipfile.ZipFile):
    """The workbook's ZIP as openpyxl sees it: every member it opens (or reads whole) is inflated
    through a _MeteredStream counting against the current meter."""

    meter = None

    def open(self, name, mode="r", pwd=None, **kwargs):
        stream = super().open(name, mode, pwd, **kwargs)
        return _MeteredStream(stream, self) if mode == "r" else stream


class _MeteredStream:
    """Inflates by chunks of READ_CHUNK at most, each counted before it is handed on: a member
    read whole (ZipFile.read) is refused before it is all in memory."""

    def __init__(self, stream, archive):
        self.stream, self.archive = stream, archive

    def read(self, size=-1):
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(READ_CHUNK), b""))
        data = self.stream.read(min(size, READ_CHUNK))
        self.archive.meter.add(len(data), self.stream.name)
        return data

    read1 = read

    def close(self):
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def file_response(field_file, filename, content_type=""):
    """A stored file as a download, never rendered by the browser as a page: the views that
    serve uploads check the permission first; MEDIA_ROOT has no public URL. 404 when the file
    is gone from the storage.

    Every download of an uploaded file goes through here, whatever the storage: the local disk
    or an S3 bucket (settings.STORAGES, S3_BUCKET). On S3 the file is streamed through this
    response too, never redirected to a presigned URL: the browsers of a closed network may not
    reach the object storage (only the reverse proxy is exposed), a presigned URL is a bearer
    link valid until it expires (forwarded, kept in a proxy's log or the history, it opens the
    file without any permission check), and the headers below (attachment, no-store, nosniff)
    stay ours. Files are 20 MB at most: streaming one holds a gunicorn worker for a moment."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("Fichier introuvable.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def delete_on_commit(*fields):
    """Delete the stored files of these FieldFiles once the transaction deleting their rows
    commits: a rollback keeps the row and its file together (deleted first, a failed deletion
    would leave a row pointing at nothing)."""
    stored = [(field.storage, field.name) for field in fields if field]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])
