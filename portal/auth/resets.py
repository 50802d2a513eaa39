"""Forgotten password: a single-use link for one hour, the same answer for every address."""

import hashlib
from datetime import timedelta

from portal import clock
from portal.audit import record_event
from portal.auth.passwords import check_new_password, queue_password_changed_mail, set_password
from portal.auth.sessions import end_all_sessions
from portal.auth.throttle import clear_throttle
from portal.auth.users import find_user_by_email
from portal.email import external_url, queue_mail
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import User
from portal.tokens import InvalidToken, make_token, read_token

RESET_MAX_AGE = 3600  # seconds a reset link works
RESET_MAIL_INTERVAL = timedelta(minutes=2)  # at most one reset mail per address this often


def reset_fingerprint(user: User) -> str:
    """Changes with any password change and with a newer reset request: each link works once."""
    changed = user.password_changed_at.timestamp() if user.password_changed_at else 0
    asked = (user.password_reset_requested_at.timestamp()
             if user.password_reset_requested_at else 0)
    material = f"{user.password_hash or ''}|{changed}|{asked}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active login; silent otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    now = clock.now()
    if (user.password_reset_requested_at is not None
            and now - user.password_reset_requested_at < RESET_MAIL_INTERVAL):
        return  # no mail flood; the link of the previous mail still works
    user.password_reset_requested_at = now
    token = make_token("password-reset", {"user": user.id, "check": reset_fingerprint(user)})
    queue_mail(user.email, "password_reset", _("Choose a new password for the member portal"),
               name=user.name, link=external_url("auth.reset_password", token=token),
               valid_minutes=RESET_MAX_AGE // 60)
    record_event("password.reset_requested", target=user, organisation_id=user.organisation_id)


def user_for_reset(token: str) -> User:
    """The user of a valid, unused reset link; InvalidToken otherwise."""
    payload = read_token("password-reset", token, max_age=RESET_MAX_AGE)
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or payload.get("check") != reset_fingerprint(user):
        raise InvalidToken()
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password through a reset link: every session ends, the lock is lifted."""
    check_new_password(password, user)
    set_password(user, password)
    user.failed_login_count = 0
    user.locked_until = None
    end_all_sessions(user)  # flushes the person's row first (throttle's lock order)
    clear_throttle(user.email)
    queue_password_changed_mail(user, "reset")
    record_event("password.reset", actor=user, target=user, organisation_id=user.organisation_id)
