"""Account rules: credentials, invitations and sessions, without revealing which addresses exist."""

import hashlib
import unicodedata
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.models import Contact, User
from portal.tokens import InvalidToken, make_token, read_token

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 256

# Hashed once per process: checked against for unknown addresses so timing reveals nothing.
_DUMMY_HASH = generate_password_hash("this password belongs to nobody")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; same work either way."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    password = unicodedata.normalize("NFKC", password)
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = datetime.now(UTC)
    user.failed_login_count = 0
    record_event("login.success", actor=user, target=user, organisation_id=user.organisation_id)
    db.session.commit()


def record_failed_login(email: str) -> None:
    user = find_user_by_email(email)
    if user is not None:
        user.failed_login_count += 1
    record_event("login.failure", actor=user, target=user,
                 organisation_id=user.organisation_id if user else None)
    db.session.commit()


def set_password(user: User, password: str) -> None:
    password = unicodedata.normalize("NFKC", password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = datetime.now(UTC)


INVITATION_MAX_AGE = 7 * 24 * 3600


def end_all_sessions(user: User) -> None:
    """Every session of this person stops working at its next request (no commit)."""
    user.session_version += 1


def _invitation_fingerprint(user: User) -> str:
    # Changes when a password is set or a new invitation is sent: each link works once.
    invited = int(user.invited_at.timestamp()) if user.invited_at else 0
    material = f"{user.password_hash or ''}|{invited}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def invite(user: User, actor: User | None) -> None:
    """Mail a link (valid 7 days, single use) to set a first password; the caller commits."""
    from portal.email import external_url, queue_mail

    user.invited_at = datetime.now(UTC)
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
        link=external_url("auth.accept_invitation", token=token),
        valid_days=7,
    )
    record_event("invitation.sent", actor=actor, target=user,
                 organisation_id=user.organisation_id)


def user_for_invitation(token: str) -> User:
    """The invited user of a valid, unused invitation link; InvalidToken otherwise."""
    payload = read_token("invitation", token, max_age=INVITATION_MAX_AGE)
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or payload.get("check") != _invitation_fingerprint(user):
        raise InvalidToken()
    return user


def accept_invitation(user: User, password: str) -> None:
    """Set the first password of an invited person; the link stops working."""
    problems = password_problems(password, user)
    if problems:
        raise PolicyError(problems[0], field="password")
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


def password_problems(password: str, user: User | None = None) -> list[str]:
    """Why a password is refused (Dutch messages); empty when it is acceptable."""
    normalised = unicodedata.normalize("NFKC", password or "")
    if len(normalised) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(n)d characters. A sentence of a few words is easy to "
                  "remember, e.g. 'fietsen langs de schelde in mei'.", n=MIN_PASSWORD_LENGTH)]
    if len(normalised) > MAX_PASSWORD_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)]
    return []
