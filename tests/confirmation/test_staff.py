"""Staff open a campaign, follow its progress and export it as CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from portal import clock
from portal.confirmation import flow
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Confirmation,
    ConfirmationCampaign,
    Contact,
    Job,
    Organisation,
)
from portal.organisation.labels import DATA_FIELDS

YEAR = clock.today().year + 1


def test_staff_open_a_campaign_once_per_year(app, member, other_member, make_staff,
                                             login_as, outbox):
    client = login_as(make_staff())
    page = client.get("/beheer/campagnes").get_data(as_text=True)
    assert "Er is nog geen campagne geopend." in page
    deadline = clock.today() + timedelta(days=60)
    response = client.post("/beheer/campagnes", data={"year": YEAR,
                                                      "deadline": deadline.isoformat()})
    assert response.status_code == 302
    campaign = db.session.scalar(select(ConfirmationCampaign))
    assert response.headers["Location"].endswith(f"/beheer/campagnes/{campaign.id}")
    # The request only queued the invitations job; it ran after the response (the worker
    # does in production) and the outbox delivered its mails.
    job = db.session.scalar(select(Job))
    assert job.kind == "confirmation.invitations" and job.finished_at is not None
    assert (job.done, job.total) == (2, 2)
    assert len(outbox) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<dd id="uitnodigingen-klaar">2</dd>' in page
    assert '<dd id="uitnodigingen-verstuurd">2</dd>' in page

    # The same year again: no second campaign, no second mail.
    client.post("/beheer/campagnes", data={"year": YEAR, "deadline": deadline.isoformat()})
    assert len(outbox) == 2
    assert db.session.scalar(select(func.count(ConfirmationCampaign.id))) == 1

    # Bad input: a Dutch error beside the field, nothing opened.
    response = client.post("/beheer/campagnes", data={"year": YEAR + 1, "deadline": "gisteren"})
    assert response.status_code == 200
    assert "Vul de uiterste datum in als datum." in response.get_data(as_text=True)
    response = client.post("/beheer/campagnes", data={
        "year": YEAR + 1, "deadline": (clock.today() - timedelta(days=1)).isoformat()})
    assert "De uiterste datum moet in de toekomst liggen." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ConfirmationCampaign.id))) == 1


def test_opening_queues_the_invitations_and_the_page_follows_them(
    app, member, other_member, make_staff, login_as, outbox
):
    """No mail in the request: the job waits for the worker, the page says how far it is."""
    from portal.email import deliver_outbox
    from portal.jobs import run_due_jobs

    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False  # as in production: the worker sends
    client = login_as(make_staff())
    deadline = clock.today() + timedelta(days=60)
    response = client.post("/beheer/campagnes", data={"year": YEAR,
                                                      "deadline": deadline.isoformat()})
    assert response.status_code == 302
    assert len(outbox) == 0
    assert db.session.scalar(select(func.count(Confirmation.id)).where(
        Confirmation.invited_at.is_not(None))) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De uitnodigingen staan klaar: ze vertrekken zo meteen." in page
    assert '<dd id="uitnodigingen-klaar">0</dd>' in page

    # The worker runs the job: the invitations are queued in the outbox, not yet sent.
    assert run_due_jobs() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<dd id="uitnodigingen-klaar">2</dd>' in page
    assert '<dd id="uitnodigingen-verstuurd">0</dd>' in page
    assert "2 uitnodigingen wachten op de mailserver" in page
    assert deliver_outbox() == (2, 0)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<dd id="uitnodigingen-verstuurd">2</dd>' in page
    assert "wachten op de mailserver" not in page and "staan klaar" not in page
    assert len(outbox) == 2


def test_the_campaigns_list_counts_in_one_statement(app, make_org, make_staff, login_as):
    """No statement per campaign: one campaign or six, the list sends as many statements."""
    organisation = make_org()
    client = login_as(make_staff())

    def statements() -> int:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            page = client.get("/beheer/campagnes").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert "Campagne" in page
        return counter.count

    def add_campaign(year: int) -> None:
        campaign = ConfirmationCampaign(year=year, deadline=date(year, 1, 31))
        db.session.add(campaign)
        db.session.flush()
        db.session.add(Confirmation(campaign_id=campaign.id, organisation_id=organisation.id,
                                    progress={}, changes=[]))
        db.session.commit()

    add_campaign(YEAR)
    one = statements()
    for year in range(YEAR + 1, YEAR + 6):
        add_campaign(year)
    assert statements() == one
    page = client.get("/beheer/campagnes").get_data(as_text=True)
    assert page.count("0 van 1") == 6


@pytest.fixture
def big_campaign(app):
    """120 organisations: 30 confirmed (10 of them with changes), 90 not."""
    organisations = [Organisation(name=f"Organisatie {number:03d} vzw")
                     for number in range(120)]
    organisations[5].name = "=HYPERLINK(\"http://kwaad.example\") vzw"
    db.session.add_all(organisations)
    db.session.flush()
    campaign = ConfirmationCampaign(year=YEAR, deadline=date(YEAR, 1, 31))
    db.session.add(campaign)
    db.session.flush()
    now = datetime.now(UTC)
    for index, organisation in enumerate(organisations):
        confirmed = index % 4 == 0
        db.session.add(Confirmation(
            campaign_id=campaign.id, organisation_id=organisation.id, invited_at=now,
            confirmed_at=now if confirmed else None,
            confirmed_by_name="@Pia Peeters" if index == 0 else (
                "Pia Peeters" if confirmed else None),
            has_changes=confirmed and index % 12 == 0,
            changes=[{"kind": "organisation", "fields": ["phone"]}]
            if confirmed and index % 12 == 0 else [],
            progress={},
        ))
    db.session.commit()
    return campaign


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def test_the_progress_page_counts_with_a_few_queries(big_campaign, make_staff, login_as):
    client = login_as(make_staff())
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(f"/beheer/campagnes/{big_campaign.id}")
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<dd id="aantal-totaal">120</dd>' in page
    assert '<dd id="aantal-bevestigd">30</dd>' in page
    assert '<dd id="aantal-niet-bevestigd">90</dd>' in page
    assert '<dd id="aantal-gewijzigd">10</dd>' in page
    assert "120 organisaties gevonden" in page
    assert "Pagina 1 van 3" in page
    # Independent of the number of organisations: no query per organisation.
    assert counter.count < 15, counter.count

    page = client.get(f"/beheer/campagnes/{big_campaign.id}?pagina=3").get_data(as_text=True)
    assert "Organisatie 119 vzw" in page and "Volgende pagina" not in page


def test_the_list_filters_on_status_and_name(big_campaign, make_staff, login_as):
    client = login_as(make_staff())
    url = f"/beheer/campagnes/{big_campaign.id}"
    page = client.get(url + "?status=confirmed").get_data(as_text=True)
    assert "30 organisaties gevonden" in page
    page = client.get(url + "?status=changed").get_data(as_text=True)
    assert "10 organisaties gevonden" in page
    page = client.get(url + "?status=open&q=Organisatie+01").get_data(as_text=True)
    # 010..019 minus the confirmed 012 and 016.
    assert "8 organisaties gevonden" in page
    assert "Organisatie 011 vzw" in page and "Organisatie 012 vzw" not in page
    page = client.get(url + "?q=%25").get_data(as_text=True)
    assert "0 organisaties gevonden" in page  # a wildcard is searched as a character
    page = client.get(url + "?status=open&q=Organisatie+01&pagina=1").get_data(as_text=True)
    assert "8 organisaties gevonden" in page


def test_the_csv_export_opens_with_the_right_columns(big_campaign, make_staff, login_as):
    client = login_as(make_staff())
    response = client.get(f"/beheer/campagnes/{big_campaign.id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Organisatie", "Ondernemingsnummer", "Status", "Bevestigd op",
                       "Bevestigd door", "Wijzigingen", "Uitgenodigd op",
                       "Laatste herinnering"]
    assert len(rows) == 121
    by_name = {row[0]: row for row in rows[1:]}
    first = by_name["Organisatie 000 vzw"]
    assert first[2] == "Bevestigd"
    assert first[3] == datetime.now(ZoneInfo("Europe/Brussels")).strftime("%d-%m-%Y")
    assert first[4] == "'@Pia Peeters"  # formula characters are neutralised
    assert first[5] == "ja"
    assert by_name["Organisatie 001 vzw"][2] == "Niet bevestigd"
    assert by_name["Organisatie 001 vzw"][3] == ""
    assert "'=HYPERLINK(\"http://kwaad.example\") vzw" in by_name
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "confirmation_campaign.exported"))
    assert event is not None


def test_the_progress_shows_a_confirmation_made_in_the_flow(app, member, other_member,
                                                           open_campaign, make_staff,
                                                           login_as):
    campaign = open_campaign()
    organisation_id = member.organisation.id
    user = member.primary.user
    flow.save_organisation_step(
        organisation_id, user,
        {name: getattr(member.organisation, name) for name in DATA_FIELDS},
        member.organisation.version,
    )
    contacts = db.session.scalars(select(Contact.id).where(
        Contact.organisation_id == organisation_id)).all()
    for contact_id in contacts:
        flow.mark_contact_correct(organisation_id, user, contact_id)
    flow.confirm_annual_data(organisation_id, user, agreed=True)
    db.session.commit()  # the test plays the requests
    client = login_as(make_staff())
    page = client.get(f"/beheer/campagnes/{campaign.id}?status=confirmed").get_data(
        as_text=True)
    assert "Eerste vzw" in page and "Andere vzw" not in page
    assert "Pia Peeters" in page
