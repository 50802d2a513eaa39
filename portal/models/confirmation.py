"""Annual data confirmation: a campaign per year and one confirmation per organisation."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.audit import OutboxMail
from portal.models.base import Base, utcnow
from portal.models.organisation import Organisation


class ConfirmationCampaign(Base):
    __tablename__ = "confirmation_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    deadline: Mapped[date]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]

    confirmations: Mapped[list["Confirmation"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )


class Confirmation(Base):
    """The state of one organisation in one campaign."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("confirmation_campaigns.id", ondelete="CASCADE")
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    final_reminder_at: Mapped[datetime | None]
    # Steps of the guided flow already done, and contacts marked "nog juist" (resume support).
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    # What changed during the flow: field names and counts only, never values.
    changes: Mapped[list] = mapped_column(JSON, default=list)
    # Set with `changes`, so staff counts and filters stay plain SQL over 900 rows.
    has_changes: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    confirmed_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    confirmed_by_name: Mapped[str | None] = mapped_column(String(200))
    # Lease for mailing workers that may run twice at once.
    mailing_lease_until: Mapped[datetime | None]
    # The invitation in the outbox: staff see how many invitations actually went out.
    invitation_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="SET NULL"), index=True
    )

    campaign: Mapped[ConfirmationCampaign] = relationship(back_populates="confirmations")
    organisation: Mapped[Organisation] = relationship()
    invitation_mail: Mapped["OutboxMail | None"] = relationship()

    __table_args__ = (
        UniqueConstraint("campaign_id", "organisation_id"),
        # The staff progress counts read only this index (no table rows), campaign by campaign.
        Index("ix_confirmations_progress", "campaign_id", "confirmed_at", "has_changes",
              "invited_at"),
    )
