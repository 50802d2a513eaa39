"""Jobs: long work queued by a request and run by the worker, one commit per batch.

A request that starts long work (open a campaign, send a mailing) only enqueues a job in its
own transaction and shows the job's progress. The worker (`flask mail send-queued`) runs due
jobs before it delivers the outbox. Each flow registers its handlers with `job_handler`; a
handler commits per batch through `commit_progress` and must be safe to run again after a
crash (it skips what an earlier run finished).
"""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portal import clock
from portal.email import backoff, note_queued_work
from portal.extensions import db
from portal.models import Job

JOB_HANDLERS: dict[str, Callable[[Job], None]] = {}
JOB_LEASE = timedelta(minutes=15)
MAX_JOB_ATTEMPTS = 5


def job_handler(kind: str):
    """Register `func(job)` as the handler of jobs of this kind."""

    def register(func: Callable[[Job], None]):
        JOB_HANDLERS[kind] = func
        return func

    return register


def enqueue(kind: str, *, actor_id: int | None = None, **payload) -> Job:
    """Queue a job in the current transaction (it runs after the commit, never before)."""
    if kind not in JOB_HANDLERS:
        raise LookupError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, payload=payload, created_by_user_id=actor_id)
    db.session.add(job)
    db.session.flush()
    note_queued_work()
    return job


def commit_progress(job: Job, done: int, total: int | None = None) -> None:
    """The handler's batch commit: its work and the job's progress in one transaction.

    Renews the lease too, so a long job is not taken over while it makes progress.
    """
    job.done = done
    if total is not None:
        job.total = total
    job.lease_until = clock.now() + JOB_LEASE
    db.session.commit()


def _claim(now: datetime) -> Job | None:
    due = (Job.finished_at.is_(None), Job.run_after <= now,
           or_(Job.lease_until.is_(None), Job.lease_until < now))
    job_id = db.session.scalar(
        select(Job.id).where(*due).order_by(Job.id).limit(1).with_for_update(skip_locked=True))
    if job_id is None:
        db.session.commit()
        return None
    # The lease doubles as the claim's token (see portal.email._new_lease).
    lease = now + JOB_LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, *due)
        .values(lease_until=lease, started_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Job, job_id, populate_existing=True) if claimed == 1 else None


def run_job(job: Job) -> bool:
    """Run one claimed job to its end; a failure is logged and retried with back-off."""
    handler = JOB_HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        handler(job)
        job.finished_at = clock.now()
        job.lease_until = None
        job.last_error = None
        db.session.commit()
        return True
    except Exception as error:  # noqa: BLE001 - the job stays queued and is retried
        db.session.rollback()
        current_app.logger.exception("Job %s (%s) failed", job.id, job.kind)
        failed = db.session.get(Job, job.id, populate_existing=True)
        failed.last_error = f"{type(error).__name__}: {error}"[:500]
        failed.lease_until = None
        if failed.attempts >= MAX_JOB_ATTEMPTS:
            failed.finished_at = clock.now()
        else:
            failed.run_after = clock.now() + backoff(failed.attempts)
        db.session.commit()
        return False


def run_due_jobs(limit: int = 20) -> int:
    """Run due jobs one after the other (at most `limit`); -> how many finished."""
    finished = 0
    for _ in range(limit):
        job = _claim(clock.now())
        if job is None:
            break
        finished += run_job(job)
    return finished


def job_status(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)
