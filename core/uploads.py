"""Uploaded files (deliverables, meeting documents, offer pieces, imports): size limit, type
checked by content — never by the browser's word — and safe names. One set of rules for every
app; files are then stored under MEDIA_ROOT and served only through permission-checked views."""

import zipfile
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

MAX_UPLOAD_SIZE = 20 * 1024 * 1024

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
            f"Fichier trop volumineux ({filesizeformat(upload.size)}) : "
            f"{filesizeformat(MAX_UPLOAD_SIZE)} au plus.",
            code="size",
        )
    return detect_content_type(upload)
