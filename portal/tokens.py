"""Signed, expiring tokens for links in mails (reset, invitation, unsubscribe, ...)."""

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None = None) -> Any:
    """The payload of a token made for this purpose; InvalidToken if forged or too old."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken(expired=True)
    except (BadSignature, UnicodeError, ValueError):
        raise InvalidToken()


def keyed_hash(purpose: str, value: str) -> str:
    """An HMAC of a value (an email address): the same for the same value, useless without
    the key. For records that must recognise a person later without naming them (erasure
    journal, newsletter suppressions). The key is PRIVACY_HASH_KEY, else derived from
    SECRET_KEY; it must stay the same for as long as those records are kept.
    """
    import hashlib
    import hmac

    key = current_app.config.get("PRIVACY_HASH_KEY") or hmac.new(
        current_app.config["SECRET_KEY"].encode(), b"privacy-hash", hashlib.sha256).hexdigest()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
