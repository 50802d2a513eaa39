"""Guessing is slowed down: per address (known or not) and per client IP, on every process."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.auth.conftest import post_login
from tests.factories import PASSWORD

LOCKED = "Te veel mislukte pogingen voor dit e-mailadres"
WRONG = "E-mailadres of wachtwoord is onjuist."


def _fail(client, email, times, **kwargs):
    return [post_login(client, email, "een verkeerd wachtwoord", **kwargs)
            for _ in range(times)]


def test_the_sixth_attempt_is_refused_even_with_the_right_password(
        client, make_org, make_contact):
    make_contact(make_org(), email="doel@organisatie.be")
    answers = _fail(client, "doel@organisatie.be", 5)
    assert all(WRONG in answer.get_data(as_text=True) for answer in answers)
    sixth = post_login(client, "doel@organisatie.be", PASSWORD)
    assert sixth.status_code == 429
    assert LOCKED in sixth.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_lock_reads_the_same_for_an_unknown_address(client, make_org, make_contact):
    make_contact(make_org(), email="doel@organisatie.be")
    _fail(client, "doel@organisatie.be", 5)
    _fail(client, "spook@organisatie.be", 5)
    known = post_login(client, "doel@organisatie.be", PASSWORD)
    unknown = post_login(client, "spook@organisatie.be", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace("doel@", "X@") == unknown.get_data(
        as_text=True).replace("spook@", "X@")


def test_a_locked_address_is_refused_before_any_hashing(client, make_org, make_contact,
                                                        monkeypatch):
    from portal.auth import credentials

    make_contact(make_org(), email="doel@organisatie.be")
    _fail(client, "doel@organisatie.be", 5)
    _fail(client, "spook@organisatie.be", 5)

    def no_hashing(*args):
        raise AssertionError("a locked address must not reach the password check")

    monkeypatch.setattr(credentials, "verify_password", no_hashing)
    assert post_login(client, "doel@organisatie.be").status_code == 429
    assert post_login(client, "spook@organisatie.be").status_code == 429


def test_the_lock_lifts_after_fifteen_minutes(client, make_org, make_contact):
    make_contact(make_org(), email="doel@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        _fail(client, "doel@organisatie.be", 5)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert post_login(client, "doel@organisatie.be").status_code == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert post_login(client, "doel@organisatie.be").headers["Location"] == "/"


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(
        client, make_org, make_contact):
    make_contact(make_org(), email="doel@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        _fail(client, "doel@organisatie.be", 4)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        _fail(client, "doel@organisatie.be", 4)
        assert post_login(client, "doel@organisatie.be").headers["Location"] == "/"


def test_a_successful_login_resets_the_count(client, make_org, make_contact):
    make_contact(make_org(), email="doel@organisatie.be")
    _fail(client, "doel@organisatie.be", 4)
    post_login(client, "doel@organisatie.be")
    client.post("/afmelden")
    _fail(client, "doel@organisatie.be", 4)
    assert post_login(client, "doel@organisatie.be").headers["Location"] == "/"


def test_the_lock_is_audited(client, make_org, make_contact):
    contact = make_contact(make_org(), email="doel@organisatie.be")
    _fail(client, "doel@organisatie.be", 5)
    locks = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.locked"))
    assert [event.target_id for event in locks] == [contact.user.id]


def test_the_per_address_lock_holds_across_processes(client, make_org, make_contact,
                                                     other_app):
    make_contact(make_org(), email="doel@organisatie.be")
    _fail(client, "doel@organisatie.be", 5)
    second = other_app().test_client()
    assert post_login(second, "doel@organisatie.be").status_code == 429


def _ip_app(other_app, **overrides):
    return other_app(LOGIN_RATE_LIMIT="3 per 15 minutes",
                     THROTTLE_KEY_PREFIX=f"test-{uuid.uuid4().hex}", **overrides)


def test_attempts_per_ip_are_limited(other_app):
    client = _ip_app(other_app).test_client()
    for number in range(3):
        assert post_login(client, f"persoon{number}@organisatie.be", "fout").status_code == 200
    refused = post_login(client, "nog-iemand@organisatie.be", "fout")
    assert refused.status_code == 429
    assert "Te veel pogingen" in refused.get_data(as_text=True)


def test_a_spoofed_forwarded_for_does_not_escape_the_ip_limit(other_app):
    client = _ip_app(other_app).test_client()
    for number in range(3):
        client.post(
            "/aanmelden", data={"email": f"p{number}@organisatie.be", "password": "fout"},
            headers={"X-Forwarded-For": f"10.0.0.{number}"})
    refused = client.post("/aanmelden", data={"email": "x@organisatie.be", "password": "fout"},
                          headers={"X-Forwarded-For": "10.9.9.9"})
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_each_client_ip_counts_apart(other_app):
    client = _ip_app(other_app, PROXY_FIX_X_FOR=1).test_client()
    for number in range(3):
        client.post("/aanmelden", data={"email": f"p{number}@organisatie.be", "password": "f"},
                    headers={"X-Forwarded-For": "192.0.2.10"})
    assert client.post("/aanmelden", data={"email": "x@organisatie.be", "password": "f"},
                       headers={"X-Forwarded-For": "192.0.2.10"}).status_code == 429
    other = client.post("/aanmelden", data={"email": "x@organisatie.be", "password": "f"},
                        headers={"X-Forwarded-For": "192.0.2.11"})
    assert other.status_code == 200


def test_successful_logins_do_not_use_up_the_ip_allowance(other_app):
    app = _ip_app(other_app)
    with app.app_context():
        from tests import factories

        factories.make_contact(factories.make_org(), email="vaak@organisatie.be")
        client = app.test_client()
        try:
            for _ in range(5):
                assert post_login(client, "vaak@organisatie.be").status_code == 302
                client.post("/afmelden")
        finally:
            from tests.conftest import wipe_tables

            wipe_tables()


def _redis_available() -> bool:
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379", socket_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_the_ip_limit_is_counted_in_redis_for_every_process(other_app):
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings = dict(LOGIN_RATE_LIMIT="3 per 15 minutes", THROTTLE_KEY_PREFIX=prefix,
                    RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    store = redis.Redis.from_url("redis://127.0.0.1:6379")
    try:
        first = other_app(**settings).test_client()
        for number in range(3):
            assert post_login(first, f"p{number}@organisatie.be", "fout").status_code == 200
        assert store.keys(f"*{prefix}*"), "the count should live in Redis"
        # A process started later (fresh memory) still sees the count kept in Redis.
        second = other_app(**settings).test_client()
        assert post_login(second, "p4@organisatie.be", "fout").status_code == 429
        # With memory storage, a fresh process would have started counting from zero.
        alone = other_app(LOGIN_RATE_LIMIT="3 per 15 minutes",
                          THROTTLE_KEY_PREFIX=prefix).test_client()
        assert post_login(alone, "p5@organisatie.be", "fout").status_code == 200
    finally:
        for key in store.keys(f"*{prefix}*"):
            store.delete(key)
