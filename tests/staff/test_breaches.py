"""The data-breach register: record, 72-hour countdown, authority, notice to the people."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, DataBreach

BRUSSELS = ZoneInfo("Europe/Brussels")


def _local(moment: datetime) -> str:
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")


def _actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_recording_an_incident_starts_the_countdown(staff_client, make_org):
    client, staff = staff_client
    organisation = make_org(enterprise_number="0448444064")
    discovered = datetime.now(UTC) - timedelta(hours=10, minutes=30)
    response = client.post("/beheer/datalekken/nieuw", data={
        "title": "Laptop gestolen", "description": "Laptop met ledenlijst gestolen.",
        "discovered_at": _local(discovered), "data_categories": "namen en e-mailadressen",
        "organisations": "0448.444.064", "risk_level": "high",
        "risk_assessment": "Phishing mogelijk."})
    assert response.status_code == 302
    breach = db.session.scalar(select(DataBreach))
    assert [o.id for o in breach.organisations] == [organisation.id]
    assert breach.created_by_user_id == staff.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # 72 h minus 10 h 30 min (the form drops the seconds): the server-rendered time left.
    assert re.search(r"Nog 61 u (29|30) min", page)
    assert "Gegevensbeschermingsautoriteit" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # only external scripts
    assert "breach.recorded" in _actions() and "staff.viewed_breach" in _actions()


def test_an_overdue_incident_says_the_deadline_passed(staff_client, make_breach):
    client, staff = staff_client
    breach = make_breach(staff, discovered_at=datetime.now(UTC) - timedelta(hours=80))
    page = client.get(f"/beheer/datalekken/{breach.id}").get_data(as_text=True)
    assert "De termijn is 8 u" in page and "geleden verstreken" in page
    listing = client.get("/beheer/datalekken").get_data(as_text=True)
    assert "termijn verstreken" in listing


def test_bad_input_is_refused_with_dutch_errors(staff_client, make_org):
    client, _ = staff_client
    page = client.post("/beheer/datalekken/nieuw", data={
        "title": "", "description": "x", "discovered_at": _local(datetime.now(UTC)),
        "data_categories": "namen", "risk_level": "low"}).get_data(as_text=True)
    assert "Vul een korte titel in." in page
    page = client.post("/beheer/datalekken/nieuw", data={
        "title": "t", "description": "x", "discovered_at": _local(datetime.now(UTC)),
        "data_categories": "namen", "risk_level": "low",
        "organisations": "0202.239.951"}).get_data(as_text=True)
    assert "Geen enkele lidorganisatie heeft dit ondernemingsnummer" in page
    page = client.post("/beheer/datalekken/nieuw", data={
        "title": "t", "description": "x",
        "discovered_at": _local(datetime.now(UTC) + timedelta(days=2)),
        "data_categories": "namen", "risk_level": "low"}).get_data(as_text=True)
    assert "kan niet in de toekomst liggen" in page
    assert db.session.scalar(select(DataBreach)) is None


def test_the_authority_notification_is_recorded_once(staff_client, make_breach):
    client, staff = staff_client
    breach = make_breach(staff)
    url = f"/beheer/datalekken/{breach.id}/melding"
    response = client.post(url, data={"notified_at": _local(datetime.now(UTC)),
                                      "reference": "GBA-2026-123"})
    assert response.status_code == 302
    db.session.expire_all()
    breach = db.session.get(DataBreach, breach.id)
    assert breach.authority_notified_at is not None
    assert breach.authority_reference == "GBA-2026-123"
    page = client.get(f"/beheer/datalekken/{breach.id}").get_data(as_text=True)
    assert "dossier GBA-2026-123" in page and "Nog " not in page
    assert "breach.authority_notified" in _actions()


def test_high_risk_mails_every_affected_contact_a_dutch_notice(
    staff_client, make_breach, make_org, make_contact, outbox
):
    client, staff = staff_client
    affected, other = make_org(), make_org()
    pia = make_contact(affected, primary=True, first_name="Pia", last_name="Peeters")
    koen = make_contact(affected, first_name="Koen", last_name="Claes")
    make_contact(other, primary=True)
    breach = make_breach(staff, risk_level="high", organisations=[affected])
    client.post(f"/beheer/datalekken/{breach.id}/betrokkenen")
    assert sorted(message.recipients[0] for message in outbox) == sorted([pia.email,
                                                                          koen.email])
    notice = outbox[0]
    assert notice.subject.startswith("Belangrijk: een incident met je gegevens")
    assert "Wat er gebeurde" in notice.body and "Laptop gestolen" in notice.body
    db.session.expire_all()
    breach = db.session.get(DataBreach, breach.id)
    assert breach.subjects_notified_at is not None and breach.subjects_notified_count == 2
    client.post(f"/beheer/datalekken/{breach.id}/betrokkenen")
    assert len(outbox) == 2  # never twice
    assert "breach.subjects_notified" in _actions()


def test_low_risk_sends_no_notice_and_closing_is_timestamped(
    staff_client, make_breach, make_org, make_contact, outbox
):
    client, staff = staff_client
    organisation = make_org()
    make_contact(organisation)
    breach = make_breach(staff, risk_level="low", organisations=[organisation])
    response = client.post(f"/beheer/datalekken/{breach.id}/betrokkenen",
                           follow_redirects=True)
    assert "Alleen bij een hoog risico" in response.get_data(as_text=True)
    assert len(outbox) == 0
    client.post(f"/beheer/datalekken/{breach.id}/afsluiten")
    db.session.expire_all()
    assert db.session.get(DataBreach, breach.id).closed_at is not None
    assert "breach.closed" in _actions()


def test_a_high_risk_incident_without_affected_contacts_mails_nobody(
    staff_client, make_breach, outbox
):
    client, staff = staff_client
    breach = make_breach(staff, risk_level="high")
    response = client.post(f"/beheer/datalekken/{breach.id}/betrokkenen",
                           follow_redirects=True)
    assert "er is dus niemand om een bericht naar te mailen" in response.get_data(as_text=True)
    assert len(outbox) == 0
    db.session.expire_all()
    assert db.session.get(DataBreach, breach.id).subjects_notified_at is None
