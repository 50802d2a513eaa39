"""Fixtures of the annual confirmation: an open campaign with organisations to confirm."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from portal import clock
from portal.confirmation import campaigns, jobs
from portal.models import Contact, Organisation


def invite(campaign_id: int, **options) -> jobs.MailingReport:
    """Run the campaign's invitations job here and now, as `flask campaign open` does."""
    return jobs.run_here(jobs.INVITATIONS, campaign_id=campaign_id, **options)


@dataclass
class Member:
    organisation: Organisation
    primary: Contact
    contact: Contact


@pytest.fixture
def member(make_org, make_contact):
    """An organisation with a primary contact and one ordinary contact, both with a login."""
    organisation = make_org("Eerste vzw")
    primary = make_contact(organisation, primary=True, first_name="Pia", last_name="Peeters")
    contact = make_contact(organisation, first_name="Koen", last_name="Claes")
    return Member(organisation, primary, contact)


@pytest.fixture
def other_member(make_org, make_contact):
    organisation = make_org("Andere vzw")
    primary = make_contact(organisation, primary=True, first_name="Tom", last_name="Wouters")
    contact = make_contact(organisation, first_name="An", last_name="Maes")
    return Member(organisation, primary, contact)


@pytest.fixture
def open_campaign(app, member, other_member):
    """An opened campaign, invitations sent, for the two organisations."""

    def open_it(year: int = 2027, deadline: date | None = None):
        campaign, _added = campaigns.open_campaign(
            year, deadline or clock.today() + timedelta(days=60), actor=None
        )
        invite(campaign.id)  # commits the campaign with the job, then each batch
        return campaign

    return open_it
