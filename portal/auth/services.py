"""Account rules: credentials, throttling, sessions, resets, invitations and two-step login.

Nothing here reveals whether an address exists: unknown addresses get the same answers, the
same throttling and (through a dummy hash) the same work.
"""

import base64
import functools
import hashlib
import hmac
import json
import secrets
import unicodedata
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app, g, has_request_context, url_for
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from zxcvbn import zxcvbn

from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db, limiter
from portal.i18n import gettext as _
from portal.models import Contact, LoginThrottle, User, UserSession
from portal.passwords import hash_password, needs_rehash, verify_password
from portal.retention import RetentionReport, retention_step
from portal.tokens import InvalidToken, make_token, read_token

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 256

LOCK_THRESHOLD = 5  # failed attempts per address ...
LOCK_WINDOW = timedelta(minutes=15)  # ... within this window ...
LOCK_DURATION = timedelta(minutes=15)  # ... lock the address this long

RESET_MAX_AGE = 3600  # seconds a reset link works
RESET_MAIL_INTERVAL = timedelta(minutes=2)  # at most one reset mail per address this often
INVITATION_MAX_AGE = 7 * 24 * 3600

# The key of the server-side session row, kept in the (signed) Flask session cookie.
SESSION_KEY = "_sid"
# Writing last_seen_at on every request would be wasteful; once a minute is precise enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes

# Hashed once per process: checked against for unknown addresses so timing reveals nothing.
_DUMMY_HASH = hash_password("this password belongs to nobody")


class AccountLocked(PolicyError):
    """Too many failed attempts for this address; said the same way for unknown addresses."""


class CheckInProgress(PolicyError):
    """Another attempt for this address is being checked, or failed seconds ago."""


def _now() -> datetime:
    return datetime.now(UTC)


def normalise_email(email: str | None) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def normalise_password(password: str | None) -> str:
    return unicodedata.normalize("NFKC", password or "")


def mail_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, always on BASE_URL.

    Never built from the request's Host header: a forged Host (or X-Forwarded-Host) would
    otherwise put an attacker's address in a reset mail and leak its token.
    """
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def find_user_by_email(email: str) -> User | None:
    if "\x00" in (email or ""):
        return None  # no address holds NUL, and PostgreSQL refuses it in a query (a 500)
    return db.session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email))
    )


# --- Throttling per address -----------------------------------------------------------------

def _throttle_key(email: str) -> str:
    # An HMAC, not the address: the table also holds addresses that belong to nobody.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def lock_message() -> str:
    return _("Too many failed attempts for this email address. For your safety, logging in "
             "with it is blocked for %(minutes)d minutes. Try again later, or choose a new "
             "password with 'Forgotten password'.",
             minutes=int(LOCK_DURATION.total_seconds() // 60))


def is_locked(email: str) -> bool:
    row = db.session.get(LoginThrottle, _throttle_key(email))
    return bool(row and row.locked_until and row.locked_until > _now())


def record_failed_login(email: str, reason: str = "password") -> bool:
    """Count a failed attempt for the address (known or not); True when it locks it now.

    Failures for one address may arrive at the same moment on several processes or hosts:
    the row is locked while it is counted (FOR UPDATE on PostgreSQL; SQLite writes one at a
    time), so none is lost and the lock comes at the same count wherever they land.
    """
    for attempt in range(2):
        try:
            return _count_failed_login(email, reason)
        except IntegrityError:
            # Two first failures for one address at once: the other inserted the row; count
            # this one on top of it (the row exists now, so the second try locks it).
            db.session.rollback()
            if attempt:
                raise
    return False  # pragma: no cover - the loop returns or raises


def _count_failed_login(email: str, reason: str) -> bool:
    key = _throttle_key(email)
    now = _now()
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row is None:
        row = LoginThrottle(key_hash=key, failure_count=0, window_started_at=now)
        db.session.add(row)
    elif (row.locked_until is not None and row.locked_until <= now) or (
        row.locked_until is None and row.window_started_at < now - LOCK_WINDOW
    ):
        row.failure_count, row.window_started_at, row.locked_until = 0, now, None
    row.failure_count += 1
    user = find_user_by_email(email)
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
    db.session.commit()
    return locked_now


def _clear_throttle(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key_hash == _throttle_key(email)))


# --- Log in ---------------------------------------------------------------------------------

SLOT_SECONDS_WITHOUT_PAUSE = 10  # LOGIN_RETRY_SECONDS = 0: a killed worker's slot lasts this


class _Slot:
    succeeded = False


@contextmanager
def _password_check_slot(email: str):
    """One password check per address at a time, and a pause after a wrong one.

    A password check costs ~20 ms of a worker's CPU (Argon2id). A client firing attempts at one
    address gets them refused without hashing while one is checked and for a few seconds
    after a wrong password, so a flood costs a hash every few seconds, not one per worker,
    while a person retyping a password is not held up. Kept in the limiter's storage (Redis
    in production), so every process and host sees it. A storage failure lets the check go
    ahead: the address lock in the database still holds.
    """
    key = f"{current_app.config['THROTTLE_KEY_PREFIX']}/password-check/{_throttle_key(email)}"
    pause = current_app.config["LOGIN_RETRY_SECONDS"]
    slot = _Slot()
    try:
        claimed = limiter.storage.incr(key, pause or SLOT_SECONDS_WITHOUT_PAUSE) == 1
    except Exception:  # noqa: BLE001 - storage down: no slot, the lock still applies
        current_app.logger.warning("Password check slot unavailable; checking without it")
        yield slot
        return
    if not claimed:
        raise CheckInProgress(_("There was a log-in attempt for this email address a moment "
                                "ago. Wait a few seconds and try again."))
    try:
        yield slot
    finally:
        if slot.succeeded or not pause:  # a wrong password keeps the slot for the pause
            try:
                limiter.storage.clear(key)
            except Exception:  # noqa: BLE001 - the slot then expires by itself
                current_app.logger.warning("Could not free a password check slot")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; same work either way.

    Raises AccountLocked for a locked address before any password is hashed, and
    CheckInProgress while another attempt for the address is checked or just failed. A hash
    made with older parameters is replaced by one with the current parameters.
    """
    if is_locked(email):
        raise AccountLocked(lock_message())
    with _password_check_slot(email) as slot:
        user = _check_password(email, password)
        slot.succeeded = user is not None
        return user


def _check_password(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    password = normalise_password(password)
    if user is None or user.password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def needs_second_factor(user: User) -> bool:
    return user.totp_enabled_at is not None


def record_login(user: User) -> None:
    user.last_login_at = _now()
    user.failed_login_count = 0
    user.locked_until = None
    _clear_throttle(user.email)
    record_event("login.success", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


# --- Server-side sessions -------------------------------------------------------------------

def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, second_factor: bool = False) -> str:
    """A new server-side session for the user; returns the key for the cookie (no commit)."""
    key = secrets.token_urlsafe(32)
    now = _now()
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
    """flask-login's user loader: the user only while their session row lives and is fresh."""
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
    now = _now()
    # last_seen_at moves once a minute, so a session may end up to a minute early: never late.
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if now - row.last_seen_at > idle or now - row.created_at > current_app.config[
            "SESSION_ABSOLUTE_LIFETIME"]:
        db.session.delete(row)
        db.session.commit()
        g.session_expired = True
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        # The loader runs first in a request, before any change of the request is pending.
        row.last_seen_at = now
        db.session.commit()
    g.user_session_id = row.id
    g.user_session_row = row  # held, so later look-ups in this request find it in the session
    return user


def current_session_row() -> UserSession | None:
    session_id = g.get("user_session_id")
    return db.session.get(UserSession, session_id) if session_id else None


def has_second_factor_in_session() -> bool:
    row = current_session_row()
    return bool(row and row.second_factor_at)


def end_session(user: User | None, key: str | None) -> None:
    """Log out: this session's row goes, so a copy of the cookie no longer works."""
    if key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _hash_key(key)))
    if user is not None:
        record_event("logout", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Every session of this person stops working at its next request (no commit)."""
    user.session_version += 1
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def end_other_sessions(user: User, keep_key: str | None) -> None:
    """Every session but the current one stops working (no commit).

    The session version changes too; the caller logs the current session in again with it.
    """
    user.session_version += 1
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_key:
        statement = statement.where(UserSession.key_hash != _hash_key(keep_key))
    db.session.execute(statement)


def log_out_elsewhere(user: User, keep_key: str | None) -> None:
    end_other_sessions(user, keep_key)
    record_event("sessions.ended", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


# --- Passwords ------------------------------------------------------------------------------

def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(normalise_password(password))
    user.password_changed_at = _now()


def suggest_passphrase(words: int = 5) -> str:
    from portal.auth.words import WORDS

    return " ".join(secrets.choice(WORDS) for _ in range(words))


def _personal_words(user: User | None) -> list[str]:
    """Words of the person's name, email and organisation that a password must not lean on."""
    if user is None:
        return []
    words: set[str] = set()
    local, _sep, domain = (user.email or "").partition("@")
    words.add(local)
    words.update(local.replace("_", ".").replace("-", ".").replace("+", ".").split("."))
    words.update(domain.split(".")[:-1])
    names = [user.display_name or ""]
    if user.contact is not None:
        names += [user.contact.first_name, user.contact.last_name,
                  user.contact.organisation.name if user.contact.organisation else ""]
    for name in names:
        parts = (name or "").lower().split()
        words.update(parts)
        words.add("".join(parts))
    words.update({"sociare", "ledenportaal", "portaal",
                  current_app.config["FEDERATION_NAME"].lower()})
    return sorted((word for word in words if len(word) >= 3), key=len, reverse=True)


def _dutch_warning(result: dict) -> str:
    """zxcvbn's English warning as our own Dutch sentence."""
    warning = result["feedback"].get("warning") or ""
    texts = {
        "Straight rows of keys are easy to guess.":
            _("Rows of keys next to each other (like 'qwerty') are easy to guess."),
        "Short keyboard patterns are easy to guess.":
            _("Keyboard patterns are easy to guess."),
        'Repeats like "aaa" are easy to guess.':
            _("Repeated characters (like 'aaa') are easy to guess."),
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
            _("A repeated word or pattern is hardly harder to guess than the word itself."),
        'Sequences like "abc" or "6543" are easy to guess.':
            _("Sequences like 'abc' or '6543' are easy to guess."),
        "Recent years are easy to guess.": _("Recent years are easy to guess."),
        "Dates are often easy to guess.": _("Dates are easy to guess."),
        "This is a top-10 common password.": _("This is one of the most used passwords."),
        "This is a top-100 common password.": _("This is one of the most used passwords."),
        "This is a very common password.": _("This is a very common password."),
        "This is similar to a commonly used password.":
            _("This looks like a commonly used password."),
        "A word by itself is easy to guess.": _("A single word is easy to guess."),
        "Names and surnames by themselves are easy to guess.":
            _("Names are easy to guess."),
        "Common names and surnames are easy to guess.": _("Common names are easy to guess."),
    }
    return texts.get(warning, _("This password is too easy to guess."))


def password_problems(password: str, user: User | None = None) -> list[str]:
    """Why a password is refused (Dutch), then a passphrase tip; empty when acceptable.

    NIST SP 800-63B rev. 4: length counts, composition rules do not; common, guessable and
    personal passwords are refused (zxcvbn, with the person's own words as extra input).
    """
    normalised = normalise_password(password)
    tip = _("Tip: a few loose words are strong and easy to remember, for example "
            "'%(example)s'.", example=suggest_passphrase())
    if len(normalised) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), tip]
    if len(normalised) > MAX_PASSWORD_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)]
    personal = _personal_words(user)
    # zxcvbn refuses more than 72 characters (its work grows with the length); a password
    # whose first 72 characters are strong is strong.
    sample = normalised[:72]
    result = zxcvbn(sample, user_inputs=personal)
    lowered = sample.lower()
    rest = lowered
    for word in personal:
        rest = rest.replace(word, "")
    if rest != lowered and (len(rest.strip()) < 8 or zxcvbn(rest)["score"] < 3):
        return [_("This password is built from your name, email address or organisation, "
                  "which others can guess."), tip]
    if result["score"] < 3:
        return [_dutch_warning(result), tip]
    return []


def check_new_password(password: str, user: User | None) -> None:
    problems = password_problems(password, user)
    if problems:
        raise PolicyError(" ".join(problems), field="password")


def _queue_password_changed_mail(user: User, how: str) -> None:
    from portal.email import queue_mail

    queue_mail(user.email, "password_changed", _("Your password was changed"),
               name=user.name, how=how,
               reset_link=mail_url("auth.forgot_password"))


def change_password(user: User, current_password: str, new_password: str,
                    keep_key: str | None) -> None:
    """Change a password knowing the current one; other sessions end; a mail tells it."""
    if is_locked(user.email):
        raise AccountLocked(lock_message())
    if not user.password_hash or not verify_password(
            user.password_hash, normalise_password(current_password)):
        record_failed_login(user.email, reason="current_password")
        raise PolicyError(_("Your current password is not correct."), field="current_password")
    check_new_password(new_password, user)
    set_password(user, new_password)
    end_other_sessions(user, keep_key)
    _queue_password_changed_mail(user, "change")
    record_event("password.changed", actor=user, target=user,
                 organisation_id=user.organisation_id)
    db.session.commit()


# --- Forgotten password ---------------------------------------------------------------------

def _reset_fingerprint(user: User) -> str:
    # Changes with any password change and with a newer reset request: each link works once.
    changed = user.password_changed_at.timestamp() if user.password_changed_at else 0
    asked = (user.password_reset_requested_at.timestamp()
             if user.password_reset_requested_at else 0)
    material = f"{user.password_hash or ''}|{changed}|{asked}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active login; silent otherwise."""
    from portal.email import queue_mail

    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    now = _now()
    if (user.password_reset_requested_at is not None
            and now - user.password_reset_requested_at < RESET_MAIL_INTERVAL):
        return  # no mail flood; the link of the previous mail still works
    user.password_reset_requested_at = now
    token = make_token("password-reset", {"user": user.id, "check": _reset_fingerprint(user)})
    queue_mail(user.email, "password_reset", _("Choose a new password for the member portal"),
               name=user.name, link=mail_url("auth.reset_password", token=token),
               valid_minutes=RESET_MAX_AGE // 60)
    record_event("password.reset_requested", target=user, organisation_id=user.organisation_id)
    db.session.commit()


def user_for_reset(token: str) -> User:
    """The user of a valid, unused reset link; InvalidToken otherwise."""
    payload = read_token("password-reset", token, max_age=RESET_MAX_AGE)
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or payload.get("check") != _reset_fingerprint(user):
        raise InvalidToken()
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password through a reset link: every session ends, the lock is lifted."""
    check_new_password(password, user)
    set_password(user, password)
    end_all_sessions(user)
    user.failed_login_count = 0
    user.locked_until = None
    _clear_throttle(user.email)
    _queue_password_changed_mail(user, "reset")
    record_event("password.reset", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


# --- Invitations ----------------------------------------------------------------------------

def _invitation_fingerprint(user: User) -> str:
    # Changes when a password is set or a new invitation is sent: each link works once.
    invited = int(user.invited_at.timestamp()) if user.invited_at else 0
    material = f"{user.password_hash or ''}|{invited}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def invite(user: User, actor: User | None) -> None:
    """Mail a link (valid 7 days, single use) to set a first password; the caller commits."""
    from portal.email import queue_mail

    user.invited_at = _now()
    token = make_token("invitation", {"user": user.id, "check": _invitation_fingerprint(user)})
    organisation = user.contact.organisation.name if user.contact else None
    queue_mail(
        user.email,
        "invitation",
        _("Your access to the member portal of %(federation)s",
          federation=current_app.config["FEDERATION_NAME"]),
        name=user.name,
        organisation=organisation,
        inviter=actor.name if actor is not None else None,
        link=mail_url("auth.accept_invitation", token=token),
        valid_days=7,
    )
    record_event("invitation.sent", actor=actor, target=user,
                 organisation_id=user.organisation_id)


def resend_invitation(user: User, actor: User) -> None:
    """Staff, or the primary contact of the person's organisation, send a new invitation.

    The previous link stops working. Refused for someone who already chose a password (they
    use 'Forgotten password') or has no website right.
    """
    allowed = actor.is_staff or (
        actor.is_primary_contact and actor.organisation_id is not None
        and actor.organisation_id == user.organisation_id)
    if not allowed:
        raise PolicyError(_("Only staff and the primary contact can send an invitation."))
    if user.password_hash is not None:
        raise PolicyError(_("This person already chose a password. They can use "
                            "'Forgotten password' on the login page."))
    if not user.is_active:
        raise PolicyError(_("This person has no access to the website."))
    invite(user, actor)
    db.session.commit()


def user_for_invitation(token: str) -> User:
    """The invited user of a valid, unused invitation link; InvalidToken otherwise."""
    payload = read_token("invitation", token, max_age=INVITATION_MAX_AGE)
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or payload.get("check") != _invitation_fingerprint(user):
        raise InvalidToken()
    return user


def accept_invitation(user: User, password: str) -> None:
    """Set the first password of an invited person; the link stops working."""
    check_new_password(password, user)
    set_password(user, password)
    record_event("invitation.accepted", actor=user, target=user,
                 organisation_id=user.organisation_id)
    db.session.commit()


def apply_website_right(contact: Contact, actor: User | None) -> None:
    """Keep the contact's login in line with the website right (the caller commits).

    Given the right: a login without password is created (or re-enabled) and an invitation
    mailed. Right taken away: every session of the person ends at once.
    """
    user = contact.user
    if contact.has_website_right:
        if user is None:
            user = User(email=contact.email, contact=contact)
            db.session.add(user)
            db.session.flush()
            invite(user, actor)
        elif user.email != contact.email:
            user.email = contact.email
        if user is not None and user.password_hash is None and user.invited_at is None:
            invite(user, actor)
    elif user is not None:
        end_all_sessions(user)


def deactivate(user: User, actor: User | None) -> None:
    """Switch a login off (e.g. staff who leave); every session ends (the caller commits)."""
    user.is_enabled = False
    end_all_sessions(user)
    record_event("user.deactivated", actor=actor, target=user,
                 organisation_id=user.organisation_id)


# --- Two-step verification (TOTP) -----------------------------------------------------------

def begin_totp_setup(user: User) -> str:
    """The secret to put in an authenticator app; kept until a first code confirms it."""
    if user.totp_enabled_at is not None:
        raise PolicyError(_("Two-step verification is already switched on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    return user.totp_secret


def totp_uri(user: User) -> str:
    issuer = f"{current_app.config['FEDERATION_NAME']} Ledenportaal"
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI for an <img> (the CSP allows data: images)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _clean_code(code: str | None) -> str:
    return "".join(ch for ch in normalise_password(code).lower() if ch.isalnum())


def _verify_totp(user: User, code: str) -> bool:
    """A current code (one step of clock drift allowed) that was not used before."""
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current_step = int(_now().timestamp()) // totp.interval
    for step in (current_step - 1, current_step, current_step + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def _hash_recovery_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
             for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_code_hashes = json.dumps([_hash_recovery_code(code) for code in codes])
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def recovery_codes_left(user: User) -> int:
    return len(json.loads(user.recovery_code_hashes or "[]"))


def _use_recovery_code(user: User, code: str) -> bool:
    hashes = json.loads(user.recovery_code_hashes or "[]")
    for stored in hashes:
        salt = stored.split("$", 1)[0]
        if hmac.compare_digest(stored, _hash_recovery_code(code, salt)):
            hashes.remove(stored)
            user.recovery_code_hashes = json.dumps(hashes)
            record_event("login.recovery_code_used", actor=user, target=user,
                         organisation_id=user.organisation_id)
            return True
    return False


def confirm_totp_setup(user: User, code: str) -> list[str]:
    """Switch TOTP on with a first code; marks this session as two-step verified.

    Returns the recovery codes in plain text: shown once, only their hashes are kept.
    """
    if user.totp_enabled_at is not None:
        raise PolicyError(_("Two-step verification is already switched on."))
    if not _verify_totp(user, _clean_code(code)):
        raise PolicyError(_("This code is not correct. Type the 6 digits your app shows now."),
                          field="code")
    now = _now()
    user.totp_enabled_at = now
    codes = _new_recovery_codes(user)
    row = current_session_row()
    if row is not None:
        row.second_factor_at = now
    record_event("totp.enabled", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()
    return codes


def verify_second_factor(user: User, code: str) -> bool:
    """The second login step: a TOTP code or an unused recovery code; failures are counted."""
    if is_locked(user.email):
        raise AccountLocked(lock_message())
    cleaned = _clean_code(code)
    if _verify_totp(user, cleaned) or _use_recovery_code(user, cleaned):
        return True
    db.session.rollback()
    record_failed_login(user.email, reason="second_factor")
    return False


def disable_totp(user: User, password: str) -> None:
    """Contacts may switch two-step verification off again (with their password); staff not."""
    if user.is_staff:
        raise PolicyError(_("Staff accounts always use two-step verification."))
    if not user.password_hash or not verify_password(user.password_hash,
                                                         normalise_password(password)):
        record_failed_login(user.email, reason="current_password")
        raise PolicyError(_("Your current password is not correct."), field="password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_code_hashes = None
    record_event("totp.disabled", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


def renew_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes (the old ones stop working), after the password is given again."""
    if user.totp_enabled_at is None:
        raise PolicyError(_("Two-step verification is not switched on."))
    if not user.password_hash or not verify_password(user.password_hash,
                                                         normalise_password(password)):
        record_failed_login(user.email, reason="current_password")
        raise PolicyError(_("Your current password is not correct."), field="password")
    codes = _new_recovery_codes(user)
    record_event("totp.recovery_codes_renewed", actor=user, target=user,
                 organisation_id=user.organisation_id)
    db.session.commit()
    return codes


# --- Retention ------------------------------------------------------------------------------

@retention_step("expired sessions and login throttles")
def erase_expired_sessions(today: date, dry_run: bool) -> RetentionReport:
    """Session rows past their lifetime and throttle rows past their window are useless."""
    now = _now()
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    old_sessions = UserSession.created_at < now - lifetime
    old_throttles = (LoginThrottle.window_started_at < now - LOCK_WINDOW) & (
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now))
    count = (db.session.scalar(select(func.count()).select_from(UserSession).where(old_sessions))
             + db.session.scalar(select(func.count()).select_from(LoginThrottle)
                                 .where(old_throttles)))
    if not dry_run:
        db.session.execute(delete(UserSession).where(old_sessions))
        db.session.execute(delete(LoginThrottle).where(old_throttles))
        db.session.commit()
    return RetentionReport("expired sessions and login throttles", count, [])
