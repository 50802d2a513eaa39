"""The menus: tasks in the main menu, the account under the person's name, staff in their own
bar; at 1280 px every bar keeps to one row, at 375 px the closed menu is one line with a menu
button, and without JavaScript the menu is simply open."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    PageChecks,
    account_link,
    check_page,
    log_in,
    log_in_as_staff,
)

pytestmark = pytest.mark.browser

ROWS = """() => [...document.querySelectorAll('.site-header nav > ul')].map((list) =>
    new Set([...list.children].filter((item) => item.getClientRects().length)
            .map((item) => Math.round(item.getBoundingClientRect().top))).size)"""


def _shot(page, slug: str, name: str, url: str) -> None:
    """A screenshot of a state check_page cannot reach (a menu opened by a click)."""
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{slug}-{page.viewport_size['width']}.png"))
    entry = PageChecks.sheet.setdefault(slug, {"name": name, "url": url})
    kind = "desktop" if page.viewport_size["width"] == DESKTOP["width"] else "phone"
    entry[kind] = f"screenshots/{slug}-{page.viewport_size['width']}.png"


def test_the_primary_contacts_menus_at_both_widths(page, demo_site):
    log_in(page, demo_site, "primair@voorbeeld.be")
    main = page.get_by_role("navigation", name="Hoofdmenu")
    account = page.get_by_role("navigation", name="Je account")
    expect(main.get_by_role("link")).to_have_text(
        ["Mijn portaal", "Organisatie", "Contactpersonen", "Jaarlijkse bevestiging",
         "Nieuwsbrieven"])
    # Account pages are not tasks: they sit under the person's name.
    for name in ("Mijn gegevens", "Wachtwoord wijzigen", "Beveiliging"):
        expect(main.get_by_role("link", name=name)).to_have_count(0)
    expect(account.locator("summary")).to_contain_text("Pia Peeters")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert page.evaluate(ROWS) == [1]
    account.locator("summary").click()
    expect(account.get_by_role("link")).to_have_text(
        ["Mijn gegevens", "Wachtwoord wijzigen", "Beveiliging"])
    expect(account.get_by_role("button", name="Afmelden")).to_be_visible()
    _shot(page, "menus-open", "menu's open: het account (1280) en het telefoonmenu (375)",
          page.url)
    page.keyboard.press("Escape")
    expect(account.get_by_role("button", name="Afmelden")).to_be_hidden()

    page.set_viewport_size(PHONE)
    menu_button = page.get_by_role("button", name="Menu")
    expect(menu_button).to_be_visible()
    expect(main).to_be_hidden()
    header = page.locator(".header-grid").bounding_box()
    assert header["height"] <= 72, f"the closed menu takes {header['height']} px"
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(main.get_by_role("link", name="Contactpersonen")).to_be_visible()
    expect(account.get_by_role("link", name="Mijn gegevens")).to_be_visible()
    expect(account.get_by_role("button", name="Afmelden")).to_be_visible()
    _shot(page, "menus-open", "menu's open: het account (1280) en het telefoonmenu (375)",
          page.url)
    main.get_by_role("link", name="Contactpersonen").click()
    expect(page.get_by_role("heading", name="Contactpersonen", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_hidden()  # closed again
    page.set_viewport_size(DESKTOP)


def test_staff_have_their_own_bar_on_one_row(page, demo_site):
    log_in_as_staff(page, demo_site)
    staff = page.get_by_role("navigation", name="Beheer")
    expect(staff.get_by_role("link").first).to_have_text("Beheer")
    expect(staff.get_by_role("link", name="Auditlog")).to_be_visible()
    assert page.evaluate(ROWS) == [1]
    account_link(page, "Beveiliging").click()
    expect(page.get_by_role("heading", name="Beveiliging van je account")).to_be_visible()


def test_without_javascript_the_phone_menu_is_open_and_usable(browser, demo_site):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="nl-BE")
    page = context.new_page()
    try:
        log_in(page, demo_site, "primair@voorbeeld.be")
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        main = page.get_by_role("navigation", name="Hoofdmenu")
        expect(main.get_by_role("link", name="Contactpersonen")).to_be_visible()
        page.get_by_role("navigation", name="Je account").locator("summary").click()
        expect(page.get_by_role("link", name="Mijn gegevens")).to_be_visible()
        _shot(page, "menu-zonder-javascript", "telefoon zonder JavaScript: het menu staat open",
              page.url)
        main.get_by_role("link", name="Contactpersonen").click()
        expect(page.get_by_role("heading", name="Contactpersonen", level=1)).to_be_visible()
    finally:
        context.close()


def test_the_dashboard_reads_as_a_to_do_list(page, demo_site):
    log_in(page, demo_site, "primair@voorbeeld.be")
    tasks = page.get_by_role("region", name="Te doen")
    cards = page.get_by_role("region", name="Overzicht")
    assert tasks.bounding_box()["y"] < cards.bounding_box()["y"]
    for card in cards.locator(".card").all():  # every card: a title, content, one footer
        expect(card.locator("h2")).to_have_count(1)
        expect(card.locator(".card-footer a").first).to_be_visible()
    check_page(page, "mijn portaal als takenlijst")
