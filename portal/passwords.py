"""Password hashes: Argon2id with OWASP's parameters; older hashes keep working until login.

Argon2id (m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet's first choice)
replaces werkzeug's scrypt default (N = 2^15, below OWASP's scrypt minimum of 2^17). It is
memory-hard like scrypt and costs a worker about a quarter of scrypt's CPU time per check,
so a login flood holds the CPU that much shorter. Hashes made before (werkzeug's scrypt or
pbkdf2) still verify, and the login replaces them (needs_rehash).

Every password is NFKC-normalised before it is hashed or checked: the ligature "ﬁ" and
"fi", or a full-width digit and an ASCII one, are the same password on every keyboard.
"""

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_ARGON2 = "$argon2"


def normalise_password(password: str | None) -> str:
    """The NFKC form of a typed secret (a password, a code), the one that is hashed."""
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    return _HASHER.hash(normalise_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    password = normalise_password(password)
    if password_hash.startswith(_ARGON2):
        try:
            return _HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(password_hash, password)  # a hash from before Argon2id


def needs_rehash(password_hash: str) -> bool:
    """True for a hash of another kind or with other parameters than the current ones."""
    if not password_hash.startswith(_ARGON2):
        return True
    return _HASHER.check_needs_rehash(password_hash)
