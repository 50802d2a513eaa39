"""Demo data for development and benchmarks: fixed demo logins plus realistic Belgian data.

The demo imports the flows it fills (never the reverse): the newsletter lists are the
newsletters flow's own. `seed_demo` only flushes (`flask seed-demo` commits it); a large set
from `seed_organisations` commits per 100 organisations, a bulk load in one visible place.
"""

import random
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import (
    Confirmation,
    ConfirmationCampaign,
    Contact,
    Enrolment,
    NewsletterList,
    Organisation,
    Subscription,
    Training,
    TrainingPeriod,
    User,
)
from portal.newsletters.lists import DEFAULT_LISTS
from portal.passwords import hash_password
from portal.planner import analyze

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - documented demo password, never production
SEED_BATCH = 100  # organisations per commit of a large data set


def make_enterprise_number(rng: random.Random) -> str:
    """A valid Belgian enterprise number: 0 + 7 digits, then 97 - (first 8 mod 97)."""
    base = int("0" + "".join(str(rng.randint(0, 9)) for _ in range(7)).replace("0", "1", 1))
    check = 97 - (base % 97)
    return f"{base:08d}{check:02d}"


def make_phone(rng: random.Random) -> str:
    while True:
        candidate = f"+3247{rng.randint(0, 9_999_999):07d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate


def ensure_newsletter_lists() -> list[NewsletterList]:
    """The four standard lists, as bare rows: the demo subscribes its contacts itself."""
    existing = {item.slug: item for item in db.session.scalars(select(NewsletterList))}
    for order, (slug, name, description) in enumerate(DEFAULT_LISTS):
        if slug not in existing:
            existing[slug] = NewsletterList(
                slug=slug, name=name, description=description, sort_order=order
            )
            db.session.add(existing[slug])
    db.session.flush()
    return sorted(existing.values(), key=lambda item: item.sort_order)


def _subscribe_to_all(contact: Contact, lists: list[NewsletterList]) -> None:
    now = clock.now()
    for newsletter_list in lists:
        db.session.add(
            Subscription(
                newsletter_list=newsletter_list,
                contact_id=contact.id,
                is_subscribed=True,
                opted_in_at=now,
            )
        )


def add_contact(
    organisation: Organisation,
    lists: list[NewsletterList],
    *,
    first_name: str,
    last_name: str,
    email: str,
    password_hash: str | None,
    is_primary: bool = False,
    function: str | None = None,
    phone: str | None = None,
) -> Contact:
    contact = Contact(
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
        phone=phone,
        function=function,
        is_primary=is_primary,
        has_website_right=password_hash is not None,
    )
    db.session.add(contact)
    db.session.flush()
    if password_hash is not None:
        db.session.add(
            User(
                email=contact.email,
                contact=contact,
                password_hash=password_hash,
                password_changed_at=clock.now(),
            )
        )
    if contact.has_newsletter_right:
        _subscribe_to_all(contact, lists)
    return contact


def _demo_org(name: str, kbo: str, iban: str, bic: str, city: tuple[str, str]) -> Organisation:
    return Organisation(
        name=name,
        enterprise_number=kbo,
        street="Ravensteingalerij 28",
        postal_code=city[0],
        municipality=city[1],
        phone="+3225112233",
        email="info@" + name.lower().replace(" ", "") + ".be",
        iban=iban,
        bic=bic,
        employee_count=12,
        joint_committee="329.01",
        fte=Decimal("9.5"),
        membership_started_on=date(2015, 1, 1),
    )


def seed_demo(today: date | None = None) -> bool:
    """The fixed demo set of DESIGN.md; returns False when it is already there (idempotent)."""
    today = today or clock.today()
    if db.session.scalar(select(Contact).where(Contact.email == "primair@voorbeeld.be")):
        return False
    password_hash = hash_password(DEMO_PASSWORD)
    lists = ensure_newsletter_lists()

    demo = _demo_org("Demo vzw", "0448444064", "BE68539007547034", "NAPABEBB", ("1000", "Brussel"))
    second = _demo_org(
        "Tweede Demo vzw", "0202239951", "BE71096123456769", "GKCCBEBB", ("9000", "Gent")
    )
    db.session.add_all([demo, second])
    db.session.flush()
    add_contact(demo, lists, first_name="Pia", last_name="Peeters",
                          email="primair@voorbeeld.be", password_hash=password_hash,
                          is_primary=True, function="Coördinator", phone="+32470123456")
    contact = add_contact(demo, lists, first_name="Koen", last_name="Claes",
                          email="contact@voorbeeld.be", password_hash=password_hash,
                          function="Personeelsverantwoordelijke", phone="+32470654321")
    add_contact(demo, lists, first_name="Sara", last_name="Janssens",
                email="sara.janssens@voorbeeld.be", password_hash=None,
                function="Boekhouder")
    add_contact(second, lists, first_name="Tom", last_name="Wouters",
                email="primair2@voorbeeld.be", password_hash=password_hash,
                is_primary=True, function="Directeur", phone="+32471222333")
    db.session.add(
        User(email="medewerker@voorbeeld.be", is_staff=True, display_name="Mona Medewerker",
             password_hash=password_hash, password_changed_at=clock.now())
    )
    existing = db.session.scalar(select(func.count(Organisation.id))) or 0
    add_organisations(max(0, 7 - existing), seed=2026)  # seven organisations in all

    training = Training(
        title="Arbeidsrecht in de socioculturele sector",
        starts_on=today + timedelta(days=14),
        ends_on=today + timedelta(days=42),
        hours=Decimal("32"),
        is_bev_recognised=True,
        is_vov_recognised=True,
        odb_number="DV.O123456 (demo)",
        modules="Module 1: Arbeidsovereenkomsten; Module 2: Arbeidstijd en verloven",
    )
    training.periods = [
        TrainingPeriod(starts_on=training.starts_on,
                       ends_on=training.starts_on + timedelta(days=7)),
        TrainingPeriod(starts_on=training.ends_on - timedelta(days=7), ends_on=training.ends_on),
    ]
    db.session.add(training)
    db.session.add(
        Enrolment(
            training=training,
            contact_id=contact.id,
            organisation_id=demo.id,
            participant_name=contact.full_name,
            participant_email=contact.email,
            organisation_name=demo.name,
            link_nonce=secrets.token_urlsafe(24),
        )
    )
    year = today.year + 1 if today.month >= 9 else today.year
    campaign = ConfirmationCampaign(year=year, deadline=date(year, 1, 31) if today.month >= 9
                                    else today + timedelta(days=60))
    db.session.add(campaign)
    db.session.flush()
    active = db.session.scalars(
        select(Organisation).where(Organisation.membership_ended_on.is_(None))
    )
    for organisation in active:
        db.session.add(Confirmation(campaign=campaign, organisation_id=organisation.id,
                                    invited_at=clock.now()))
    db.session.flush()
    return True


def seed_organisations(total: int, seed: int = 900, big_roster: int = 50) -> int:
    """Add realistic organisations until there are `total`, committing per SEED_BATCH.

    A bulk load: each batch is committed on purpose (a run of 50,000 must not hold one
    transaction), and rerunning it only adds what is still missing.
    """
    existing = db.session.scalar(select(func.count(Organisation.id))) or 0
    to_add = max(0, total - existing)
    if not to_add:
        return 0
    add_organisations(to_add, seed=seed, big_roster=big_roster, after_batch=db.session.commit)
    db.session.commit()
    analyze()
    return to_add


def add_organisations(to_add: int, seed: int = 900, big_roster: int = 50,
                      after_batch: Callable[[], None] | None = None) -> None:
    """Add `to_add` realistic organisations; the first gets a roster of `big_roster` contacts.

    Uses Faker (nl_BE) for names and addresses, valid IBANs, KBO and phone numbers. Flushes;
    `after_batch()` is called after every SEED_BATCH organisations.
    """
    from faker import Faker

    existing = db.session.scalar(select(func.count(Organisation.id))) or 0
    fake = Faker("nl_BE")
    fake.seed_instance(seed + existing)
    rng = random.Random(seed + existing)
    lists = ensure_newsletter_lists()
    used_kbo = set(db.session.scalars(select(Organisation.enterprise_number)))
    used_email = set(db.session.scalars(select(Contact.email)))
    forms = ("vzw", "vzw", "vzw", "ivzw")
    for index in range(to_add):
        kbo = make_enterprise_number(rng)
        while kbo in used_kbo:
            kbo = make_enterprise_number(rng)
        used_kbo.add(kbo)
        name = f"{fake.last_name()} {rng.choice(('Cultuur', 'Jeugd', 'Vorming', 'Sport', 'Kunst'))}"
        organisation = Organisation(
            name=f"{name} {rng.choice(forms)}",
            enterprise_number=kbo,
            street=fake.street_address(),
            postal_code=str(fake.postcode()),
            municipality=fake.city(),
            phone=make_phone(rng),
            email=f"info@org{existing + index + 1}.example.be",
            iban=fake.iban(),
            employee_count=rng.randint(1, 120),
            joint_committee=rng.choice(("329.01", "329.02", "329.03", "304", "200")),
            fte=Decimal(rng.randint(5, 900)) / 10,
            membership_started_on=date(rng.randint(1995, 2024), 1, 1),
        )
        db.session.add(organisation)
        db.session.flush()
        size = big_roster if index == 0 and big_roster else rng.randint(1, 6)
        for position in range(size):
            email = f"{fake.user_name()}{rng.randint(1, 99999)}@org{organisation.id}.example.be"
            while email in used_email:
                email = f"x{rng.randint(1, 10**9)}@org{organisation.id}.example.be"
            used_email.add(email)
            add_contact(
                organisation,
                lists,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=email,
                password_hash=None,
                is_primary=position == 0,
                function=rng.choice(("Coördinator", "Directeur", "Boekhouder", "Medewerker")),
                phone=make_phone(rng),
            )
        if after_batch is not None and index % SEED_BATCH == SEED_BATCH - 1:
            after_batch()
    db.session.flush()
