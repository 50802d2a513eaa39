"""Server-side sessions: a row per login whose deletion ends it at once, on every process.

The cookie only carries a random key (SESSION_KEY); its hash names the row. Logging out,
a password change or a website right taken away delete rows, so a copied cookie stops
working at its next request. The idle and absolute lifetimes are checked on the row.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from portal import clock
from portal.audit import record_event
from portal.extensions import db
from portal.models import Contact, User, UserSession

# The key of the server-side session row, kept in the (signed) Flask session cookie.
SESSION_KEY = "_sid"
# Writing last_seen_at on every request would be wasteful; once a minute is precise enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, second_factor: bool = False) -> str:
    """A new server-side session for the user; returns the key for the cookie."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(UserSession(user_id=user.id, key_hash=_hash_key(key), created_at=now,
                               last_seen_at=now, second_factor_at=now if second_factor else None))
    return key


@functools.cache
def _session_user_query():
    """User, contact, organisation and session row in one statement, built once per process.

    Every request needs them (is_active reads the contact, the layout and most pages the
    organisation): one joined statement instead of four loads.
    """
    return (
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .options(joinedload(User.contact).joinedload(Contact.organisation))
        .where(User.id == bindparam("user_id"), UserSession.key_hash == bindparam("key_hash"))
    )


def load_session_user(alternative_id: str, key: str | None) -> User | None:
    """flask-login's user loader: the user only while their session row lives and is fresh.

    An expired row is deleted and a live one's last_seen_at moved (at most once a minute);
    both only change the session: the request commits them with its own work (a request
    answered with 400 or more rolls them back, and the next request does them again).
    """
    user_id, _sep, version = (alternative_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit() or not key:
        return None
    found = db.session.execute(_session_user_query(), {
        "user_id": int(user_id), "key_hash": _hash_key(key)}).first()
    if found is None:
        return None
    user, row = found
    if user.session_version != int(version) or not user.is_active:
        return None
    now = clock.now()
    # last_seen_at moves once a minute, so a session may end up to a minute early: never late.
    config = current_app.config
    if (now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]
            or now - row.created_at > config["SESSION_ABSOLUTE_LIFETIME"]):
        db.session.delete(row)
        g.session_expired = True
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    g.user_session = row
    return user


def current_session_row() -> UserSession | None:
    """The session row of this request's login (loaded with the user), or None."""
    return g.get("user_session")


def has_second_factor_in_session() -> bool:
    row = current_session_row()
    return bool(row and row.second_factor_at)


def mark_second_factor_done() -> None:
    """This session proved a second factor (set up just now): staff pages open."""
    row = current_session_row()
    if row is not None:
        row.second_factor_at = clock.now()


def end_session(user: User | None, key: str | None) -> None:
    """Log out: this session's row goes, so a copy of the cookie no longer works."""
    if key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _hash_key(key)))
    if user is not None:
        record_event("logout", actor=user, target=user, organisation_id=user.organisation_id)


def end_all_sessions(user: User) -> None:
    """Every session of this person stops working at its next request."""
    user.session_version += 1
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def end_other_sessions(user: User, keep_key: str | None) -> None:
    """Every session but the current one stops working.

    The session version changes too; the caller logs the current session in again with it.
    """
    user.session_version += 1
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_key:
        statement = statement.where(UserSession.key_hash != _hash_key(keep_key))
    db.session.execute(statement)


def log_out_elsewhere(user: User, keep_key: str | None) -> None:
    """The person ends their sessions on every other device (this one stays)."""
    end_other_sessions(user, keep_key)
    record_event("sessions.ended", actor=user, target=user, organisation_id=user.organisation_id)
