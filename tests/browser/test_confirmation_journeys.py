"""The annual confirmation in a real browser: the demo primary contact walks it to the end."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal import clock
from tests.browser.conftest import check_page, log_in_as_staff, staff_link

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def test_primary_contact_confirms_the_data_leaving_and_resuming(page, demo_site):
    log_in(page, demo_site, "primair@voorbeeld.be")
    # The open confirmation is the first task on the dashboard, above the cards.
    tasks = page.get_by_role("region", name="Te doen")
    task = tasks.get_by_role("listitem").filter(has_text="Jaarlijkse bevestiging")
    expect(task).to_contain_text("uiterlijk")
    assert page.evaluate("""() => document.querySelector('#te-doen').compareDocumentPosition(
        document.querySelector('#overzicht')) & Node.DOCUMENT_POSITION_FOLLOWING""")
    check_page(page, "bevestiging banner")

    task.get_by_role("link", name="De bevestiging starten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jaarlijkse bevestiging")
    check_page(page, "bevestiging start")
    page.get_by_role("link", name="Beginnen").click()

    # Step 1: the organisation data, prefilled and editable in place.
    expect(page.get_by_role("heading", name="Stap 1: organisatiegegevens")).to_be_visible()
    expect(page.get_by_label("Naam van de organisatie")).to_have_value("Demo vzw")
    check_page(page, "bevestiging organisatie")
    page.get_by_label("Postcode").fill("99")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_page(page, "bevestiging organisatie met fout")
    page.get_by_label("Postcode").fill("1000")
    page.get_by_label("Aantal werknemers").fill("14")
    page.get_by_role("button", name="Opslaan en verder").click()

    # Step 2: each contact in turn, the primary contact first.
    expect(page.get_by_role("heading", name="Stap 2: contactpersoon 1 van 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Pia Peeters")).to_be_visible()
    check_page(page, "bevestiging contactpersoon")
    page.get_by_role("button", name="Nog juist").click()
    expect(page.get_by_role("heading", name="Koen Claes")).to_be_visible()
    page.get_by_role("link", name="Alle contactpersonen").click()
    check_page(page, "bevestiging contactpersonen overzicht")
    page.go_back()
    page.get_by_role("main").get_by_role("link", name="Wijzigen", exact=True).click()
    expect(page.get_by_role("heading", name="Koen Claes wijzigen")).to_be_visible()
    check_page(page, "bevestiging contactpersoon wijzigen")
    page.get_by_label("Functie").fill("Directeur")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", name="Stap 2: contactpersoon 3 van 3")).to_be_visible()

    # Leave, come back: the flow resumes at the next contact, what was saved is kept.
    page.get_by_role("link", name="Mijn portaal").click()
    page.get_by_role("link", name="Jaarlijkse bevestiging", exact=True).click()
    check_page(page, "bevestiging hervatten")
    page.get_by_role("link", name="Verder gaan").click()
    expect(page.get_by_role("heading", name="Sara Janssens")).to_be_visible()

    page.get_by_role("link", name="Verwijderen").click()
    expect(page.get_by_role("heading", name="Sara Janssens verwijderen?")).to_be_visible()
    check_page(page, "bevestiging contactpersoon verwijderen")
    page.get_by_role("button", name="Ja, Sara Janssens verwijderen").click()

    # Step 3: the data being confirmed, the summary of changes, the unticked declaration.
    expect(page.get_by_role("heading", name="Stap 3: bevestigen")).to_be_visible()
    organisation = page.get_by_role("region", name=re.compile("Demo vzw"))
    expect(organisation.get_by_text("14", exact=True)).to_be_visible()
    for name in ("Pia Peeters", "Koen Claes"):
        expect(page.get_by_role("region", name=re.compile(name))).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Koen Claes"))).to_contain_text(
        "Directeur")
    expect(page.get_by_role("region", name=re.compile("Sara Janssens"))).to_have_count(0)
    expect(page.get_by_text("Organisatiegegevens gewijzigd: Aantal werknemers")).to_be_visible()
    expect(page.get_by_text("1 contactpersoon gewijzigd (Functie)")).to_be_visible()
    expect(page.get_by_text("1 contactpersoon verwijderd")).to_be_visible()
    declaration = page.get_by_label("Ik bevestig dat deze gegevens juist en volledig zijn")
    expect(declaration).not_to_be_checked()
    check_page(page, "bevestiging samenvatting")
    page.get_by_role("button", name="Gegevens bevestigen").click()
    expect(page.get_by_text("Vink het vakje aan").first).to_be_visible()
    check_page(page, "bevestiging zonder vinkje")
    page.get_by_label("Ik bevestig dat deze gegevens juist en volledig zijn").check()
    page.get_by_role("button", name="Gegevens bevestigen").click()

    expect(page.get_by_text("Bedankt: de gegevens van je organisatie zijn bevestigd.")
           ).to_be_visible()
    expect(page.get_by_text(re.compile("Bevestigd op .* door Pia Peeters"))).to_be_visible()
    check_page(page, "bevestiging bevestigd")
    page.get_by_role("link", name="Terug naar mijn portaal").click()
    expect(page.get_by_role("region", name=re.compile("Jaarlijkse bevestiging"))
           ).to_contain_text("Bevestigd op")
    expect(page.get_by_role("region", name="Te doen")).to_contain_text("Er is nu niets te doen")
    check_page(page, "bevestiging banner bevestigd")


def test_an_ordinary_contact_sees_the_status_only(page, demo_site):
    log_in(page, demo_site, "contact@voorbeeld.be")
    card = page.get_by_role("region", name=re.compile("Jaarlijkse bevestiging"))
    expect(card.get_by_text("nog niet bevestigd", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Jaarlijkse bevestiging")).to_have_count(0)
    page.goto(demo_site + "/bevestiging")
    expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()


def test_staff_follow_the_campaign(page, demo_site):
    log_in_as_staff(page, demo_site)
    page.goto(demo_site + "/beheer/campagnes")
    expect(page.get_by_role("heading", name="Bevestigingscampagnes")).to_be_visible()
    check_page(page, "campagnes")
    page.get_by_role("link", name=re.compile(r"^Campagne \d{4}$")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Campagne \d{4}$"))).to_be_visible()
    check_page(page, "campagne voortgang")
    page.get_by_label("Status").select_option(label="Niet bevestigd")
    page.get_by_label("Naam van de organisatie").fill("Demo")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("2 organisaties gevonden")).to_be_visible()
    check_page(page, "campagne voortgang gefilterd")


def test_staff_open_a_campaign_and_see_its_progress(page, demo_site, mails):
    # The demo already has the campaign of this or next year; open the one after it.
    year = clock.today().year + 2
    log_in_as_staff(page, demo_site)
    staff_link(page, "Campagnes").click()
    expect(page.get_by_role("heading", name="Bevestigingscampagnes")).to_be_visible()

    page.get_by_label("Jaar").fill(str(year))
    page.get_by_label("Uiterste datum").fill(clock.today().isoformat())
    page.get_by_role("button", name="Campagne openen").click()
    expect(page.get_by_text("De uiterste datum moet in de toekomst liggen.").first).to_be_visible()
    expect(page.get_by_label("Uiterste datum")).to_have_attribute("aria-invalid", "true")
    check_page(page, "campagne openen met fout")

    page.get_by_label("Uiterste datum").fill((clock.today() + timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Campagne openen").click()
    expect(page.get_by_role("heading", name=f"Campagne {year}")).to_be_visible()
    expect(page.get_by_text(re.compile(f"Campagne {year} is geopend"))).to_be_visible()
    added = re.search(r"(\d+) organisaties toegevoegd", page.content()).group(1)
    expect(page.get_by_text(f"{added} organisaties gevonden")).to_be_visible()
    check_page(page, "campagne geopend")
    invitations = [m for m in mails() if "bevestig" in (m["Subject"] or "").lower()]
    assert {m["To"] for m in invitations} >= {"primair@voorbeeld.be"}

    page.get_by_role("link", name="Alle campagnes").click()
    row = page.get_by_role("row").filter(has_text=f"Campagne {year}")
    expect(row.get_by_role("cell", name="open", exact=True)).to_be_visible()
    check_page(page, "campagnes met nieuwe campagne")
