"""Outbox workers that run at the same moment send each mail exactly once.

The lease test runs on both databases; the two-thread race needs PostgreSQL (row locks with
SKIP LOCKED). On SQLite the rule is one worker at a time (documented in the deploy guide).
"""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask_mail import email_dispatched
from sqlalchemy import func, select

from portal import email
from portal.email import LEASE_TIME, claim_due_mails, deliver_outbox, queue_mail
from portal.extensions import db
from portal.models import OutboxMail


def _queue(count: int) -> list[str]:
    recipients = [f"lid{n:03d}@organisatie.be" for n in range(count)]
    for recipient in recipients:
        queue_mail(recipient, "test_notice", "Bericht", name="Lid")
    db.session.commit()
    db.session.info.pop(email.COMMITTED_FLAG, None)
    return recipients


def test_a_worker_whose_lease_ran_out_does_not_send_what_another_took_over(app, outbox):
    """A slow worker A outlives its lease; worker B takes the mail over: only B sends it."""
    _queue(2)
    now = datetime.now(UTC)
    ids_a, lease_a = claim_due_mails(now, limit=10)
    assert len(ids_a) == 2
    assert claim_due_mails(now, limit=10) == ([], None)  # leased: nobody else takes them
    mails_a = list(db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids_a))))

    later = now + LEASE_TIME + timedelta(seconds=1)
    sent_by_b = deliver_outbox(now=later)
    assert sent_by_b == (2, 0)
    # Worker A wakes up after its lease: it sends nothing and marks nothing of B's.
    result = email.send_batch(mails_a, lease_a, lambda: later)
    assert result.sent == [] and result.failed == {}
    assert sorted(message.recipients[0] for message in outbox) == [
        "lid000@organisatie.be", "lid001@organisatie.be"]


def test_a_mail_claimed_twice_without_row_locks_is_kept_by_one_claim_only(app):
    """SQLite has no SKIP LOCKED: the conditional UPDATE still lets only one claim win."""
    _queue(1)
    now = datetime.now(UTC)
    mail_id = db.session.scalar(select(OutboxMail.id))
    _ids, lease_a = claim_due_mails(now, limit=1)
    # Worker B read the row as free a moment before A's claim, and now tries to claim it.
    from sqlalchemy import update

    from portal.email import _due, _new_lease

    lease_b = _new_lease(now)
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, *_due(now))
                       .values(lease_until=lease_b))
    db.session.commit()
    assert db.session.scalar(select(OutboxMail.lease_until)) == lease_a
    assert lease_b != lease_a
    assert claim_due_mails(now, limit=1) == ([], None)


def test_two_workers_at_the_same_moment_send_200_mails_exactly_once(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED); set TEST_DATABASE_URL")
    recipients = _queue(200)
    sent = Counter()
    senders = {}
    lock = threading.Lock()
    start = threading.Barrier(2)
    results = {}

    def record(sender_app, message, **extra):
        with lock:
            sent[message.recipients[0]] += 1
            senders.setdefault(threading.current_thread().name, 0)
            senders[threading.current_thread().name] += 1

    def worker(name):
        with app.app_context():
            start.wait()
            results[name] = deliver_outbox(limit=7)
            db.session.remove()

    email_dispatched.connect(record)
    try:
        threads = [threading.Thread(target=worker, args=(name,), name=name)
                   for name in ("worker-1", "worker-2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        email_dispatched.disconnect(record)

    assert sorted(sent) == sorted(recipients)
    assert set(sent.values()) == {1}, [r for r, n in sent.items() if n > 1]
    assert results["worker-1"][0] + results["worker-2"][0] == 200
    # Both really worked at the same time (otherwise the test would prove nothing).
    assert senders.get("worker-1", 0) > 0 and senders.get("worker-2", 0) > 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None))) == 0


def test_the_mail_worker_loop_survives_a_failed_round_and_stops_on_sigterm(app):
    """`flask mail send-queued --every N` (the systemd worker) keeps going after an error
    and ends cleanly between two rounds when systemd sends SIGTERM."""
    import os
    import signal

    from portal.cli import _run_mail_worker

    calls = []

    def fake_deliver(limit):
        calls.append(limit)
        if len(calls) == 1:
            raise ConnectionRefusedError("database restarting")
        os.kill(os.getpid(), signal.SIGTERM)
        return (0, 0)

    saved = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        _run_mail_worker(fake_deliver, limit=50, every=0.01)
    finally:
        signal.signal(signal.SIGTERM, saved[0])
        signal.signal(signal.SIGINT, saved[1])
    assert calls == [50, 50]
