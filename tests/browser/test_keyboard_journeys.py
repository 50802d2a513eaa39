"""Keyboard only: log in, use the menu and submit forms with Tab, Shift+Tab, Enter and Space,
with a visible focus indicator at every step and errors linked to their field."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, check_page

pytestmark = pytest.mark.browser

FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {
        visible: outline || style.boxShadow !== "none",
        element: element.outerHTML.slice(0, 120),
    };
}"""


def _assert_focus_visible(page) -> None:
    focus = page.evaluate(FOCUS_STYLE)
    assert focus["visible"], f"no visible focus indicator on {focus['element']}"


def _press(page, key: str) -> None:
    page.keyboard.press(key)
    _assert_focus_visible(page)


def _activate(page, key: str = "Enter") -> None:
    """Enter on a link or a submit button: a new page loads, whose focus starts on the body."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _tab_to(page, target, key: str = "Tab", limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; every stop must show it."""
    for _step in range(limit):
        _press(page, key)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} presses of {key}")


def test_keyboard_only_login_menu_and_forms(page, demo_site):
    page.goto(demo_site + "/aanmelden")
    # The first Tab reaches the skip link, which becomes visible.
    _press(page, "Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()

    _tab_to(page, page.get_by_label("E-mailadres"))
    page.keyboard.type("contact@voorbeeld.be")
    _tab_to(page, page.get_by_label("Wachtwoord", exact=True))
    page.keyboard.type("niet het wachtwoord")
    _activate(page)
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    password = page.get_by_label("Wachtwoord", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    error_id = password.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"[id='{error_id}']")).to_contain_text(
        "E-mailadres of wachtwoord is onjuist.")

    # Back up to the e-mail field with Shift+Tab, then forward to the password again.
    _tab_to(page, page.get_by_label("E-mailadres"), key="Shift+Tab")
    _tab_to(page, password)
    page.keyboard.type(DEMO_PASSWORD)
    _activate(page)
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()

    # The menu: Tab to "Nieuwsbrieven", Enter; switch a list off with Space, save with Enter.
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    _tab_to(page, menu.get_by_role("link", name="Nieuwsbrieven"))
    _activate(page)
    expect(page.get_by_role("heading", name="Nieuwsbrieven", level=1)).to_be_visible()
    switch = page.get_by_role("switch", name="Uitnodigingen")
    _tab_to(page, switch)
    _press(page, "Space")
    expect(switch).not_to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Mijn keuze bewaren"))
    _activate(page)
    expect(page.get_by_text("Je keuze is bewaard.")).to_be_visible()
    expect(page.get_by_role("switch", name="Uitnodigingen")).not_to_be_checked()
    check_page(page, "toetsenbord nieuwsbrieven bewaard")

    # A form with an error: the message is announced and linked to its field.
    _tab_to(page, menu.get_by_role("link", name="Mijn portaal"), key="Shift+Tab")
    _activate(page)
    _tab_to(page, page.get_by_role("link", name="Mijn contactgegevens verbeteren"))
    _activate(page)
    phone = page.get_by_label("Professioneel telefoonnummer")
    _tab_to(page, phone)
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    _activate(page)
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(phone).to_have_attribute("aria-invalid", "true")
    described = phone.get_attribute("aria-describedby").split()
    assert "phone-fout" in described
    expect(page.locator("#phone-fout")).to_be_visible()
    check_page(page, "toetsenbord contactgegevens met fout")

    # The summary links to the field: Enter on it moves the focus there.
    _tab_to(page, summary.get_by_role("link").first)
    page.keyboard.press("Enter")
    expect(phone).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("09 233 44 55")
    _activate(page)
    expect(page.get_by_text("Je contactgegevens zijn bewaard.")).to_be_visible()

    # Log out with the keyboard: the account menu opens with Enter, Afmelden is next.
    _tab_to(page, page.locator("details.account-menu > summary"), key="Shift+Tab")
    page.keyboard.press("Enter")
    _tab_to(page, page.get_by_role("button", name="Afmelden", exact=True))
    _activate(page)
    expect(page.get_by_text("Je bent afgemeld.")).to_be_visible()
