"""Who gets in: the password check behind the throttle, the login itself, the password re-asked.

Nothing here reveals whether an address exists: unknown addresses get the same answers, the
same throttling and (through a dummy hash) the same work.
"""

from portal import clock
from portal.audit import record_event
from portal.auth.sessions import open_session
from portal.auth.throttle import (
    account_locked,
    clear_throttle,
    is_locked,
    password_check_slot,
    record_failed_login,
)
from portal.auth.users import find_user_by_email
from portal.extensions import db
from portal.models import User
from portal.passwords import hash_password, needs_rehash, verify_password

# Hashed once per process: checked against for unknown addresses so timing reveals nothing.
_DUMMY_HASH = hash_password("this password belongs to nobody")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; same work either way.

    Raises AccountLocked for a locked address before any password is hashed, and
    CheckInProgress while another attempt for the address is checked or just failed (neither
    counts as a failure: nothing was checked). A wrong password is counted for the address;
    the caller answers None with the login form (status 200), which commits that count. A
    hash made with older parameters is replaced by one with the current parameters.
    """
    if is_locked(email):
        raise account_locked()
    with password_check_slot(email) as slot:
        user = _check_password(email, password)
        slot.succeeded = user is not None
    if user is None:
        record_failed_login(email)
    return user


def _check_password(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def needs_second_factor(user: User) -> bool:
    return user.totp_enabled_at is not None


def start_session(user: User, second_factor: bool = False) -> str:
    """Log the person in: a new server-side session, the failure count cleared, an audit line.

    Returns the session key for the cookie.
    """
    key = open_session(user, second_factor=second_factor)
    user.last_login_at = clock.now()
    user.failed_login_count = 0
    user.locked_until = None
    db.session.flush()  # the person's row first, then the address's (throttle's lock order)
    clear_throttle(user.email)
    record_event("login.success", actor=user, target=user, organisation_id=user.organisation_id)
    return key


def verify_current_password(user: User, password: str) -> bool:
    """Whether this is the logged-in person's password, asked again before a sensitive change.

    Raises AccountLocked for a locked address before hashing. A wrong password counts as a
    failed login (five lock the address, as at the login page). The caller answers False with
    a page that commits (the form with its error, or a redirect), so the count survives; only
    on True does it call the service that changes the account.
    """
    if is_locked(user.email):
        raise account_locked()
    if user.password_hash is not None and verify_password(user.password_hash, password):
        return True
    record_failed_login(user.email, reason="current_password")
    return False
