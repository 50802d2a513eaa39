"""Password hashes: Argon2id with OWASP's parameters; older hashes keep working until login.

Argon2id (m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet's first choice)
replaces werkzeug's scrypt default (N = 2^15, below OWASP's scrypt minimum of 2^17). It is
memory-hard like scrypt and costs a worker about 20 ms of CPU per check instead of 100 ms,
so a login flood holds the CPU five times shorter. Hashes made before (werkzeug's scrypt or
pbkdf2) still verify, and the login replaces them (needs_rehash).
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_ARGON2 = "$argon2"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
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
