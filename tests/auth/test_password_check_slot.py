"""One password check per address at a time, and a pause after a wrong password.

A flood of attempts at one address must not keep workers busy hashing (each check costs a
worker real CPU time, see portal.passwords): attempts while one is checked, and for
LOGIN_RETRY_SECONDS after a wrong password, are refused without hashing. A person who typed
the right password is never held up after a success, and the pause ends by itself.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.auth import credentials, throttle
from tests.auth.conftest import post_login

EMAIL = "lies@organisatie.be"
WAIT_TEXT = "Wacht enkele seconden en probeer het opnieuw."


@pytest.fixture
def hashes(monkeypatch):
    calls = []
    real = credentials.verify_password
    monkeypatch.setattr(credentials, "verify_password",
                        lambda *args: calls.append(args[0]) or real(*args))
    return calls


@pytest.fixture
def member(app, make_org, make_contact):
    app.config["LOGIN_RETRY_SECONDS"] = 5
    return make_contact(make_org(), email=EMAIL)


def test_after_a_wrong_password_the_address_pauses_without_hashing(client, member, hashes):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        assert post_login(client, EMAIL, "een verkeerd wachtwoord").status_code == 200
        assert len(hashes) == 1
        refused = post_login(client, EMAIL)  # even the right password waits
        assert refused.status_code == 429
        assert WAIT_TEXT in refused.get_data(as_text=True)
        assert len(hashes) == 1
        clock.shift(timedelta(seconds=6))
        assert post_login(client, EMAIL).headers["Location"] == "/"
        assert len(hashes) == 2


def test_an_attempt_while_another_is_checked_is_refused(app, client, member, hashes):
    # Another worker is checking a password for this address right now.
    with app.test_request_context("/aanmelden", method="POST"):
        with throttle.password_check_slot(EMAIL) as other:
            refused = post_login(client, EMAIL)
            other.succeeded = True
    assert refused.status_code == 429
    assert WAIT_TEXT in refused.get_data(as_text=True)
    assert hashes == []
    assert post_login(client, EMAIL).headers["Location"] == "/"  # freed when it ended


def test_a_success_frees_the_address_at_once(app, client, member, hashes):
    assert post_login(client, EMAIL).headers["Location"] == "/"
    client.post("/afmelden")
    assert post_login(client, EMAIL).headers["Location"] == "/"
    assert len(hashes) == 2


def test_other_addresses_are_not_held_up(client, member, make_contact, hashes):
    make_contact(member.organisation, email="tom@organisatie.be")
    post_login(client, EMAIL, "een verkeerd wachtwoord")
    assert post_login(client, "tom@organisatie.be").headers["Location"] == "/"


def test_a_refused_attempt_does_not_count_towards_the_address_lock(app, client, member):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        post_login(client, EMAIL, "een verkeerd wachtwoord")
        for _ in range(10):
            assert post_login(client, EMAIL, "nog eens fout").status_code == 429
        clock.shift(timedelta(seconds=6))
        assert post_login(client, EMAIL).headers["Location"] == "/"
