"""`flask attestations due`, `flask retention run` and the participant's dashboard panel."""

from datetime import date, timedelta

from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import AttestationDelivery, AuditEvent, Enrolment
from tests.education_leave.conftest import VALID_DATA, raw_fields


class _Id:
    def __init__(self, id_):
        self.id = id_


def _consent(client, link_of, enrolment, **changes):
    response = client.post(link_of(enrolment), data={**VALID_DATA, **changes, "consent": "y"})
    assert response.status_code == 302


def test_attestations_due_lists_due_and_overdue_only(app, client, make_training,
                                                     make_enrolment, link_of):
    start = date(2027, 3, 1)
    training = make_training(title="Cursus BEV", starts_on=start, days=20, periods=[
        (date(2027, 3, 1), date(2027, 3, 5)), (date(2027, 3, 15), date(2027, 3, 21))])
    enrolment = make_enrolment(training, name="Sofie Smet")
    make_enrolment(training, name="Geen Toestemming")
    _consent(client, link_of, enrolment)
    runner = app.test_cli_runner()

    before = runner.invoke(args=["attestations", "due", "--today", "2027-02-20"])
    assert before.exit_code == 0
    assert "No attestations due." in before.output

    during = runner.invoke(args=["attestations", "due", "--today", "2027-03-10"])
    lines = [line for line in during.output.splitlines() if "Sofie Smet" in line]
    assert len(lines) == 2  # BEV enrolment attestation (due 21/03) + period 1 (due 13/03)
    assert all(line.startswith("due:") for line in lines)
    assert "Geen Toestemming" not in during.output

    late = runner.invoke(args=["attestations", "due", "--today", "2027-03-25"])
    assert "OVERDUE: BEV enrolment attestation by 21/03/2027" in late.output
    assert "OVERDUE: attendance attestation for 01/03/2027-05/03/2027" in late.output
    assert "due: attendance attestation for 15/03/2027-21/03/2027 by 29/03/2027" in late.output
    assert "3 attestation(s) due, 2 overdue." in late.output

    db.session.add(AttestationDelivery(enrolment_id=enrolment.id, kind="enrolment"))
    db.session.commit()
    after = runner.invoke(args=["attestations", "due", "--today", "2027-03-25"])
    assert "BEV enrolment attestation" not in after.output
    assert "2 attestation(s) due, 1 overdue." in after.output


def test_retention_erases_exactly_what_is_due(app, client, make_training, make_enrolment,
                                              link_of):
    today = clock.today()
    old = make_training(title="Oud", starts_on=today - timedelta(days=400), days=10)
    # ends exactly 365 days ago: still kept today, erased tomorrow
    edge = make_training(title="Rand", starts_on=today - timedelta(days=375), days=10)
    recent = make_training(title="Recent", starts_on=today - timedelta(days=30), days=10)
    due, kept_edge, kept_recent = (make_enrolment(old), make_enrolment(edge),
                                   make_enrolment(recent))
    for enrolment in (due, kept_edge, kept_recent):
        _consent(client, link_of, enrolment, **({"residence": "Gent"}))
    # the command ends its session: keep plain ids, not ORM objects
    due, kept_edge, kept_recent = (_Id(e.id) for e in (due, kept_edge, kept_recent))

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert "education_leave: would erase 1" in dry.output
    assert raw_fields(due.id)[0] == "Vandenbroucke"

    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "education_leave: erased 1" in result.output
    assert f"inschrijving #{due.id}" in result.output
    assert raw_fields(due.id) == (None, None, None, None, None)
    assert raw_fields(kept_edge.id)[0] == "Vandenbroucke"
    assert raw_fields(kept_recent.id)[0] == "Vandenbroucke"
    db.session.expire_all()
    assert db.session.get(Enrolment, due.id).data_erased_at is not None
    assert db.session.get(Enrolment, kept_edge.id).data_erased_at is None
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "education_leave.erased_by_retention")))
    assert [(e.target_id, e.actor_label) for e in events] == [(due.id, "systeem")]

    again = runner.invoke(args=["retention", "run"])  # safe to run daily
    assert "education_leave: erased 0" in again.output
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = runner.invoke(args=["retention", "run", "--today", tomorrow])
    assert "education_leave: erased 1" in later.output
    assert raw_fields(kept_edge.id) == (None, None, None, None, None)
    assert raw_fields(kept_recent.id)[0] == "Vandenbroucke"


def test_retention_days_are_configurable(app, client, make_training, make_enrolment, link_of):
    training = make_training(starts_on=clock.today() - timedelta(days=50), days=10)
    enrolment = make_enrolment(training)
    _consent(client, link_of, enrolment)
    enrolment = _Id(enrolment.id)
    app.config["EDUCATION_LEAVE_RETENTION_DAYS"] = 30
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert "education_leave: erased 1" in result.output
    assert raw_fields(enrolment.id) == (None, None, None, None, None)


def test_a_participating_contact_sees_the_panel(client, login_as, make_org, make_contact,
                                                make_training, make_enrolment):
    contact = make_contact(make_org())
    other = make_contact(make_org())
    training = make_training(title="Teamcoaching")
    make_enrolment(training, contact=contact, name=contact.full_name, email=contact.email)
    make_enrolment(make_training(title="Niet erkend", bev=False), contact=contact)

    page = login_as(contact.user).get("/").get_data(as_text=True)
    assert "Opleidingsverlof" in page and "Teamcoaching" in page
    assert "Niet erkend" not in page
    assert "nog geen toestemming" in page
    link = page.split('href="/opleidingsverlof/')[1].split('"')[0]
    response = client.get("/opleidingsverlof/" + link)
    assert response.status_code == 200
    client.post("/opleidingsverlof/" + link, data={**VALID_DATA, "consent": "y"})
    page = client.get("/").get_data(as_text=True)
    assert "toestemming gegeven" in page and "Mijn aanwezigheidsattest afdrukken" in page
    attest = page.split('href="/opleidingsverlof/')[2].split('"')[0]
    assert "Vandenbroucke" in client.get("/opleidingsverlof/" + attest).get_data(as_text=True)

    client.post("/afmelden")
    other_page = login_as(other.user).get("/").get_data(as_text=True)
    assert "Teamcoaching" not in other_page


def test_staff_have_no_participant_panel(login_as, make_staff, make_training):
    make_training()
    page = login_as(make_staff()).get("/").get_data(as_text=True)
    assert "Mijn aanwezigheidsattest" not in page
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_after_retention_storing_again_needs_fresh_consent(app, client, make_training,
                                                           make_enrolment, link_of):
    training = make_training(starts_on=clock.today() - timedelta(days=20), days=10)
    enrolment = make_enrolment(training)
    _consent(client, link_of, enrolment)
    link = link_of(enrolment)
    enrolment = _Id(enrolment.id)
    app.config["EDUCATION_LEAVE_RETENTION_DAYS"] = 5
    app.test_cli_runner().invoke(args=["retention", "run"])
    page = client.get(link).get_data(as_text=True)
    assert "omdat de bewaartermijn voorbij is" in page
    assert 'name="consent"' in page
    client.post(link, data=VALID_DATA)  # a correction without a new tick stores nothing
    assert raw_fields(enrolment.id) == (None, None, None, None, None)


def test_the_dashboard_link_stops_with_the_link_window(app, make_training, make_enrolment):
    from portal.education_leave import services

    training = make_training(starts_on=clock.today() - timedelta(days=100), days=10)
    enrolment = make_enrolment(training)
    assert services.dashboard_token(enrolment) is None
    assert services.dashboard_token(enrolment, today=training.ends_on) is not None
