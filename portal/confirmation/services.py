"""Rules of the annual data confirmation: campaigns, the guided flow, mailing and progress."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import format_date
from sqlalchemy import and_, bindparam, case, func, or_, select, text, update
from sqlalchemy.orm import contains_eager, selectinload

from portal.audit import record_event, viewed_recently
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import format_day
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.models import (
    Confirmation,
    ConfirmationCampaign,
    Contact,
    Organisation,
    OutboxMail,
    User,
)
from portal.organisation.forms import OrganisationForm
from portal.organisation.services import update_organisation
from portal.roster.forms import ContactForm
from portal.roster.services import (
    RosterRow,
    remove_contact,
    roster_ids,
    roster_rows,
    update_contact,
)
from portal.spreadsheet import spreadsheet_csv

MAILING_BATCH_SIZE = 100
MAILING_LEASE = timedelta(minutes=10)
PAGE_SIZE = 50

STATUS_CONFIRMED = "confirmed"
STATUS_OPEN = "open"
STATUS_CHANGED = "changed"


def _field_labels(form_class) -> dict:
    # The labels of the forms the flow uses: one source for the page and the summary.
    return {name: getattr(form_class, name).args[0] for name in form_class.DATA_FIELDS}


ORGANISATION_LABELS = _field_labels(OrganisationForm)
CONTACT_LABELS = _field_labels(ContactForm)


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- Campaigns ---------------------------------------------------------------------------


def active_member_filter(today: date):
    return or_(Organisation.membership_ended_on.is_(None),
               Organisation.membership_ended_on >= today)


def open_campaign(year: int, deadline: date, actor: User | None,
                  today: date | None = None) -> tuple[ConfirmationCampaign, int]:
    """Open the campaign of a year (one per year) with a confirmation per active member.

    Opening again for the same year adds organisations that became member since, and never
    creates a second campaign; it returns the campaign and the number of confirmations added.
    """
    today = today or date.today()
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
    db.session.commit()
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


# --- Mailing: invitations and reminders --------------------------------------------------


@dataclass
class MailingReport:
    mailed: int = 0
    skipped: int = 0  # no primary contact to write to
    batch_mail_ids: list[int] = field(default_factory=list)  # outbox rows of the last batch


def _claim(candidates, now: datetime, limit: int, after_id: int) -> list[int]:
    """Lease up to `limit` confirmations so that two mailing runs never take the same row.

    PostgreSQL skips rows another run holds (FOR UPDATE SKIP LOCKED) and keeps the row locks
    until the batch commits: a run killed mid-batch loses its locks with its connection, so
    a re-run takes the rows at once. Without row locks (SQLite) a lease column marks the
    claim instead; a run that died after claiming leaves it until it expires.
    """
    free = or_(Confirmation.mailing_lease_until.is_(None),
               Confirmation.mailing_lease_until < now)
    ids = list(db.session.scalars(
        select(Confirmation.id)
        .where(candidates, free, Confirmation.id > after_id)
        .order_by(Confirmation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    if db.session.get_bind().dialect.name == "postgresql":
        return ids  # locked until _mail_batch commits the batch (or the connection dies)
    if ids:
        db.session.execute(
            update(Confirmation)
            .where(Confirmation.id.in_(ids), free)
            .values(mailing_lease_until=now + MAILING_LEASE)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return ids


def _primary_contacts(organisation_ids: list[int]) -> dict[int, Contact]:
    contacts = db.session.scalars(
        select(Contact).where(Contact.organisation_id.in_(organisation_ids),
                              Contact.is_primary.is_(True))
    )
    return {contact.organisation_id: contact for contact in contacts}


def _mail_batch(candidates, send_one: Callable[[Confirmation, Contact, datetime], OutboxMail],
                report: MailingReport, after_id: int, batch_size: int) -> tuple[int, int]:
    """Claim one batch, queue its mails and mark the rows in ONE commit. -> (claimed, last id).

    The outbox row and the mark commit together: a crash before the commit leaves both
    undone (the next run mails them), after it both are done (never mailed twice).
    """
    now = now_utc()
    ids = _claim(candidates, now, batch_size, after_id)
    if not ids:
        return 0, after_id
    rows = list(db.session.scalars(
        select(Confirmation)
        .where(Confirmation.id.in_(ids))
        .options(selectinload(Confirmation.organisation), selectinload(Confirmation.campaign))
        .order_by(Confirmation.id)
    ))
    primaries = _primary_contacts([row.organisation_id for row in rows])
    skipped = 0
    queued = []
    try:
        for row in rows:
            row.mailing_lease_until = None
            contact = primaries.get(row.organisation_id)
            if contact is None:
                skipped += 1
                continue
            queued.append(send_one(row, contact, now))
        db.session.flush()
        mail_ids = [outbox_mail.id for outbox_mail in queued]
        db.session.commit()
    except Exception:
        # Nothing of this batch is kept; free the rows at once so a re-run needs no wait.
        # (A run that is killed outright leaves its lease, which expires on its own.)
        db.session.rollback()
        db.session.execute(
            update(Confirmation).where(Confirmation.id.in_(ids))
            .values(mailing_lease_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        raise
    report.mailed += len(mail_ids)
    report.skipped += skipped
    report.batch_mail_ids = mail_ids
    return len(ids), ids[-1]


def _run_mailing(candidates, send_one, *, batch_size: int,
                 on_batch: Callable[[MailingReport], None] | None) -> MailingReport:
    report = MailingReport()
    after_id = 0
    while True:
        claimed, after_id = _mail_batch(candidates, send_one, report, after_id, batch_size)
        if not claimed:
            break
        if on_batch is not None:
            on_batch(report)
    return report


def _deadline_text(campaign: ConfirmationCampaign) -> str:
    return format_day(campaign.deadline)


def _send_invitation(row: Confirmation, contact: Contact, now: datetime) -> OutboxMail:
    campaign = row.campaign
    outbox_mail = queue_mail(
        contact.email,
        "confirmation_invitation",
        _("Confirm your organisation's data for %(year)s", year=campaign.year),
        kind="service",
        name=contact.first_name,
        organisation=row.organisation.name,
        year=campaign.year,
        deadline=_deadline_text(campaign),
        link=external_url("confirmation.start"),
    )
    row.invited_at = now
    return outbox_mail


def count_to_invite(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count(Confirmation.id)).where(Confirmation.campaign_id == campaign_id,
                                                 Confirmation.invited_at.is_(None))
    ) or 0


def send_invitations(campaign_id: int, *, batch_size: int = MAILING_BATCH_SIZE,
                     on_batch: Callable[[MailingReport], None] | None = None) -> MailingReport:
    """Invite the primary contact of every organisation of the campaign not yet invited.

    Safe to run again (and on two hosts at once): invited rows are never mailed again.
    """
    candidates = and_(Confirmation.campaign_id == campaign_id,
                      Confirmation.invited_at.is_(None),
                      Confirmation.confirmed_at.is_(None))
    return _run_mailing(candidates, _send_invitation, batch_size=batch_size, on_batch=on_batch)


def reminder_interval() -> timedelta:
    return timedelta(days=current_app.config.get("CONFIRMATION_REMINDER_INTERVAL_DAYS", 14))


FINAL_REMINDER_BEFORE = timedelta(days=7)


def send_reminders(campaign: ConfirmationCampaign, *, today: date | None = None,
                   interval: timedelta | None = None, batch_size: int = MAILING_BATCH_SIZE,
                   on_batch: Callable[[MailingReport], None] | None = None) -> MailingReport:
    """Remind the primary contacts who have not confirmed, safe to run daily from cron.

    At most one mail per `interval` since the invitation or the last reminder, and one last
    reminder from a week before the deadline. Nothing after the deadline or the last reminder.
    """
    today = today or date.today()
    interval = interval or reminder_interval()
    if campaign.closed_at is not None or today > campaign.deadline:
        return MailingReport()
    now = now_utc()
    is_final = today >= campaign.deadline - FINAL_REMINDER_BEFORE
    last_mail = func.coalesce(Confirmation.last_reminded_at, Confirmation.invited_at)
    # Even the last reminder waits a day after any other mail: a second run the same day
    # never mails anyone again.
    wait = interval if not is_final else min(interval, timedelta(hours=20))
    candidates = and_(
        Confirmation.campaign_id == campaign.id,
        Confirmation.confirmed_at.is_(None),
        Confirmation.invited_at.is_not(None),
        Confirmation.final_reminder_at.is_(None),
        last_mail <= now - wait,
    )

    def send_one(row: Confirmation, contact: Contact, when: datetime) -> OutboxMail:
        outbox_mail = queue_mail(
            contact.email,
            "confirmation_reminder",
            _("Last reminder: confirm your organisation's data for %(year)s",
              year=campaign.year) if is_final else
            _("Reminder: confirm your organisation's data for %(year)s", year=campaign.year),
            kind="service",
            name=contact.first_name,
            organisation=row.organisation.name,
            year=campaign.year,
            deadline=_deadline_text(campaign),
            link=external_url("confirmation.start"),
            is_final=is_final,
        )
        row.last_reminded_at = when
        if is_final:
            row.final_reminder_at = when
        return outbox_mail

    return _run_mailing(candidates, send_one, batch_size=batch_size, on_batch=on_batch)


# --- The guided flow ---------------------------------------------------------------------


def _open_confirmation(organisation_id: int) -> Confirmation:
    confirmation = current_confirmation(organisation_id)
    if confirmation is None:
        raise PolicyError(_("There is no open confirmation for your organisation."))
    if confirmation.confirmed_at is not None:
        raise PolicyError(_("Your organisation's data have already been confirmed."))
    return confirmation


def _note_changes(confirmation: Confirmation, entry: dict) -> None:
    # JSON columns see only new objects as changes, so build a new list each time.
    confirmation.changes = [*(confirmation.changes or []), entry]
    confirmation.has_changes = True


def _set_progress(confirmation: Confirmation, **values) -> None:
    confirmation.progress = {**(confirmation.progress or {}), **values}


def checked_contact_ids(confirmation: Confirmation) -> set[int]:
    return set((confirmation.progress or {}).get("contacts_checked", []))


def _mark_contact_checked(confirmation: Confirmation, contact_id: int) -> None:
    checked = sorted(checked_contact_ids(confirmation) | {contact_id})
    _set_progress(confirmation, contacts_checked=checked)


def save_organisation_step(organisation_id: int, actor: User, data: dict,
                           expected_version) -> list[str]:
    """Step 1: save the organisation's data (same rules as its own page) and mark it done."""
    _open_confirmation(organisation_id)
    changed = update_organisation(organisation_id, actor, data, expected_version)
    confirmation = _open_confirmation(organisation_id)
    if changed:
        _note_changes(confirmation, {"kind": "organisation", "fields": sorted(changed)})
    _set_progress(confirmation, organisation=True)
    db.session.commit()
    return changed


def _flow_contact(organisation_id: int, contact_id: int) -> Contact:
    contact = db.session.scalar(
        select(Contact).where(Contact.id == contact_id,
                              Contact.organisation_id == organisation_id)
    )
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    return contact


def mark_contact_correct(organisation_id: int, actor: User, contact_id: int) -> None:
    """Step 2: the primary contact says a contact's data are still correct."""
    confirmation = _open_confirmation(organisation_id)
    _flow_contact(organisation_id, contact_id)
    _mark_contact_checked(confirmation, contact_id)
    db.session.commit()


def save_contact_step(organisation_id: int, actor: User, contact_id: int, data: dict,
                      expected_version) -> list[str]:
    """Step 2: correct a contact's data and rights (roster rules) and mark them checked."""
    _open_confirmation(organisation_id)
    changed = update_contact(organisation_id, actor, contact_id, data, expected_version)
    confirmation = _open_confirmation(organisation_id)
    if changed:
        _note_changes(confirmation, {"kind": "contact_updated", "contact_id": contact_id,
                                     "fields": sorted(changed)})
    _mark_contact_checked(confirmation, contact_id)
    db.session.commit()
    return changed


def remove_contact_step(organisation_id: int, actor: User, contact_id: int) -> None:
    """Step 2: remove a contact who no longer works there (roster rules: erased at once)."""
    _open_confirmation(organisation_id)
    remove_contact(organisation_id, actor, contact_id)
    confirmation = _open_confirmation(organisation_id)
    _note_changes(confirmation, {"kind": "contact_removed", "contact_id": contact_id})
    checked = checked_contact_ids(confirmation) - {contact_id}
    _set_progress(confirmation, contacts_checked=sorted(checked))
    db.session.commit()


@dataclass
class FlowState:
    confirmation: Confirmation
    contact_ids: list[int]  # the roster, in its order
    checked: set[int]
    contacts: list[RosterRow] | None = None  # the roster's lines, when the page lists them

    @property
    def organisation_done(self) -> bool:
        return bool((self.confirmation.progress or {}).get("organisation"))

    @property
    def next_contact_id(self) -> int | None:
        return next((id_ for id_ in self.contact_ids if id_ not in self.checked), None)

    @property
    def contacts_done(self) -> bool:
        return self.next_contact_id is None

    @property
    def ready(self) -> bool:
        return self.organisation_done and self.contacts_done

    @property
    def is_started(self) -> bool:
        return self.organisation_done or bool(self.checked) or bool(self.confirmation.changes)


def flow_state(confirmation: Confirmation, *, with_rows: bool = False) -> FlowState:
    """Where the flow stands; `with_rows` also reads the roster's lines (the contacts page).

    The other steps only count and order the contacts: their ids are enough.
    """
    if with_rows:
        rows = roster_rows(confirmation.organisation_id)
        ids = [row.id for row in rows]
    else:
        rows, ids = None, roster_ids(confirmation.organisation_id)
    return FlowState(confirmation, ids, checked_contact_ids(confirmation) & set(ids), rows)


@dataclass
class ChangeSummary:
    organisation_fields: list[str]  # Dutch labels
    contacts_changed: int
    contact_fields: list[str]  # Dutch labels
    contacts_removed: int

    @property
    def is_empty(self) -> bool:
        return not (self.organisation_fields or self.contacts_changed or self.contacts_removed)


def _labels(names: set[str], labels: dict) -> list[str]:
    return [str(labels[name]) for name in labels if name in names]


def summarise_changes(changes: list) -> ChangeSummary:
    """What changed during the flow, as Dutch field labels and counts, never values."""
    organisation_fields: set[str] = set()
    contact_fields: set[str] = set()
    changed_contacts: set[int] = set()
    removed: set[int] = set()
    for entry in changes or []:
        if entry.get("kind") == "organisation":
            organisation_fields.update(entry.get("fields", []))
        elif entry.get("kind") == "contact_updated":
            changed_contacts.add(entry.get("contact_id"))
            contact_fields.update(entry.get("fields", []))
        elif entry.get("kind") == "contact_removed":
            removed.add(entry.get("contact_id"))
    return ChangeSummary(
        organisation_fields=_labels(organisation_fields, ORGANISATION_LABELS),
        contacts_changed=len(changed_contacts - removed),
        contact_fields=_labels(contact_fields, CONTACT_LABELS),
        contacts_removed=len(removed),
    )


def confirm_annual_data(organisation_id: int, actor: User, *, agreed: bool) -> Confirmation:
    """Step 3: the primary contact confirms the data, once per campaign.

    Needs the explicit declaration and every step done; records who, when and the summary
    of what changed (field names, no values).
    """
    if actor.contact is None or not actor.contact.is_primary or (
        actor.contact.organisation_id != organisation_id
    ):
        raise PolicyError(_("Only the primary contact can confirm the data."))
    confirmation = _open_confirmation(organisation_id)
    if not agreed:
        raise PolicyError(_("Tick the box to confirm that the data are correct and complete."),
                          field="agree")
    state = flow_state(confirmation)
    if not state.ready:
        raise PolicyError(_("First check the organisation data and every contact person."))
    now = now_utc()
    fields = sorted({name for entry in confirmation.changes or []
                     for name in entry.get("fields", [])})
    # A conditional update: two clicks or two tabs at once confirm only once.
    result = db.session.execute(
        update(Confirmation)
        .where(Confirmation.id == confirmation.id, Confirmation.confirmed_at.is_(None))
        .values(confirmed_at=now, confirmed_by_contact_id=actor.contact.id,
                confirmed_by_name=actor.contact.full_name)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise PolicyError(_("Your organisation's data have already been confirmed."))
    record_event("confirmation.confirmed", actor=actor, target=confirmation,
                 organisation_id=organisation_id, fields=fields)
    db.session.commit()
    db.session.refresh(confirmation)
    return confirmation


# --- Progress for staff ------------------------------------------------------------------


@dataclass
class ProgressCounts:
    total: int
    confirmed: int
    changed: int
    invited: int

    @property
    def not_confirmed(self) -> int:
        return self.total - self.confirmed


def progress_counts(campaign_id: int) -> ProgressCounts:
    """Counts in one aggregate query, whatever the number of organisations."""
    confirmed = Confirmation.confirmed_at.is_not(None)
    row = db.session.execute(
        select(
            func.count(Confirmation.id),
            func.count(Confirmation.confirmed_at),
            func.coalesce(func.sum(case((and_(confirmed, Confirmation.has_changes), 1),
                                        else_=0)), 0),
            func.count(Confirmation.invited_at),
        ).where(Confirmation.campaign_id == campaign_id)
    ).one()
    return ProgressCounts(total=row[0], confirmed=row[1], changed=row[2], invited=row[3])


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


def _local_date(moment: datetime | None) -> str:
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
    content = spreadsheet_csv(CSV_COLUMNS, (
        (row.name, row.enterprise_number,
         str(STATUS_LABELS[STATUS_CONFIRMED if row.confirmed_at else STATUS_OPEN]),
         _local_date(row.confirmed_at), row.confirmed_by_name,
         yes if row.has_changes else no,
         _local_date(row.invited_at), _local_date(row.last_reminded_at))
        for row in rows
    ))
    record_event("confirmation_campaign.exported", actor=actor,
                 target=db.session.get(ConfirmationCampaign, campaign_id),
                 fields=["confirmed_by_name"])
    db.session.commit()
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
    db.session.commit()
