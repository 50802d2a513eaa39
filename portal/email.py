"""Mail through an outbox: queued in the change's transaction, delivered after commit."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_mail import Message
from jinja2 import TemplateNotFound
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from portal.extensions import db, mail
from portal.models import OutboxMail


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for a mail, also outside a request (CLI, workers) via BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
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


def _claim_due_mails(now: datetime, limit: int) -> list[int]:
    """Lease due mails so that two workers running at once never send the same mail."""
    query = (
        select(OutboxMail.id)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            OutboxMail.next_attempt_at <= now,
            or_(OutboxMail.lease_until.is_(None), OutboxMail.lease_until < now),
        )
        .order_by(OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids))
            .values(lease_until=now + timedelta(minutes=10))
        )
    db.session.commit()
    return ids


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
    """Send due mails once each; failures are retried later with back-off. -> (sent, failed)."""
    now = now or datetime.now(UTC)
    sent = failed = 0
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    while True:
        ids = _claim_due_mails(now, limit)
        if not ids:
            break
        for mail_id in ids:
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
