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


def test_the_privacy_migration_keeps_every_row_and_ids_are_never_reused(empty_database_url):
    """0004 rebuilds tables on SQLite (AUTOINCREMENT): no row may be lost to a cascade, and
    afterwards a deleted contact's id is not handed to the next contact."""
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory="migrations", revision="0002")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO organisations (id, name, created_at, updated_at, version) "
                "VALUES (1, 'Oud vzw', '2020-01-01', '2020-01-01', 1)"))
            for number in (1, 2):
                connection.execute(text(
                    "INSERT INTO contacts (organisation_id, first_name, last_name, email, "
                    "has_advice_right, has_newsletter_right, has_website_right, is_primary, "
                    "created_at, updated_at, version) VALUES (1, 'A', 'B', :email, "
                    "true, true, false, false, '2020-01-01', '2020-01-01', 1)"),
                    {"email": f"c{number}@oud.be"})
            connection.execute(text(
                "INSERT INTO consent_records (contact_id, purpose, action, channel, "
                "text_version, recorded_at) SELECT id, 'newsletter:e-zine', 'given', "
                "'web_form', 'x', '2020-01-01' FROM contacts WHERE email = 'c2@oud.be'"))
        upgrade(directory="migrations")
        with db.engine.begin() as connection:
            counts = [connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
                      for table in ("organisations", "contacts", "consent_records")]
            assert counts == [1, 2, 1]
            # Erasing contact 2 keeps its consent record, without the person.
            last_id = connection.scalar(text("SELECT max(id) FROM contacts"))
            connection.execute(text("DELETE FROM contacts WHERE email = 'c2@oud.be'"))
            assert connection.scalar(text(
                "SELECT count(*) FROM consent_records WHERE contact_id IS NULL")) == 1
            connection.execute(text(
                "INSERT INTO contacts (organisation_id, first_name, last_name, email, "
                "has_advice_right, has_newsletter_right, has_website_right, is_primary, "
                "created_at, updated_at, version) VALUES (1, 'N', 'W', 'nieuw@oud.be', true, "
                "true, false, false, '2020-01-01', '2020-01-01', 1)"))
            assert connection.scalar(text(
                "SELECT id FROM contacts WHERE email = 'nieuw@oud.be'")) == last_id + 1
        db.engine.dispose()


def test_0005_keeps_enrolments_and_gives_them_their_created_at(empty_database_url):
    """The education-leave migration rebuilds trainings, enrolments and deliveries on SQLite:
    no row is lost, enrolments get their created_at as enrolment moment, ids stay unique."""
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory="migrations", revision="0004")
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
        upgrade(directory="migrations", revision="0005")
        with db.engine.connect() as connection:
            enrolled_at, created_at = connection.execute(
                text("SELECT enrolled_at, created_at FROM enrolments")).one()
            assert enrolled_at == created_at
            assert connection.execute(
                text("SELECT count(*) FROM attestation_deliveries")).scalar() == 1
            assert connection.execute(
                text("SELECT is_per_school_year FROM trainings")).scalar() in (False, 0)
            if connection.dialect.name == "sqlite":
                for table in ("trainings", "enrolments", "attestation_deliveries",
                              "attended_hours"):
                    sql = connection.execute(text(
                        "SELECT sql FROM sqlite_master WHERE name = :name"), {"name": table})
                    assert "AUTOINCREMENT" in sql.scalar(), table
        downgrade(directory="migrations", revision="0004")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM enrolments")).scalar() == 1
            assert connection.execute(
                text("SELECT count(*) FROM attestation_deliveries")).scalar() == 1
        db.engine.dispose()
