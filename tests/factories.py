"""Test data builders; each commits and returns the object (expired, reloads on access)."""

import itertools
import random
from datetime import UTC, date, datetime

from werkzeug.security import generate_password_hash

from portal.demo import ensure_newsletter_lists, make_enterprise_number
from portal.extensions import db
from portal.models import Contact, Organisation, Subscription, User

PASSWORD = "een lange test-zin voor het portaal"  # noqa: S105 - test password
# A cheap hash keeps the suite fast; login still checks it like any other hash.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

_sequence = itertools.count(1)
_rng = random.Random(4242)


def make_org(name: str | None = None, **fields) -> Organisation:
    number = next(_sequence)
    defaults = dict(
        name=name or f"Organisatie {number} vzw",
        enterprise_number=make_enterprise_number(_rng),
        street="Kerkstraat 1",
        postal_code="9000",
        municipality="Gent",
        phone="+3225112233",
        email=f"info{number}@organisatie.be",
        iban="BE68539007547034",
        bic="GEBABEBB",
        employee_count=5,
        joint_committee="329.01",
        membership_started_on=date(2020, 1, 1),
    )
    defaults.update(fields)
    organisation = Organisation(**defaults)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_contact(
    organisation: Organisation,
    *,
    primary: bool = False,
    website: bool = True,
    newsletters: bool = True,
    email: str | None = None,
    subscribe: bool = True,
    **fields,
) -> Contact:
    number = next(_sequence)
    contact = Contact(
        organisation_id=organisation.id,
        first_name=fields.pop("first_name", "Voornaam"),
        last_name=fields.pop("last_name", f"Achternaam{number}"),
        email=(email or f"persoon{number}@organisatie.be").lower(),
        phone=fields.pop("phone", "+32470123456"),
        function=fields.pop("function", "Medewerker"),
        is_primary=primary,
        has_website_right=website,
        has_newsletter_right=newsletters,
        **fields,
    )
    db.session.add(contact)
    db.session.flush()
    if website:
        db.session.add(User(email=contact.email, contact=contact, password_hash=PASSWORD_HASH,
                            password_changed_at=datetime.now(UTC)))
    if newsletters and subscribe:
        for newsletter_list in ensure_newsletter_lists():
            db.session.add(Subscription(list_id=newsletter_list.id, contact_id=contact.id,
                                        is_subscribed=True, opted_in_at=datetime.now(UTC)))
    db.session.commit()
    return contact


def user_of(contact: Contact) -> User:
    return contact.user


def make_staff(email: str | None = None) -> User:
    number = next(_sequence)
    user = User(email=(email or f"medewerker{number}@sociare.be").lower(), is_staff=True,
                display_name=f"Medewerker {number}", password_hash=PASSWORD_HASH,
                password_changed_at=datetime.now(UTC))
    db.session.add(user)
    db.session.commit()
    return user
