"""Account journeys in a real browser: forgotten password, change password, staff TOTP."""

import re
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account_link, check_page, link_in, log_out

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"
NEW_PASSWORD = "zeven kleine molens draaien traag"


def _on_site(site: str, link: str) -> str:
    """The mailed link on the live server: the testing config's SERVER_NAME ("localhost")
    puts http://localhost in links that portal.email.external_url builds."""
    return site + urlsplit(link).path


def _log_in(page, site, email, password=DEMO_PASSWORD):
    page.goto(site + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()


def test_forgotten_password_through_the_link_in_the_mail(page, demo_site, mails):
    page.goto(demo_site + "/aanmelden")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", name="Wachtwoord vergeten")).to_be_visible()
    check_page(page, "wachtwoord vergeten")
    page.get_by_label("E-mailadres").fill("contact@voorbeeld.be")
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    check_page(page, "wachtwoord vergeten verstuurd")

    message = mails()[-1]
    assert message["Subject"] == "Kies een nieuw wachtwoord voor het ledenportaal"
    page.goto(_on_site(demo_site, link_in(message, "/wachtwoord-herstellen/")))
    expect(page.get_by_role("heading", name="Kies een nieuw wachtwoord")).to_be_visible()
    check_page(page, "nieuw wachtwoord kiezen")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("wachtwoord12345")
    page.get_by_label("Nieuw wachtwoord herhalen").fill("wachtwoord12345")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Dit lijkt op een vaak gebruikt wachtwoord.").first).to_be_visible()
    check_page(page, "nieuw wachtwoord te zwak")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord herhalen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Je nieuwe wachtwoord is bewaard. Meld je ermee aan.")).to_be_visible()

    _log_in(page, demo_site, "contact@voorbeeld.be", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()
    page.goto(_on_site(demo_site, link_in(message, "/wachtwoord-herstellen/")))
    expect(page.get_by_role("heading", name="Link niet geldig")).to_be_visible()
    check_page(page, "herstellink gebruikt")


def test_change_password_and_log_out(page, demo_site, mails):
    _log_in(page, demo_site, "primair@voorbeeld.be")
    account_link(page, "Wachtwoord wijzigen").click()
    expect(page.get_by_role("heading", name="Wachtwoord wijzigen")).to_be_visible()
    check_page(page, "wachtwoord wijzigen")
    page.get_by_label("Huidig wachtwoord").fill("niet mijn wachtwoord")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord herhalen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Je huidige wachtwoord is niet juist.").first).to_be_visible()
    check_page(page, "wachtwoord wijzigen fout")
    page.get_by_label("Huidig wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord herhalen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Je wachtwoord is gewijzigd.")).to_be_visible()
    expect(page.get_by_role("heading", name="Beveiliging van je account")).to_be_visible()
    check_page(page, "beveiliging")
    assert mails()[-1]["Subject"] == "Je wachtwoord is gewijzigd"

    log_out(page)
    expect(page.get_by_text("Je bent afgemeld.")).to_be_visible()
    _log_in(page, demo_site, "primair@voorbeeld.be", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()


def test_staff_set_up_totp_at_first_login_then_log_in_with_a_recovery_code(page, demo_site):
    _log_in(page, demo_site, "medewerker@voorbeeld.be")
    expect(page.get_by_role("heading", name="Tweestapsverificatie instellen")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    check_page(page, "tweestapsverificatie instellen")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="Inschakelen").click()
    expect(page.get_by_text("Deze code is niet juist.").first).to_be_visible()
    check_page(page, "tweestapsverificatie code fout")
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Inschakelen").click()
    expect(page.get_by_role("heading", name="Je herstelcodes")).to_be_visible()
    check_page(page, "herstelcodes")
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    # All codes in one go: a text file, and the clipboard.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Downloaden als tekstbestand").click()
    assert download_info.value.suggested_filename == "herstelcodes.txt"
    saved = open(download_info.value.path(), encoding="utf-8").read()
    assert all(code in saved for code in codes) and "Herstelcodes voor het ledenportaal" in saved
    expect(page.get_by_role("button", name="Alle codes kopiëren")).to_be_visible()
    page.get_by_role("link", name="Ik heb mijn codes bewaard, verder").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()
    account_link(page, "Beveiliging").click()
    expect(page.get_by_text("Je hebt nog 10 ongebruikte herstelcodes.")).to_be_visible()
    check_page(page, "beveiliging medewerker")

    log_out(page)
    _log_in(page, demo_site, "medewerker@voorbeeld.be")
    expect(page.get_by_role("heading", name="Tweestapsverificatie")).to_be_visible()
    check_page(page, "aanmelden tweede stap")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()
