"""`flask retention run` runs once at a time across hosts (PostgreSQL advisory lock)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal import clock
from portal.extensions import db
from portal.models import Organisation
from tests.factories import make_org


def _ended_member() -> int:
    return make_org("Gestopt vzw", membership_ended_on=clock.today() - timedelta(days=6 * 366)).id


def test_a_second_retention_run_stands_aside_while_one_runs(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the lock is PostgreSQL's; on SQLite one timer is the one runner")
    organisation_id = _ended_member()
    runner = app.test_cli_runner()
    # Another host's run holds the lock: this one erases nothing and says why.
    with db.engine.connect() as other_host:
        assert other_host.scalar(text("SELECT pg_try_advisory_lock(hashtext('retention run'))"))
        result = runner.invoke(args=["retention", "run"])
        assert result.exit_code == 0, result.output
        assert "Another retention run is busy" in result.output
        assert db.session.get(Organisation, organisation_id) is not None
        # A dry run only reads: it may look while the other run works.
        assert "would erase 1" in runner.invoke(args=["retention", "run", "--dry-run"]).output
        other_host.invalidate()  # that host's run ends: its connection, and lock, are gone
    # The next run does the work, once.
    result = runner.invoke(args=["retention", "run"])
    assert "organisations: erased 1" in result.output, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Organisation.id).where(
        Organisation.id == organisation_id)) is None
    assert "organisations: erased 0" in runner.invoke(args=["retention", "run"]).output


def test_on_sqlite_the_run_goes_ahead(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite behaviour")
    _ended_member()
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert "organisations: erased 1" in result.output, result.output
