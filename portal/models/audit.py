"""Audit trail, the mail outbox and the data-breach register."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.organisation import Organisation


class AuditEvent(Base):
    """Who did what to which object: field names only, never the values of personal data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(100))  # e.g. "medewerker #3", "systeem"
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    fields: Mapped[list] = mapped_column(JSON, default=list)


class OutboxMail(Base):
    """A mail queued in the same transaction as the change that causes it."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(40), default="service")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


breach_organisations = Table(
    "breach_organisations",
    Base.metadata,
    Column("breach_id", ForeignKey("data_breaches.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    ),
)


class DataBreach(Base):
    """An incident in the data-breach register (72-hour notification duty)."""

    __tablename__ = "data_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    discovered_at: Mapped[datetime]
    data_categories: Mapped[str] = mapped_column(String(500))
    risk_level: Mapped[str] = mapped_column(String(10))  # low | high
    risk_assessment: Mapped[str | None] = mapped_column(Text)
    authority_notified_at: Mapped[datetime | None]
    # The authority's file number, when it gives one (no personal data).
    authority_reference: Mapped[str | None] = mapped_column(String(100))
    subjects_notified_at: Mapped[datetime | None]
    subjects_notified_count: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(secondary=breach_organisations)


class Job(Base):
    """Long work taken out of a request (a campaign's invitations, a mailing), run by the worker.

    The payload holds ids and options only, never personal data. A job is safe to run again:
    its handler skips what an earlier, interrupted run already did.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    run_after: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Progress for the page that started it: done of total (the handler sets both).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]


class ErasureJournal(Base):
    """That somebody was erased: the kind of person and a keyed hash of their address, no more.

    A backup made before the erasure still holds the person; `flask backup restore` replays
    this journal after restoring it, so the restore does not bring them back.
    """

    __tablename__ = "erasure_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    keyed_hash: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
