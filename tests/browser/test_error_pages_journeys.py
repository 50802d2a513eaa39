"""The Dutch error pages in a real browser: 400, 403, 404, 405, 429 and 500."""

import pytest
from playwright.sync_api import expect

from portal.security import public_endpoint
from tests.browser.conftest import check_page, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def failing_site(app):
    """A test-only route that raises, added before the live server handles a request
    (Flask refuses new routes afterwards); errors render the 500 page as in production."""

    @public_endpoint
    def raise_an_error():
        raise RuntimeError("a deliberate error for the 500 page")

    app.add_url_rule("/test-fout-500", "test_raise_an_error", raise_an_error)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise into the server
    return app


def _error_page(page, response, code: int, heading: str) -> None:
    assert response.status == code, f"{response.url}: {response.status}, expected {code}"
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def test_error_pages_are_dutch_and_accessible(page, failing_site, demo_site):
    response = page.goto(demo_site + "/bestaat-niet")
    _error_page(page, response, 404, "Pagina niet gevonden")
    expect(page.get_by_text("Foutcode: 404")).to_be_visible()
    check_page(page, "fout 404 anoniem")

    # A signed link that was altered: the invalid-link page, with status 400.
    response = page.goto(demo_site + "/uitnodiging/geen-geldige-link")
    _error_page(page, response, 400, "Link niet geldig")
    check_page(page, "fout 400 ongeldige link")

    # Logging out only works with POST (a link could log people out).
    response = page.goto(demo_site + "/afmelden")
    _error_page(page, response, 405, "Methode niet toegestaan")
    check_page(page, "fout 405")

    response = page.goto(demo_site + "/test-fout-500")
    _error_page(page, response, 500, "Er ging iets mis")
    expect(page.get_by_text("Er werd niets opgeslagen", exact=False)).to_be_visible()
    check_page(page, "fout 500")

    # An ordinary contact may not manage the organisation's contacts.
    log_in(page, demo_site, "contact@voorbeeld.be")
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()
    response = page.goto(demo_site + "/contactpersonen")
    _error_page(page, response, 403, "Geen toegang")
    check_page(page, "fout 403")
    page.get_by_role("link", name="Terug naar Mijn portaal").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()


def test_too_many_failed_logins_show_the_throttle_page(page, demo_site, app):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"  # read per request; the default is 30
    page.goto(demo_site + "/aanmelden")
    for _attempt in range(2):
        page.get_by_label("E-mailadres").fill("primair@voorbeeld.be")
        page.get_by_label("Wachtwoord", exact=True).fill("niet het wachtwoord")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_text("E-mailadres of wachtwoord is onjuist.").first).to_be_visible()
    page.get_by_label("E-mailadres").fill("primair@voorbeeld.be")
    page.get_by_label("Wachtwoord", exact=True).fill("niet het wachtwoord")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Aanmelden").click()
    assert info.value.status == 429
    expect(page.get_by_role("heading", level=1, name="Te veel pogingen")).to_be_visible()
    check_page(page, "fout 429 aanmelden")
