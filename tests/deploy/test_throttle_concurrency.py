"""Failed log-ins for one address counted on several processes at once lose no count."""

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
