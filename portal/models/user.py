"""Logins: one per contact with the website right, and the federation's staff."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

if TYPE_CHECKING:
    from portal.models.organisation import Contact


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lower case; a contact's equals contact.email
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    is_staff: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Staff have no contact row; this is their display name.
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(512))
    password_changed_at: Mapped[datetime | None]
    # Bumped to end every session of this person (logout everywhere, password change, ...).
    session_version: Mapped[int] = mapped_column(default=1)
    invited_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    recovery_code_hashes: Mapped[str | None] = mapped_column(Text)  # JSON list of hashes
    # The last TOTP time step accepted: a code is never accepted twice (replay).
    totp_last_step: Mapped[int | None]
    # Throttles reset mails: at most one per address every few minutes.
    password_reset_requested_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped["Contact | None"] = relationship(back_populates="user")

    __table_args__ = (
        UniqueConstraint("email", name="uq_users_email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    def get_id(self) -> str:
        # flask-login's "alternative id": a bumped session_version invalidates old cookies.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        if not self.is_enabled:
            return False
        if self.is_staff:
            return True
        return self.contact is not None and self.contact.has_website_right

    @property
    def organisation_id(self) -> int | None:
        return self.contact.organisation_id if self.contact else None

    @property
    def is_primary_contact(self) -> bool:
        return bool(self.contact and self.contact.is_primary)

    @property
    def name(self) -> str:
        if self.contact:
            return self.contact.full_name
        return self.display_name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(Base):
    """A server-side session: the cookie only carries a random key whose hash is stored here.

    Logging out deletes the row, so a copied cookie stops working at once, on every process.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie key
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the person proved a second factor (TOTP or recovery code) in this session.
    second_factor_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_user_sessions_user_id", "user_id"),)


class LoginThrottle(Base):
    """Failed log-in attempts per email address, known or not (keyed by an HMAC of it)."""

    __tablename__ = "login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failure_count: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
