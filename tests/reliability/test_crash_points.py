"""Crash consistency: a failure injected right after the first write of each multi-step
service leaves the database exactly as before (then a second try completes the work).

The failure is raised by the database layer itself, on the statement that follows the first
write, as a lost connection or a killed worker would: no service code is patched.
"""

from datetime import UTC, date, datetime, timedelta

import flask_mail
import pytest
import time_machine
from sqlalchemy import event, func, select

from portal import clock
from portal.extensions import db
from portal.models import Enrolment, OutboxMail
from tests import factories
from tests.security import figures
from tests.security.conftest import build_world, changed_tables, table_hashes

WRITE_WORDS = ("INSERT", "UPDATE", "DELETE")


class InjectedCrash(RuntimeError):
    pass


class CrashAfterFirstWrite:
    """Raise on the statement that would follow the first write (INSERT/UPDATE/DELETE), or
    the `after`-th write."""

    def __init__(self, engine, after: int = 1):
        self.engine = engine
        self.after = after
        self.writes = 0
        self.fired = False

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.writes >= self.after and not self.fired:
            self.fired = True
            raise InjectedCrash("injected failure after the first write")
        if statement.lstrip().upper().startswith(WRITE_WORDS):
            self.writes += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)


def crash_then_retry(name: str, run, check_done, *, after: int = 1,
                     leases: tuple[str, ...] = ()) -> None:
    """Run `run` with a crash after its first write: nothing may change (but a `leases`
    column, a claim that expires on its own). Then run it again without a crash, after any
    lease has run out: `check_done()` must hold."""
    before = table_hashes(ignore=leases)
    with CrashAfterFirstWrite(db.engine, after) as crash, pytest.raises(Exception) as raised:  # noqa: PT011
        run()
    db.session.rollback()  # what the request's error handler does
    assert crash.fired, f"{name}: no second statement after the first write"
    assert "injected failure" in str(raised.value), raised.value
    changed = changed_tables(before, table_hashes(ignore=leases))
    figures.add("crash", points=1, partial_writes=1 if changed else 0)
    assert changed == [], f"{name}: partial write in {changed}"
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2) if leases
                             else datetime.now(UTC)):
        run()
    db.session.rollback()
    assert check_done(), f"{name}: the retry did not complete"


def in_unit_of_work(func, *args, **kwargs):
    """Run a use case as a request, a command or a job does: one transaction, committed at
    its end (services only flush). A batch job commits per batch itself."""
    from portal.unit_of_work import transactional

    return transactional(func)(*args, **kwargs)


@pytest.fixture
def world(app):
    return build_world(app)


def _user(contact):
    return contact.user


def test_roster_removal(app, world):
    from portal.models import Contact
    from portal.roster import services

    contact_id = world.contact_a.id
    crash_then_retry(
        "roster removal",
        lambda: in_unit_of_work(services.remove_contact, world.org_a.id,
                                _user(world.primary_a), contact_id),
        lambda: db.session.get(Contact, contact_id) is None)


def test_annual_confirmation(app, world):
    from portal.confirmation import flow
    from portal.confirmation.campaigns import current_confirmation
    from portal.roster.services import roster_ids

    # The two steps before the confirmation, done as the flow does them.
    confirmation = current_confirmation(world.org_a.id)
    flow.set_progress(confirmation, organisation=True)
    for contact_id in roster_ids(world.org_a.id):
        flow.mark_checked(confirmation, contact_id)
    db.session.commit()
    assert flow.flow_state(current_confirmation(world.org_a.id)).ready
    crash_then_retry(
        "annual confirmation",
        lambda: in_unit_of_work(flow.confirm_annual_data, world.org_a.id,
                                _user(world.primary_a), agreed=True),
        lambda: current_confirmation(world.org_a.id).confirmed_at is not None)


def _organisation_data(organisation, **changes) -> dict:
    from portal.organisation.labels import DATA_FIELDS

    return {**{name: getattr(organisation, name) for name in DATA_FIELDS}, **changes}


def _contact_data(contact, **changes) -> dict:
    from portal.roster.labels import DATA_FIELDS

    return {**{name: getattr(contact, name) for name in DATA_FIELDS}, **changes}


def _changes_of(organisation_id: int) -> list:
    from portal.confirmation.campaigns import current_confirmation

    return current_confirmation(organisation_id).changes


def test_confirmation_organisation_step(app, world):
    """Step 1: the organisation's data and the step's note in the confirmation, together."""
    from portal.confirmation import flow
    from portal.models import Organisation

    organisation = db.session.get(Organisation, world.org_a.id)
    data, version = _organisation_data(organisation, municipality="Gentbrugge"), \
        organisation.version

    def done():
        saved = db.session.get(Organisation, world.org_a.id)
        return saved.municipality == "Gentbrugge" and _changes_of(world.org_a.id) == [
            {"kind": "organisation", "fields": ["municipality"]}]

    crash_then_retry(
        "confirmation: organisation step",
        lambda: in_unit_of_work(flow.save_organisation_step, world.org_a.id,
                                _user(world.primary_a), data, version), done)


def test_confirmation_contact_step(app, world):
    """Step 2, edit: the contact's change (rights included) and the note, together."""
    from portal.confirmation import flow
    from portal.models import Contact

    contact = db.session.get(Contact, world.contact_a.id)
    data = _contact_data(contact, function="Directeur", has_newsletter_right=False)
    version, contact_id = contact.version, contact.id

    def done():
        return (db.session.get(Contact, contact_id).function == "Directeur"
                and [entry["kind"] for entry in _changes_of(world.org_a.id)]
                == ["contact_updated"])

    crash_then_retry(
        "confirmation: contact step",
        lambda: in_unit_of_work(flow.save_contact_step, world.org_a.id,
                                _user(world.primary_a), contact_id, data, version), done)


@pytest.mark.parametrize("after", [1, 3], ids=["first write", "after the erasure"])
def test_confirmation_remove_contact_step(app, world, after):
    """Step 2, remove: the erasure and its note in the confirmation, together. After the
    third write (the contact's row deleted) the two used to be separate commits: the
    contact was gone, the summary said nothing had changed."""
    from portal.confirmation import flow
    from portal.models import Contact

    contact_id = world.contact_a.id

    def done():
        return db.session.get(Contact, contact_id) is None and _changes_of(
            world.org_a.id) == [{"kind": "contact_removed", "contact_id": contact_id}]

    crash_then_retry(
        f"confirmation: remove step (crash after write {after})",
        lambda: in_unit_of_work(flow.remove_contact_step, world.org_a.id,
                                _user(world.primary_a), contact_id),
        done, after=after)


def test_opening_a_campaign_and_queueing_its_invitations(app, world):
    from portal.confirmation import campaigns
    from portal.models import ConfirmationCampaign, Job

    year = clock.today().year + 2

    def done():
        campaign = db.session.scalar(select(ConfirmationCampaign).where(
            ConfirmationCampaign.year == year))
        return campaign is not None and len(campaign.confirmations) == 2 and any(
            job.payload.get("campaign_id") == campaign.id
            for job in db.session.scalars(select(Job)))

    crash_then_retry(
        "campaign opening",
        lambda: in_unit_of_work(campaigns.open_and_invite, year,
                                clock.today() + timedelta(days=90), world.staff),
        done)


def test_organisation_update(app, world):
    from portal.models import Organisation
    from portal.organisation.services import update_organisation

    organisation = db.session.get(Organisation, world.org_a.id)
    data, version = _organisation_data(organisation, name="Vzw Alfa Nieuw"), \
        organisation.version
    crash_then_retry(
        "organisation update",
        lambda: in_unit_of_work(update_organisation, world.org_a.id, _user(world.primary_a),
                                data, version),
        lambda: db.session.get(Organisation, world.org_a.id).name == "Vzw Alfa Nieuw")


def test_roster_addition_with_an_invitation(app, world):
    from portal.models import Contact
    from portal.roster import services

    data = {"first_name": "Nina", "last_name": "Nieuw", "email": "nina@alfa.be",
            "phone": "0470 11 22 33", "function": "", "has_advice_right": True,
            "has_newsletter_right": True, "has_website_right": True}

    def done():
        contact = db.session.scalar(select(Contact).where(Contact.email == "nina@alfa.be"))
        return contact is not None and contact.user is not None and db.session.scalar(
            select(OutboxMail.id).where(OutboxMail.recipient == "nina@alfa.be")) is not None

    crash_then_retry(
        "roster addition",
        lambda: in_unit_of_work(services.add_contact, world.org_a.id,
                                _user(world.primary_a), data), done)


def test_roster_update_of_rights(app, world):
    from portal.models import Contact
    from portal.roster import services

    contact = db.session.get(Contact, world.contact_a.id)
    data = _contact_data(contact, function="Boekhouder", has_website_right=False,
                         has_newsletter_right=False)
    version, contact_id = contact.version, contact.id
    crash_then_retry(
        "roster update",
        lambda: in_unit_of_work(services.update_contact, world.org_a.id,
                                _user(world.primary_a), contact_id, data, version),
        lambda: not db.session.get(Contact, contact_id).has_website_right)


def test_own_details(app, world):
    from portal.models import Contact
    from portal.roster import services

    contact = db.session.get(Contact, world.contact_a.id)
    data = _contact_data(contact, last_name="Anders")
    version, contact_id, user = contact.version, contact.id, _user(contact)
    crash_then_retry(
        "own details",
        lambda: in_unit_of_work(services.update_own_details, contact_id, user, data, version),
        lambda: db.session.get(Contact, contact_id).last_name == "Anders")


def _leave_data():
    from portal.education_leave.services import LeaveData

    return LeaveData(surname="Peeters", given_name="An", birthplace="Leuven",
                     birth_date=date(1985, 3, 14), residence="9000 Gent")


def test_consent_withdrawal_erases_after_a_crash(app, world):
    from portal.education_leave import services

    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    services.save_leave_data(enrolment, _leave_data(), consent_ticked=True)
    db.session.commit()
    enrolment_id = enrolment.id

    def run():
        in_unit_of_work(services.withdraw_consent, db.session.get(Enrolment, enrolment_id))

    def erased():
        row = db.session.get(Enrolment, enrolment_id)
        return row.birth_date is None and row.surname is None and row.consent_withdrawn_at

    crash_then_retry("consent withdrawal", run, erased)


def test_education_leave_consent_and_data(app, world):
    from portal.education_leave import services

    enrolment_id = world.args["enrolment_id"]
    crash_then_retry(
        "education-leave consent with the five fields",
        lambda: in_unit_of_work(services.save_leave_data, db.session.get(Enrolment, enrolment_id),
                                _leave_data(), consent_ticked=True),
        lambda: db.session.get(Enrolment, enrolment_id).birth_date == date(1985, 3, 14))


def test_education_leave_training_enrolment_and_delivery(app, world):
    from portal.education_leave import services
    from portal.models import AttestationDelivery, Training

    training_id = world.args["training_id"]
    with app.test_request_context():
        crash_then_retry(
            "training with its periods",
            lambda: in_unit_of_work(services.create_training, world.staff, services.TrainingData(
                title="Vormingsdag", starts_on=clock.today(), ends_on=clock.today(), hours=None,
                is_bev_recognised=True, is_vov_recognised=False, periods=[])),
            lambda: db.session.scalar(select(Training).where(Training.title == "Vormingsdag")))
        crash_then_retry(
            "enrolment with its link mail",
            lambda: in_unit_of_work(services.enrol_participant, world.staff,
                                    db.session.get(Training, training_id), is_contact=False,
                                    email="extern@deelnemer.be", name="Eva Extern"),
            lambda: db.session.scalar(select(Enrolment).where(
                Enrolment.participant_email == "extern@deelnemer.be")))
        crash_then_retry(
            "new personal link",
            lambda: in_unit_of_work(services.send_new_link, world.staff,
                                    db.session.get(Enrolment, world.args["enrolment_id"])),
            lambda: db.session.scalar(select(OutboxMail).where(
                OutboxMail.recipient == world.contact_a.email)))
    training = db.session.get(Training, training_id)
    crash_then_retry(
        "attestation delivered",
        lambda: in_unit_of_work(services.mark_delivered, world.staff,
                                db.session.get(Training, training_id),
                                world.args["enrolment_id"], "attendance",
                                training.periods[0].id),
        lambda: db.session.scalar(select(AttestationDelivery)))


def _queued_job(kind: str, **payload):
    from portal.jobs import enqueue

    job = enqueue(kind, **payload)
    db.session.commit()
    return job


def test_campaign_mailing(app, world):
    from portal.confirmation import jobs
    from portal.models import Confirmation

    campaign_id = db.session.scalar(select(Confirmation.campaign_id))
    job = _queued_job(jobs.INVITATIONS, campaign_id=campaign_id)

    def invited():
        return all(row.invited_at for row in db.session.scalars(
            select(Confirmation).where(Confirmation.campaign_id == campaign_id)))

    mails_before = db.session.query(OutboxMail).count()
    # After the claim (a lease committed on purpose: it expires on its own) ...
    crash_then_retry("campaign mailing (claim)", lambda: jobs.send_invitations(job),
                     invited, leases=LEASES)
    assert db.session.query(OutboxMail).count() == mails_before + 2  # each organisation once


# Claims that expire on their own: a batch's rows, and the job's lease that each batch renews.
LEASES = ("mailing_lease_until", "lease_until")


def test_campaign_mailing_inside_the_batch(app, world):
    from portal.confirmation import jobs
    from portal.models import Confirmation

    campaign_id = db.session.scalar(select(Confirmation.campaign_id))
    job = _queued_job(jobs.INVITATIONS, campaign_id=campaign_id)
    mails_before = db.session.query(OutboxMail).count()
    # ... and after the first write of the batch itself (the queued mails). SQLite first
    # writes and commits the claim (the rows' lease, the job's lease); PostgreSQL claims
    # with row locks and writes nothing.
    first_mail = 1 if db.engine.dialect.name == "postgresql" else 3
    crash_then_retry("campaign mailing (batch)", lambda: jobs.send_invitations(job),
                     lambda: all(row.invited_at for row in db.session.scalars(
                         select(Confirmation))), after=first_mail, leases=LEASES)
    assert db.session.query(OutboxMail).count() == mails_before + 2


def test_campaign_reminders(app, world):
    from sqlalchemy import update

    from portal.confirmation import jobs
    from portal.models import Confirmation

    campaign_id = db.session.scalar(select(Confirmation.campaign_id))
    long_ago = datetime.now(UTC) - timedelta(days=20)
    db.session.execute(update(Confirmation).values(invited_at=long_ago))
    job = _queued_job(jobs.REMINDERS, campaign_id=campaign_id)
    first_mail = 1 if db.engine.dialect.name == "postgresql" else 3
    crash_then_retry("campaign reminders", lambda: jobs.send_reminders(job),
                     lambda: all(row.last_reminded_at for row in db.session.scalars(
                         select(Confirmation))), after=first_mail, leases=LEASES)


def _mailings_and_mails():
    from portal.models import Mailing

    mails = [row.recipient for row in db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "newsletter"))]
    return db.session.scalars(select(Mailing.recipient_count)).all(), sorted(mails)


def test_newsletter_mailing(app, world):
    from portal.newsletters import services

    # The start (mailing + job) and, in testing, the job run right after its commit.
    crash_then_retry(
        "newsletter mailing (start)",
        lambda: in_unit_of_work(services.send_mailing, world.args["slug"], "Nieuws van juni",
                                "Beste lezer"),
        lambda: _mailings_and_mails()[0][0] > 0)
    counts, mails = _mailings_and_mails()
    assert counts == [len(mails)] and len(set(mails)) == len(mails) > 0


def _queued_mailing(slug: str, batch_size: int = 200) -> int:
    from portal.newsletters import services

    started = services.send_mailing(slug, "Nieuws van juni", "Beste lezer",
                                    batch_size=batch_size)
    db.session.commit()  # as the request does; the job waits for the worker
    return started.job.id


def test_newsletter_mailing_inside_the_batch(app, world):
    from portal.models import Job
    from portal.newsletters.jobs import run_mailing

    job_id = _queued_mailing(world.args["slug"])
    # After the first write of the batch (a link secret or the first queued mail).
    crash_then_retry("newsletter mailing (batch)",
                     lambda: run_mailing(db.session.get(Job, job_id)),
                     lambda: _mailings_and_mails()[0][0] > 0, after=2)
    counts, mails = _mailings_and_mails()
    assert counts == [len(mails)] and len(set(mails)) == len(mails) > 0


def test_newsletter_mailing_goes_on_after_a_committed_batch(app, world, monkeypatch):
    """A worker killed after its first batch: the next run sends only the rest, once."""
    from portal.models import Job
    from portal.newsletters import jobs

    job_id = _queued_mailing(world.args["slug"], batch_size=1)
    real_commit = jobs.commit_progress

    def commit_then_die(job, done, total=None):
        real_commit(job, done, total)
        raise InjectedCrash("killed after the first batch")

    monkeypatch.setattr(jobs, "commit_progress", commit_then_die)
    with pytest.raises(InjectedCrash):
        jobs.run_mailing(db.session.get(Job, job_id))
    db.session.rollback()
    assert len(_mailings_and_mails()[1]) == 1
    monkeypatch.setattr(jobs, "commit_progress", real_commit)
    jobs.run_mailing(db.session.get(Job, job_id))
    counts, mails = _mailings_and_mails()
    assert len(mails) > 1 and len(set(mails)) == len(mails) and counts == [len(mails)]
    assert db.session.get(Job, job_id).done == len(mails)
    figures.add("crash", points=1)


def test_newsletter_sign_up_confirmation_and_unsubscribe(app, world):
    from portal.models import Subscriber
    from portal.newsletters import services
    from portal.newsletters.services import Person

    slug = world.args["slug"]
    list_id = services.get_active_list(slug).id
    with app.test_request_context():
        crash_then_retry(
            "newsletter sign-up",
            lambda: in_unit_of_work(services.sign_up, "Eva Extern", None, "eva@extern.be",
                                    [list_id]),
            lambda: db.session.scalar(select(Subscriber).where(
                Subscriber.email == "eva@extern.be")))
    crash_then_retry(
        "newsletter confirmation (double opt-in)",
        lambda: in_unit_of_work(services.confirm_sign_up, world.args["confirm_token"]),
        lambda: db.session.scalar(select(Subscriber).where(
            Subscriber.email == "sara@voorbeeld.be")).confirmed_at is not None)

    contact_id = world.contact_a.id

    def receives() -> set[int]:
        from portal.models import Contact

        return services.subscribed_list_ids(Person(contact=db.session.get(Contact, contact_id)))

    crash_then_retry(
        "one-click unsubscribe",
        lambda: in_unit_of_work(services.one_click_unsubscribe, world.args["unsubscribe_token"]),
        lambda: list_id not in receives())
    crash_then_retry(
        "own newsletter choice",
        lambda: in_unit_of_work(services.save_contact_preferences,
                                db.session.get(type(world.contact_a), contact_id), set()),
        lambda: receives() == set())
    crash_then_retry(
        "a new list for every contact with the right",
        lambda: in_unit_of_work(services.add_list, "vacatures", "Vacatures"),
        lambda: any(item.slug == "vacatures" for item in services.active_lists()))


def test_mail_sending(app, world, monkeypatch):
    """Delivery: a crash after the first write (the lease) leaves the mail queued; a failing
    transport leaves it queued for a retry; nothing is lost."""
    from portal import email
    from portal.email import queue_mail

    queue_mail("iemand@voorbeeld.be", "password_changed", "Test", name="Iemand", how="test")
    db.session.commit()
    db.session.info.pop(email.COMMITTED_FLAG, None)

    def sent():
        return all(row.sent_at for row in db.session.scalars(select(OutboxMail)))

    crash_then_retry("mail sending", lambda: email.deliver_outbox(), sent)

    queue_mail("ander@voorbeeld.be", "password_changed", "Test", name="Ander", how="test")
    db.session.commit()

    def broken(connection, message):
        raise ConnectionError("smtp weg")

    monkeypatch.setattr(flask_mail.Connection, "send", broken)
    assert email.deliver_outbox() == (0, 1)
    row = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "ander@voorbeeld.be"))
    assert row.sent_at is None and row.failed_at is None and row.next_attempt_at
    figures.add("crash", points=1)


def test_staff_end_membership(app, world):
    from portal.models import Organisation
    from portal.staff import services

    crash_then_retry(
        "end of membership",
        lambda: in_unit_of_work(services.end_membership, world.staff, world.org_a.id,
                                clock.today()),
        lambda: db.session.get(Organisation, world.org_a.id).membership_ended_on is not None)


def test_staff_create_organisation_and_import(app, world):
    import random

    from portal.demo import make_enterprise_number
    from portal.models import Organisation
    from portal.staff import services
    from portal.staff.importer import import_organisations
    from tests.staff.conftest import VALID_ORGANISATION

    rng = random.Random(16)
    numbers = [make_enterprise_number(rng) for _ in range(3)]
    data = {**VALID_ORGANISATION, "enterprise_number": numbers[0],
            "membership_started_on": date(2026, 1, 1), "employee_count": 4, "fte": None}
    with app.test_request_context():
        crash_then_retry(
            "organisation with its primary contact and invitation",
            lambda: in_unit_of_work(services.create_organisation, world.staff, data),
            lambda: db.session.scalar(select(Organisation).where(
                Organisation.enterprise_number == numbers[0])))
        header = ("naam;ondernemingsnummer;lid_sinds;contact_voornaam;contact_achternaam;"
                  "contact_email;contact_primair")
        rows = [f"Import {n} vzw;{number};01/01/2020;An;Import{n};an{n}@import.be;ja"
                for n, number in enumerate(numbers[1:])]
        crash_then_retry(
            "organisation import",
            lambda: in_unit_of_work(import_organisations, "\n".join([header, *rows])),
            lambda: db.session.scalar(select(func.count(Organisation.id)).where(
                Organisation.enterprise_number.in_(numbers[1:]))) == 2)


def test_staff_breach_register(app, world):
    from portal.models import DataBreach
    from portal.staff import services

    breach_id = world.args["breach_id"]
    db.session.get(DataBreach, breach_id).risk_level = "high"
    db.session.get(DataBreach, breach_id).organisations = [world.org_a]
    db.session.commit()
    with app.test_request_context():
        crash_then_retry(
            "data breach recorded",
            lambda: in_unit_of_work(services.record_breach, world.staff, {
                "title": "USB-stick kwijt", "description": "Verloren op de trein.",
                "discovered_at": datetime.now() - timedelta(hours=1),  # noqa: DTZ005 - typed local time
                "data_categories": "namen", "risk_level": "low", "organisations": ""}),
            lambda: db.session.scalar(select(DataBreach).where(
                DataBreach.title == "USB-stick kwijt")))
        crash_then_retry(
            "people notified of a breach",
            lambda: in_unit_of_work(services.notify_subjects, world.staff, breach_id),
            lambda: db.session.get(DataBreach, breach_id).subjects_notified_at is not None)
    crash_then_retry(
        "breach closed",
        lambda: in_unit_of_work(services.close_breach, world.staff, breach_id),
        lambda: db.session.get(DataBreach, breach_id).closed_at is not None)


def test_retention_run(app, world):
    from portal.models import Organisation
    from portal.retention import run_retention

    org_id = world.org_b.id
    db.session.get(Organisation, org_id).membership_ended_on = date(2000, 1, 1)
    db.session.commit()
    # Each step commits on its own: the crash rolls back the step it hit, nothing else.
    crash_then_retry("retention run", lambda: run_retention(clock.today()),
                     lambda: db.session.get(Organisation, org_id) is None)


def test_primary_hand_over(app, world):
    from portal.models import Contact, PrimaryTransfer
    from portal.roster import transfer

    transfer_id = db.session.scalar(select(PrimaryTransfer.id))
    contact = world.contact_a
    data = {"first_name": contact.first_name, "last_name": contact.last_name,
            "phone": contact.phone, "function": contact.function}
    version = contact.version
    crash_then_retry(
        "primary hand-over",
        lambda: in_unit_of_work(transfer.accept_primary_transfer, transfer_id, _user(contact),
                                data, version),
        lambda: db.session.get(Contact, contact.id).is_primary)


def test_primary_proposal(app, world):
    """A new proposal replaces the open one, gives the website right with an invitation,
    and mails the link: all or nothing."""
    from portal.models import PrimaryTransfer
    from portal.roster import transfer

    other = factories.make_contact(world.org_a, website=False, first_name="Lies")
    other_id = other.id

    def done():
        proposal = transfer.pending_transfer(world.org_a.id)
        return proposal is not None and proposal.to_contact_id == other_id and db.session.scalar(
            select(PrimaryTransfer.withdrawn_at).where(
                PrimaryTransfer.to_contact_id == world.contact_a.id)) is not None

    crash_then_retry(
        "primary proposal",
        lambda: in_unit_of_work(transfer.propose_primary_transfer, world.org_a.id,
                                _user(world.primary_a), other_id), done)


def test_primary_proposal_withdrawal(app, world):
    from portal.roster import transfer

    crash_then_retry(
        "primary proposal withdrawal",
        lambda: in_unit_of_work(transfer.withdraw_primary_transfer, world.org_a.id,
                                _user(world.primary_a)),
        lambda: transfer.pending_transfer(world.org_a.id) is None)
