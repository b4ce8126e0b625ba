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
