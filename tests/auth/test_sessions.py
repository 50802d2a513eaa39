"""Sessions end when they should: idle, too old, login switched off, right withdrawn; cookies."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.auth.sessions import end_all_sessions
from portal.extensions import db
from portal.signals import contact_access_changed
from tests.auth.conftest import copy_client, post_login
from tests.conftest import make_test_app
from tests.factories import PASSWORD


def test_thirty_idle_minutes_end_the_session(client, make_org, make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "lid@organisatie.be")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    from portal.models import UserSession

    assert db.session.query(UserSession).count() == 0


def test_after_hours_away_the_login_page_says_the_session_ended(client, make_org,
                                                                make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "lid@organisatie.be")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        response = client.get("/wachtwoord-wijzigen")
        assert response.status_code == 302 and "expired=1" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je sessie is afgelopen. Meld je opnieuw aan." in page


def test_an_idle_session_is_dead_on_the_server_too(app, client, make_org, make_contact):
    # Even a cookie that claims recent activity cannot revive a session idle on the server.
    make_contact(make_org(), email="lid@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "lid@organisatie.be")
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        with client.session_transaction() as session:
            session["_last_seen"] = session["_started"] = (start + timedelta(minutes=44)
                                                           ).timestamp()
        assert client.get("/").status_code == 302


def test_twelve_hours_end_even_an_active_session(client, make_org, make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "lid@organisatie.be")
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get("/").status_code == 302


@pytest.mark.parametrize("how", ["login switched off", "website right withdrawn",
                                 "logout everywhere"])
def test_a_copied_cookie_dies_when_access_ends(app, client, make_org, make_contact, how):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    copy = copy_client(app, client)
    assert copy.get("/").status_code == 200
    if how == "login switched off":
        contact.user.is_enabled = False
    elif how == "website right withdrawn":
        contact.has_website_right = False
        contact_access_changed.send(contact, actor=None)
    else:
        end_all_sessions(contact.user)
    db.session.commit()
    assert copy.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_log_out_on_other_devices_keeps_this_one(app, client, make_org, make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    laptop = app.test_client()
    post_login(laptop, "lid@organisatie.be")
    response = client.post("/account/elders-afmelden")
    assert response.headers["Location"] == "/account/beveiliging"
    assert client.get("/").status_code == 200
    assert laptop.get("/").status_code == 302


def test_expired_session_rows_are_erased_by_retention(app, client, make_org, make_contact):
    from portal.auth.retention import erase_expired_sessions
    from portal.models import UserSession

    make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    assert db.session.query(UserSession).count() == 1
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=13)):
        report = erase_expired_sessions(datetime.now(UTC).date(), dry_run=False)
        db.session.commit()  # the test plays the retention run
    assert report.count == 1 and db.session.query(UserSession).count() == 0


def test_production_cookies_are_host_only_secure_and_httponly(database_url, tmp_path, _schema,
                                                              monkeypatch):
    from tests import factories

    monkeypatch.setenv("DATABASE_URL", database_url)
    app = make_test_app(database_url, tmp_path, PORTAL_CONFIG="production",
                        SECRET_KEY="x" * 40, BASE_URL="https://leden.example.be",
                        SERVER_NAME="localhost")
    try:
        with app.app_context():
            factories.make_contact(factories.make_org(), email="prod@organisatie.be")
            client = app.test_client()
            secure = {"base_url": "https://localhost",
                      "headers": {"Referer": "https://localhost/aanmelden"}}
            page = client.get("/aanmelden", **secure).get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            form = {"email": "prod@organisatie.be", "password": PASSWORD, "csrf_token": token}
            response = client.post("/aanmelden", data=form, **secure)
            assert response.status_code == 302
            cookie = response.headers["Set-Cookie"]
            assert cookie.startswith("__Host-session=")
            for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
                assert flag in cookie
            assert "Domain=" not in cookie
            assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
            assert app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024
    finally:
        with app.app_context():
            from tests.conftest import wipe_tables

            wipe_tables()
            db.engine.dispose()


@pytest.mark.parametrize("path", ["/aanmelden", "/wachtwoord-vergeten", "/account/beveiliging",
                                  "/wachtwoord-wijzigen"])
def test_account_pages_have_security_headers_and_are_not_cached(login_as, make_org,
                                                                make_contact, path):
    client = login_as(make_contact(make_org()).user)
    headers = client.get(path).headers
    assert headers["Cache-Control"] == "no-store"
    csp = headers["Content-Security-Policy"]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                 "script-src 'self'"):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_too_large_a_request_is_refused(client):
    response = client.post("/aanmelden", data={"email": "a@b.be", "password": "x" * 2_000_000})
    assert response.status_code == 413
