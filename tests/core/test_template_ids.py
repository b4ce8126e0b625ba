"""USE_THOUSAND_SEPARATOR is on (« 35 000 ESMS »): an identifier printed by a template would read
« 1 056 » once a table passes a thousand rows, and break the link, the select or the element id
it sits in (found on PostgreSQL, whose sequences run past 999 in a long test run). Identifiers
are printed `|unlocalize`, or through {% url %}."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# (`{{ form.id }}` is a form's hidden field, rendered unlocalized by its widget.)
PRINTED_ID = re.compile(r"\{\{\s*[\w.]*(?:\.pk|_id)\s*\}\}")


def test_no_template_prints_an_identifier_localized():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
        for match in PRINTED_ID.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_sees_a_localized_identifier():
    assert PRINTED_ID.search('<a href="?grappe={{ grappe.pk }}">')
    assert PRINTED_ID.search("{{ row.esms_id }}")
    assert not PRINTED_ID.search("{{ grappe.pk|unlocalize }}")
