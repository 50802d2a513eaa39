"""Helpers for the accounts tests: logging in through the real form, mails, TOTP codes."""

import re
from datetime import UTC, datetime

import pyotp
import pytest

from portal.extensions import db
from tests.conftest import make_test_app
from tests.factories import PASSWORD

STRONG_PASSWORD = "fietsen langs de schelde in mei"  # noqa: S105 - test password


def post_login(client, email, password=PASSWORD, **query):
    return client.post("/aanmelden", query_string=query,
                       data={"email": email, "password": password})


def link_from(message, path: str) -> str:
    """The path (without host) of the first link to `path` in a mail's text."""
    match = re.search(r"https?://[^/\s]+(/" + path + r"/\S+)", message.body)
    assert match, f"no /{path}/ link in {message.subject!r}"
    return match.group(1)


def totp_code(user, when: datetime | None = None) -> str:
    db.session.refresh(user)
    return pyotp.TOTP(user.totp_secret).at(when or datetime.now(UTC))


def copy_client(app, client):
    """A second browser that got a copy of the client's session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    value = client.get_cookie(name).value
    other = app.test_client()
    other.set_cookie(name, value, domain="localhost")
    return other


@pytest.fixture
def other_app(database_url, tmp_path, _schema):
    """Another app instance on the same database: a second process of the portal."""
    created = []

    def build(**overrides):
        app = make_test_app(database_url, tmp_path, **overrides)
        created.append(app)
        return app

    yield build
    for app in created:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def staff_route(app):
    """A /beheer page guarded by staff_required, as the staff blueprint will have."""
    from portal.security import staff_required

    @staff_required
    def overview():
        return "beheer-ok"

    app.add_url_rule("/beheer/test", "staff_test_overview", overview)
    return "/beheer/test"
