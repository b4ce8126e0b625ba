"""Steps shared by the browser journeys."""


def navigate_by(page, target):
    """Click `target` (a link or a submit button) and wait until the page it leads to is loaded.

    Cheaper than `wait_for_load_state("networkidle")`, which always waits for half a second of
    network silence after the page has loaded."""
    with page.expect_navigation():
        target.click()


def logout(page):
    navigate_by(page, page.get_by_role("button", name="Se déconnecter"))
