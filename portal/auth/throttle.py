"""Guessing slowed down per address: failures lock it, and one password check at a time.

Both apply to every address typed, known or not, and are said the same way for both, so the
answers reveal nothing. Both are decided before any password is hashed.
"""

import hashlib
import hmac
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.audit import record_event
from portal.auth.users import find_user_by_email
from portal.errors import PolicyError
from portal.extensions import db, limiter
from portal.i18n import gettext as _
from portal.models import LoginThrottle
from portal.validators import normalise_email

LOCK_THRESHOLD = 5  # failed attempts per address ...
LOCK_WINDOW = timedelta(minutes=15)  # ... within this window ...
LOCK_DURATION = timedelta(minutes=15)  # ... lock the address this long

SLOT_SECONDS_WITHOUT_PAUSE = 10  # LOGIN_RETRY_SECONDS = 0: a killed worker's slot lasts this


class AccountLocked(PolicyError):
    """Too many failed attempts for this address; said the same way for unknown addresses."""


class CheckInProgress(PolicyError):
    """Another attempt for this address is being checked, or failed seconds ago."""


def throttle_key(email: str) -> str:
    """An HMAC of the address, not the address: the table also holds addresses of nobody."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def lock_message() -> str:
    return _("Too many failed attempts for this email address. For your safety, logging in "
             "with it is blocked for %(minutes)d minutes. Try again later, or choose a new "
             "password with 'Forgotten password'.",
             minutes=int(LOCK_DURATION.total_seconds() // 60))


def account_locked() -> AccountLocked:
    return AccountLocked(lock_message(), field="password")


def is_locked(email: str) -> bool:
    row = db.session.get(LoginThrottle, throttle_key(email))
    return bool(row and row.locked_until and row.locked_until > clock.now())


def record_failed_login(email: str, reason: str = "password") -> bool:
    """Count a failed attempt for the address (known or not); True when it locks it now.

    Only flushes: the caller's response must commit it, so a failure is answered with a page
    below 400 (the form with its error, or a redirect), never with a refusal that rolls back.
    Failures for one address may arrive at the same moment on several processes or hosts:
    the rows stay locked until the request commits (FOR UPDATE on PostgreSQL; SQLite writes
    one at a time), so none is lost and the lock comes at the same count wherever they land.
    The person's row is locked before the address's, the order a login, a reset and the
    second step take too, so two of them at the same moment wait for each other, never
    deadlock.
    """
    now = clock.now()
    user = find_user_by_email(email, for_update=True)
    row = _locked_row(throttle_key(email))
    if (row.locked_until is not None and row.locked_until <= now) or (
        row.locked_until is None and row.window_started_at < now - LOCK_WINDOW
    ):
        row.failure_count, row.window_started_at, row.locked_until = 0, now, None
    row.failure_count += 1
    if user is not None:
        user.failed_login_count += 1
    organisation_id = user.organisation_id if user else None
    record_event("login.failure", actor=user, target=user, organisation_id=organisation_id,
                 fields=[reason])
    locked_now = row.failure_count >= LOCK_THRESHOLD and row.locked_until is None
    if locked_now:
        row.locked_until = now + LOCK_DURATION
        if user is not None:
            user.locked_until = row.locked_until
        record_event("login.locked", actor=user, target=user, organisation_id=organisation_id)
    db.session.flush()
    return locked_now


def _locked_row(key: str) -> LoginThrottle:
    """The address's throttle row, locked until the commit; made when it is the first failure."""
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row is not None:
        return row
    row = LoginThrottle(key_hash=key, failure_count=0, window_started_at=clock.now())
    try:
        with db.session.begin_nested():  # a savepoint: a lost race undoes only this insert
            db.session.add(row)
        return row
    except IntegrityError:
        # Two first failures at once: the other inserted the row; count this one on top.
        return db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def clear_throttle(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key_hash == throttle_key(email)))


class Slot:
    """What the password check tells the slot: a success frees the address at once."""

    succeeded = False


@contextmanager
def password_check_slot(email: str):
    """One password check per address at a time, and a pause after a wrong one.

    A password check costs a worker real CPU time (Argon2id). A client firing attempts at one
    address gets them refused without hashing while one is checked and for a few seconds
    after a wrong password, so a flood costs a hash every few seconds, not one per worker,
    while a person retyping a password is not held up. Kept in the limiter's storage (Redis
    in production), so every process and host sees it. A storage failure lets the check go
    ahead: the address lock in the database still holds.
    """
    key = f"{current_app.config['THROTTLE_KEY_PREFIX']}/password-check/{throttle_key(email)}"
    pause = current_app.config["LOGIN_RETRY_SECONDS"]
    slot = Slot()
    try:
        claimed = limiter.storage.incr(key, pause or SLOT_SECONDS_WITHOUT_PAUSE) == 1
    except Exception:  # noqa: BLE001 - storage down: no slot, the lock still applies
        current_app.logger.warning("Password check slot unavailable; checking without it")
        yield slot
        return
    if not claimed:
        raise CheckInProgress(_("There was a log-in attempt for this email address a moment "
                                "ago. Wait a few seconds and try again."), field="password")
    try:
        yield slot
    finally:
        if slot.succeeded or not pause:  # a wrong password keeps the slot for the pause
            try:
                limiter.storage.clear(key)
            except Exception:  # noqa: BLE001 - the slot then expires by itself
                current_app.logger.warning("Could not free a password check slot")
