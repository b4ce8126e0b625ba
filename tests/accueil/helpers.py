"""Reading the home in tests: its sections, and one section's HTML."""

import html


def keys(response):
    """The keys of the home's sections, in the page's order."""
    return [section.key for section in response.context["sections"]]


def section_of(response, key):
    """The Section `key` of the home, or None."""
    return next((s for s in response.context["sections"] if s.key == key), None)


def section_html(response, key):
    """The HTML of section `key` (entities decoded); fails when the page has none."""
    content = response.content.decode()
    marker = f'data-testid="section-{key}"'
    assert marker in content, f"section « {key} » absente"
    return html.unescape(content.split(marker)[1].split("</section>")[0])
