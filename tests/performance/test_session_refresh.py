"""The idle clock lives on the server-side session row, moved at most once a minute.

The cookie only carries the session key: pages do not re-sign and re-send it, and the
row's last_seen_at is written only when it is a minute old.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.auth.sessions import LAST_SEEN_RESOLUTION
from portal.extensions import db
from portal.models import UserSession


def _sets_cookie(response) -> bool:
    return any(header.lower() == "set-cookie" for header, _ in response.headers)


def test_a_page_within_the_minute_does_not_resend_the_session(app, login_as, world):
    client = login_as(world.user("primary"))
    client.get("/")  # the first page may add the CSRF token to the session
    response = client.get("/")
    assert response.status_code == 200
    assert not _sets_cookie(response)


def _last_seen() -> datetime:
    db.session.rollback()
    return db.session.scalar(select(UserSession.last_seen_at))


def test_the_idle_clock_moves_once_a_minute_has_passed(app, login_as, world):
    client = login_as(world.user("primary"))
    client.get("/")
    first = _last_seen()
    client.get("/")
    assert _last_seen() == first  # within the minute: no write
    later = datetime.now(UTC) + LAST_SEEN_RESOLUTION + timedelta(seconds=5)
    with time_machine.travel(later):
        response = client.get("/")
        assert response.status_code == 200
        assert not _sets_cookie(response)
    assert _last_seen() >= later - timedelta(seconds=1)


def test_activity_keeps_the_session_and_idleness_ends_it(app, login_as, world):
    client = login_as(world.user("primary"))
    start = datetime.now(UTC)
    # A page every 20 minutes keeps the session alive past the 30-minute idle timeout...
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/").status_code == 200
    # ...and 31 quiet minutes end it.
    with time_machine.travel(start + timedelta(minutes=60 + 31)):
        response = client.get("/")
    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
