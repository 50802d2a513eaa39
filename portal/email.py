"""Mail through an outbox: queued in the change's transaction, delivered after commit.

The one delivery path for every mail of the portal (service mails, campaigns, newsletters):
`deliver_outbox` leases a batch, sends it over one SMTP connection and marks it in one
commit. It is a job: it commits per batch on purpose and is safe to run on several hosts at
once.
"""

import secrets
import smtplib
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_mail import Message
from jinja2 import TemplateNotFound
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from portal import clock
from portal.extensions import db, mail
from portal.models import OutboxMail

# Mails per batch: one SMTP connection and one commit each. A worker killed in the middle
# of a batch sends that batch again after LEASE_TIME (at least once, never lost).
BATCH_SIZE = 200
# How long a worker may hold a batch before another worker may take it over.
LEASE_TIME = timedelta(minutes=10)
# A batch stops early when its lease has less than this left, so it never outlives it.
LEASE_MARGIN = timedelta(minutes=2)
COMMITTED_FLAG = "outbox_or_jobs_committed"
_QUEUED_FLAG = "outbox_or_jobs_queued"


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for a mail, built from BASE_URL in a request, the CLI or a worker alike.

    Never from the request's Host or X-Forwarded-* headers: a forged Host on a password
    reset request would otherwise put the attacker's site in the mailed link.
    """
    with current_app.test_request_context():
        path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def render_mail(template: str, **context) -> tuple[str, str | None]:
    """`email/<template>.txt` and, when it exists, `.html` rendered with the mail context."""
    context.setdefault("federation_name", current_app.config["FEDERATION_NAME"])
    body_text = render_template(f"email/{template}.txt", **context)
    try:
        body_html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:
        body_html = None
    return body_text, body_html


def queue_mail(
    recipient: str,
    template: str,
    subject: str,
    *,
    kind: str = "service",
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxMail:
    """Render the mail and queue it in this transaction: nothing goes out on a rollback."""
    body_text, body_html = render_mail(template, **context)
    return queue_rendered(recipient, subject, body_text, body_html, kind=kind, headers=headers)


def queue_rendered(recipient: str, subject: str, body_text: str, body_html: str | None, *,
                   kind: str = "service", headers: dict[str, str] | None = None) -> OutboxMail:
    """Queue a mail whose bodies are already rendered (a mailing renders its layout once)."""
    outbox_mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        kind=kind,
    )
    db.session.add(outbox_mail)
    note_queued_work()
    return outbox_mail


def note_queued_work() -> None:
    """Mark the session: after its commit, mail or jobs wait (development delivers them)."""
    db.session.info[_QUEUED_FLAG] = True


@event.listens_for(Session, "after_commit")
def _mark_outbox_ready(session: Session) -> None:
    if session.info.pop(_QUEUED_FLAG, False):
        session.info[COMMITTED_FLAG] = True


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop(_QUEUED_FLAG, None)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4 ... minutes, at most 4 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


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


def claim_due_mails(now: datetime, limit: int,
                    only_ids: list[int] | None = None) -> tuple[list[int], datetime | None]:
    """Lease due mails so that two workers running at once never send the same mail.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED lets a second worker take other rows
    instead of waiting. The UPDATE repeats the due condition and the re-read keeps only the
    rows that carry this worker's lease, so even without row locks (SQLite) a row claimed by
    another worker in between is dropped here rather than sent twice. Commits the lease.
    """
    candidates = select(OutboxMail.id).where(*_due(now))
    if only_ids is not None:
        candidates = candidates.where(OutboxMail.id.in_(only_ids))
    ids = list(db.session.scalars(
        candidates.order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)))
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
    claimed = list(db.session.scalars(
        select(OutboxMail.id)
        .where(OutboxMail.id.in_(ids), OutboxMail.lease_until == lease)
        .order_by(OutboxMail.id)
    ))
    db.session.commit()
    return claimed, lease


def build_message(outbox_mail: OutboxMail) -> Message:
    return Message(
        subject=outbox_mail.subject,
        recipients=[outbox_mail.recipient],
        body=outbox_mail.body_text,
        html=outbox_mail.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(outbox_mail.headers or {}),
    )


def _mail_folder() -> Path | None:
    folder = current_app.config.get("MAIL_FILE_DIR")
    if not folder:
        return None
    path = Path(folder) if Path(folder).is_absolute() else Path(current_app.instance_path, folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_eml(folder: Path, message: Message, outbox_mail: OutboxMail) -> None:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S-%f")
    (folder / f"{stamp}-{outbox_mail.id:06d}.eml").write_text(message.as_string(), "utf-8")


class BatchResult:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.failed: dict[int, str] = {}  # id -> error


def send_batch(mails: list[OutboxMail], lease: datetime, clock_now) -> BatchResult:
    """Send over one SMTP connection; a refused mail is noted, a broken connection ends it."""
    result = BatchResult()
    folder = _mail_folder()
    try:
        with mail.connect() as connection:
            for outbox_mail in mails:
                if clock_now() > lease - LEASE_MARGIN:
                    break  # the rest stays queued for the next batch, under a new lease
                message = build_message(outbox_mail)
                try:
                    connection.send(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                        smtplib.SMTPDataError) as error:
                    result.failed[outbox_mail.id] = f"{type(error).__name__}: {error}"
                    continue
                result.sent.append(outbox_mail.id)
                if folder is not None:
                    _write_eml(folder, message, outbox_mail)
    except Exception as error:  # noqa: BLE001 - any transport error: retried with back-off
        current_app.logger.warning("Mail server error during a batch: %s", type(error).__name__)
        done = set(result.sent) | set(result.failed)
        first_unsent = next((m.id for m in mails if m.id not in done), None)
        if first_unsent is not None:
            result.failed[first_unsent] = f"{type(error).__name__}: {error}"
    return result


def _record_batch(mails: list[OutboxMail], result: BatchResult, lease: datetime,
                  now: datetime) -> None:
    """Mark the batch in one commit: sent, failed with back-off, or released untouched."""
    if result.sent:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(result.sent), OutboxMail.lease_until == lease)
            .values(sent_at=now, attempts=OutboxMail.attempts + 1, lease_until=None)
            .execution_options(synchronize_session=False)
        )
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for outbox_mail in mails:
        if outbox_mail.id in result.failed:
            outbox_mail.attempts += 1
            outbox_mail.last_error = result.failed[outbox_mail.id][:500]
            outbox_mail.lease_until = None
            if outbox_mail.attempts >= max_attempts:
                outbox_mail.failed_at = now
            else:
                outbox_mail.next_attempt_at = now + backoff(outbox_mail.attempts)
        elif outbox_mail.id not in result.sent:
            outbox_mail.lease_until = None  # not tried in this batch: free at once
    db.session.commit()


def deliver_outbox(limit: int = BATCH_SIZE, now: datetime | None = None,
                   only_ids: list[int] | None = None) -> tuple[int, int]:
    """Send due mails in batches; failures are retried later with back-off. -> (sent, failed).

    A job: one commit per batch. `now` fixes the clock (tests); otherwise each step reads it.
    `only_ids` restricts the run to those mails (a mailing delivering its own batch).
    """

    def clock_now() -> datetime:
        return now or clock.now()

    sent = failed = 0
    while True:
        ids, lease = claim_due_mails(clock_now(), limit, only_ids)
        if not ids:
            break
        mails = list(db.session.scalars(
            select(OutboxMail).where(OutboxMail.id.in_(ids)).order_by(OutboxMail.id)))
        result = send_batch(mails, lease, clock_now)
        _record_batch(mails, result, lease, clock_now())
        sent += len(result.sent)
        failed += len(result.failed)
        if len(ids) < limit or (result.failed and not result.sent):
            break  # a server that refuses everything is tried again at the next round
    db.session.info.pop(COMMITTED_FLAG, None)
    return sent, failed


def deliver_if_ready() -> None:
    """Deliver at once when a commit left mail queued (development and testing)."""
    if db.session.info.pop(COMMITTED_FLAG, False) and current_app.config.get(
            "MAIL_DELIVER_AFTER_COMMIT"):
        deliver_outbox()
