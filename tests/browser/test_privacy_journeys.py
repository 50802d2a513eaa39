"""Mijn gegevens, the privacy page and the back office in a real browser."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account_link, check_page, log_in_as_staff, staff_link

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"


def _log_in(page, site, email):
    page.goto(site + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def test_a_contact_views_and_downloads_my_data(page, demo_site):
    page.goto(demo_site + "/privacy")
    expect(page.get_by_role("heading", level=1, name="Privacy in het ledenportaal")).to_be_visible()
    check_page(page, "privacy uitleg")

    _log_in(page, demo_site, "contact@voorbeeld.be")
    account_link(page, "Mijn gegevens").click()
    expect(page.get_by_role("heading", level=1, name="Mijn gegevens")).to_be_visible()
    expect(page.get_by_role("heading", name="Contactgegevens")).to_be_visible()
    expect(page.get_by_text("Koen").first).to_be_visible()
    check_page(page, "mijn gegevens")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mijn gegevens downloaden (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mijn-gegevens-")
    data = json.loads(open(download.path(), encoding="utf-8").read())
    text = json.dumps(data, ensure_ascii=False)
    assert "contact@voorbeeld.be" in text and "Claes" in text
    assert "primair@voorbeeld.be" not in text and "Peeters" not in text


def test_staff_use_the_back_office(page, demo_site):
    log_in_as_staff(page, demo_site)
    page.goto(demo_site + "/beheer")
    expect(page.get_by_role("heading", level=1, name="Beheer")).to_be_visible()
    check_page(page, "beheer")

    page.get_by_role("main").get_by_role("link", name="Organisaties").click()
    page.get_by_role("link", name="Nieuwe organisatie").click()
    check_page(page, "beheer nieuwe organisatie")
    page.get_by_label("Naam van de organisatie").fill("Nieuwe vzw")
    page.get_by_label("Ondernemingsnummer").fill("0123.456.788")
    page.get_by_role("button", name="Organisatie aanmaken en uitnodiging versturen").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_page(page, "beheer nieuwe organisatie met fouten")
    staff_link(page, "Beheer").click()
    page.get_by_role("main").get_by_role("link", name="Organisaties").click()
    page.get_by_label("Naam, ondernemingsnummer of e-mailadres van een contactpersoon").fill(
        "contact@voorbeeld.be")
    page.get_by_role("button", name="Zoeken").click()
    check_page(page, "beheer organisaties zoeken")
    page.get_by_role("link", name="Demo vzw").click()
    expect(page.get_by_role("heading", level=1, name="Demo vzw")).to_be_visible()
    check_page(page, "beheer organisatie")
    page.get_by_role("link", name="Lidmaatschap beëindigen").click()
    expect(page.get_by_label("Lidmaatschap eindigt op")).to_be_visible()
    check_page(page, "beheer lidmaatschap beeindigen")
    page.go_back()
    page.get_by_role("link", name="Alle gegevens van Koen Claes").click()
    check_page(page, "beheer gegevens van een persoon")

    staff_link(page, "Nieuwsbrieven").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, "beheer nieuwsbrieven")

    page.goto(demo_site + "/beheer/datalekken")
    expect(page.get_by_role("heading", level=1, name="Datalekken")).to_be_visible()
    check_page(page, "beheer datalekken")
    page.get_by_role("link", name="Een incident registreren").click()
    check_page(page, "beheer datalek registreren")
    page.get_by_label("Korte titel").fill("USB-stick verloren")
    page.get_by_label("Wat is er gebeurd?").fill("Een USB-stick met een ledenlijst is verloren.")
    page.get_by_label("Ontdekt op").fill("2026-01-10T09:30")
    page.get_by_label("Welke gegevens zijn getroffen?").fill("namen en e-mailadressen")
    page.get_by_label("Ondernemingsnummers van de getroffen organisaties").fill("0448.444.064")
    page.get_by_label("Hoog: de betrokkenen krijgen een bericht").check()
    page.get_by_role("button", name="Incident registreren").click()
    expect(page.get_by_text("De termijn is")).to_be_visible()
    check_page(page, "beheer datalek")
    page.get_by_role("button", name="Bericht mailen").click()
    expect(page.get_by_text("Er is een bericht gemaild naar 3 personen.")).to_be_visible()
    page.goto(demo_site + "/beheer/datalekken")
    expect(page.get_by_role("link", name="USB-stick verloren")).to_be_visible()
    check_page(page, "beheer datalekken met incident")

    page.goto(demo_site + "/beheer/audit")
    expect(page.get_by_role("heading", level=1, name="Auditlog")).to_be_visible()
    expect(page.get_by_role("cell", name="staff.viewed_personal_data").first).to_be_visible()
    check_page(page, "beheer auditlog")
