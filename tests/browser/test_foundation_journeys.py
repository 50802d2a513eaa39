"""Log in and out in a real browser; the checker itself can fail."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    AXE,
    RAW_CODES_EXCEPTED,
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
    assert set(RAW_CODES_EXCEPTED) <= served
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


PLANTED = """<!DOCTYPE html><html lang="nl"><head><title>Geplant</title><style>
  td.smal { width: 3.2em; word-break: break-all; }
  td.adres { width: 7em; }
</style></head><body><main><h1>Overzicht</h1>
<p>Laatste actie: login.failure door medewerker #4, velden has_website_right.</p>
<p>Instellingen: {'ja': True} en [] en None.</p>
<p>Please save your changes.</p>
<table><tr><th>Acties</th><th>Adres</th><th>Naam</th></tr>
<tr><td class="smal">Bewerken</td>
    <td class="adres">sara.janssens@<wbr>voorbeeld<wbr>.be</td>
    <td>Sint-Pieters-Leeuw</td></tr></table>
</main></body></html>"""


def test_the_words_and_break_checks_fail_on_a_planted_page(page):
    """A raw code, Python repr, English and a word broken inside a cell are all reported;
    an address that wraps only at its <wbr> points and a hyphenated name are not."""
    from tests.browser.conftest import page_problems

    page.set_viewport_size({"width": 1280, "height": 720})
    page.set_content(PLANTED)
    found = page_problems(page, "geplant")
    codes = " ".join(found["raw codes"])
    for code in ("login.failure", "#4", "has_website_right", "{'", "[]", "None", "True"):
        assert code in codes, code
    assert {problem.split(": ")[1] for problem in found["English"]} >= {
        "'Please'", "'save'", "'your'"}
    assert found["broken words"], "the narrow cell breaks 'Bewerken' inside the word"
    assert all("Bewe" in word or "Bew" in word for word in found["broken words"]), found
    assert not any("janssens" in word or "Leeuw" in word for word in found["broken words"])
    assert "geplant: inline <style>" in found["layout"]

    clean = PLANTED.replace("word-break: break-all;", "").replace("login.failure", "")
    page.set_content(clean.replace("#4", "").replace("has_website_right", "")
                     .replace("{'ja': True} en [] en None.", "").replace("Please save your "
                                                                          "changes.", ""))
    quiet = page_problems(page, "schoon")
    assert quiet["raw codes"] == [] and quiet["English"] == [] and quiet["broken words"] == []
