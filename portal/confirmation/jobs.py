"""The campaign's mailings as jobs: invitations and reminders, one commit per batch.

Staff opening a campaign only queue the invitations job (the worker, `flask mail
send-queued`, runs it); `flask campaign open|remind` run the same jobs at once in the
command. A job claims a batch of confirmations, queues their mails in the outbox and marks
the rows in ONE commit (`portal.jobs.commit_progress`): a crash before that commit leaves the
batch undone (the next run mails it), after it the batch is done (never mailed twice). Safe
to rerun and to run on two hosts at once: PostgreSQL splits the rows with FOR UPDATE SKIP
LOCKED, SQLite (one writer at a time) marks its claim with a lease column.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal import clock
from portal.email import external_url, queue_mail
from portal.extensions import db
from portal.i18n import format_day
from portal.i18n import gettext as _
from portal.jobs import JOB_HANDLERS, commit_progress, enqueue, job_handler
from portal.models import Confirmation, ConfirmationCampaign, Contact, Job, OutboxMail, User

INVITATIONS = "confirmation.invitations"
REMINDERS = "confirmation.reminders"
MAILING_BATCH_SIZE = 100
MAILING_LEASE = timedelta(minutes=10)
FINAL_REMINDER_BEFORE = timedelta(days=7)


@dataclass
class MailingReport:
    total: int = 0  # rows to mail when the run started
    mailed: int = 0
    skipped: int = 0  # no primary contact to write to
    batch_mail_ids: list[int] = field(default_factory=list)  # outbox rows of the last batch


SendOne = Callable[[Confirmation, Contact, datetime], OutboxMail]


def _claim(job: Job, candidates, now: datetime, limit: int, after_id: int) -> list[int]:
    """Lease up to `limit` confirmations so that two mailing runs never take the same row.

    PostgreSQL skips rows another run holds (FOR UPDATE SKIP LOCKED) and keeps the row locks
    until the batch commits: a run killed mid-batch loses its locks with its connection, so
    a re-run takes the rows at once. Without row locks (SQLite) a lease column marks the
    claim instead, committed at once; a run that died after claiming leaves it until it
    expires.
    """
    free = or_(Confirmation.mailing_lease_until.is_(None),
               Confirmation.mailing_lease_until < now)
    ids = list(db.session.scalars(
        select(Confirmation.id)
        .where(candidates, free, Confirmation.id > after_id)
        .order_by(Confirmation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    if db.session.get_bind().dialect.name == "postgresql" or not ids:
        return ids  # locked until the batch commits (or the connection dies)
    db.session.execute(
        update(Confirmation)
        .where(Confirmation.id.in_(ids), free)
        .values(mailing_lease_until=now + MAILING_LEASE)
        .execution_options(synchronize_session=False)
    )
    commit_progress(job, job.done)
    return ids


def _primary_contacts(organisation_ids: list[int]) -> dict[int, Contact]:
    contacts = db.session.scalars(
        select(Contact).where(Contact.organisation_id.in_(organisation_ids),
                              Contact.is_primary.is_(True))
    )
    return {contact.organisation_id: contact for contact in contacts}


def _mail_batch(job: Job, candidates, send_one: SendOne, report: MailingReport,
                after_id: int, batch_size: int) -> tuple[int, int]:
    """Claim one batch, queue its mails and mark the rows in ONE commit. -> (claimed, last id)."""
    now = clock.now()
    ids = _claim(job, candidates, now, batch_size, after_id)
    if not ids:
        return 0, after_id
    rows = list(db.session.scalars(
        select(Confirmation)
        .where(Confirmation.id.in_(ids))
        .options(selectinload(Confirmation.organisation), selectinload(Confirmation.campaign))
        .order_by(Confirmation.id)
    ))
    primaries = _primary_contacts([row.organisation_id for row in rows])
    skipped = 0
    queued = []
    try:
        for row in rows:
            row.mailing_lease_until = None
            contact = primaries.get(row.organisation_id)
            if contact is None:
                skipped += 1
                continue
            queued.append(send_one(row, contact, now))
        db.session.flush()
        mail_ids = [outbox_mail.id for outbox_mail in queued]
        commit_progress(job, report.mailed + report.skipped + len(ids), report.total)
    except Exception:
        # Nothing of this batch is kept; free the rows at once so a re-run needs no wait.
        # (A run that is killed outright leaves its lease, which expires on its own.)
        db.session.rollback()
        db.session.execute(
            update(Confirmation).where(Confirmation.id.in_(ids))
            .values(mailing_lease_until=None)
            .execution_options(synchronize_session=False)
        )
        commit_progress(job, job.done)
        raise
    report.mailed += len(mail_ids)
    report.skipped += skipped
    report.batch_mail_ids = mail_ids
    return len(ids), ids[-1]


def _run_mailing(job: Job, candidates, send_one: SendOne,
                 on_batch: Callable[[MailingReport], None] | None) -> MailingReport:
    batch_size = job.payload.get("batch_size") or MAILING_BATCH_SIZE
    report = MailingReport(total=db.session.scalar(
        select(func.count(Confirmation.id)).where(candidates)) or 0)
    after_id = 0
    while True:
        claimed, after_id = _mail_batch(job, candidates, send_one, report, after_id,
                                        batch_size)
        if not claimed:
            return report
        if on_batch is not None:
            on_batch(report)


def _mail(template: str, subject: str, row: Confirmation, contact: Contact,
          **context) -> OutboxMail:
    campaign = row.campaign
    return queue_mail(
        contact.email, template, subject, kind="service",
        name=contact.first_name,
        organisation=row.organisation.name,
        year=campaign.year,
        deadline=format_day(campaign.deadline),
        link=external_url("confirmation.start"),
        **context,
    )


# --- Invitations -------------------------------------------------------------------------


def queue_invitations(campaign_id: int, actor: User | None, *,
                      batch_size: int | None = None) -> Job:
    """Queue the job that invites the campaign's primary contacts (it runs after the commit)."""
    return enqueue(INVITATIONS, actor_id=actor.id if actor else None,
                   campaign_id=campaign_id, batch_size=batch_size)


@job_handler(INVITATIONS)
def send_invitations(job: Job, on_batch: Callable | None = None) -> MailingReport:
    """Invite the primary contact of every organisation of the campaign not yet invited.

    Safe to run again (and on two hosts at once): invited rows are never mailed again.
    """
    candidates = and_(Confirmation.campaign_id == job.payload["campaign_id"],
                      Confirmation.invited_at.is_(None),
                      Confirmation.confirmed_at.is_(None))

    def send_one(row: Confirmation, contact: Contact, now: datetime) -> OutboxMail:
        outbox_mail = _mail("confirmation_invitation",
                            _("Confirm your organisation's data for %(year)s",
                              year=row.campaign.year), row, contact)
        row.invited_at = now
        row.invitation_mail = outbox_mail
        return outbox_mail

    return _run_mailing(job, candidates, send_one, on_batch)


def pending_invitation_job(campaign_id: int) -> Job | None:
    """The campaign's invitations job that has not finished yet, if any (few are open)."""
    for job in db.session.scalars(
        select(Job).where(Job.kind == INVITATIONS, Job.finished_at.is_(None)).order_by(Job.id)
    ):
        if job.payload.get("campaign_id") == campaign_id:
            return job
    return None


# --- Reminders ---------------------------------------------------------------------------


def reminder_interval() -> timedelta:
    return timedelta(days=current_app.config.get("CONFIRMATION_REMINDER_INTERVAL_DAYS", 14))


@job_handler(REMINDERS)
def send_reminders(job: Job, on_batch: Callable | None = None) -> MailingReport:
    """Remind the primary contacts who have not confirmed, safe to run daily from cron.

    At most one mail per interval since the invitation or the last reminder, and one last
    reminder from a week before the deadline. Nothing after the deadline or the last reminder.
    Payload: campaign_id, and optionally today (ISO day) and interval_days.
    """
    campaign = db.session.get(ConfirmationCampaign, job.payload["campaign_id"])
    today = date.fromisoformat(job.payload["today"]) if job.payload.get("today") \
        else clock.today()
    interval = timedelta(days=job.payload["interval_days"]) if job.payload.get(
        "interval_days") else reminder_interval()
    if campaign is None or campaign.closed_at is not None or today > campaign.deadline:
        return MailingReport()
    now = clock.now()
    is_final = today >= campaign.deadline - FINAL_REMINDER_BEFORE
    last_mail = func.coalesce(Confirmation.last_reminded_at, Confirmation.invited_at)
    # Even the last reminder waits a day after any other mail: a second run the same day
    # never mails anyone again.
    wait = interval if not is_final else min(interval, timedelta(hours=20))
    candidates = and_(
        Confirmation.campaign_id == campaign.id,
        Confirmation.confirmed_at.is_(None),
        Confirmation.invited_at.is_not(None),
        Confirmation.final_reminder_at.is_(None),
        last_mail <= now - wait,
    )
    subject = (
        _("Last reminder: confirm your organisation's data for %(year)s", year=campaign.year)
        if is_final else
        _("Reminder: confirm your organisation's data for %(year)s", year=campaign.year))

    def send_one(row: Confirmation, contact: Contact, when: datetime) -> OutboxMail:
        outbox_mail = _mail("confirmation_reminder", subject, row, contact, is_final=is_final)
        row.last_reminded_at = when
        if is_final:
            row.final_reminder_at = when
        return outbox_mail

    return _run_mailing(job, candidates, send_one, on_batch)


# --- Running a job in the command itself -------------------------------------------------


def run_here(kind: str, *, on_batch: Callable | None = None, **payload) -> MailingReport:
    """Queue a job already claimed by this process and run it here (`flask campaign ...`).

    Claimed as the worker claims a job (a lease, renewed by each batch), so no worker takes
    it while it runs; it commits per batch like any job. Should this process die or fail,
    the worker takes the job over when its lease ends (it is safe to rerun). A failure is
    raised to the command.
    """
    job = enqueue(kind, **payload)
    job.started_at, job.attempts = clock.now(), 1
    commit_progress(job, 0)  # the command's work so far and the claimed job, one commit
    try:
        report = JOB_HANDLERS[kind](job, on_batch=on_batch)
    except Exception as error:
        db.session.rollback()
        job = db.session.get(Job, job.id, populate_existing=True)
        job.last_error = f"{type(error).__name__}: {error}"[:500]
        commit_progress(job, job.done)
        raise
    job.finished_at = clock.now()
    job.lease_until = None
    db.session.commit()  # the job's end, as portal.jobs.run_job records it
    return report
