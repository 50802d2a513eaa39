"""Newsletters in a real browser: switch a list off, unsubscribe from a mail, sign up."""

import pytest
from playwright.sync_api import expect

from portal.email import deliver_outbox
from portal.jobs import run_due_jobs
from portal.newsletters.services import send_mailing
from portal.unit_of_work import transactional
from tests.browser.conftest import check_page, link_in, log_out

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"


@pytest.fixture(autouse=True)
def _links_to_the_live_server(app):
    # TestingConfig's SERVER_NAME "localhost" would put http://localhost/ in mail links;
    # without it links take their host from the request or BASE_URL, as in production.
    app.config["SERVER_NAME"] = None


def _mailing(slug: str, subject: str) -> None:
    """What `flask newsletter send` does: start the mailing, run its job; then deliver."""
    transactional(send_mailing)(slug, subject, "Beste lezer,\n\nHet nieuws van deze maand.")
    run_due_jobs()
    deliver_outbox()


def _mails_to(mails, address: str, subject: str):
    return [m for m in mails() if m["To"] == address and m["Subject"] == subject]


def test_contact_switches_a_newsletter_off_and_unsubscribes_from_a_mail(
    page, demo_site, mails, app
):
    page.goto(demo_site + "/aanmelden")
    page.get_by_label("E-mailadres").fill("contact@voorbeeld.be")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    panel = page.get_by_role("region", name="Nieuwsbrieven")
    expect(panel.get_by_text("Je ontvangt 4 van 4 lijsten:")).to_be_visible()
    check_page(page, "nieuwsbrieven dashboard")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Nieuwsbrieven").click()
    expect(page.get_by_role("heading", name="Nieuwsbrieven", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Lees onze privacyverklaring")).to_be_visible()
    check_page(page, "nieuwsbrieven voorkeuren")
    switch = page.get_by_role("switch", name="E-zine")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.get_by_role("button", name="Mijn keuze bewaren").click()
    expect(page.get_by_text("Je keuze is bewaard.")).to_be_visible()
    expect(page.get_by_role("switch", name="E-zine")).not_to_be_checked()
    check_page(page, "nieuwsbrieven voorkeuren bewaard")
    log_out(page)

    _mailing("e-zine", "E-zine van maart")
    _mailing("newsflash", "Newsflash: nieuwe regelgeving")
    assert _mails_to(mails, "contact@voorbeeld.be", "E-zine van maart") == []
    [newsflash] = _mails_to(mails, "contact@voorbeeld.be", "Newsflash: nieuwe regelgeving")
    assert newsflash["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link_in(newsflash, "/nieuwsbrieven/afmelden/"))  # not logged in
    # One button for exactly the list of the mail; opening the page changes nothing.
    expect(page.get_by_role("heading", name="Uitschrijven voor de newsflash")).to_be_visible()
    button = page.get_by_role("button", name="Uitschrijven voor de newsflash")
    expect(button).to_be_visible()
    expect(page.get_by_role("switch", name="Newsflash")).to_have_count(0)
    expect(page.get_by_role("switch", name="Nieuwsbrief")).to_be_checked()
    expect(page.get_by_role("switch", name="E-zine")).not_to_be_checked()
    check_page(page, "nieuwsbrieven afmelden via mail")
    page.reload()
    expect(button).to_be_visible()  # still subscribed: the visit changed nothing
    button.click()
    expect(page.get_by_role("heading", name="Je bent uitgeschreven")).to_be_visible()
    expect(page.get_by_text("Je ontvangt de newsflash niet meer.")).to_be_visible()
    check_page(page, "nieuwsbrieven afgemeld via mail")
    page.get_by_role("link", name="Beheer je nieuwsbrieven").click()
    expect(page.get_by_text("Je bent uitgeschreven voor de newsflash")).to_be_visible()
    expect(page.get_by_role("switch", name="Nieuwsbrief")).to_be_checked()
    page.get_by_role("switch", name="Uitnodigingen").uncheck()
    page.get_by_role("button", name="Mijn keuze bewaren").click()
    expect(page.get_by_text("Je keuze is bewaard.")).to_be_visible()
    expect(page.get_by_role("switch", name="Uitnodigingen")).not_to_be_checked()
    expect(page.get_by_text("Je bent uitgeschreven voor de newsflash")).to_be_visible()
    check_page(page, "nieuwsbrieven andere lijsten bewaard")

    page.goto(link_in(newsflash, "/nieuwsbrieven/afmelden/") + "x")
    expect(page.get_by_role("heading", name="Link niet geldig")).to_be_visible()
    expect(page.get_by_text("Er is niets gewijzigd.")).to_be_visible()
    check_page(page, "nieuwsbrieven link ongeldig")


def test_public_sign_up_and_confirmation_by_mail(page, demo_site, mails):
    page.goto(demo_site + "/nieuwsbrief/inschrijven")
    expect(page.get_by_role("heading", name="Schrijf je in op onze nieuwsbrieven")).to_be_visible()
    consent = page.get_by_role("checkbox", name="Ik geef Sociare toestemming")
    expect(consent).not_to_be_checked()
    check_page(page, "nieuwsbrief inschrijven")

    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_text("Vul je naam in.").first).to_be_visible()
    expect(page.get_by_text("Vink het vakje aan om je toestemming te geven").first).to_be_visible()
    check_page(page, "nieuwsbrief inschrijven met fouten")

    page.get_by_label("Naam", exact=True).fill("Eva Extern")
    page.get_by_label("Organisatie (niet verplicht)").fill("Vzw Extern")
    page.get_by_label("E-mailadres", exact=True).fill("eva@extern.be")
    page.get_by_role("checkbox", name="E-zine").check()
    page.get_by_role("checkbox", name="Uitnodigingen").check()
    page.get_by_role("checkbox", name="Ik geef Sociare toestemming").check()
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("heading", name="Bevestig je adres")).to_be_visible()
    check_page(page, "nieuwsbrief inschrijving verstuurd")

    [confirmation] = [m for m in mails() if m["To"] == "eva@extern.be"]
    assert confirmation["List-Unsubscribe"] is None
    page.goto(link_in(confirmation, "/nieuwsbrief/bevestigen/"))
    expect(page.get_by_role("heading", name="Bevestig je inschrijving")).to_be_visible()
    check_page(page, "nieuwsbrief bevestigen")
    page.get_by_role("button", name="Mijn inschrijving bevestigen").click()
    expect(page.get_by_role("heading", name="Inschrijving bevestigd")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="E-zine")).to_be_visible()
    check_page(page, "nieuwsbrief bevestigd")
    # The same link again: nothing to confirm a second time.
    page.goto(link_in(confirmation, "/nieuwsbrief/bevestigen/"))
    expect(page.get_by_role("heading", name="Al bevestigd")).to_be_visible()
    expect(page.get_by_role("button", name="Mijn inschrijving bevestigen")).to_have_count(0)
    check_page(page, "nieuwsbrief al bevestigd")

    page.goto(demo_site + "/nieuwsbrieven/afmelden")
    check_page(page, "nieuwsbrieven link aanvragen")
    page.get_by_label("E-mailadres", exact=True).fill("eva@extern.be")
    page.get_by_role("button", name="Stuur me een link").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    check_page(page, "nieuwsbrieven link aangevraagd")
