"""Crash consistency: a failure injected right after the first write of each multi-step
service leaves the database exactly as before (then a second try completes the work).

The failure is raised by the database layer itself, on the statement that follows the first
write, as a lost connection or a killed worker would: no service code is patched.
"""

from datetime import UTC, date, datetime, timedelta

import flask_mail
import pytest
import time_machine
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Enrolment, OutboxMail
from tests.security import figures
from tests.security.conftest import build_world, changed_tables, table_hashes

WRITE_WORDS = ("INSERT", "UPDATE", "DELETE")


class InjectedCrash(RuntimeError):
    pass


class CrashAfterFirstWrite:
    """Raise on the statement that would follow the first write (INSERT/UPDATE/DELETE), or
    the `after`-th write."""

    def __init__(self, engine, after: int = 1):
        self.engine = engine
        self.after = after
        self.writes = 0
        self.fired = False

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.writes >= self.after and not self.fired:
            self.fired = True
            raise InjectedCrash("injected failure after the first write")
        if statement.lstrip().upper().startswith(WRITE_WORDS):
            self.writes += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)


def crash_then_retry(name: str, run, check_done, *, after: int = 1,
                     leases: tuple[str, ...] = ()) -> None:
    """Run `run` with a crash after its first write: nothing may change (but a `leases`
    column, a claim that expires on its own). Then run it again without a crash, after any
    lease has run out: `check_done()` must hold."""
    before = table_hashes(ignore=leases)
    with CrashAfterFirstWrite(db.engine, after) as crash, pytest.raises(Exception) as raised:  # noqa: PT011
        run()
    db.session.rollback()  # what the request's error handler does
    assert crash.fired, f"{name}: no second statement after the first write"
    assert "injected failure" in str(raised.value), raised.value
    changed = changed_tables(before, table_hashes(ignore=leases))
    figures.add("crash", points=1, partial_writes=1 if changed else 0)
    assert changed == [], f"{name}: partial write in {changed}"
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2) if leases
                             else datetime.now(UTC)):
        run()
    db.session.rollback()
    assert check_done(), f"{name}: the retry did not complete"


@pytest.fixture
def world(app):
    return build_world(app)


def _user(contact):
    return contact.user


def test_roster_removal(app, world):
    from portal.models import Contact
    from portal.roster import services

    contact_id = world.contact_a.id
    crash_then_retry(
        "roster removal",
        lambda: services.remove_contact(world.org_a.id, _user(world.primary_a), contact_id),
        lambda: db.session.get(Contact, contact_id) is None)


def test_annual_confirmation(app, world):
    from portal.confirmation import services
    from portal.confirmation.services import current_confirmation
    from portal.roster.services import list_contacts

    # The two steps before the confirmation, done as the flow does them.
    confirmation = current_confirmation(world.org_a.id)
    services._set_progress(confirmation, organisation=True)  # noqa: SLF001
    for contact in list_contacts(world.org_a.id):
        services._mark_contact_checked(confirmation, contact.id)  # noqa: SLF001
    db.session.commit()
    assert services.flow_state(current_confirmation(world.org_a.id)).ready
    crash_then_retry(
        "annual confirmation",
        lambda: services.confirm_annual_data(world.org_a.id, _user(world.primary_a),
                                             agreed=True),
        lambda: current_confirmation(world.org_a.id).confirmed_at is not None)


def test_consent_withdrawal_erases_after_a_crash(app, world):
    from portal.education_leave import services

    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    services.save_leave_data(enrolment, services.LeaveData(
        surname="Peeters", given_name="An", birthplace="Leuven", birth_date=date(1985, 3, 14),
        residence="9000 Gent"), consent_ticked=True)
    enrolment_id = enrolment.id

    def run():
        services.withdraw_consent(db.session.get(Enrolment, enrolment_id))

    def erased():
        row = db.session.get(Enrolment, enrolment_id)
        return row.birth_date is None and row.surname is None and row.consent_withdrawn_at

    crash_then_retry("consent withdrawal", run, erased)


def test_campaign_mailing(app, world):
    from portal.confirmation import services
    from portal.models import Confirmation

    campaign_id = db.session.scalar(select(Confirmation.campaign_id))

    def invited():
        return all(row.invited_at for row in db.session.scalars(
            select(Confirmation).where(Confirmation.campaign_id == campaign_id)))

    mails_before = db.session.query(OutboxMail).count()
    # After the claim (a lease committed on purpose: it expires on its own) ...
    crash_then_retry("campaign mailing (claim)", lambda: services.send_invitations(campaign_id),
                     invited, leases=("mailing_lease_until",))
    assert db.session.query(OutboxMail).count() == mails_before + 2  # each organisation once


def test_campaign_mailing_inside_the_batch(app, world):
    from portal.confirmation import services
    from portal.models import Confirmation

    campaign_id = db.session.scalar(select(Confirmation.campaign_id))
    mails_before = db.session.query(OutboxMail).count()
    # ... and after the first write of the batch itself (the first queued mail). SQLite
    # writes the claim's lease first; PostgreSQL claims with row locks and writes nothing.
    first_mail = 1 if db.engine.dialect.name == "postgresql" else 2
    crash_then_retry("campaign mailing (batch)", lambda: services.send_invitations(campaign_id),
                     lambda: all(row.invited_at for row in db.session.scalars(
                         select(Confirmation))), after=first_mail)
    assert db.session.query(OutboxMail).count() == mails_before + 2


def test_newsletter_mailing(app, world):
    from portal.models import Mailing
    from portal.newsletters import services

    crash_then_retry(
        "newsletter mailing",
        lambda: services.send_mailing(world.args["slug"], "Nieuws van juni", "Beste lezer"),
        lambda: db.session.scalar(select(Mailing.recipient_count)) > 0)


def test_mail_sending(app, world, monkeypatch):
    """Delivery: a crash after the first write (the lease) leaves the mail queued; a failing
    transport leaves it queued for a retry; nothing is lost."""
    from portal import email
    from portal.email import queue_mail

    queue_mail("iemand@voorbeeld.be", "password_changed", "Test", name="Iemand", how="test")
    db.session.commit()
    db.session.info.pop(email.COMMITTED_FLAG, None)

    def sent():
        return all(row.sent_at for row in db.session.scalars(select(OutboxMail)))

    crash_then_retry("mail sending", lambda: email.deliver_outbox(), sent)

    queue_mail("ander@voorbeeld.be", "password_changed", "Test", name="Ander", how="test")
    db.session.commit()

    def broken(connection, message):
        raise ConnectionError("smtp weg")

    monkeypatch.setattr(flask_mail.Connection, "send", broken)
    assert email.deliver_outbox() == (0, 1)
    row = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "ander@voorbeeld.be"))
    assert row.sent_at is None and row.failed_at is None and row.next_attempt_at
    figures.add("crash", points=1)


def test_staff_end_membership(app, world):
    from portal.models import Organisation
    from portal.staff import services

    crash_then_retry(
        "end of membership",
        lambda: services.end_membership(world.staff, world.org_a.id, date.today()),
        lambda: db.session.get(Organisation, world.org_a.id).membership_ended_on is not None)


def test_primary_hand_over(app, world):
    from portal.models import Contact, PrimaryTransfer
    from portal.roster import services

    transfer_id = db.session.scalar(select(PrimaryTransfer.id))
    contact = world.contact_a
    data = {"first_name": contact.first_name, "last_name": contact.last_name,
            "phone": contact.phone, "function": contact.function}
    version = contact.version
    crash_then_retry(
        "primary hand-over",
        lambda: services.accept_primary_transfer(transfer_id, _user(contact), data, version),
        lambda: db.session.get(Contact, contact.id).is_primary)



