"""Content-Security-Policy in Chromium: the policy is enforced and nothing on the pages breaks it
(the pages' HTML is checked without a browser in tests/core/test_csp.py)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import navigate_by
from tests.grappe.factories import EsmsFactory

# Runs before any page script, outside the policy: records every violation the browser reports.
VIOLATION_RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_in_chromium(page, live_server, cast):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(VIOLATION_RECORDER)
    known = EsmsFactory()

    def violations():
        return page.evaluate("window.__csp") + [m for m in console if "Content Security" in m]

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(cast.owner.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    navigate_by(page, page.get_by_role("button", name="Se connecter"))
    assert violations() == []

    # htmx lookup + the moved script: the manual entry shows only for an unknown number.
    page.goto(f"{live_server.url}/grappes/{cast.grappe.pk}/esms/ajouter/")
    manual = page.locator("#saisie-manuelle")
    expect(manual).to_be_hidden()
    page.get_by_label("FINESS géographique").press_sequentially(known.finess_et)
    expect(page.locator("#resultat-finess")).to_contain_text("Présent dans le registre FINESS")
    expect(manual).to_be_hidden()
    assert violations() == []

    # The meeting form's moved script ticks the COPIL members when the kind changes.
    page.goto(f"{live_server.url}/projet/grappes/{cast.grappe.pk}/reunions/nouvelle/")
    page.get_by_label("Instance").select_option("suivi")
    expect(page.locator('input[name="invites"]:checked')).to_have_count(0)
    page.get_by_label("Instance").select_option("copil")
    expect(page.locator('input[name="invites"]:checked')).not_to_have_count(0)
    assert violations() == []

    # Swagger UI renders from its init script file.
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API Grappe")
    assert violations() == []

    # The policy is really enforced: an inline script injected into the page is refused.
    page.goto(f"{live_server.url}/grappes/{cast.grappe.pk}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__ran === true") is False
    assert any(v.startswith("script-src") for v in violations())
