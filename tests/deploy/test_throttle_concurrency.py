"""Failed log-ins for one address counted on several processes at once lose no count."""

import pytest
from sqlalchemy import select

from portal.auth import services
from portal.extensions import db
from portal.models import LoginThrottle
from tests.concurrency import failures, run_together


def test_simultaneous_failures_for_one_address_are_all_counted(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite runs one writer at a time")
    email = "gelijktijdig@elders.be"
    results = run_together(app, *[lambda: services.record_failed_login(email)] * 4)
    assert failures(results) == []
    db.session.expire_all()
    row = db.session.scalar(select(LoginThrottle))
    assert row.failure_count == 4 and row.locked_until is None
    assert services.record_failed_login(email) is True  # the fifth locks, as on one process
    assert services.is_locked(email)
