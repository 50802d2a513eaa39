"""Mailings: only current subscribers, RFC 8058 headers checked on a real SMTP delivery."""

import socket
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.extensions import db, mail
from portal.models import Mailing, OutboxMail
from portal.newsletters import services
from tests.newsletters.conftest import path_in, subscribed_slugs


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the portal delivers to it instead of suppressing."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=controller.port, BASE_URL="https://portaal.sociare.be",
                      SERVER_NAME=None)  # links take their host from BASE_URL, as in production
    mail.init_app(app)  # Flask-Mail reads its settings at init
    yield handler
    controller.stop()


def _parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.fixture
def body_file(tmp_path):
    path = tmp_path / "mailing.txt"
    path.write_text("Beste lezer,\n\nDit is het nieuws van deze maand.", "utf-8")
    return path


def test_mailing_headers_follow_rfc_8058_through_a_real_smtp_server(
    app, lists, make_org, make_contact, smtp_server, body_file, client
):
    contact = make_contact(make_org(), email="lezer@organisatie.be")
    result = app.test_cli_runner().invoke(
        args=["newsletter", "send", "e-zine", "E-zine van maart", str(body_file)])
    assert result.exit_code == 0, result.output
    assert [rcpt for rcpt, _ in smtp_server.messages] == [["lezer@organisatie.be"]]
    message = _parse(smtp_server.messages[0][1])
    assert message["Subject"] == "E-zine van maart"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(message.get_all("List-Unsubscribe")) == 1
    https_part, mailto_part = [part.strip() for part in message["List-Unsubscribe"].split(",")]
    assert https_part.startswith("<https://portaal.sociare.be/nieuwsbrieven/afmelden/")
    assert https_part.endswith(">")
    assert mailto_part.startswith("<mailto:afmelden@sociare.be?") and mailto_part.endswith(">")
    assert "e-zine" in message["List-Id"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dit is het nieuws van deze maand." in text
    assert https_part[1:-1] in text  # the same personal link in the body

    # A mail client's one-click POST to the header's URL unsubscribes at once.
    response = client.post(path_in(https_part, "/nieuwsbrieven/afmelden/"),
                           data={"List-Unsubscribe": "One-Click"},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "e-zine" not in subscribed_slugs(contact)


def test_service_mails_never_carry_unsubscribe_headers(app, lists, make_org, make_contact,
                                                       smtp_server, client):
    make_contact(make_org(), email="dienst@organisatie.be")
    client.post("/nieuwsbrieven/afmelden", data={"email": "dienst@organisatie.be"})
    client.post("/nieuwsbrief/inschrijven", data={
        "name": "Extern", "email": "extern@elders.be", "lists": [lists["e-zine"].id],
        "consent": "y"})
    assert len(smtp_server.messages) == 2
    for _, raw in smtp_server.messages:
        message = _parse(raw)
        assert message["List-Unsubscribe"] is None
        assert message["List-Unsubscribe-Post"] is None
    kinds = set(db.session.scalars(select(OutboxMail.kind)))
    assert kinds == {"service"}


def test_a_contact_who_switched_a_list_off_gets_no_mailing_of_it(
    app, lists, make_org, make_contact, body_file, outbox
):
    org = make_org()
    reader = make_contact(org, email="leest@organisatie.be")
    leaver = make_contact(org, email="liever-niet@organisatie.be")
    services.save_contact_preferences(leaver, {lists["nieuwsbrief"].id})  # newsflash off
    runner = app.test_cli_runner()
    runner.invoke(args=["newsletter", "send", "newsflash", "Dringend", str(body_file)])
    assert [m.recipients for m in outbox] == [[reader.email]]
    runner.invoke(args=["newsletter", "send", "nieuwsbrief", "Maand", str(body_file)])
    assert sorted(m.recipients[0] for m in outbox[1:]) == sorted([reader.email, leaver.email])
    assert all(m.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
               for m in outbox)


def test_sending_goes_in_batches_and_records_nothing_sensitive(
    app, lists, make_org, make_contact, body_file, outbox
):
    org = make_org()
    for _ in range(5):
        make_contact(org)
    result = app.test_cli_runner().invoke(args=[
        "newsletter", "send", "uitnodigingen", "Uitnodiging", str(body_file),
        "--batch-size", "2"])
    assert "5 mails queued" in result.output
    assert len(outbox) == 5
    mailing = db.session.scalar(select(Mailing))
    assert (mailing.subject, mailing.recipient_count) == ("Uitnodiging", 5)
    assert {column.name for column in Mailing.__table__.columns} == {
        "id", "list_id", "subject", "recipient_count", "created_at"}
    assert set(db.session.scalars(select(OutboxMail.kind))) == {"newsletter"}


def test_send_refuses_an_unknown_list_or_empty_text(app, lists, body_file, tmp_path):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["newsletter", "send", "bestaat-niet", "X", str(body_file)])
    assert unknown.exit_code != 0 and "Er is geen actieve nieuwsbrief" in unknown.output
    empty = tmp_path / "leeg.txt"
    empty.write_text("  \n", "utf-8")
    result = runner.invoke(args=["newsletter", "send", "e-zine", "X", str(empty)])
    assert result.exit_code != 0 and "leeg" in result.output
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_the_command_runs_its_mailing_job_where_no_delivery_follows_a_commit(
    app, lists, make_org, make_contact, body_file
):
    """Production: the job is not run right after the commit; the command runs it itself and
    leaves the mails to the worker."""
    from sqlalchemy import func

    from portal.models import Job

    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
    make_contact(make_org(), email="lezer@organisatie.be")
    result = app.test_cli_runner().invoke(
        args=["newsletter", "send", "e-zine", "E-zine van maart", str(body_file)])
    assert result.exit_code == 0, result.output
    assert "1 mails queued" in result.output and "Not finished" not in result.output
    job = db.session.scalar(select(Job))
    assert (job.kind, job.done, job.total) == ("newsletter.mailing", 1, 1)
    assert job.finished_at is not None and job.last_error is None
    waiting = select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))
    assert db.session.scalar(waiting) == 1  # for the worker
