"""Opening a campaign: one invitation per primary contact, batches, failures, re-runs."""

import smtplib
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import flask_mail
import pytest
import time_machine
from sqlalchemy import func, select

from portal import clock
from portal.confirmation import campaigns, jobs
from portal.extensions import db
from portal.models import Confirmation, ConfirmationCampaign, OutboxMail
from tests.concurrency import failures, run_together
from tests.confirmation.conftest import invite

# Next year's campaign, so the deadline always lies in the future.
YEAR = str(clock.today().year + 1)
DEADLINE = f"{YEAR}-01-31"


@pytest.fixture
def members(app, make_org, make_contact):
    """Twelve member organisations, each with a primary and an ordinary contact."""
    primaries = []
    for number in range(12):
        organisation = make_org(f"Lid {number:02d} vzw")
        primaries.append(make_contact(organisation, primary=True).email)
        make_contact(organisation)
    return primaries


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.rollback()
    return result


def invited() -> int:
    return db.session.scalar(
        select(func.count(Confirmation.id)).where(Confirmation.invited_at.is_not(None))
    )


def test_opening_invites_every_primary_contact_once(app, members, make_org, make_contact,
                                                   outbox):
    ended = make_org("Gestopt vzw", membership_ended_on=clock.today() - timedelta(days=1))
    make_contact(ended, primary=True, email="gestopt@voorbeeld.be")
    leaving = make_org("Stopt vzw", membership_ended_on=clock.today() + timedelta(days=30))
    members.append(make_contact(leaving, primary=True).email)

    result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE,
                 "--batch-size", "5")
    assert result.exit_code == 0, result.output
    assert "Invitations: 5/13 queued" in result.output  # a progress line per batch
    assert sorted(message.recipients[0] for message in outbox) == sorted(members)
    message = outbox[0]
    assert message.subject == f"Bevestig de gegevens van je organisatie voor {YEAR}"
    assert f"31 januari {YEAR}" in message.body
    assert "http://localhost/bevestiging\n" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.kind == "service")) == 13

    # Running it again mails nobody and makes no second campaign.
    result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE)
    assert result.exit_code == 0, result.output
    assert len(outbox) == 13
    assert db.session.scalar(select(func.count(ConfirmationCampaign.id))) == 1
    assert db.session.scalar(select(func.count(Confirmation.id))) == 13


def test_a_mail_server_failure_halfway_loses_nothing_and_duplicates_nothing(
    app, members, outbox, monkeypatch
):
    real_send = flask_mail.Connection.send
    calls = []

    def send_then_fail(connection, message, *args, **kwargs):
        calls.append(message)
        if len(calls) > 7:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(connection, message, *args, **kwargs)

    monkeypatch.setattr(flask_mail.Connection, "send", send_then_fail)
    result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE,
                 "--batch-size", "5")
    assert result.exit_code == 0, result.output
    assert len(outbox) == 7
    assert "failed (retried later)" in result.output
    assert invited() == 12  # every invitation is safely queued in the outbox
    unsent = db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.sent_at.is_(None)))
    assert unsent == 5

    # The mail server is back; the next run (after the retry delay) sends the rest once.
    monkeypatch.setattr(flask_mail.Connection, "send", real_send)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=False):
        result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE)
    assert result.exit_code == 0, result.output
    recipients = Counter(message.recipients[0] for message in outbox)
    assert sorted(recipients) == sorted(members)
    assert set(recipients.values()) == {1}


def test_a_crash_while_queueing_resumes_where_it_stopped(app, members, outbox, monkeypatch):
    real_queue = jobs.queue_mail
    calls = []

    def queue_then_crash(*args, **kwargs):
        calls.append(args)
        if len(calls) == 8:
            raise RuntimeError("the host went down")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(jobs, "queue_mail", queue_then_crash)
    result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE,
                 "--batch-size", "5")
    assert result.exit_code != 0
    # The first batch was committed and mailed; the broken batch left no trace.
    assert invited() == 5
    assert len(outbox) == 5

    monkeypatch.setattr(jobs, "queue_mail", real_queue)
    result = run(app, "campaign", "open", "--year", YEAR, "--deadline", DEADLINE,
                 "--batch-size", "5")
    assert result.exit_code == 0, result.output
    recipients = Counter(message.recipients[0] for message in outbox)
    assert sorted(recipients) == sorted(members)
    assert set(recipients.values()) == {1}


def test_rows_claimed_by_another_run_are_left_alone_until_the_lease_ends(app, members,
                                                                          outbox):
    campaign, _ = campaigns.open_campaign(int(YEAR), date.fromisoformat(DEADLINE),
                                         actor=None)
    taken = db.session.scalars(select(Confirmation).order_by(Confirmation.id).limit(3)).all()
    for row in taken:
        row.mailing_lease_until = datetime.now(UTC) + timedelta(minutes=5)
    db.session.commit()
    report = invite(campaign.id, batch_size=4)
    assert report.mailed == 9
    assert len(outbox) == 9
    # The other run died: once its lease ends, the rows are mailed, still only once.
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        report = invite(campaign.id, batch_size=4)
        assert len(outbox) == 12
    assert report.mailed == 3
    assert len({message.recipients[0] for message in outbox}) == 12


def test_an_organisation_without_primary_contact_is_skipped(app, make_org, outbox):
    make_org("Zonder primaire vzw")
    campaign, added = campaigns.open_campaign(int(YEAR), date.fromisoformat(DEADLINE),
                                             actor=None)
    assert added == 1
    report = invite(campaign.id)
    assert (report.mailed, report.skipped) == (0, 1)
    assert len(outbox) == 0
    assert invited() == 0


def test_a_deadline_in_the_past_is_refused(app, members):
    result = run(app, "campaign", "open", "--year", "2020", "--deadline", "2020-01-31")
    assert result.exit_code != 0
    assert "future" in result.output or "toekomst" in result.output
    assert db.session.scalar(select(func.count(ConfirmationCampaign.id))) == 0


def test_two_hosts_mailing_at_once_never_mail_twice(app, members):
    """Two runs at once on PostgreSQL: FOR UPDATE SKIP LOCKED splits the rows between them."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite runs one writer at a time")
    campaign, _ = campaigns.open_campaign(int(YEAR), date.fromisoformat(DEADLINE), actor=None)
    campaign_id = campaign.id

    db.session.commit()

    def host():
        return invite(campaign_id, batch_size=2)

    reports = run_together(app, host, host, timeout=60)
    assert failures(reports) == []
    assert sum(report.mailed for report in reports) == 12
    queued = Counter(db.session.scalars(select(OutboxMail.recipient)))
    assert sorted(queued) == sorted(members)
    assert set(queued.values()) == {1}
