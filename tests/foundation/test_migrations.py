"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and undo it."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    # A throw-away PostgreSQL database next to the test database.
    name = f"portal_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = url.rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_matches_models_and_downgrade_removes_everything(empty_database_url):
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory="migrations")
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())

        downgrade(directory="migrations", revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_0003_keeps_enrolments_and_gives_them_their_created_at(empty_database_url):
    """Rebuilding a SQLite table must not cascade-delete the rows that refer to it."""
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory="migrations", revision="0002")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO trainings (id, title, starts_on, ends_on, is_bev_recognised, "
                "is_vov_recognised, created_at) VALUES (1, 'T', '2027-01-04', '2027-02-26', "
                ":yes, :no, '2026-11-02 10:00:00+00:00')"), {"yes": True, "no": False})
            connection.execute(text(
                "INSERT INTO enrolments (id, training_id, participant_name, participant_email, "
                "link_nonce, created_at) VALUES (1, 1, 'A', 'a@x.be', 'n1', "
                "'2026-12-20 09:30:00+00:00')"))
            connection.execute(text(
                "INSERT INTO attestation_deliveries (enrolment_id, kind, delivered_at) "
                "VALUES (1, 'enrolment', '2027-01-05 10:00:00+00:00')"))
        upgrade(directory="migrations", revision="0003")
        with db.engine.connect() as connection:
            enrolled_at, created_at = connection.execute(
                text("SELECT enrolled_at, created_at FROM enrolments")).one()
            assert enrolled_at == created_at
            assert connection.execute(
                text("SELECT count(*) FROM attestation_deliveries")).scalar() == 1
            assert connection.execute(
                text("SELECT is_per_school_year FROM trainings")).scalar() in (False, 0)
        downgrade(directory="migrations", revision="0002")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM enrolments")).scalar() == 1
        db.engine.dispose()
