"""Reminders: only to those who have not confirmed, never twice a day, a last one in time."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from sqlalchemy import select

from portal.confirmation import campaigns
from portal.extensions import db
from portal.models import Confirmation
from tests.confirmation.conftest import invite

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEADLINE = date(2027, 1, 31)


def remind(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["campaign", "remind", *args])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return result.output


def recipients(outbox, since: int) -> list[str]:
    return sorted(message.recipients[0] for message in list(outbox)[since:])


def at(day: date, hour: int = 6):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=UTC), tick=False)


def test_reminders_go_only_to_the_unconfirmed_and_never_twice_a_day(
    app, member, other_member, outbox
):
    app.config["CONFIRMATION_REMINDER_INTERVAL_DAYS"] = 14
    unconfirmed = other_member.primary.email
    with time_machine.travel(START, tick=False):
        campaign, _ = campaigns.open_campaign(2027, DEADLINE, actor=None)
        invite(campaign.id)
        assert len(outbox) == 2
        # The first organisation confirms.
        confirmation = db.session.scalar(select(Confirmation).where(
            Confirmation.organisation_id == member.organisation.id))
        confirmation.confirmed_at = datetime.now(UTC)
        db.session.commit()
        # Right after the invitation nobody is reminded.
        remind(app)
        assert len(outbox) == 2

    with at(START.date() + timedelta(days=14), 23):
        assert "1 reminders queued" in remind(app)
        assert recipients(outbox, 2) == [unconfirmed]
        message = list(outbox)[2]
        assert message.subject == "Herinnering: bevestig de gegevens van je organisatie voor 2027"
        assert "Andere vzw" in message.body and "31 januari 2027" in message.body
    with at(START.date() + timedelta(days=15), 1):  # a few hours later, a new day
        remind(app)
        assert len(outbox) == 3
    with at(START.date() + timedelta(days=15), 22):  # the same day again
        remind(app)
        assert len(outbox) == 3
    with at(START.date() + timedelta(days=28), 23):
        remind(app)
        assert len(outbox) == 4
        remind(app)
        assert len(outbox) == 4

    # A week before the deadline: the last reminder, once.
    with at(DEADLINE - timedelta(days=7)):
        remind(app)
        assert len(outbox) == 5
        last = list(outbox)[4]
        assert last.recipients == [unconfirmed]
        assert last.subject.startswith("Laatste herinnering")
        remind(app)
        assert len(outbox) == 5
    for days in (6, 1, 0):
        with at(DEADLINE - timedelta(days=days)):
            remind(app)
            assert len(outbox) == 5
    with at(DEADLINE + timedelta(days=1)):
        remind(app)
        assert len(outbox) == 5


def test_the_interval_can_be_chosen_on_the_command_line(app, member, other_member, outbox):
    with time_machine.travel(START, tick=False):
        campaign, _ = campaigns.open_campaign(2027, DEADLINE, actor=None)
        invite(campaign.id)
    with at(START.date() + timedelta(days=3), 10):
        remind(app, "--interval-days", "7")
        assert len(outbox) == 2
        remind(app, "--interval-days", "3")
        assert len(outbox) == 4
        remind(app, "--interval-days", "1")
        assert len(outbox) == 4


def test_the_last_reminder_comes_even_shortly_after_an_ordinary_one(app, member, outbox):
    with time_machine.travel(START, tick=False):
        campaign, _ = campaigns.open_campaign(2027, DEADLINE, actor=None)
        invite(campaign.id)
    with at(DEADLINE - timedelta(days=9)):
        remind(app, "--interval-days", "7")
        assert len(outbox) == 2
    with at(DEADLINE - timedelta(days=5)):
        remind(app, "--interval-days", "7")
        assert len(outbox) == 3
        assert list(outbox)[2].subject.startswith("Laatste herinnering")
