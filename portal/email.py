"""Mail through an outbox: queued in the change's transaction, delivered after commit."""

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_mail import Message
from jinja2 import TemplateNotFound
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from portal.extensions import db, mail
from portal.models import OutboxMail


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for a mail, built from BASE_URL in a request, the CLI or a worker alike.

    Never from the request's Host or X-Forwarded-* headers: a forged Host on a password
    reset request would otherwise put the attacker's site in the mailed link.
    """
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def queue_mail(
    recipient: str,
    template: str,
    subject: str,
    *,
    kind: str = "service",
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxMail:
    """Render `email/<template>.txt` (+ `.html` if present) and queue it in this transaction.

    Nothing is sent when the transaction rolls back; delivery happens after commit.
    """
    context.setdefault("federation_name", current_app.config["FEDERATION_NAME"])
    body_text = render_template(f"email/{template}.txt", **context)
    try:
        body_html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:
        body_html = None
    outbox_mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        kind=kind,
    )
    db.session.add(outbox_mail)
    db.session.info["outbox_queued"] = True
    return outbox_mail


@event.listens_for(Session, "after_commit")
def _mark_outbox_ready(session: Session) -> None:
    if session.info.pop("outbox_queued", False):
        session.info["outbox_ready"] = True


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop("outbox_queued", None)


def deliver_if_ready() -> None:
    """Called after each request and app context: deliver right away in development/testing."""
    info = db.session.info
    if not info.pop("outbox_ready", False):
        return
    if current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
        deliver_outbox()


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


# How long a worker may hold a mail before another worker may take it over (crash recovery).
LEASE_TIME = timedelta(minutes=10)


def _new_lease(now: datetime) -> datetime:
    """The lease end; it doubles as the claiming worker's token.

    A random microsecond makes two workers' values differ, so a conditional UPDATE tells
    whose claim a row carries - on PostgreSQL and on SQLite alike.
    """
    return now + LEASE_TIME + timedelta(microseconds=secrets.randbelow(1_000_000))


def _due(now: datetime) -> tuple:
    return (
        OutboxMail.sent_at.is_(None),
        OutboxMail.failed_at.is_(None),
        OutboxMail.next_attempt_at <= now,
        or_(OutboxMail.lease_until.is_(None), OutboxMail.lease_until < now),
    )


def _claim_due_mails(now: datetime, limit: int) -> tuple[list[int], datetime | None]:
    """Lease due mails so that two workers running at once never send the same mail.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED lets a second worker take other rows
    instead of waiting. The UPDATE repeats the due condition and the re-read keeps only the
    rows that carry this worker's lease, so even without row locks (SQLite) a row claimed by
    another worker in between is dropped here rather than sent twice.
    """
    candidates = (
        select(OutboxMail.id)
        .where(*_due(now))
        .order_by(OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.commit()
        return [], None
    lease = _new_lease(now)
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), *_due(now))
        .values(lease_until=lease)
        .execution_options(synchronize_session=False)
    )
    claimed = list(
        db.session.scalars(
            select(OutboxMail.id)
            .where(OutboxMail.id.in_(ids), OutboxMail.lease_until == lease)
            .order_by(OutboxMail.id)
        )
    )
    db.session.commit()
    return claimed, lease


def _renew_lease(mail_id: int, lease: datetime, now: datetime) -> datetime | None:
    """Right before sending: renew this worker's lease, or None when it is no longer ours.

    A slow batch may outlive its lease; another worker may then have claimed the mail.
    Checking and renewing in one conditional UPDATE means only one of them sends it.
    """
    renewed = _new_lease(now)
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.lease_until == lease,
            OutboxMail.sent_at.is_(None),
        )
        .values(lease_until=renewed)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return renewed if result.rowcount == 1 else None


def build_message(outbox_mail: OutboxMail) -> Message:
    return Message(
        subject=outbox_mail.subject,
        recipients=[outbox_mail.recipient],
        body=outbox_mail.body_text,
        html=outbox_mail.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(outbox_mail.headers or {}),
    )


def _write_eml(message: Message, outbox_mail: OutboxMail) -> None:
    folder = current_app.config.get("MAIL_FILE_DIR")
    if not folder:
        return
    path = Path(current_app.instance_path, folder) if not Path(folder).is_absolute() else Path(
        folder
    )
    path.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    (path / f"{stamp}-{outbox_mail.id:06d}.eml").write_text(message.as_string(), "utf-8")


def deliver_outbox(limit: int = 500, now: datetime | None = None) -> tuple[int, int]:
    """Send due mails once each; failures are retried later with back-off. -> (sent, failed).

    Safe to run in several processes or hosts at once. A worker killed between the SMTP
    hand-over and its commit leaves that one mail leased; it is sent again after LEASE_TIME
    (at least once, never lost). `now` fixes the clock (tests); otherwise each batch reads it.
    """

    def clock() -> datetime:
        return now or datetime.now(UTC)

    sent = failed = 0
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    while True:
        ids, lease = _claim_due_mails(clock(), limit)
        if not ids:
            break
        for mail_id in ids:
            if _renew_lease(mail_id, lease, clock()) is None:
                continue  # our lease ran out and another worker took this mail over
            outbox_mail = db.session.get(OutboxMail, mail_id)
            message = build_message(outbox_mail)
            try:
                mail.send(message)
            except Exception as error:  # noqa: BLE001 - any transport error is retried
                outbox_mail.attempts += 1
                outbox_mail.last_error = f"{type(error).__name__}: {error}"[:500]
                outbox_mail.lease_until = None
                if outbox_mail.attempts >= max_attempts:
                    outbox_mail.failed_at = datetime.now(UTC)
                else:
                    outbox_mail.next_attempt_at = datetime.now(UTC) + _backoff(
                        outbox_mail.attempts
                    )
                failed += 1
            else:
                outbox_mail.attempts += 1
                outbox_mail.sent_at = datetime.now(UTC)
                outbox_mail.lease_until = None
                _write_eml(message, outbox_mail)
                sent += 1
            db.session.commit()
        if len(ids) < limit:
            break
    db.session.info.pop("outbox_ready", None)
    return sent, failed
