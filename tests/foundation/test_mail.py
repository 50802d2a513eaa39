"""Mail goes through the outbox: nothing for a rolled-back change, once for a committed one."""

from datetime import UTC, datetime, timedelta

import flask_mail
from sqlalchemy import select

from portal.email import deliver_outbox, queue_mail
from portal.extensions import db
from portal.models import Organisation, OutboxMail


def test_a_rolled_back_change_sends_nothing(app, outbox):
    queue_mail("a@b.be", "test_notice", "Onderwerp", name="An")
    db.session.rollback()
    deliver_outbox()
    assert outbox == []
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_a_committed_mail_is_sent_once_and_written_as_eml(app, outbox, tmp_path):
    queue_mail("an@organisatie.be", "test_notice", "Testbericht", name="An")
    db.session.commit()
    deliver_outbox()
    deliver_outbox()
    assert len(outbox) == 1
    assert outbox[0].recipients == ["an@organisatie.be"]
    assert "Beste An" in outbox[0].body
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and "Testbericht" in files[0].read_text()
    stored = db.session.scalar(select(OutboxMail))
    assert stored.sent_at is not None and stored.attempts == 1


def test_mail_queued_by_a_request_is_delivered_after_its_commit(client, app, outbox):
    @app.post("/_test_mail")
    def send_test_mail():
        queue_mail("req@organisatie.be", "test_notice", "Na commit", name="Req")
        db.session.commit()
        return "ok"

    from portal.security import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.add("send_test_mail")
    try:
        client.post("/_test_mail")
    finally:
        PUBLIC_ENDPOINTS.discard("send_test_mail")
    assert [m.subject for m in outbox] == ["Na commit"]


def test_a_mail_server_that_is_down_loses_nothing(app, outbox, monkeypatch):
    queue_mail("x@organisatie.be", "test_notice", "Blijft bewaard", name="X")
    db.session.add(Organisation(name="Zelfde transactie vzw"))
    db.session.commit()

    def refuse(connection, message):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(flask_mail.Connection, "send", refuse)
    assert deliver_outbox() == (0, 1)
    stored = db.session.scalar(select(OutboxMail))
    assert stored.sent_at is None and stored.attempts == 1
    assert "SMTP down" in stored.last_error
    assert stored.next_attempt_at > datetime.now(UTC)

    monkeypatch.undo()
    assert deliver_outbox() == (0, 0)  # back-off: not yet due
    assert deliver_outbox(now=datetime.now(UTC) + timedelta(hours=1)) == (1, 0)
    assert [m.subject for m in outbox] == ["Blijft bewaard"]


def test_send_queued_command_delivers_the_queue(app, outbox):
    queue_mail("cli@organisatie.be", "test_notice", "Via de worker", name="Cli")
    db.session.commit()
    db.session.info.pop("outbox_or_jobs_committed", None)
    result = app.test_cli_runner().invoke(args=["mail", "send-queued"])
    assert "1 sent, 0 failed" in result.output
    assert [m.subject for m in outbox] == ["Via de worker"]
