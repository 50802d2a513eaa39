"""Password hashes: Argon2id with OWASP's parameters; hashes from before still verify."""

from argon2 import PasswordHasher
from werkzeug.security import generate_password_hash

from portal.passwords import hash_password, needs_rehash, verify_password


def test_new_hashes_are_argon2id_with_owasp_parameters():
    stored = hash_password("fietsen langs de schelde")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "fietsen langs de schelde")
    assert not verify_password(stored, "fietsen langs de Schelde")
    assert not needs_rehash(stored)
    assert hash_password("fietsen langs de schelde") != stored  # a salt of its own


def test_older_hashes_still_verify_and_ask_to_be_replaced():
    for method in ("scrypt", "pbkdf2:sha256:1000"):
        stored = generate_password_hash("oud wachtwoord", method=method)
        assert verify_password(stored, "oud wachtwoord")
        assert not verify_password(stored, "ander wachtwoord")
        assert needs_rehash(stored)
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash("oud wachtwoord")
    assert verify_password(weaker, "oud wachtwoord") and needs_rehash(weaker)


def test_a_damaged_hash_is_a_wrong_password_not_an_error():
    assert not verify_password("$argon2id$v=19$m=19456,t=2,p=1$kapot", "wat dan ook")
