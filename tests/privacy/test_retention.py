"""Retention: organisations erased five years after their membership ended, audit pruning."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ConsentRecord,
    Contact,
    Organisation,
    OutboxMail,
    Subscription,
    User,
)
from portal.retention import run_retention

TODAY = date(2026, 6, 15)


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _org_with_people(make_org, make_contact, name, ended_on):
    organisation = make_org(name=name, membership_ended_on=ended_on)
    primary = make_contact(organisation, primary=True, last_name=f"Primair {name}")
    other = make_contact(organisation, last_name=f"Ander {name}")
    db.session.add(ConsentRecord(contact_id=other.id, purpose="newsletter:e-zine",
                                 action="given", channel="web_form", text_version="v1"))
    db.session.add(OutboxMail(recipient=primary.email, subject="Welkom", body_text="...",
                              sent_at=datetime.now(UTC)))
    db.session.commit()
    return organisation.id, [primary.id, other.id]


def _setup(make_org, make_contact):
    due, due_people = _org_with_people(make_org, make_contact, "Oud vzw", date(2021, 6, 14))
    borderline, _ = _org_with_people(make_org, make_contact, "Precies vijf jaar vzw",
                                     date(2021, 6, 15))
    recent, _ = _org_with_people(make_org, make_contact, "Recent gestopt vzw", date(2025, 1, 1))
    active, _ = _org_with_people(make_org, make_contact, "Actief vzw", None)
    return due, due_people, [borderline, recent, active]


def _snapshot():
    return {model.__tablename__: _count(model) for model in
            (Organisation, Contact, User, Subscription, ConsentRecord, OutboxMail)}


def test_dry_run_lists_what_would_go_and_changes_nothing(app, make_org, make_contact):
    due, _, kept = _setup(make_org, make_contact)
    before = _snapshot()
    events_before = _count(AuditEvent)
    reports = {report.step: report for report in run_retention(TODAY, dry_run=True)}
    assert reports["organisations"].count == 1
    assert any("Oud vzw" in line for line in reports["organisations"].details)
    assert not any("Precies" in line for line in reports["organisations"].details)
    db.session.expire_all()
    assert _snapshot() == before
    assert _count(AuditEvent) == events_before


def test_retention_erases_exactly_the_organisations_due_with_their_people(
    app, make_org, make_contact
):
    due, due_people, kept = _setup(make_org, make_contact)
    due_emails = list(db.session.scalars(select(Contact.email).where(Contact.id.in_(due_people))))
    kept_contacts = _count(Contact, Contact.organisation_id.in_(kept))
    assert kept_contacts == 6

    reports = {report.step: report for report in run_retention(TODAY)}
    assert reports["organisations"].count == 1
    db.session.expire_all()

    assert db.session.get(Organisation, due) is None
    assert _count(Contact, Contact.id.in_(due_people)) == 0
    assert _count(User, User.contact_id.in_(due_people)) == 0
    assert _count(Subscription, Subscription.contact_id.in_(due_people)) == 0
    assert _count(ConsentRecord, ConsentRecord.contact_id.in_(due_people)) == 0
    assert _count(OutboxMail, OutboxMail.recipient.in_(due_emails)) == 0
    assert _count(Organisation, Organisation.id.in_(kept)) == 3
    assert _count(Contact, Contact.organisation_id.in_(kept)) == kept_contacts
    assert _count(Subscription) > 0
    assert _count(ConsentRecord, ConsentRecord.contact_id.is_not(None)) == 3
    # The erased people's consent records stay as anonymous proof, linked to nobody.
    anonymous = ConsentRecord.contact_id.is_(None) & ConsentRecord.subscriber_id.is_(None) & (
        ConsentRecord.enrolment_id.is_(None))
    assert _count(ConsentRecord, anonymous) == _count(ConsentRecord) - 3


def test_only_anonymous_counts_remain_in_the_audit_log(app, make_org, make_contact):
    _setup(make_org, make_contact)
    run_retention(TODAY)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "retention.organisations_erased"))
    assert event is not None
    assert "organisations=1" in event.fields and "contacts=2" in event.fields
    assert event.target_id is None and event.organisation_id is None
    text = repr([event.actor_label, event.target_type, event.fields])
    assert "Oud vzw" not in text and "Primair" not in text


def test_the_command_runs_every_step_and_dry_run_keeps_everything(app, make_org, make_contact):
    due, _, _ = _setup(make_org, make_contact)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "run", "--dry-run", "--today", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "organisations: would erase 1" in result.output
    assert "Oud vzw" in result.output
    db.session.expire_all()
    assert db.session.get(Organisation, due) is not None
    result = runner.invoke(args=["retention", "run", "--today", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "organisations: erased 1" in result.output
    db.session.expire_all()
    assert db.session.get(Organisation, due) is None


def test_audit_events_older_than_the_retention_period_are_pruned(app):
    old = AuditEvent(actor_label="systeem", action="old.event",
                     at=datetime(2021, 6, 14, 12, tzinfo=UTC))
    young = AuditEvent(actor_label="systeem", action="young.event",
                       at=datetime(2021, 6, 16, 12, tzinfo=UTC))
    db.session.add_all([old, young])
    db.session.commit()
    reports = {report.step: report for report in run_retention(TODAY, dry_run=True)}
    assert reports["audit_events"].count == 1
    assert _count(AuditEvent, AuditEvent.action == "old.event") == 1
    run_retention(TODAY)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "old.event" not in actions and "young.event" in actions


def test_old_sent_mails_are_pruned(app):
    db.session.add_all([
        OutboxMail(recipient="a@b.be", subject="oud", body_text="x",
                   created_at=datetime.now(UTC) - timedelta(days=6 * 366),
                   sent_at=datetime.now(UTC) - timedelta(days=6 * 366)),
        OutboxMail(recipient="a@b.be", subject="nieuw", body_text="x",
                   sent_at=datetime.now(UTC)),
    ])
    db.session.commit()
    run_retention(clock.today())
    assert set(db.session.scalars(select(OutboxMail.subject))) == {"nieuw"}


def test_a_retention_job_runs_every_step_with_its_progress(app, make_org, make_contact):
    """The same run started from a page: a job, one commit per step."""
    from portal.jobs import enqueue, run_due_jobs
    from portal.models import Job
    from portal.privacy.jobs import RETENTION_JOB
    from portal.retention import RETENTION_STEPS

    due, _due_people, kept = _setup(make_org, make_contact)
    job_id = enqueue(RETENTION_JOB, today=TODAY.isoformat()).id
    db.session.commit()
    assert run_due_jobs() == 1
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.finished_at is not None and job.last_error is None
    assert job.done == job.total == len(RETENTION_STEPS)
    assert db.session.get(Organisation, due) is None
    assert _count(Organisation, Organisation.id.in_(kept)) == 3
