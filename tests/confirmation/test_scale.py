"""Opening a campaign for 900 organisations against a real local SMTP server, timed.

The issue asks for "well under a minute"; this takes a few seconds on a laptop, so the
bound of 60 s only fails on a real regression (e.g. a query or a connection per mail batch
gone wrong), not on a busy CI machine.
"""

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import Confirmation, Contact, Organisation, OutboxMail
from tests.conftest import make_test_app

ORGANISATIONS = 900


class CountingHandler:
    def __init__(self):
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed_members(total: int) -> None:
    organisations = [Organisation(name=f"Lid {number:04d} vzw") for number in range(total)]
    db.session.add_all(organisations)
    db.session.flush()
    db.session.add_all(
        Contact(organisation_id=organisation.id, first_name="Prim", last_name=f"Air {number}",
                email=f"primair{number}@lid.example.be", is_primary=True)
        for number, organisation in enumerate(organisations)
    )
    db.session.commit()


def test_opening_a_campaign_for_900_organisations_takes_well_under_a_minute(
    app, database_url, tmp_path
):
    seed_members(ORGANISATIONS)
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_app = make_test_app(database_url, tmp_path, MAIL_SUPPRESS_SEND=False,
                                 MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FILE_DIR=None)
        year = clock.today().year + 1
        started = time.monotonic()
        with smtp_app.app_context():
            result = smtp_app.test_cli_runner().invoke(
                args=["campaign", "open", "--year", str(year), "--deadline", f"{year}-01-31"]
            )
        elapsed = time.monotonic() - started
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    print(f"\nopened a campaign for {ORGANISATIONS} organisations in {elapsed:.1f} s")
    assert elapsed < 60, result.output
    assert "Invitations: 900/900 queued, 900 sent" in result.output
    assert result.output.count("Invitations:") == 9  # a progress line per batch of 100
    assert len(handler.recipients) == ORGANISATIONS
    assert len(set(handler.recipients)) == ORGANISATIONS
    db.session.rollback()
    assert db.session.scalar(select(func.count(Confirmation.id)).where(
        Confirmation.invited_at.is_not(None))) == ORGANISATIONS
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.sent_at.is_(None))) == 0


def test_a_mail_server_that_is_down_loses_nothing(app, database_url, tmp_path):
    import time_machine

    seed_members(30)
    port = free_port()  # nothing listens here yet
    smtp_app = make_test_app(database_url, tmp_path, MAIL_SUPPRESS_SEND=False,
                             MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FILE_DIR=None)
    year = str(clock.today().year + 1)
    args = ["campaign", "open", "--year", year, "--deadline", f"{year}-01-31",
            "--batch-size", "10"]
    with smtp_app.app_context():
        result = smtp_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "0 mails sent" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.sent_at.is_(None))) == 30

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = datetime.now(UTC) + timedelta(minutes=5)
        with time_machine.travel(later, tick=False), smtp_app.app_context():
            result = smtp_app.test_cli_runner().invoke(args=args)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert sorted(handler.recipients) == sorted(f"primair{n}@lid.example.be" for n in range(30))
