"""One way to make a PDF: render a Django template to HTML, let WeasyPrint lay it out.

The same template context feeds the HTML page and the PDF, so both show the same content.
Templates extend `pdf/base.html`, which sets the fonts on @page, numbers the pages and puts the
grappe's name and the generation date in the footer.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC_ROOTS = [str(path) for path in settings.STATICFILES_DIRS]


def render_pdf(template_name, context=None, *, request=None, grappe=None, title=""):
    context = {
        **(context or {}),
        "pdf_grappe": grappe,
        "pdf_title": title,
        "pdf_generated_at": timezone.localtime(),
    }
    html = render_to_string(template_name, context, request=request)
    base_url = f"file://{STATIC_ROOTS[0]}/"
    # Only local files and inline data: PDFs are made on closed networks and must never call out.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def pdf_response(pdf, filename, *, inline=True):
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{slugify(filename)}.pdf"'
    return response


def simple_pdf(lines):
    """A one-page PDF holding `lines` (Helvetica, WinAnsi), written by hand: the demo's attached
    files, small and valid, without the cost of rendering each through WeasyPrint."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = "BT /F1 12 Tf 16 TL 56 780 Td " + " ".join(f"({escape(t)}) '" for t in lines) + " ET"
    stream = body.encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
