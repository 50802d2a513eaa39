"""Education leave in a real browser: a participant gives, corrects and withdraws consent."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from portal.education_leave import services
from portal.email import deliver_outbox
from portal.extensions import db
from portal.models import Enrolment, Training, User
from tests.browser.conftest import check_page, link_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "Demo-wachtwoord-2026"
CONSENT_LABEL = "Ik vraag een attest voor opleidingsverlof aan"


def _demo_enrolment() -> Enrolment:
    return db.session.scalar(select(Enrolment).order_by(Enrolment.id))


def _fields(enrolment_id: int) -> tuple:
    db.session.rollback()
    return tuple(db.session.execute(
        text("SELECT surname, given_name, birthplace, birth_date, residence "
             "FROM enrolments WHERE id = :id"), {"id": enrolment_id}).one())


def _fill(page, birth_date="14/03/1985", residence="9000 Gent"):
    page.get_by_label("Achternaam", exact=True).fill("Claes")
    page.get_by_label("Voornaam", exact=True).fill("Koen")
    page.get_by_label("Geboorteplaats", exact=True).fill("Mechelen")
    page.get_by_label("Geboortedatum", exact=True).fill(birth_date)
    page.get_by_label("Woonplaats", exact=True).fill(residence)


def test_participant_gives_corrects_and_withdraws_consent(page, demo_site):
    enrolment = _demo_enrolment()
    enrolment_id = enrolment.id
    link = demo_site + "/opleidingsverlof/" + services.make_participant_token(enrolment)

    page.goto(link)
    expect(page.get_by_role("heading", name="Opleidingsverlof", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Waarom we je gegevens vragen")).to_be_visible()
    expect(page.get_by_role("link", name="Lees meer in onze privacyverklaring")).to_be_visible()
    consent = page.get_by_label(CONSENT_LABEL)
    expect(consent).not_to_be_checked()
    check_page(page, "opleidingsverlof start")

    _fill(page)
    page.get_by_role("button", name="Mijn gegevens opslaan").click()
    expect(page.get_by_text("zonder toestemming bewaren we niets").first).to_be_visible()
    check_page(page, "opleidingsverlof zonder toestemming")
    assert _fields(enrolment_id) == (None, None, None, None, None)

    page.get_by_label(CONSENT_LABEL).check()
    _fill(page, birth_date="31/02/1990")
    page.get_by_role("button", name="Mijn gegevens opslaan").click()
    expect(page.get_by_text("Deze datum bestaat niet").first).to_be_visible()
    check_page(page, "opleidingsverlof datum bestaat niet")
    assert _fields(enrolment_id) == (None, None, None, None, None)

    page.get_by_label(CONSENT_LABEL).check()
    _fill(page)
    page.get_by_role("button", name="Mijn gegevens opslaan").click()
    expect(page.get_by_text("Je toestemming en je gegevens zijn opgeslagen")).to_be_visible()
    expect(page.get_by_text("14 maart 1985")).to_be_visible()
    check_page(page, "opleidingsverlof toestemming gegeven")
    assert _fields(enrolment_id)[0] == "Claes"

    page.get_by_label("Woonplaats", exact=True).fill("2800 Mechelen")
    page.get_by_role("button", name="Verbeteringen opslaan").click()
    expect(page.get_by_text("Je gegevens zijn verbeterd")).to_be_visible()
    check_page(page, "opleidingsverlof verbeterd")
    assert _fields(enrolment_id)[4] == "2800 Mechelen"

    page.get_by_role("link", name="Mijn aanwezigheidsattest afdrukken").click()
    expect(page.get_by_role("heading", name="Aanwezigheidsattest")).to_be_visible()
    check_page(page, "opleidingsverlof attest deelnemer")
    page.get_by_role("link", name="Terug").click()

    page.get_by_role("link", name="Mijn toestemming intrekken").click()
    expect(page.get_by_role("heading", name="Toestemming intrekken")).to_be_visible()
    check_page(page, "opleidingsverlof intrekken bevestigen")
    assert _fields(enrolment_id)[0] == "Claes"
    page.get_by_role("button", name="Ja, intrekken en wissen").click()
    expect(page.get_by_text("Je toestemming is ingetrokken en je gegevens zijn gewist")
           ).to_be_visible()
    expect(page.get_by_label(CONSENT_LABEL)).not_to_be_checked()
    check_page(page, "opleidingsverlof ingetrokken")
    assert _fields(enrolment_id) == (None, None, None, None, None)

    page.goto(link[:-4] + "abcd")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    check_page(page, "opleidingsverlof link werkt niet")


def test_contact_opens_the_page_from_the_dashboard(page, demo_site):
    page.goto(demo_site + "/aanmelden")
    page.get_by_label("E-mailadres").fill("contact@voorbeeld.be")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    # Consent not given yet: a task with its explanation and one button, above the cards.
    task = page.get_by_role("region", name="Te doen").get_by_role("listitem").filter(
        has_text="Opleidingsverlof voor Arbeidsrecht in de socioculturele sector")
    expect(task).to_contain_text("alleen met je toestemming")
    panel = page.get_by_role("region", name="Opleidingsverlof")
    expect(panel.get_by_text("nog geen toestemming")).to_be_visible()
    check_page(page, "mijn portaal met opleidingsverlof")
    task.get_by_role("link", name=re.compile("Meer lezen en toestemming geven")).click()
    expect(page.get_by_role("heading", name="Opleidingsverlof", exact=True)).to_be_visible()
    page.get_by_label(CONSENT_LABEL).check()
    _fill(page)
    page.get_by_role("button", name="Mijn gegevens opslaan").click()
    expect(page.get_by_text("Je toestemming en je gegevens zijn opgeslagen")).to_be_visible()
    page.goto(demo_site + "/")
    expect(panel.get_by_text("toestemming gegeven")).to_be_visible()
    expect(page.get_by_role("region", name="Te doen")).not_to_contain_text("Opleidingsverlof")
    panel.get_by_role("link", name=re.compile("Mijn aanwezigheidsattest afdrukken")).click()
    expect(page.get_by_text("Mechelen").first).to_be_visible()


def test_outside_participant_gets_the_link_by_mail(page, demo_site, mails):
    staff = db.session.scalar(select(User).where(User.is_staff))
    training = db.session.scalar(select(Training))
    services.enrol_participant(staff, training, is_contact=False, email="els@elders.be",
                               name="Els Elders", organisation_name="Elders vzw")
    db.session.commit()  # the test plays the staff request
    deliver_outbox()  # outside a request the mail worker delivers the queue
    message = mails()[-1]
    assert message["To"] == "els@elders.be"
    link = link_in(message, "/opleidingsverlof/")
    # the testing config's SERVER_NAME names the host outside a request: keep only the path
    page.goto(demo_site + "/opleidingsverlof/" + link.split("/opleidingsverlof/", 1)[1])
    expect(page.get_by_text("Dag Els Elders")).to_be_visible()
    expect(page.get_by_label(CONSENT_LABEL)).not_to_be_checked()


def test_staff_pages_pass_the_checks(page, demo_site, app):
    """Staff log in with a second factor (another flow): render the pages through a test
    client with a staff session and check them in the browser with the portal's stylesheet."""
    from tests.conftest import log_in

    app.config["STAFF_ACCESS_CHECK"] = None
    staff = db.session.scalar(select(User).where(User.is_staff))
    enrolment = _demo_enrolment()
    enrolment_id, training_id = enrolment.id, enrolment.training_id
    participant_client = app.test_client()
    participant_client.post(
        "/opleidingsverlof/" + services.make_participant_token(enrolment),
        data={"surname": "Claes", "given_name": "Koen", "birthplace": "Mechelen",
              "birth_date": "14/03/1985", "residence": "9000 Gent", "consent": "y"})
    client = app.test_client()
    log_in(client, staff)
    attestation = f"/beheer/opleidingen/{training_id}/deelnemers/{enrolment_id}/attest"
    pages = {  # name: (the URL the page comes from, its response)
        "beheer opleidingen": ("/beheer/opleidingen", client.get("/beheer/opleidingen")),
        "beheer nieuwe opleiding": ("/beheer/opleidingen/nieuw",
                                    client.get("/beheer/opleidingen/nieuw")),
        "beheer nieuwe opleiding fout": ("/beheer/opleidingen/nieuw", client.post(
            "/beheer/opleidingen/nieuw",
            data={"title": "", "starts_on": "2027-03-01", "ends_on": "2027-02-01",
                  "periods": "geen periode"})),
        "beheer opleiding": (f"/beheer/opleidingen/{training_id}",
                             client.get(f"/beheer/opleidingen/{training_id}")),
        "beheer inschrijven": (f"/beheer/opleidingen/{training_id}/inschrijven",
                               client.get(f"/beheer/opleidingen/{training_id}/inschrijven")),
        "beheer inschrijven fout": (f"/beheer/opleidingen/{training_id}/inschrijven", client.post(
            f"/beheer/opleidingen/{training_id}/inschrijven",
            data={"participant_type": "contact", "email": "niemand@nergens.be"})),
        "beheer attest": (attestation, client.get(attestation)),
    }
    page.goto(demo_site + "/aanmelden")  # same origin, so the stylesheets load
    for name, (path, response) in pages.items():
        assert response.status_code == 200, name
        page.set_content(response.get_data(as_text=True))
        expect(page.locator("h1")).to_have_count(1)
        check_page(page, name, path=path)
