"""Fixtures of the performance tests: a statement counter and worlds of a chosen size."""

import contextlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from portal.demo import ensure_newsletter_lists, make_enterprise_number
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Confirmation,
    ConfirmationCampaign,
    Contact,
    Organisation,
    Subscription,
    User,
)
from tests import factories


@dataclass
class StatementLog:
    """The SQL statements one block of code sent to the database, in order."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        return "\n".join(f"  {n}. {sql.strip()[:200]}" for n, sql in
                         enumerate(self.statements, 1))


@pytest.fixture
def count_statements(app):
    """`with count_statements() as log:` records every statement sent on db.engine.

    Counts at the cursor, so ORM lazy loads, Core queries and flushes all count; connection
    set-up (SQLite's PRAGMA, the pool's ping) is not a statement of the request.
    """

    @contextlib.contextmanager
    def counting():
        log = StatementLog()

        def record(conn, cursor, statement, parameters, context, executemany):
            log.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


@dataclass
class World:
    """One organisation whose roster, and the federation whose size, grow on demand."""

    organisation: Organisation
    primary: Contact
    contact: Contact
    staff: User
    campaign: ConfirmationCampaign
    size: int = 0

    def user(self, role: str) -> User:
        return {"primary": self.primary.user, "contact": self.contact.user,
                "staff": self.staff}[role]

    def grow(self, size: int) -> None:
        lists = ensure_newsletter_lists()
        for number in range(self.size, size):
            # Every other contact has a login, so a page that loads logins per row shows it.
            _add_contact(self.organisation, f"c{number}", lists, website=number % 2 == 0)
            _add_organisation(number, self.campaign, lists)
        db.session.commit()
        self.size = size


_rng = random.Random(11)


def _add_organisation(number: int, campaign: ConfirmationCampaign, lists) -> Organisation:
    organisation = Organisation(
        name=f"Schaalorganisatie {number} vzw",
        enterprise_number=make_enterprise_number(_rng),
        street="Kerkstraat 1", postal_code="9000", municipality="Gent",
        email=f"info{number}@schaal.be", membership_started_on=datetime(2020, 1, 1).date(),
    )
    db.session.add(organisation)
    db.session.flush()
    _add_contact(organisation, f"p{number}", lists, primary=True, website=True)
    db.session.add(Confirmation(campaign=campaign, organisation_id=organisation.id,
                                invited_at=datetime.now(UTC),
                                confirmed_at=datetime.now(UTC) if number % 3 == 0 else None))
    return organisation


def _add_contact(organisation, tag: str, lists, *, primary: bool = False,
                 website: bool = True) -> Contact:
    contact = Contact(organisation_id=organisation.id, first_name="Voornaam",
                      last_name=f"Achternaam {tag}", email=f"{tag}@schaal.be",
                      phone="+32470123456", function="Medewerker", is_primary=primary,
                      has_website_right=website)
    db.session.add(contact)
    db.session.flush()
    if website:
        db.session.add(User(email=contact.email, contact=contact,
                            password_hash=factories.PASSWORD_HASH,
                            password_changed_at=datetime.now(UTC)))
    for newsletter_list in lists:
        db.session.add(Subscription(list_id=newsletter_list.id, contact_id=contact.id,
                                    is_subscribed=True, opted_in_at=datetime.now(UTC)))
    db.session.add(AuditEvent(actor_label="systeem", action="contact.created",
                              target_type="contacts", target_id=contact.id,
                              organisation_id=organisation.id, fields=["email"]))
    return contact


@pytest.fixture
def world(app, make_org, make_contact, make_staff):
    """A world to grow with `world.grow(n)`: the measured organisation then has n contacts (a
    primary, a contact and n - 2 others) and the federation n - 1 organisations, all in the open
    campaign, each with a primary contact, subscriptions and audit events."""
    ensure_newsletter_lists()
    campaign = ConfirmationCampaign(year=datetime.now(UTC).year + 1,
                                    deadline=(datetime.now(UTC) + timedelta(days=60)).date())
    db.session.add(campaign)
    db.session.commit()
    organisation = make_org(name="Gemeten vzw")
    primary = make_contact(organisation, primary=True, first_name="Pia")
    contact = make_contact(organisation, first_name="Koen")
    db.session.add(Confirmation(campaign_id=campaign.id, organisation_id=organisation.id,
                                invited_at=datetime.now(UTC)))
    db.session.commit()
    return World(organisation, primary, contact, make_staff(), campaign, size=2)
