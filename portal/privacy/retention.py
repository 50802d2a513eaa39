"""Retention steps of the privacy flow: ended memberships, old audit events and old mails.

The privacy policy keeps data at most five years after the membership ends; what remains of
an erased organisation is one audit line with anonymous counts.
"""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, func, or_, select

from portal import clock
from portal.audit import record_event
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    AuditEvent,
    ConsentRecord,
    Contact,
    Enrolment,
    Organisation,
    OutboxMail,
    Subscription,
    User,
)
from portal.retention import RetentionReport, retention_step


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - years, day=28)


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def organisations_due(today: date) -> list[Organisation]:
    """Organisations whose membership ended more than the retention period ago."""
    cutoff = years_before(today, current_app.config["RETENTION_YEARS_AFTER_MEMBERSHIP"])
    return list(db.session.scalars(
        select(Organisation)
        .where(Organisation.membership_ended_on.is_not(None),
               Organisation.membership_ended_on < cutoff)
        .order_by(Organisation.membership_ended_on, Organisation.id)
    ))


@retention_step("organisations")
def erase_ended_organisations(today: date, dry_run: bool) -> RetentionReport:
    """Erase organisations, their contacts, logins, subscriptions, consent records, enrolments
    and the mails sent to them; keep only anonymous counts in the audit log."""
    organisations = organisations_due(today)
    ids = [organisation.id for organisation in organisations]
    details = [
        _("#%(id)d %(name)s (enterprise number %(kbo)s), membership ended on %(day)s",
          id=organisation.id, name=organisation.name, kbo=organisation.enterprise_number or "-",
          day=organisation.membership_ended_on.isoformat())
        for organisation in organisations
    ]
    if not ids:
        return RetentionReport("organisations", 0, details)

    contact_ids = select(Contact.id).where(Contact.organisation_id.in_(ids))
    enrolments = select(Enrolment.id).where(
        or_(Enrolment.organisation_id.in_(ids), Enrolment.contact_id.in_(contact_ids)))
    emails = select(Contact.email).where(Contact.organisation_id.in_(ids))
    counts = {
        "organisations": len(ids),
        "contacts": _count(contact_ids),
        "logins": _count(select(User.id).where(User.contact_id.in_(contact_ids))),
        "subscriptions": _count(select(Subscription.id).where(
            Subscription.contact_id.in_(contact_ids))),
        "consent_records": _count(select(ConsentRecord.id).where(or_(
            ConsentRecord.contact_id.in_(contact_ids), ConsentRecord.enrolment_id.in_(enrolments)
        ))),
        "enrolments": _count(enrolments),
        "mails": _count(select(OutboxMail.id).where(OutboxMail.recipient.in_(emails))),
    }
    details.append(", ".join(f"{name}: {count}" for name, count in counts.items()))
    if dry_run:
        return RetentionReport("organisations", len(ids), details)

    # Enrolments only lose their link on delete (SET NULL): erase them explicitly, and the
    # mails, which hold names and addresses; the database cascades do the rest.
    db.session.execute(delete(OutboxMail).where(OutboxMail.recipient.in_(emails)),
                       execution_options={"synchronize_session": False})
    db.session.execute(delete(Enrolment).where(Enrolment.id.in_(enrolments)),
                       execution_options={"synchronize_session": False})
    db.session.execute(delete(Organisation).where(Organisation.id.in_(ids)),
                       execution_options={"synchronize_session": False})
    # Counts only: no name, number or id of what was erased.
    record_event("retention.organisations_erased",
                 fields=[f"{name}={count}" for name, count in counts.items()])
    db.session.flush()
    db.session.expire_all()  # the bulk deletes bypassed the loaded objects
    return RetentionReport("organisations", len(ids), details)


def _cutoff(today: date) -> datetime:
    first_kept = years_before(today, current_app.config["AUDIT_RETENTION_YEARS"])
    return clock.start_of_day(first_kept)


@retention_step("audit_events")
def prune_audit_events(today: date, dry_run: bool) -> RetentionReport:
    """Audit events older than the retention period are no longer needed as proof."""
    condition = AuditEvent.at < _cutoff(today)
    count = _count(select(AuditEvent.id).where(condition))
    if count and not dry_run:
        db.session.execute(delete(AuditEvent).where(condition),
                           execution_options={"synchronize_session": False})
        record_event("retention.audit_events_pruned", fields=[f"audit_events={count}"])
        db.session.flush()
    return RetentionReport("audit_events", count, [])


@retention_step("mails")
def prune_mails(today: date, dry_run: bool) -> RetentionReport:
    """Sent or failed mails older than the retention period (they hold names and links)."""
    condition = (OutboxMail.created_at < _cutoff(today)) & or_(
        OutboxMail.sent_at.is_not(None), OutboxMail.failed_at.is_not(None))
    count = _count(select(OutboxMail.id).where(condition))
    if count and not dry_run:
        db.session.execute(delete(OutboxMail).where(condition),
                           execution_options={"synchronize_session": False})
    return RetentionReport("mails", count, [])
