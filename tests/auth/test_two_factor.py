"""Two-step verification: staff set it up before /beheer; contacts may switch it on."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.auth.conftest import post_login, totp_code
from tests.factories import PASSWORD


def _enable_totp(user) -> str:
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = datetime.now(UTC)
    from portal.auth.two_factor import new_recovery_codes

    codes = new_recovery_codes(user)
    db.session.commit()
    return codes


def _setup(client, user):
    page = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    code = pyotp.TOTP(key.replace(" ", "")).now()
    return page, client.post("/account/tweestapsverificatie", data={"code": code})


def test_staff_without_totp_set_it_up_at_login(client, make_staff, staff_route):
    make_staff(email="mona@sociare.be")
    response = post_login(client, "mona@sociare.be", next=staff_route)
    assert response.headers["Location"].startswith("/account/tweestapsverificatie?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tweestapsverificatie instellen" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # only external scripts
    # /beheer stays closed until it is set up.
    blocked = client.get(staff_route)
    assert blocked.status_code == 302
    assert blocked.headers["Location"].startswith("/account/tweestapsverificatie")


def test_setting_up_totp_opens_beheer_and_shows_recovery_codes_once(client, make_staff,
                                                                    staff_route):
    staff = make_staff(email="mona@sociare.be")
    post_login(client, "mona@sociare.be")
    client.get("/account/tweestapsverificatie")
    refused = client.post("/account/tweestapsverificatie", data={"code": "000000"})
    assert "Deze code is niet juist." in refused.get_data(as_text=True)
    assert client.get(staff_route).status_code == 302
    page, done = _setup(client, staff)
    codes = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and "Je herstelcodes" in done.get_data(as_text=True)
    assert client.get(staff_route).get_data(as_text=True) == "beheer-ok"
    again = client.get("/account/tweestapsverificatie")
    assert again.headers["Location"] == "/account/beveiliging"
    db.session.refresh(staff)
    assert staff.totp_enabled_at is not None
    assert not any(code in (staff.recovery_code_hashes or "") for code in codes)


def test_staff_with_totp_need_a_code_to_log_in(client, make_staff, staff_route):
    staff = make_staff(email="mona@sociare.be")
    _enable_totp(staff)
    response = post_login(client, "mona@sociare.be", next=staff_route)
    assert response.headers["Location"] == "/aanmelden/code"
    assert client.get("/").status_code == 302  # not logged in before the second step
    page = client.get("/aanmelden/code").get_data(as_text=True)
    assert "Tweestapsverificatie" in page and 'autocomplete="one-time-code"' in page
    wrong = client.post("/aanmelden/code", data={"code": "123456"})
    assert "Deze code is niet juist." in wrong.get_data(as_text=True)
    done = client.post("/aanmelden/code", data={"code": totp_code(staff)})
    assert done.headers["Location"] == staff_route
    assert client.get(staff_route).get_data(as_text=True) == "beheer-ok"


def test_a_totp_code_cannot_be_replayed(app, client, make_staff):
    staff = make_staff(email="mona@sociare.be")
    _enable_totp(staff)
    moment = datetime.now(UTC)
    with time_machine.travel(moment, tick=False):
        code = totp_code(staff, moment)
        post_login(client, "mona@sociare.be")
        assert client.post("/aanmelden/code", data={"code": code}).status_code == 302
        attacker = app.test_client()
        post_login(attacker, "mona@sociare.be")
        replay = attacker.post("/aanmelden/code", data={"code": code})
    assert replay.status_code == 200 and "Deze code is niet juist." in replay.get_data(
        as_text=True)


def test_a_recovery_code_works_once(app, client, make_staff):
    staff = make_staff(email="mona@sociare.be")
    codes = _enable_totp(staff)
    post_login(client, "mona@sociare.be")
    assert client.post("/aanmelden/code", data={"code": codes[0].upper()}).status_code == 302
    other = app.test_client()
    post_login(other, "mona@sociare.be")
    assert other.post("/aanmelden/code", data={"code": codes[0]}).status_code == 200
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login.recovery_code_used" in actions


def test_guessing_codes_locks_the_address(client, make_staff):
    staff = make_staff(email="mona@sociare.be")
    _enable_totp(staff)
    post_login(client, "mona@sociare.be")
    for _ in range(5):
        client.post("/aanmelden/code", data={"code": "000000"})
    response = client.post("/aanmelden/code", data={"code": totp_code(staff)})
    assert response.headers["Location"] == "/aanmelden"
    assert post_login(client, "mona@sociare.be").status_code == 429


def test_the_second_step_expires_after_five_minutes(client, make_staff):
    staff = make_staff(email="mona@sociare.be")
    _enable_totp(staff)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "mona@sociare.be")
    later = start + timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.post("/aanmelden/code", data={"code": totp_code(staff, later)})
    assert response.headers["Location"] == "/aanmelden"


def test_the_second_step_needs_a_password_first(client):
    assert client.get("/aanmelden/code").headers["Location"] == "/aanmelden"


def test_login_as_helper_gives_staff_a_completed_second_factor(login_as, make_staff,
                                                               staff_route):
    client = login_as(make_staff())
    assert client.get(staff_route).get_data(as_text=True) == "beheer-ok"


def test_contacts_get_403_on_beheer(login_as, make_org, make_contact, staff_route):
    client = login_as(make_contact(make_org()).user)
    assert client.get(staff_route).status_code == 403


def test_a_contact_switches_totp_on_and_off(client, make_org, make_contact):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    page = client.get("/account/beveiliging").get_data(as_text=True)
    assert "Tweestapsverificatie inschakelen" in page
    _page, done = _setup(client, contact.user)
    assert done.status_code == 200
    client.post("/afmelden")
    assert post_login(client, "lid@organisatie.be").headers["Location"] == "/aanmelden/code"
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=False):
        client.post("/aanmelden/code", data={"code": totp_code(contact.user)})
        page = client.get("/account/beveiliging").get_data(as_text=True)
        assert "ongebruikte herstelcodes" in page
        wrong = client.post("/account/tweestapsverificatie/uitzetten",
                            data={"off-password": "niet mijn wachtwoord"})
        assert wrong.headers["Location"] == "/account/beveiliging"
        db.session.refresh(contact.user)
        assert contact.user.totp_enabled_at is not None
        client.post("/account/tweestapsverificatie/uitzetten", data={"off-password": PASSWORD})
        db.session.refresh(contact.user)
        assert contact.user.totp_enabled_at is None
    client.post("/afmelden")
    assert post_login(client, "lid@organisatie.be").headers["Location"] == "/"


def test_staff_cannot_switch_totp_off(login_as, make_staff):
    staff = make_staff()
    _enable_totp(staff)
    client = login_as(staff)
    response = client.post("/account/tweestapsverificatie/uitzetten",
                           data={"off-password": PASSWORD})
    assert response.status_code == 403
    assert "uitschakelen" not in client.get("/account/beveiliging").get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(login_as, make_org, make_contact):
    contact = make_contact(make_org())
    old = _enable_totp(contact.user)
    client = login_as(contact.user)
    page = client.post("/account/tweestapsverificatie/herstelcodes",
                       data={"codes-password": PASSWORD}).get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    from portal.auth.two_factor import use_recovery_code

    db.session.refresh(contact.user)
    assert not use_recovery_code(contact.user, old[0])
    db.session.rollback()


@pytest.mark.parametrize("path", ["/account/beveiliging", "/account/tweestapsverificatie",
                                  "/wachtwoord-wijzigen"])
def test_account_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/aanmelden?next=")


@pytest.mark.parametrize("path", ["/account/elders-afmelden",
                                  "/account/tweestapsverificatie/uitzetten",
                                  "/account/tweestapsverificatie/herstelcodes"])
def test_account_posts_need_a_login(client, path):
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/aanmelden")


@pytest.mark.parametrize("kind", ["totp", "recovery code"])
def test_one_code_sent_twice_at_the_same_moment_gets_in_once(app, make_staff, kind):
    """Two processes check the same code at once: the person's row is locked while one
    checks, so the other then finds the code used (replay protection across processes)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite runs one writer at a time")
    from portal.auth.two_factor import verify_second_factor
    from portal.models import User
    from tests.concurrency import failures, run_together

    staff = make_staff(email="mona@sociare.be")
    codes = _enable_totp(staff)
    code = totp_code(staff) if kind == "totp" else codes[0]
    staff_id = staff.id

    def check():
        valid = verify_second_factor(db.session.get(User, staff_id), code)
        db.session.commit()  # as the request would
        return valid

    results = run_together(app, check, check)
    assert failures(results) == []
    assert sorted(results) == [False, True]
