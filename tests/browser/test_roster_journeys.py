"""The primary contact keeps the organisation and its contacts; an invitee gets in."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, link_in, log_out

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"


def _on_site(site: str, link: str) -> str:
    """The mailed link on the live server: the testing config's SERVER_NAME ("localhost")
    makes links built during a request point at http://localhost."""
    parts = urlsplit(link)
    return site + parts.path + (f"?{parts.query}" if parts.query else "")


def _log_in(page, site, email, password=DEMO_PASSWORD):
    page.goto(site + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()


def test_primary_edits_the_organisation_and_invites_a_contact(page, demo_site, mails):
    _log_in(page, demo_site, "primair@voorbeeld.be")
    check_page(page, "mijn portaal primair")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link",
                                                                 name="Organisatie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo vzw")
    check_page(page, "organisatie bewerken")
    page.get_by_label("Rekeningnummer (IBAN)").fill("BE68 5390 0754 7035")
    page.get_by_role("button", name="Opslaan").click()
    error = page.locator("#iban-fout")
    expect(error).to_have_text(re.compile("Dit is geen geldig IBAN-nummer"))
    expect(page.get_by_label("Rekeningnummer (IBAN)")).to_have_attribute("aria-invalid", "true")
    check_page(page, "organisatie met fout")

    page.get_by_label("Rekeningnummer (IBAN)").fill("BE71 0961 2345 6769")
    page.get_by_label("BIC").fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De gegevens van de organisatie zijn bewaard.")).to_be_visible()
    expect(page.get_by_label("Rekeningnummer (IBAN)")).to_have_value("BE71 0961 2345 6769")
    expect(page.get_by_label("BIC")).to_have_value("GKCCBEBB")
    check_page(page, "organisatie bewaard")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Contactpersonen").click()
    expect(page.get_by_role("heading", name="Contactpersonen")).to_be_visible()
    check_page(page, "contactpersonen")
    # Rights are tags, not "ja/nee"; the less common actions sit behind "Meer".
    primary_row = page.get_by_role("row").filter(has_text="primair@voorbeeld.be")
    expect(primary_row.locator(".tag")).to_have_text(
        ["primaire contactpersoon", "Adviesdienst", "Nieuwsbrieven", "Website"])
    expect(page.locator("table.roster")).not_to_contain_text(re.compile(r"\b(ja|nee)\b"))
    # On a phone each row becomes a card whose cells name their column.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_role("columnheader", name="Naam en functie")).not_to_be_in_viewport()
    first_cell = page.locator("table.responsive td[data-label]").first
    assert first_cell.evaluate("cell => getComputedStyle(cell, '::before').content") == (
        '"E-mail en telefoon"')
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("link", name="Contactpersoon toevoegen").click()
    check_page(page, "contactpersoon toevoegen")
    page.get_by_label("Voornaam").fill("Nina")
    page.get_by_label("Achternaam").fill("Nieuw")
    page.get_by_label("Professioneel e-mailadres").fill("not-an-address")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#email-fout")).to_have_text(re.compile("Geef een geldig e-mailadres"))
    check_page(page, "contactpersoon toevoegen met fout")
    page.get_by_label("Professioneel e-mailadres").fill("nina.nieuw@voorbeeld.be")
    page.get_by_label("Functie").fill("Coördinator")
    page.get_by_label("Mag zich aanmelden in het ledenportaal").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Nina Nieuw is toegevoegd.")).to_be_visible()
    expect(page.get_by_role("cell", name="nina.nieuw@voorbeeld.be")).to_be_visible()
    check_page(page, "contactpersonen na toevoegen")

    row = page.get_by_role("row").filter(has_text="contact@voorbeeld.be")
    row.get_by_role("link", name="Bewerken Koen Claes").click()
    expect(page.get_by_label("Voornaam")).to_have_value("Koen")
    check_page(page, "contactpersoon bewerken")
    page.get_by_label("Functie").fill("Boekhouder")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De gegevens van Koen Claes zijn bewaard.")).to_be_visible()

    row = page.get_by_role("row").filter(has_text="sara.janssens@voorbeeld.be")
    row.locator("details.action-menu > summary").click()
    check_page(page, "contactpersonen met acties open")
    row.get_by_role("link", name=re.compile("Verwijderen")).click()
    expect(page.get_by_role("heading", name="Sara Janssens verwijderen?")).to_be_visible()
    check_page(page, "contactpersoon verwijderen")
    page.get_by_role("button", name="Definitief verwijderen").click()
    expect(page.get_by_text("Sara Janssens is verwijderd")).to_be_visible()
    expect(page.get_by_role("cell", name="sara.janssens@voorbeeld.be")).to_have_count(0)

    log_out(page)
    invitation = [m for m in mails() if m["To"] == "nina.nieuw@voorbeeld.be"][-1]
    page.goto(_on_site(demo_site, link_in(invitation, "/uitnodiging/")))
    check_page(page, "uitnodiging aanvaarden")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("fietsen langs de schelde in mei")
    page.get_by_label("Nieuw wachtwoord herhalen").fill("fietsen langs de schelde in mei")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Je wachtwoord is ingesteld.")).to_be_visible()
    log_out(page)
    _log_in(page, demo_site, "nina.nieuw@voorbeeld.be", "fietsen langs de schelde in mei")
    expect(page.get_by_text("Welkom, Nina Nieuw.")).to_be_visible()
    check_page(page, "mijn portaal nieuwe contactpersoon")


def test_a_contact_corrects_own_details_and_accepts_the_primary_role(page, demo_site, mails):
    _log_in(page, demo_site, "contact@voorbeeld.be")
    page.get_by_role("link", name="Organisatie").first.click()
    expect(page.get_by_text("0448.444.064").or_(page.get_by_text("Ondernemingsnummer"))
           .first).to_be_visible()
    check_page(page, "organisatie lezen")
    page.get_by_role("link", name="Mijn portaal").first.click()
    page.get_by_role("link", name="Mijn contactgegevens verbeteren").click()
    check_page(page, "mijn contactgegevens")
    page.get_by_label("Professioneel telefoonnummer").fill("12")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#phone-fout")).to_be_visible()
    check_page(page, "mijn contactgegevens met fout")
    page.get_by_label("Professioneel telefoonnummer").fill("09 233 44 55")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Je contactgegevens zijn bewaard.")).to_be_visible()
    log_out(page)

    _log_in(page, demo_site, "primair@voorbeeld.be")
    page.goto(demo_site + "/contactpersonen")
    row = page.get_by_role("row").filter(has_text="contact@voorbeeld.be")
    row.locator("details.action-menu > summary").click()
    row.get_by_role("link", name=re.compile("Primaire contactpersoon maken")).click()
    check_page(page, "primair voorstellen")
    page.get_by_role("button", name="Voorstel versturen").click()
    expect(page.get_by_text(re.compile("We hebben .* een link gemaild"))).to_be_visible()
    check_page(page, "contactpersonen met voorstel")
    log_out(page)

    proposal = [m for m in mails() if m["To"] == "contact@voorbeeld.be"][-1]
    page.goto(_on_site(demo_site, link_in(proposal, "/contactpersonen/primair/aanvaarden/")))
    page.get_by_label("E-mailadres").fill("contact@voorbeeld.be")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Primaire contactpersoon worden")).to_be_visible()
    check_page(page, "primaire rol aanvaarden")
    page.get_by_role("button", name="Bevestigen en rol aanvaarden").click()
    expect(page.get_by_text("Je bent nu de primaire contactpersoon van Demo vzw.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Contactpersonen")).to_be_visible()
    check_page(page, "mijn portaal nieuwe primaire contactpersoon")


def test_a_proposed_contact_declines_the_primary_role_from_the_dashboard(page, demo_site,
                                                                         mails):
    _log_in(page, demo_site, "primair@voorbeeld.be")
    page.goto(demo_site + "/contactpersonen")
    row = page.get_by_role("row").filter(has_text="contact@voorbeeld.be")
    row.locator("details.action-menu > summary").click()
    row.get_by_role("link", name=re.compile("Primaire contactpersoon maken")).click()
    page.get_by_role("button", name="Voorstel versturen").click()
    log_out(page)

    _log_in(page, demo_site, "contact@voorbeeld.be")
    tasks = page.get_by_role("region", name="Te doen")
    expect(tasks.get_by_role("heading", name="Primaire contactpersoon van Demo vzw worden?")
           ).to_be_visible()
    expect(tasks.get_by_role("link", name="Lezen en aanvaarden")).to_be_visible()
    check_page(page, "mijn portaal met voorstel")
    tasks.get_by_role("button", name="Weigeren").click()
    expect(page.get_by_text("Je hebt het voorstel geweigerd.")).to_be_visible()
    expect(page.get_by_role("button", name="Weigeren")).to_have_count(0)
    check_page(page, "mijn portaal voorstel geweigerd")
    told = [m for m in mails() if m["To"] == "primair@voorbeeld.be"][-1]
    assert told["Subject"] == "Koen Claes neemt de rol van primaire contactpersoon niet op"
