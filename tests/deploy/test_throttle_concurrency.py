"""Failed log-ins for one address on several processes at once: no count lost, no deadlock."""

import pytest
from sqlalchemy import select

from portal.auth import throttle
from portal.extensions import db
from portal.models import LoginThrottle
from tests.concurrency import failures, run_together


def test_simultaneous_failures_for_one_address_are_all_counted(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite runs one writer at a time")
    email = "gelijktijdig@elders.be"

    def fail():  # one failed login, committed as its request would
        throttle.record_failed_login(email)
        db.session.commit()

    results = run_together(app, *[fail] * 4)
    assert failures(results) == []
    db.session.expire_all()
    row = db.session.scalar(select(LoginThrottle))
    assert row.failure_count == 4 and row.locked_until is None
    assert throttle.record_failed_login(email) is True  # the fifth locks, as on one process
    db.session.commit()
    assert throttle.is_locked(email)


def test_failures_logins_and_second_steps_at_once_never_deadlock(app):
    """They lock the person's row before the address's, all in the same order, and each
    holds its locks until its request commits."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite runs one writer at a time")
    from portal.auth import credentials, two_factor
    from portal.models import User
    from tests import factories

    contact = factories.make_contact(factories.make_org(), email="druk@organisatie.be")
    db.session.commit()
    user_id = contact.user.id

    def fail():
        throttle.record_failed_login("druk@organisatie.be")
        db.session.commit()

    def log_in():
        credentials.start_session(db.session.get(User, user_id))
        db.session.commit()

    def wrong_code():
        two_factor.verify_second_factor(db.session.get(User, user_id), "000000")
        db.session.commit()

    for _ in range(5):
        results = run_together(app, fail, log_in, wrong_code, fail, log_in)
        assert failures(results) == []
