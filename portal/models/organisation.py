"""Member organisations and their contact persons."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

if TYPE_CHECKING:
    from portal.models.user import User


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    enterprise_number: Mapped[str | None] = mapped_column(String(10), unique=True)  # compact KBO
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    municipality: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    iban: Mapped[str | None] = mapped_column(String(34))  # compact, upper case
    bic: Mapped[str | None] = mapped_column(String(11))
    employee_count: Mapped[int | None]
    joint_committee: Mapped[str | None] = mapped_column(String(10))  # e.g. 329.01
    fte: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    membership_started_on: Mapped[date | None]
    membership_ended_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Contact.last_name, Contact.first_name, Contact.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def primary_contact(self) -> "Contact | None":
        return next((c for c in self.contacts if c.is_primary), None)

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))  # professional email, stored lower case
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    function: Mapped[str | None] = mapped_column(String(100))
    has_advice_right: Mapped[bool] = mapped_column(default=True)
    has_newsletter_right: Mapped[bool] = mapped_column(default=True)
    has_website_right: Mapped[bool] = mapped_column(default=False)
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")
    user: Mapped["User | None"] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The professional email is the login: stored lower case, so unique whatever its case.
        UniqueConstraint("email", name="uq_contacts_email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        # At most one primary contact per organisation; services keep it at exactly one.
        Index(
            "uq_contacts_one_primary_per_organisation",
            organisation_id,
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


class PrimaryTransfer(Base):
    """A proposal to hand the primary role to another contact; passes only when accepted."""

    __tablename__ = "primary_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    from_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    to_contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    to_contact: Mapped[Contact] = relationship(foreign_keys=[to_contact_id])
    from_contact: Mapped[Contact | None] = relationship(foreign_keys=[from_contact_id])
