"""The request owns the transaction, and failed attempts are counted all the same.

A refusal (PolicyError, status 400 and up) rolls the request back; a wrong password, a
wrong code or a wrong current password is answered with the form (200) or a redirect, which
commits its count. These tests read the database from a fresh transaction, as another
process would.
"""

import ast
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, LoginThrottle, User
from tests.auth.conftest import STRONG_PASSWORD, post_login, totp_code
from tests.factories import PASSWORD

AUTH = Path(__file__).parents[2] / "portal" / "auth"


def _committed_failures(email: str) -> tuple[int, list]:
    """The person's failure count and failure reasons as committed (a fresh transaction)."""
    db.session.rollback()
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    reasons = [event.fields for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failure").order_by(AuditEvent.id))]
    return user.failed_login_count, reasons


def _throttle_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.sum(LoginThrottle.failure_count), 0)))


def _switch_totp_on(user) -> None:
    from datetime import UTC, datetime

    from portal.auth.two_factor import new_recovery_codes

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = datetime.now(UTC)
    new_recovery_codes(user)
    db.session.commit()


def test_no_commit_anywhere_in_the_accounts_flow():
    calls = []
    for path in sorted(AUTH.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


def test_every_accounts_module_is_small_and_says_what_it_is_for():
    for path in sorted(AUTH.rglob("*.py")):
        lines = len(path.read_text().splitlines())
        assert lines <= 400, f"{path.name} has {lines} lines"
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        assert docstring, f"{path.name} has no docstring"


def test_a_wrong_password_at_login_is_committed(client, make_org, make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    response = post_login(client, "lid@organisatie.be", "een verkeerd wachtwoord")
    assert response.status_code == 200
    assert _committed_failures("lid@organisatie.be") == (1, [["password"]])
    assert _throttle_count() == 1


def test_the_failure_that_locks_is_committed_with_its_lock(client, other_app, make_org,
                                                           make_contact):
    make_contact(make_org(), email="lid@organisatie.be")
    for _ in range(5):
        assert post_login(client, "lid@organisatie.be", "fout").status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(LoginThrottle.locked_until)) is not None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("login.locked") == 1
    # Another process sees the lock; its refusal (429) writes nothing.
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert post_login(other_app().test_client(), "lid@organisatie.be").status_code == 429
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_wrong_current_password_is_counted_though_nothing_changes(client, login_as, make_org,
                                                                   make_contact, outbox):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    login_as(contact.user)
    before = contact.user.password_hash
    page = client.post("/wachtwoord-wijzigen", data={
        "current_password": "niet mijn wachtwoord", "password": STRONG_PASSWORD,
        "password_again": STRONG_PASSWORD})
    assert page.status_code == 200
    assert "Je huidige wachtwoord is niet juist." in page.get_data(as_text=True)
    assert _committed_failures("lid@organisatie.be") == (1, [["current_password"]])
    assert db.session.get(User, contact.user.id).password_hash == before
    assert len(outbox) == 0


def test_a_weak_new_password_is_refused_whole(client, login_as, make_org, make_contact):
    # The current password was right, the new one is refused: the refusal rolls back, and
    # nothing is counted, changed or audited.
    contact = make_contact(make_org(), email="lid@organisatie.be")
    login_as(contact.user)
    version = contact.user.session_version
    page = client.post("/wachtwoord-wijzigen", data={
        "current_password": PASSWORD, "password": "wachtwoord12345",
        "password_again": "wachtwoord12345"})
    assert "Dit lijkt op een vaak gebruikt wachtwoord." in page.get_data(as_text=True)
    assert _committed_failures("lid@organisatie.be") == (0, [])
    assert db.session.get(User, contact.user.id).session_version == version
    assert db.session.scalars(select(AuditEvent.action)).all() == []


@pytest.mark.parametrize("path,field", [
    ("/account/tweestapsverificatie/uitzetten", "off-password"),
    ("/account/tweestapsverificatie/herstelcodes", "codes-password"),
])
def test_a_wrong_password_for_two_step_settings_is_counted(client, login_as, make_org,
                                                           make_contact, path, field):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    _switch_totp_on(contact.user)
    hashes = contact.user.recovery_code_hashes
    login_as(contact.user)
    response = client.post(path, data={field: "niet mijn wachtwoord"})
    assert response.headers["Location"] == "/account/beveiliging"
    assert "Je huidige wachtwoord is niet juist." in client.get(
        "/account/beveiliging").get_data(as_text=True)
    assert _committed_failures("lid@organisatie.be") == (1, [["current_password"]])
    user = db.session.get(User, contact.user.id)
    assert user.totp_enabled_at is not None and user.recovery_code_hashes == hashes


def test_guessing_the_password_on_the_security_page_locks_and_logs_out(client, login_as,
                                                                       make_org, make_contact):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    _switch_totp_on(contact.user)
    login_as(contact.user)
    for _ in range(5):
        client.post("/account/tweestapsverificatie/uitzetten",
                    data={"off-password": "niet mijn wachtwoord"})
    # Locked: even the right password is refused before hashing, and the session ends.
    response = client.post("/account/tweestapsverificatie/uitzetten",
                           data={"off-password": PASSWORD})
    assert response.headers["Location"] == "/aanmelden"
    assert client.get("/").status_code == 302
    db.session.rollback()
    assert db.session.get(User, contact.user.id).totp_enabled_at is not None


def test_a_wrong_second_step_code_is_counted(client, make_staff):
    staff = make_staff(email="mona@sociare.be")
    _switch_totp_on(staff)
    post_login(client, "mona@sociare.be")
    wrong = client.post("/aanmelden/code", data={"code": "000000"})
    assert wrong.status_code == 200
    assert _committed_failures("mona@sociare.be") == (1, [["second_factor"]])
    done = client.post("/aanmelden/code", data={"code": totp_code(staff)})
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(User, staff.id).failed_login_count == 0  # a login clears it


def test_the_totp_secret_shown_after_a_refused_first_code_is_the_stored_one(client, login_as,
                                                                           make_staff):
    import re

    staff = make_staff(email="mona@sociare.be")
    client = login_as(staff)
    # A first visit that is a POST (no secret stored yet) with a wrong code.
    page = client.post("/account/tweestapsverificatie", data={"code": "000000"})
    shown = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>',
                      page.get_data(as_text=True)).group(1).replace(" ", "")
    db.session.rollback()
    assert db.session.get(User, staff.id).totp_secret == shown
    done = client.post("/account/tweestapsverificatie",
                       data={"code": pyotp.TOTP(shown).now()})
    assert "Je herstelcodes" in done.get_data(as_text=True)
