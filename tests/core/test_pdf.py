import pytest

from core.pdf import pdf_response, render_pdf, simple_pdf
from tests.grappe.factories import GrappeFactory
from tests.helpers import pdf_text


@pytest.mark.pdf
def test_render_pdf_keeps_accented_french_and_adds_footer(db, tmp_path, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    (tmp_path / "essai.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}'
        "<h1>Comité de pilotage : procès-verbal</h1>"
        "<p>Élément à valider avant diffusion — « données » ç à é è ê ë î ô û œ.</p>"
        "{% endblock %}",
        encoding="utf-8",
    )
    grappe = GrappeFactory(name="Grappe des Hauts-de-France")
    pdf = render_pdf("essai.html", {}, grappe=grappe, title="Essai")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Comité de pilotage : procès-verbal" in text
    assert "Élément à valider avant diffusion" in text
    assert "ç à é è ê ë î ô û œ" in text
    assert "Grappe des Hauts-de-France" in text  # footer
    assert "Page 1 / 1" in text


def test_pdf_response_headers():
    response = pdf_response(b"%PDF-1.7", "Fiche grappe Été")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="fiche-grappe-ete.pdf"'


def test_simple_pdf_is_a_valid_pdf_with_its_french_lines():
    content = simple_pdf(["Facture n° FA-12 (acompte)", "Établissement \\ Ternois"])
    assert content.startswith(b"%PDF-1.4")
    text = pdf_text(content)
    assert "Facture n° FA-12 (acompte)" in text and "Établissement \\ Ternois" in text
