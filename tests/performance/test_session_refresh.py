"""The idle clock is refreshed at most once a minute, and the idle timeout still holds.

Writing the session on every request re-signs and re-sends the cookie with every page; the
portal refreshes `_last_seen` only when it is a minute old.
"""

from datetime import UTC, datetime, timedelta

import time_machine

from portal.security import LAST_SEEN_RESOLUTION


def _sets_cookie(response) -> bool:
    return any(header.lower() == "set-cookie" for header, _ in response.headers)


def test_a_page_within_the_minute_does_not_resend_the_session(app, login_as, world):
    client = login_as(world.user("primary"))
    client.get("/")  # the first page may add the CSRF token to the session
    response = client.get("/")
    assert response.status_code == 200
    assert not _sets_cookie(response)


def test_the_idle_clock_moves_once_a_minute_has_passed(app, login_as, world):
    client = login_as(world.user("primary"))
    client.get("/")
    later = datetime.now(UTC) + timedelta(seconds=LAST_SEEN_RESOLUTION + 5)
    with time_machine.travel(later):
        response = client.get("/")
        assert response.status_code == 200
        assert _sets_cookie(response)
        with client.session_transaction() as session:
            assert session["_last_seen"] >= later.timestamp() - 1


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
