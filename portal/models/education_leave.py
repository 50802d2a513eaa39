"""Trainings recognised for education leave, enrolments and the consented leave data."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

EDUCATION_LEAVE_FIELDS = ("surname", "given_name", "birthplace", "birth_date", "residence")


class Training(Base):
    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The contact hours (VOV counts a training only from 32: education_leave.rules).
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    is_bev_recognised: Mapped[bool] = mapped_column(default=False)  # Betaald Educatief Verlof
    is_vov_recognised: Mapped[bool] = mapped_column(default=False)  # Vlaams opleidingsverlof
    # Registration number in the Flemish training database (opleidingsdatabank); VOV needs it.
    odb_number: Mapped[str | None] = mapped_column(String(40))
    modules: Mapped[str | None] = mapped_column(Text)  # the modules enrolled for, if any
    exam_on: Mapped[date | None]  # on the attestation when later than the last day
    # Organised per school year: BEV attendance is then certified per trimester.
    is_per_school_year: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    periods: Mapped[list["TrainingPeriod"]] = relationship(
        back_populates="training",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TrainingPeriod.starts_on",
    )
    enrolments: Mapped[list["Enrolment"]] = relationship(
        back_populates="training", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_recognised(self) -> bool:
        return self.is_bev_recognised or self.is_vov_recognised


class TrainingPeriod(Base):
    """A period of a training after which attendance attestations are due."""

    __tablename__ = "training_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    training: Mapped[Training] = relationship(back_populates="periods")


class Enrolment(Base):
    """A participant in a training; the five leave fields exist only with consent."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    participant_name: Mapped[str] = mapped_column(String(200))
    participant_email: Mapped[str] = mapped_column(String(254))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    # Random part of the personal link; the link itself is signed and bound to this enrolment.
    link_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The moment of enrolling: the VOV deadline counts from it, and BEV's late-enrolment rule
    # applies when it falls after the start. Staff may enter an earlier one (a paper form).
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    consent_given_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    data_erased_at: Mapped[datetime | None]

    # Education-leave data: only with consent, erased (set to NULL) on withdrawal.
    surname: Mapped[str | None] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    birthplace: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    residence: Mapped[str | None] = mapped_column(String(200))

    training: Mapped[Training] = relationship(back_populates="enrolments")
    deliveries: Mapped[list["AttestationDelivery"]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", passive_deletes=True
    )
    attended_hours: Mapped[list["AttendedHours"]] = relationship(
        back_populates="enrolment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AttendedHours.period_starts_on",
    )

    @property
    def has_consent(self) -> bool:
        """Consent given and standing: not withdrawn, and not ended by the retention erasure."""
        return (
            self.consent_given_at is not None
            and self.consent_withdrawn_at is None
            and self.data_erased_at is None
        )


class AttestationDelivery(Base):
    """An attestation delivered to the participant: which one, when, by whom, and its mail.

    Rows of the first version (kind "enrolment" / "attendance", a period row, delivered_at
    ticked by staff) stay readable. A mailed attestation has the kind and key of
    `education_leave.rules` (e.g. "bev_attendance:2027-01-15"); it counts as delivered only
    once its mail went out (`delivered_at`), and a failed mail stays visible (`mail_failed_at`).
    """

    __tablename__ = "attestation_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    # enrolment | attendance (first version); vov_enrolment | bev_enrolment | bev_attendance
    kind: Mapped[str] = mapped_column(String(20))
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_periods.id", ondelete="CASCADE")
    )
    # rules.Attestation.key: one delivery per attestation of an enrolment.
    attestation_key: Mapped[str | None] = mapped_column(String(60))
    period_starts_on: Mapped[date | None]  # the period an attendance attestation covers
    period_ends_on: Mapped[date | None]
    queued_at: Mapped[datetime | None]  # staff asked for delivery: the mail is in the outbox
    queued_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    outbox_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="SET NULL")
    )
    # The mail went out (or, first version, staff ticked "delivered"); None while queued.
    delivered_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    mail_failed_at: Mapped[datetime | None]
    mail_error: Mapped[str | None] = mapped_column(String(500))

    enrolment: Mapped[Enrolment] = relationship(back_populates="deliveries")

    __table_args__ = (
        UniqueConstraint("enrolment_id", "kind", "period_id"),
        UniqueConstraint("enrolment_id", "attestation_key", name="uq_attestation_deliveries_key"),
    )

    @property
    def state(self) -> str:
        """delivered | failed (the mail gave up: not delivered) | queued."""
        if self.delivered_at is not None:
            return "delivered"
        if self.mail_failed_at is not None:
            return "failed"
        return "queued"


class AttendedHours(Base):
    """Hours a participant attended in one attendance period (VOV reports them digitally)."""

    __tablename__ = "attended_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    period_starts_on: Mapped[date]
    period_ends_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    enrolment: Mapped[Enrolment] = relationship(back_populates="attended_hours")

    __table_args__ = (
        UniqueConstraint("enrolment_id", "period_starts_on"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint("period_ends_on >= period_starts_on", name="period_in_order"),
    )
