"""What staff see of a campaign: counts, the organisations page by page, the CSV export."""

from dataclasses import dataclass

from flask_babel import format_date
from sqlalchemy import and_, case, func, select

from portal.audit import record_event, viewed_recently
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.models import Confirmation, ConfirmationCampaign, Organisation, OutboxMail, User
from portal.spreadsheet import spreadsheet_csv

PAGE_SIZE = 50

STATUS_CONFIRMED = "confirmed"
STATUS_OPEN = "open"
STATUS_CHANGED = "changed"


@dataclass
class ProgressCounts:
    total: int
    confirmed: int
    changed: int
    invited: int  # invitations queued in the outbox
    unsent: int = 0  # of those, not (yet) accepted by the mail server
    failed: int = 0  # of those, given up after the last try

    @property
    def not_confirmed(self) -> int:
        return self.total - self.confirmed

    @property
    def sent(self) -> int:
        return self.invited - self.unsent

    @property
    def waiting(self) -> int:
        """Queued invitations the mail server has not taken yet (retried automatically)."""
        return self.unsent - self.failed


_CONFIRMED = Confirmation.confirmed_at.is_not(None)
_COUNTS = (
    func.count(Confirmation.id),
    func.count(Confirmation.confirmed_at),
    func.coalesce(func.sum(case((and_(_CONFIRMED, Confirmation.has_changes), 1), else_=0)), 0),
    func.count(Confirmation.invited_at),
)


def _unsent_invitations(campaign_id: int, counted):
    # Read through the outbox's index of unsent mails: a handful once delivered, so this
    # costs nearly nothing however large the campaign.
    return (
        select(func.count(counted))
        .join(Confirmation, Confirmation.invitation_mail_id == OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), Confirmation.campaign_id == campaign_id)
        .scalar_subquery()
    )


def progress_counts(campaign_id: int) -> ProgressCounts:
    """The campaign's counts in one aggregate statement, whatever its size."""
    row = db.session.execute(
        select(*_COUNTS, _unsent_invitations(campaign_id, OutboxMail.id),
               _unsent_invitations(campaign_id, OutboxMail.failed_at))
        .where(Confirmation.campaign_id == campaign_id)).one()
    return ProgressCounts(total=row[0], confirmed=row[1], changed=row[2], invited=row[3],
                          unsent=row[4], failed=row[5])


def progress_by_campaign() -> dict[int, ProgressCounts]:
    """Every campaign's counts in one grouped statement (the campaigns list)."""
    rows = db.session.execute(
        select(Confirmation.campaign_id, *_COUNTS).group_by(Confirmation.campaign_id))
    return {row[0]: ProgressCounts(total=row[1], confirmed=row[2], changed=row[3],
                                   invited=row[4]) for row in rows}


STATUS_LABELS = {
    STATUS_CONFIRMED: _l("Confirmed"),
    STATUS_OPEN: _l("Not confirmed"),
    STATUS_CHANGED: _l("Confirmed with changes"),
}


def _progress_query(campaign_id: int, status: str | None, search: str | None):
    query = (
        select(Confirmation.id, Organisation.name, Organisation.enterprise_number,
               Confirmation.confirmed_at, Confirmation.confirmed_by_name,
               Confirmation.has_changes, Confirmation.invited_at,
               Confirmation.last_reminded_at)
        .join(Organisation, Organisation.id == Confirmation.organisation_id)
        .where(Confirmation.campaign_id == campaign_id)
    )
    if status == STATUS_CONFIRMED:
        query = query.where(Confirmation.confirmed_at.is_not(None))
    elif status == STATUS_OPEN:
        query = query.where(Confirmation.confirmed_at.is_(None))
    elif status == STATUS_CHANGED:
        query = query.where(Confirmation.confirmed_at.is_not(None),
                            Confirmation.has_changes.is_(True))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Organisation.name.ilike(f"%{escaped}%", escape="\\"))
    return query


def _matches(counts: ProgressCounts, status: str | None) -> int:
    return {STATUS_CONFIRMED: counts.confirmed, STATUS_OPEN: counts.not_confirmed,
            STATUS_CHANGED: counts.changed}.get(status, counts.total)


def progress_page(campaign_id: int, *, status: str | None, search: str | None,
                  page: int, counts: ProgressCounts | None = None) -> tuple[list, int]:
    """One page of organisations with their status, and the number of matches.

    Without a search the number of matches follows from the counts the page shows anyway.
    """
    query = _progress_query(campaign_id, status, search)
    if counts is not None and not search:
        total = _matches(counts, status)
    else:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # By name, then organisation id: the order of the name index, so a page is read by
    # walking that index (at 9,000 organisations the sort of every row cost 2 ms).
    rows = db.session.execute(
        query.order_by(Organisation.name, Organisation.id)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def _local_date(moment) -> str:
    return format_date(moment, "dd-MM-yyyy") if moment else ""


CSV_COLUMNS = (
    _l("Organisation"), _l("Enterprise number"), _l("Status"), _l("Confirmed on"),
    _l("Confirmed by"), _l("Changes"), _l("Invited on"), _l("Last reminder"),
)


def progress_csv(campaign_id: int, actor: User) -> str:
    """The progress as CSV for Excel in a Dutch locale: UTF-8 with BOM, `;` separator."""
    rows = db.session.execute(
        _progress_query(campaign_id, None, None).order_by(Organisation.name, Confirmation.id)
    )
    yes, no = _("yes"), _("no")
    confirmed, not_confirmed = str(STATUS_LABELS[STATUS_CONFIRMED]), str(
        STATUS_LABELS[STATUS_OPEN])
    content = spreadsheet_csv(CSV_COLUMNS, (
        (row.name, row.enterprise_number, confirmed if row.confirmed_at else not_confirmed,
         _local_date(row.confirmed_at), row.confirmed_by_name,
         yes if row.has_changes else no,
         _local_date(row.invited_at), _local_date(row.last_reminded_at))
        for row in rows
    ))
    record_event("confirmation_campaign.exported", actor=actor,
                 target=db.session.get(ConfirmationCampaign, campaign_id),
                 fields=["confirmed_by_name"])
    return content


def record_progress_view(campaign: ConfirmationCampaign, actor: User) -> None:
    """Staff views of personal data (who confirmed) are logged: once per session and window.

    Paging and filtering through one campaign are one look at the same data; a page view
    logged each time cost the page a write and half its time.
    """
    if viewed_recently(f"confirmation_campaign:{campaign.id}"):
        return
    record_event("confirmation_campaign.viewed", actor=actor, target=campaign,
                 fields=["confirmed_by_name"])
