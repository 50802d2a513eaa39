"""Newsletter lists, public subscribers, subscriptions and the append-only consent log."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow


class NewsletterList(Base):
    __tablename__ = "newsletter_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # shown as is: list names are data, in Dutch
    description: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Subscriber(Base):
    """Somebody outside the member organisations who signed up on the public form."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("email", name="uq_subscribers_email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )


class Subscription(Base):
    """Whether one contact or subscriber receives one list."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_lists.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    is_subscribed: Mapped[bool] = mapped_column(default=True)
    opted_in_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    # Why it is off: "own" (the person's choice, never overruled) or "no_right" (the primary
    # contact took the newsletter right away; it comes back on when the right returns).
    opt_out_reason: Mapped[str | None] = mapped_column(String(20))

    newsletter_list: Mapped[NewsletterList] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(contact_id IS NULL) <> (subscriber_id IS NULL)", name="one_person"
        ),
        UniqueConstraint("list_id", "contact_id", name="uq_subscriptions_list_contact"),
        UniqueConstraint("list_id", "subscriber_id", name="uq_subscriptions_list_subscriber"),
    )


class ConsentRecord(Base):
    """One given or withdrawn consent, only ever appended.

    Erasing the person cuts the row's link to them; the anonymous record stays.
    """

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Erasing the person cuts the link and keeps the record (proof of consent, art. 7.1).
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL"), index=True
    )
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(50))  # e.g. newsletter:e-zine, education_leave
    action: Mapped[str] = mapped_column(String(10))  # given | withdrawn
    channel: Mapped[str] = mapped_column(String(30))  # web_form | mail_link | primary_contact | ...
    text_version: Mapped[str] = mapped_column(String(64))  # hash of the exact text shown
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("action IN ('given', 'withdrawn')", name="action"),
        CheckConstraint(
            "(CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN subscriber_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN enrolment_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="at_most_one_subject",
        ),
    )


class NewsletterKey(Base):
    """A random per-person secret inside every unsubscribe link.

    Links carry this secret (signed), never a database id, so they cannot be guessed and keep
    working after later mailings.
    """

    __tablename__ = "newsletter_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "(contact_id IS NULL) <> (subscriber_id IS NULL)", name="one_person"
        ),
    )


class ConsentText(Base):
    """The exact text a person saw, stored once under its hash (ConsentRecord.text_version)."""

    __tablename__ = "consent_texts"

    text_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mailing(Base):
    """One list mailing: what went to how many; never who (that is in nobody's interest)."""

    __tablename__ = "mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_lists.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    newsletter_list: Mapped[NewsletterList] = relationship()


class NewsletterSuppression(Base):
    """An address that left every list: a keyed hash only, so an import cannot re-add it.

    The public sign-up, where the person asks again themself, removes the entry.
    """

    __tablename__ = "newsletter_suppressions"

    keyed_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
