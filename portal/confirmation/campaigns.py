"""Confirmation campaigns: one per year, opened by staff, with a confirmation per member.

Opening is quick (a campaign row and a confirmation per organisation); the invitations are
a job (portal/confirmation/jobs.py) that the request or the command queues next to it.
"""

from datetime import date

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.orm import contains_eager

from portal import clock
from portal.audit import record_event
from portal.confirmation.jobs import queue_invitations
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Confirmation, ConfirmationCampaign, Job, Organisation, User


def active_member_filter(today: date):
    return or_(Organisation.membership_ended_on.is_(None),
               Organisation.membership_ended_on >= today)


def open_campaign(year: int, deadline: date, actor: User | None,
                  today: date | None = None) -> tuple[ConfirmationCampaign, int]:
    """Open the campaign of a year (one per year) with a confirmation per active member.

    Opening again for the same year adds organisations that became member since, and never
    creates a second campaign; it returns the campaign and the number of confirmations added.
    """
    today = today or clock.today()
    if deadline <= today:
        raise PolicyError(_("The deadline must lie in the future."), field="deadline")
    if db.session.get_bind().dialect.name == "postgresql":
        # Two hosts opening at once: the second waits here until the first committed, then
        # finds the campaign and its confirmations instead of inserting them again.
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('campaign.open'))"))
    campaign = db.session.scalar(
        select(ConfirmationCampaign).where(ConfirmationCampaign.year == year)
    )
    if campaign is None:
        campaign = ConfirmationCampaign(
            year=year, deadline=deadline, opened_by_user_id=actor.id if actor else None
        )
        db.session.add(campaign)
        db.session.flush()
        record_event("confirmation_campaign.opened", actor=actor, target=campaign)
    elif campaign.closed_at is not None:
        raise PolicyError(_("The campaign of this year is closed."), field="year")
    already = select(Confirmation.organisation_id).where(
        Confirmation.campaign_id == campaign.id
    )
    missing = list(db.session.scalars(
        select(Organisation.id)
        .where(active_member_filter(today), Organisation.id.not_in(already))
        .order_by(Organisation.id)
    ))
    db.session.add_all(
        Confirmation(campaign_id=campaign.id, organisation_id=organisation_id, progress={},
                     changes=[])
        for organisation_id in missing
    )
    db.session.flush()
    return campaign, len(missing)


def list_campaigns() -> list[ConfirmationCampaign]:
    return list(db.session.scalars(
        select(ConfirmationCampaign).order_by(ConfirmationCampaign.year.desc())
    ))


def get_campaign(campaign_id: int) -> ConfirmationCampaign | None:
    return db.session.get(ConfirmationCampaign, campaign_id)


def open_campaigns() -> list[ConfirmationCampaign]:
    return list(db.session.scalars(
        select(ConfirmationCampaign)
        .where(ConfirmationCampaign.closed_at.is_(None))
        .order_by(ConfirmationCampaign.year)
    ))


# Asked on nearly every page (menu, dashboard, flow): built once, with its campaign loaded in
# the same statement. A statement built per call costs SQLAlchemy a fresh cache key (about
# 0.15 ms); a module-level one keeps it.
_CURRENT_CONFIRMATION = (
    select(Confirmation)
    .join(Confirmation.campaign)
    .options(contains_eager(Confirmation.campaign))
    .where(Confirmation.organisation_id == bindparam("organisation_id"),
           ConfirmationCampaign.closed_at.is_(None))
    .order_by(ConfirmationCampaign.year.desc())
    .limit(1)
)


_CURRENT_CONFIRMATION_ID = (
    select(Confirmation.id)
    .join(Confirmation.campaign)
    .where(Confirmation.organisation_id == bindparam("organisation_id"),
           ConfirmationCampaign.closed_at.is_(None))
    .limit(1)
)


def has_current_confirmation(organisation_id: int) -> bool:
    """Whether the organisation takes part in an open campaign (for the menu)."""
    return db.session.connection().scalar(
        _CURRENT_CONFIRMATION_ID, {"organisation_id": organisation_id}) is not None


def current_confirmation(organisation_id: int) -> Confirmation | None:
    """This organisation's confirmation in the newest open campaign, if it takes part."""
    return db.session.scalar(_CURRENT_CONFIRMATION, {"organisation_id": organisation_id})


def open_and_invite(year: int, deadline: date, actor: User | None, *,
                    batch_size: int | None = None) -> tuple[ConfirmationCampaign, int, Job]:
    """Open the campaign (quick) and queue the job that invites every primary contact.

    One unit of work: the campaign, its confirmations and the queued job commit together.
    -> (campaign, organisations added, the invitations job).
    """
    campaign, added = open_campaign(year, deadline, actor)
    job = queue_invitations(campaign.id, actor, batch_size=batch_size)
    return campaign, added, job
