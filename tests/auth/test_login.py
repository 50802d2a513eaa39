"""Log in and out from the outside: no enumeration, safe redirects, fresh sessions, audit."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, User
from tests.auth.conftest import copy_client, post_login
from tests.conftest import make_test_app
from tests.factories import PASSWORD


def _normalised(response, email: str) -> str:
    return response.get_data(as_text=True).replace(email, "ADDRESS")


def test_wrong_password_and_unknown_address_look_identical(client, make_org, make_contact):
    make_contact(make_org(), email="bekend@organisatie.be")
    known = post_login(client, "bekend@organisatie.be", "een verkeerd wachtwoord")
    unknown = post_login(client, "niemand@organisatie.be", "een verkeerd wachtwoord")
    assert known.status_code == unknown.status_code == 200
    assert "E-mailadres of wachtwoord is onjuist." in known.get_data(as_text=True)
    assert _normalised(known, "bekend@organisatie.be") == _normalised(
        unknown, "niemand@organisatie.be")
    assert dict(known.headers).keys() == dict(unknown.headers).keys()


def test_unknown_addresses_cost_a_password_hash_too(client, make_org, make_contact,
                                                    monkeypatch):
    from portal.auth import credentials

    calls = []
    real = credentials.verify_password
    monkeypatch.setattr(credentials, "verify_password",
                        lambda *args: calls.append(args[0]) or real(*args))
    post_login(client, "niemand@organisatie.be", "een verkeerd wachtwoord")
    assert len(calls) == 1


@pytest.mark.parametrize("email", ["Lies@Organisatie.BE", " lies@organisatie.be "])
def test_the_email_matches_in_any_case(client, make_org, make_contact, email):
    make_contact(make_org(), email="lies@organisatie.be")
    assert post_login(client, email).headers["Location"] == "/"


@pytest.mark.parametrize("target", [
    "//evil.be", "//evil.be/pad", "/\\evil.be", "/%5Cevil.be", "/%5cevil.be", "https:evil.be",
    "https://evil.be/", "javascript:alert(1)", "\\\\evil.be", "/\tevil.be", " /x", "evil.be",
    "http:/evil.be", "/%2F%2Fevil.be", "///evil.be",
])
def test_an_open_redirect_next_is_ignored(client, make_org, make_contact, target):
    make_contact(make_org(), email="n@organisatie.be")
    response = post_login(client, "n@organisatie.be", next=target)
    assert response.headers["Location"] == "/"


def test_a_local_next_is_followed(client, make_org, make_contact):
    make_contact(make_org(), email="n@organisatie.be")
    response = post_login(client, "n@organisatie.be", next="/wachtwoord-wijzigen?x=1")
    assert response.headers["Location"] == "/wachtwoord-wijzigen?x=1"


def test_the_session_is_renewed_at_login(app, client, make_org, make_contact):
    make_contact(make_org(), email="s@organisatie.be")
    client.get("/aanmelden")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    post_login(client, "s@organisatie.be")
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize("case", ["no website right", "disabled contact", "disabled staff"])
def test_only_active_logins_get_in(client, make_org, make_contact, make_staff, case):
    if case == "disabled staff":
        user = make_staff(email="weg@sociare.be")
    else:
        user = make_contact(make_org(), email="weg@organisatie.be").user
    if case == "no website right":
        user.contact.has_website_right = False
    else:
        user.is_enabled = False
    db.session.commit()
    response = post_login(client, user.email)
    assert "E-mailadres of wachtwoord is onjuist." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_needs_a_post(client, login_as, make_org, make_contact):
    login_as(make_contact(make_org()).user)
    assert client.get("/afmelden").status_code == 405
    assert client.get("/").status_code == 200


def test_a_copied_cookie_dies_at_logout(app, client, make_org, make_contact):
    make_contact(make_org(), email="k@organisatie.be")
    post_login(client, "k@organisatie.be")
    thief = copy_client(app, client)
    assert thief.get("/").status_code == 200
    client.post("/afmelden")
    assert thief.get("/").status_code == 302
    assert thief.get("/").headers["Location"].startswith("/aanmelden")


def test_sessions_hold_on_another_process(app, client, make_org, make_contact, other_app):
    make_contact(make_org(), email="p@organisatie.be")
    post_login(client, "p@organisatie.be")
    second = other_app()
    copy = second.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"],
                    client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value,
                    domain="localhost")
    assert copy.get("/").status_code == 200
    client.post("/afmelden")
    assert copy.get("/").status_code == 302


def test_an_old_hash_is_upgraded_at_login(client, make_org, make_contact):
    contact = make_contact(make_org(), email="oud@organisatie.be")
    assert contact.user.password_hash.startswith("pbkdf2:sha256:1000$")
    post_login(client, "oud@organisatie.be")
    user = db.session.scalar(select(User).where(User.email == "oud@organisatie.be"))
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    client.post("/afmelden")
    assert post_login(client, "oud@organisatie.be").headers["Location"] == "/"


def test_a_failed_login_does_not_upgrade_the_hash(client, make_org, make_contact):
    contact = make_contact(make_org(), email="oud@organisatie.be")
    post_login(client, "oud@organisatie.be", "een verkeerd wachtwoord")
    db.session.refresh(contact.user)
    assert contact.user.password_hash.startswith("pbkdf2:")


def test_logins_and_failures_are_audited_without_secrets(client, make_org, make_contact):
    contact = make_contact(make_org(), email="a@organisatie.be")
    post_login(client, "a@organisatie.be", "een verkeerd wachtwoord")
    post_login(client, "niemand@organisatie.be", "een verkeerd wachtwoord")
    post_login(client, "a@organisatie.be")
    client.post("/afmelden")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == [
        "login.failure", "login.failure", "login.success", "logout"]
    assert events[0].target_id == contact.user.id and events[1].target_id is None
    dump = repr([(e.action, e.fields, e.actor_label, e.target_type) for e in events])
    assert "verkeerd" not in dump and PASSWORD not in dump and "niemand" not in dump


@pytest.mark.parametrize("path,data", [
    ("/aanmelden", {"email": "a@organisatie.be", "password": PASSWORD}),
    ("/afmelden", {}),
    ("/wachtwoord-vergeten", {"email": "a@organisatie.be"}),
    ("/wachtwoord-wijzigen", {"current_password": PASSWORD, "password": "x" * 20,
                              "password_again": "x" * 20}),
])
def test_posts_without_csrf_token_are_refused(database_url, tmp_path, _schema, path, data):
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        with app.app_context():
            from tests import factories

            contact = factories.make_contact(factories.make_org(), email="a@organisatie.be")
            client = app.test_client()
            from tests.conftest import log_in

            if path != "/aanmelden":
                log_in(client, contact.user)
            response = client.post(path, data=data)
            assert response.status_code == 400
            assert "Het formulier is verlopen" in response.get_data(as_text=True)
            if path == "/afmelden":
                assert client.get("/").status_code == 200  # still logged in
    finally:
        with app.app_context():
            from tests.conftest import wipe_tables

            wipe_tables()
            db.engine.dispose()
