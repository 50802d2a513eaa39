"""Shared fixtures: a fresh app per test on SQLite (or PostgreSQL via TEST_DATABASE_URL)."""

import contextlib
import contextvars
import os

import pytest
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_mail import email_dispatched
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests import factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per run; tests wipe the rows after themselves."""
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Without this, a request would reuse the test's app context and share its `g` (the
    logged-in user) and its database session across requests.
    """

    def open(self, *args, **kwargs):
        from flask import has_app_context

        if has_app_context():
            db.session.rollback()  # only committed data is visible to "another process"
        # Buffered: the response is read and closed as a server would, so the work that runs
        # after the response (mail delivery in testing) is done when the call returns.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def wipe_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
        # Like RESTART IDENTITY: every test starts its ids at 1 (AUTOINCREMENT counts on).
        db.session.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


def make_test_app(database_url: str, tmp_path, **overrides):
    config = {
        "PORTAL_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    return app


@contextlib.contextmanager
def app_in_context(database_url, tmp_path, **overrides):
    """A test app with its app context pushed; its rows are wiped when the test is done."""
    app = make_test_app(database_url, tmp_path, **overrides)
    with app.app_context():
        yield app
        db.session.rollback()
        wipe_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(_schema, database_url, tmp_path):
    """The app with an app context pushed, so tests can use db.session and services."""
    with app_in_context(database_url, tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


class Outbox(list):
    """Mails delivered during the test. Reading it first delivers what is committed and queued,
    as the app does after every request, so service-level tests see their mails too."""

    def _deliver(self):
        from portal.email import deliver_if_ready

        deliver_if_ready()

    def __len__(self):
        self._deliver()
        return super().__len__()

    def __getitem__(self, index):
        self._deliver()
        return super().__getitem__(index)

    def __iter__(self):
        self._deliver()
        return super().__iter__()

    def __eq__(self, other):
        self._deliver()
        return list(super().__iter__()) == other

    __hash__ = None


@pytest.fixture
def outbox(app):
    """Every mail delivered during the test (flask_mail.Message objects)."""
    messages = Outbox()

    def record(app, message, **extra):
        list.append(messages, message)

    email_dispatched.connect(record)
    yield messages
    email_dispatched.disconnect(record)


def log_in(client, user) -> None:
    """Put `user` in the client's session as a real login would: a server-side session row,
    with the second factor done (staff reach /beheer without TOTP steps in tests)."""
    from portal.auth.sessions import SESSION_KEY, open_session

    app = client.application
    key = open_session(user, second_factor=True)
    db.session.commit()
    # flask-login's own login_user in a request like the client's (same address and browser,
    # so "strong" session protection accepts it), then its session values into the client.
    with app.test_request_context(environ_base=client.environ_base):
        login_user(user)
        values = dict(flask_session)
    with client.session_transaction() as session:
        session.update(values)
        session[SESSION_KEY] = key


@pytest.fixture
def login_as(client):
    def login(user):
        log_in(client, user)
        return client

    return login


@pytest.fixture
def make_org(app):
    return factories.make_org


@pytest.fixture
def make_contact(app):
    return factories.make_contact


@pytest.fixture
def make_staff(app):
    return factories.make_staff
