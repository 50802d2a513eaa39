"""Failed log-ins for one address counted on several processes at once lose no count."""

import threading

import pytest
from sqlalchemy import select

from portal.auth import services
from portal.extensions import db
from portal.models import LoginThrottle


def test_simultaneous_failures_for_one_address_are_all_counted(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite runs one writer at a time")
    email = "gelijktijdig@elders.be"
    start = threading.Barrier(4)
    errors = []

    def process():
        try:
            with app.app_context():
                start.wait()
                services.record_failed_login(email)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    row = db.session.scalar(select(LoginThrottle))
    assert row.failure_count == 4 and row.locked_until is None
    assert services.record_failed_login(email) is True  # the fifth locks, as on one process
    assert services.is_locked(email)
