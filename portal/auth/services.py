"""Account rules: checking credentials without revealing which addresses exist."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit import record_event
from portal.extensions import db
from portal.models import User

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
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = datetime.now(UTC)
