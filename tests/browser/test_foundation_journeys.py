"""Log in and out in a real browser; the checker itself can fail."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    AXE,
    UNCHECKED_ENDPOINTS,
    PageChecks,
    check_page,
    get_endpoints_not_checked,
    html_checker_missing,
    log_out,
    validate_html,
)
from tests.browser.test_keyboard_journeys import FOCUS_STYLE

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"


def test_primary_contact_logs_in_and_out(page, demo_site):
    page.goto(demo_site + "/")
    expect(page).to_have_url(demo_site + "/aanmelden?next=%2F")
    check_page(page, "aanmelden")
    page.get_by_label("E-mailadres").fill("primair@voorbeeld.be")
    page.get_by_label("Wachtwoord").fill("niet het wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("E-mailadres of wachtwoord is onjuist.").first).to_be_visible()
    check_page(page, "aanmelden met fout")

    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()
    check_page(page, "mijn portaal")

    page.goto(demo_site + "/bestaat-niet")
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    check_page(page, "fout 404")

    log_out(page)
    expect(page.get_by_text("Je bent afgemeld.")).to_be_visible()


def test_the_checks_fail_on_an_unlabelled_input(page, tmp_path):
    page.set_content(
        '<!DOCTYPE html><html lang="nl"><head><title>t</title></head>'
        '<body><main><input type="text"></main></body></html>'
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    assert "label" in {violation["id"] for violation in result["violations"]}

    if html_checker_missing():
        pytest.skip(f"the Nu Html Checker cannot run: {html_checker_missing()}")
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html lang=nl><head></head><body><p><div></p></body>")
    assert validate_html([broken]), "the Nu Html Checker should report errors"


def test_every_unchecked_endpoint_is_a_real_get_route(app):
    """The exception list of the page-coverage check names only routes that exist, so it
    cannot silently hide a page; a page missing from all journeys is reported at the end."""
    served = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert set(UNCHECKED_ENDPOINTS) <= served
    PageChecks.url_map = app.url_map
    seen = PageChecks.endpoints
    try:
        PageChecks.endpoints = set()
        assert "public.dashboard" in get_endpoints_not_checked()
        assert "static" not in get_endpoints_not_checked()
    finally:
        PageChecks.endpoints = seen


def test_the_focus_check_fails_without_a_focus_indicator(page):
    page.set_content(
        '<!DOCTYPE html><html lang="nl"><head><title>t</title><style>'
        "a:focus { outline: none; } .shown:focus-visible { outline: 3px solid black; }"
        '</style></head><body><a href="#a">zonder</a> <a class="shown" href="#b">met</a>'
        "</body></html>"
    )
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STYLE)["visible"] is False
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STYLE)["visible"] is True
