"""Trainings recognised for education leave, enrolments and the consented leave data."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

EDUCATION_LEAVE_FIELDS = ("surname", "given_name", "birthplace", "birth_date", "residence")


class Training(Base):
    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    is_bev_recognised: Mapped[bool] = mapped_column(default=False)  # Betaald Educatief Verlof
    is_vov_recognised: Mapped[bool] = mapped_column(default=False)  # Vlaams opleidingsverlof
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

    @property
    def has_consent(self) -> bool:
        """Consent given and standing: not withdrawn, and not ended by the retention erasure."""
        return (
            self.consent_given_at is not None
            and self.consent_withdrawn_at is None
            and self.data_erased_at is None
        )


class AttestationDelivery(Base):
    """An attestation handed in: the enrolment one, or the attendance one of a period."""

    __tablename__ = "attestation_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # enrolment | attendance
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_periods.id", ondelete="CASCADE")
    )
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="deliveries")

    __table_args__ = (UniqueConstraint("enrolment_id", "kind", "period_id"),)
