"""Newsletter rules: who receives which list, the consent log, signed links and mailings.

Two kinds of people receive lists:
- contacts of member organisations, on the basis of legitimate interest: the primary contact's
  newsletter right decides *whether* they may receive lists, the contact alone decides *which*;
- subscribers from the public form, on the basis of consent given with double opt-in.

Every change of a subscription appends a ConsentRecord (never edited) with the hash of the
exact text the person saw. Links carry a random per-person secret, signed; never an id.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from flask import current_app
from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from portal.audit import record_event
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.models import (
    ConsentRecord,
    ConsentText,
    Contact,
    Mailing,
    NewsletterKey,
    NewsletterList,
    Subscriber,
    Subscription,
    User,
)
from portal.retention import RetentionReport, retention_step
from portal.spreadsheet import spreadsheet_csv
from portal.tokens import InvalidToken, make_token, read_token
from portal.validators import normalise_email

CONFIRM_MAX_AGE = 7 * 24 * 3600  # the double opt-in link is valid for 7 days
MANAGE_MAX_AGE = 7 * 24 * 3600  # a manage link asked for on the site
UNSUBSCRIBE_PURPOSE = "newsletter-unsubscribe"  # in mailings: never expires
MANAGE_PURPOSE = "newsletter-manage"
CONFIRM_PURPOSE = "newsletter-confirm"

# Channels of the consent log (ConsentRecord.channel).
CHANNEL_WEB_FORM = "web_form"
CHANNEL_MAIL_LINK = "mail_link"
CHANNEL_PRIMARY_CONTACT = "primary_contact"

# The texts a person sees when a subscription changes; their hash is the text version.
SIGNUP_CONSENT_TEXT = _l(
    "I agree that Sociare uses my name, organisation and email address to send me the "
    "newsletters I ticked above, until I unsubscribe. I can unsubscribe at any moment through "
    "the link in every mail."
)
PREFERENCES_TEXT = _l(
    "As a contact person of a member organisation you receive the lists below because your "
    "primary contact gave you the newsletter right. You decide yourself which ones you "
    "actually receive: switch a list off and you receive nothing more of it, switch it on "
    "again whenever you like."
)
UNSUBSCRIBE_TEXT = _l(
    "Untick a list and save to receive nothing more of it. Tick it to receive it again."
)
ONE_CLICK_TEXT = _l("One-click unsubscribe from the link in a newsletter mail.")
RIGHT_TEXT = _l(
    "The primary contact of your organisation gave or took away your newsletter right."
)


@dataclass(frozen=True)
class Person:
    """A contact or a subscriber, as far as the newsletters are concerned."""

    contact: Contact | None = None
    subscriber: Subscriber | None = None

    @property
    def email(self) -> str:
        return (self.contact or self.subscriber).email

    @property
    def name(self) -> str:
        if self.contact is not None:
            return self.contact.full_name
        return self.subscriber.name

    def owner_fields(self) -> dict:
        if self.contact is not None:
            return {"contact_id": self.contact.id}
        return {"subscriber_id": self.subscriber.id}

    @property
    def may_receive(self) -> bool:
        """Contacts need the newsletter right; subscribers must have confirmed their address."""
        if self.contact is not None:
            return self.contact.has_newsletter_right
        return self.subscriber.confirmed_at is not None


def _now() -> datetime:
    return datetime.now(UTC)


# --- lists -------------------------------------------------------------------------------


# Read on the dashboard and the preferences page: statements built once (see
# portal/confirmation/services.py, _CURRENT_CONFIRMATION).
_ACTIVE_LISTS = (
    select(NewsletterList)
    .where(NewsletterList.is_active.is_(True))
    .order_by(NewsletterList.sort_order, NewsletterList.id)
)
_SUBSCRIPTIONS_OF = {
    "contact": select(Subscription).where(Subscription.contact_id == bindparam("owner_id")),
    "subscriber": select(Subscription).where(
        Subscription.subscriber_id == bindparam("owner_id")),
}


def active_lists() -> list[NewsletterList]:
    return list(db.session.scalars(_ACTIVE_LISTS))


def get_active_list(slug: str) -> NewsletterList:
    newsletter_list = db.session.scalar(
        select(NewsletterList).where(
            NewsletterList.slug == slug, NewsletterList.is_active.is_(True)
        )
    )
    if newsletter_list is None:
        raise PolicyError(_("There is no active newsletter list with this name."))
    return newsletter_list


def _owner(person: Person) -> tuple[str, int]:
    """Which kind of person owns the subscriptions, and its id (the statements' key)."""
    if person.contact is not None:
        return "contact", person.contact.id
    return "subscriber", person.subscriber.id


def subscriptions_of(person: Person) -> dict[int, Subscription]:
    """The person's subscription rows by list id."""
    kind, owner_id = _owner(person)
    rows = db.session.scalars(_SUBSCRIPTIONS_OF[kind], {"owner_id": owner_id})
    return {row.list_id: row for row in rows}


def _lists_with_choice(owner_column):
    return (
        select(NewsletterList, Subscription.is_subscribed)
        .outerjoin(Subscription, and_(Subscription.list_id == NewsletterList.id,
                                      owner_column == bindparam("owner_id")))
        .where(NewsletterList.is_active.is_(True))
        .order_by(NewsletterList.sort_order, NewsletterList.id)
    )


_LISTS_WITH_CHOICE = {"contact": _lists_with_choice(Subscription.contact_id),
                      "subscriber": _lists_with_choice(Subscription.subscriber_id)}


def lists_and_choice(person: Person) -> tuple[list[NewsletterList], set[int]]:
    """The active lists and the ids of those the person receives, in one statement.

    The same as active_lists() and subscribed_list_ids(person), for the pages that need both
    (the dashboard, the preferences page).
    """
    kind, owner_id = _owner(person)
    rows = db.session.execute(_LISTS_WITH_CHOICE[kind], {"owner_id": owner_id}).all()
    lists = [newsletter_list for newsletter_list, _subscribed in rows]
    if not person.may_receive:
        return lists, set()
    return lists, {newsletter_list.id for newsletter_list, subscribed in rows if subscribed}


def subscribed_list_ids(person: Person) -> set[int]:
    if not person.may_receive:
        return set()
    return {list_id for list_id, row in subscriptions_of(person).items() if row.is_subscribed}


def add_list(slug: str, name: str, description: str | None = None) -> NewsletterList:
    """A new list (data, not code). Contacts with the newsletter right receive it by default."""
    slug = slug.strip().lower()
    if not slug or not all(ch.isalnum() or ch == "-" for ch in slug) or len(slug) > 50:
        raise PolicyError(_("Use only lower-case letters, digits and hyphens for the list code."))
    if db.session.scalar(select(NewsletterList).where(NewsletterList.slug == slug)):
        raise PolicyError(_("A list with this code already exists."))
    last = max((item.sort_order for item in db.session.scalars(select(NewsletterList))),
               default=-1)
    newsletter_list = NewsletterList(slug=slug, name=name.strip(), description=description,
                                     sort_order=last + 1)
    db.session.add(newsletter_list)
    db.session.flush()
    version = text_version(RIGHT_TEXT)
    contacts = db.session.scalars(select(Contact).where(Contact.has_newsletter_right.is_(True)))
    for contact in contacts:
        _switch(Person(contact=contact), newsletter_list, None, True, CHANNEL_PRIMARY_CONTACT,
                version)
    db.session.commit()
    return newsletter_list


def ensure_default_lists() -> int:
    """The four lists of the privacy policy, for a new installation. -> how many were added."""
    from portal.demo import NEWSLETTER_LISTS

    existing = set(db.session.scalars(select(NewsletterList.slug)))
    added = 0
    for slug, name, description in NEWSLETTER_LISTS:
        if slug not in existing:
            add_list(slug, name, description)
            added += 1
    return added


# --- consent log -------------------------------------------------------------------------


def text_version(text) -> str:
    """The hash of the exact text shown; the text itself is kept once in consent_texts."""
    shown = str(text)
    version = hashlib.sha256(shown.encode("utf-8")).hexdigest()
    if db.session.get(ConsentText, version) is None:
        db.session.add(ConsentText(text_version=version, text=shown))
        db.session.flush()
    return version


def _log(person: Person, newsletter_list: NewsletterList, action: str, channel: str,
         version: str) -> None:
    db.session.add(
        ConsentRecord(
            purpose=f"newsletter:{newsletter_list.slug}",
            action=action,
            channel=channel,
            text_version=version,
            **person.owner_fields(),
        )
    )


def _switch(person: Person, newsletter_list: NewsletterList, row: Subscription | None,
            on: bool, channel: str, version: str, reason: str = "own") -> Subscription:
    """Switch one subscription; log only real changes, so repeating a request changes nothing."""
    now = _now()
    if row is None:
        row = Subscription(list_id=newsletter_list.id, is_subscribed=False,
                           **person.owner_fields())
        db.session.add(row)
        was_on = False
    else:
        was_on = row.is_subscribed
    if on and not was_on:
        row.is_subscribed = True
        row.opted_in_at = now
        row.opted_out_at = None
        row.opt_out_reason = None
        _log(person, newsletter_list, "given", channel, version)
    elif not on and was_on:
        row.is_subscribed = False
        row.opted_out_at = now
        row.opt_out_reason = reason
        _log(person, newsletter_list, "withdrawn", channel, version)
    return row


def _after_change(person: Person) -> None:
    """A subscriber who left every list: stop processing, keep only what proves the choice."""
    if person.subscriber is None:
        return
    if not any(row.is_subscribed for row in subscriptions_of(person).values()):
        person.subscriber.name = ""
        person.subscriber.organisation_name = None


def set_preferences(person: Person, wanted_list_ids: Iterable[int], channel: str,
                    shown_text) -> tuple[list[str], list[str]]:
    """Make the person receive exactly the wanted active lists. -> (switched on, switched off).

    Does not commit. A contact without the newsletter right cannot switch anything on.
    """
    wanted = set(wanted_list_ids)
    if wanted and not person.may_receive:
        raise PolicyError(_("You do not have the newsletter right. Ask your organisation's "
                            "primary contact for it."))
    version = text_version(shown_text)
    rows = subscriptions_of(person)
    switched_on, switched_off = [], []
    for newsletter_list in active_lists():
        row = rows.get(newsletter_list.id)
        was_on = bool(row and row.is_subscribed)
        on = newsletter_list.id in wanted
        _switch(person, newsletter_list, row, on, channel, version)
        if on and not was_on:
            switched_on.append(newsletter_list.name)
        elif was_on and not on:
            switched_off.append(newsletter_list.name)
    db.session.flush()
    _after_change(person)
    return switched_on, switched_off


def save_contact_preferences(contact: Contact, wanted_list_ids: Iterable[int]) -> bool:
    """The preference page of a logged-in contact. -> whether anything changed."""
    on, off = set_preferences(Person(contact=contact), wanted_list_ids, CHANNEL_WEB_FORM,
                              PREFERENCES_TEXT)
    db.session.commit()
    return bool(on or off)


# --- the contract with the roster ----------------------------------------------------------


def apply_newsletter_right(contact: Contact, actor: User | None) -> None:
    """Called by the roster after a contact is created or their newsletter right changes.

    With the right: a subscription per active list, on by default; a list the contact switched
    off themselves stays off (the contact alone decides which lists they receive). Without the
    right: every subscription off, so they receive nothing. Legitimate interest is the legal
    basis, so no consent is asked, but each change is logged (channel "primary_contact").
    Does not commit: the caller commits with its own change.
    """
    person = Person(contact=contact)
    db.session.flush()  # a new contact needs its id
    version = text_version(RIGHT_TEXT)
    rows = subscriptions_of(person)
    changed = False
    if contact.has_newsletter_right:
        for newsletter_list in active_lists():
            row = rows.get(newsletter_list.id)
            if row is not None and row.is_subscribed:
                continue
            if row is not None and row.opt_out_reason == "own":
                continue  # the contact's own choice is never overruled
            _switch(person, newsletter_list, row, True, CHANNEL_PRIMARY_CONTACT, version)
            changed = True
    else:
        lists = {item.id: item for item in db.session.scalars(select(NewsletterList))}
        for row in rows.values():
            if row.is_subscribed:
                _switch(person, lists[row.list_id], row, False, CHANNEL_PRIMARY_CONTACT,
                        version, reason="no_right")
                changed = True
    if changed:
        record_event("newsletter.right_applied", actor=actor, target=contact,
                     organisation_id=contact.organisation_id, fields=["subscriptions"])
    db.session.flush()


# --- who receives a list --------------------------------------------------------------------


def _recipients(newsletter_list: NewsletterList) -> list[tuple[str, str, Person]]:
    """Current recipients of a list, one per email address, sorted by address."""
    found: dict[str, tuple[str, str, Person]] = {}
    contacts = db.session.scalars(
        select(Contact)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .where(
            Subscription.list_id == newsletter_list.id,
            Subscription.is_subscribed.is_(True),
            Contact.has_newsletter_right.is_(True),
        )
    )
    for contact in contacts:
        found.setdefault(contact.email, (contact.email, contact.full_name,
                                         Person(contact=contact)))
    subscribers = db.session.scalars(
        select(Subscriber)
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            Subscription.list_id == newsletter_list.id,
            Subscription.is_subscribed.is_(True),
            Subscriber.confirmed_at.is_not(None),
        )
    )
    for subscriber in subscribers:
        found.setdefault(subscriber.email, (subscriber.email, subscriber.name,
                                            Person(subscriber=subscriber)))
    return [found[email] for email in sorted(found)]


def current_subscribers(list_slug: str) -> list[tuple[str, str]]:
    """(email, name) of everyone who receives this list now; opted-out people never appear."""
    newsletter_list = get_active_list(list_slug)
    return [(email, name) for email, name, _person in _recipients(newsletter_list)]


def list_overview() -> list[tuple[NewsletterList, int]]:
    return [(item, len(_recipients(item))) for item in active_lists()]


def export_subscribers_csv(list_slug: str, actor: User) -> tuple[str, str]:
    """CSV (UTF-8 with BOM, ';') of a list's current subscribers. -> (filename, content)."""
    newsletter_list = get_active_list(list_slug)
    rows = current_subscribers(list_slug)
    content = spreadsheet_csv([_("Email address"), _("Name")], rows)
    # Staff viewing personal data is always logged (field names only).
    record_event("newsletter.export", actor=actor, target=newsletter_list,
                 fields=["email", "name"])
    db.session.commit()
    filename = f"abonnees-{newsletter_list.slug}-{date.today().isoformat()}.csv"
    return filename, content


# --- signed links --------------------------------------------------------------------------


def key_of(person: Person) -> str:
    """The person's link secret, made on first use (does not commit)."""
    query = select(NewsletterKey).where(
        NewsletterKey.contact_id == person.contact.id if person.contact is not None
        else NewsletterKey.subscriber_id == person.subscriber.id
    )
    key = db.session.scalar(query)
    if key is None:
        key = NewsletterKey(secret=secrets.token_urlsafe(32), **person.owner_fields())
        db.session.add(key)
        db.session.flush()
    return key.secret


def unsubscribe_token(person: Person, newsletter_list: NewsletterList) -> str:
    return make_token(UNSUBSCRIBE_PURPOSE, {"k": key_of(person), "l": newsletter_list.slug})


def _person_by_secret(secret) -> Person | None:
    if not isinstance(secret, str):
        return None
    key = db.session.scalar(select(NewsletterKey).where(NewsletterKey.secret == secret))
    if key is None:
        return None
    if key.contact_id is not None:
        return Person(contact=db.session.get(Contact, key.contact_id))
    return Person(subscriber=db.session.get(Subscriber, key.subscriber_id))


@dataclass(frozen=True)
class LinkHolder:
    person: Person
    newsletter_list: NewsletterList | None  # the list of the mail the link came from


def read_link(token: str) -> LinkHolder:
    """Whom an unsubscribe or manage link belongs to; PolicyError for a forged or old one."""
    payload = None
    try:
        payload = read_token(UNSUBSCRIBE_PURPOSE, token)
    except InvalidToken:
        try:
            payload = read_token(MANAGE_PURPOSE, token, max_age=MANAGE_MAX_AGE)
        except InvalidToken as error:
            if error.expired:
                raise PolicyError(_("This link has expired. Ask for a new one below."))
    person = _person_by_secret(payload.get("k")) if isinstance(payload, dict) else None
    if person is None:
        raise PolicyError(_("This link is not valid. It may have been changed or cut off. "
                            "Ask for a new link below."))
    newsletter_list = None
    if payload.get("l"):
        newsletter_list = db.session.scalar(
            select(NewsletterList).where(NewsletterList.slug == payload["l"])
        )
    return LinkHolder(person, newsletter_list)


def one_click_unsubscribe(token: str) -> LinkHolder:
    """RFC 8058: the link's list (or every list for a manage link) off at once; idempotent."""
    holder = read_link(token)
    person = holder.person
    rows = subscriptions_of(person)
    version = text_version(ONE_CLICK_TEXT)
    lists = [holder.newsletter_list] if holder.newsletter_list else active_lists()
    for newsletter_list in lists:
        row = rows.get(newsletter_list.id)
        if row is not None:
            _switch(person, newsletter_list, row, False, CHANNEL_MAIL_LINK, version)
    db.session.flush()
    _after_change(person)
    db.session.commit()
    return holder


def save_link_preferences(token: str, wanted_list_ids: Iterable[int]) -> bool:
    """The page behind a mail link: keep exactly the ticked lists. -> whether anything changed."""
    holder = read_link(token)
    on, off = set_preferences(holder.person, wanted_list_ids, CHANNEL_MAIL_LINK,
                              UNSUBSCRIBE_TEXT)
    db.session.commit()
    return bool(on or off)


def send_manage_link(email: str) -> None:
    """Mail a fresh manage link if, and only if, the address receives or received lists.

    The caller answers the same either way, so the page reveals nothing about the address.
    """
    try:
        email = normalise_email(email)
    except ValueError:
        return
    person = None
    contact = db.session.scalar(select(Contact).where(Contact.email == email))
    if contact is not None and contact.has_newsletter_right:
        person = Person(contact=contact)
    else:
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        # Nothing goes to an unconfirmed address except its one confirmation mail.
        if subscriber is not None and subscriber.confirmed_at is not None:
            person = Person(subscriber=subscriber)
    if person is None:
        return
    token = make_token(MANAGE_PURPOSE, {"k": key_of(person)})
    queue_mail(person.email, "newsletter_manage_link", _("Manage your newsletters"),
               name=person.name, link=external_url("newsletters.unsubscribe", token=token))
    db.session.commit()


# --- public sign-up with double opt-in -----------------------------------------------------


def sign_up(name: str, organisation_name: str | None, email: str,
            list_ids: Iterable[int]) -> None:
    """Public sign-up: store the person unconfirmed and send the one confirmation mail.

    Subscribes nothing yet. A known address gets the same mail, so the answer reveals nothing.
    """
    email = normalise_email(email)
    lists = [item for item in active_lists() if item.id in set(list_ids)]
    if not lists:
        raise PolicyError(_("Choose at least one newsletter."), field="lists")
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if subscriber is None:
        try:
            with db.session.begin_nested():
                subscriber = Subscriber(name=name, organisation_name=organisation_name or None,
                                        email=email)
                db.session.add(subscriber)
        except IntegrityError:
            # The same address signed up at the same moment and was stored first: go on with
            # that row (the person gets the same confirmation mail) instead of a server error.
            subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    elif subscriber.confirmed_at is None:
        # Still unconfirmed: the latest form wins (nothing was ever sent to it but this mail).
        subscriber.name = name
        subscriber.organisation_name = organisation_name or None
    person = Person(subscriber=subscriber)
    token = make_token(CONFIRM_PURPOSE, {
        "k": key_of(person),
        "l": [item.slug for item in lists],
        "v": text_version(SIGNUP_CONSENT_TEXT),
        "n": name,
        "o": organisation_name or "",
    })
    queue_mail(email, "newsletter_confirm", _("Confirm your newsletter subscription"),
               name=name, lists=[item.name for item in lists],
               link=external_url("newsletters.confirm", token=token), days=7)
    db.session.commit()


def read_confirmation(token: str) -> tuple[Person, list[NewsletterList], dict]:
    try:
        payload = read_token(CONFIRM_PURPOSE, token, max_age=CONFIRM_MAX_AGE)
    except InvalidToken as error:
        if error.expired:
            raise PolicyError(_("This confirmation link is more than 7 days old. Sign up "
                                "again to receive a new one."))
        raise PolicyError(_("This confirmation link is not valid. It may have been changed "
                            "or cut off. Sign up again to receive a new one."))
    person = _person_by_secret(payload.get("k")) if isinstance(payload, dict) else None
    if person is None or person.subscriber is None:
        raise PolicyError(_("This confirmation link is not valid. It may have been changed "
                            "or cut off. Sign up again to receive a new one."))
    wanted = set(payload.get("l") or [])
    lists = [item for item in active_lists() if item.slug in wanted]
    return person, lists, payload


def confirm_sign_up(token: str) -> list[str]:
    """Double opt-in: only now the consent counts and the chosen lists are switched on."""
    person, lists, payload = read_confirmation(token)
    subscriber = person.subscriber
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = _now()
    if payload.get("n"):
        subscriber.name = payload["n"]  # the name from the form, also after a full withdrawal
        subscriber.organisation_name = payload.get("o") or None
    rows = subscriptions_of(person)
    version = payload.get("v") or text_version(SIGNUP_CONSENT_TEXT)
    for newsletter_list in lists:
        _switch(person, newsletter_list, rows.get(newsletter_list.id), True, CHANNEL_WEB_FORM,
                version)
    db.session.commit()
    return [item.name for item in lists]


# --- mailings -----------------------------------------------------------------------------


def unsubscribe_headers(person: Person, newsletter_list: NewsletterList) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: an https link for one-click POST, and a mailto fallback."""
    link = external_url("newsletters.unsubscribe", token=unsubscribe_token(person,
                                                                             newsletter_list))
    mailto = current_app.config["UNSUBSCRIBE_MAILTO"]
    subject = quote(f"afmelden {newsletter_list.slug}")
    domain = mailto.partition("@")[2] or "localhost"
    return {
        "List-Unsubscribe": f"<{link}>, <mailto:{mailto}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{newsletter_list.name} <{newsletter_list.slug}.{domain}>",
    }


def send_mailing(list_slug: str, subject: str, body: str, batch_size: int = 200,
                 after_batch=None) -> Mailing:
    """Queue one mail per current subscriber of a list, in batches of `batch_size`.

    Each batch commits on its own (then `after_batch()` may deliver it). The mailing record
    holds the list, subject and count, never the recipients.
    """
    newsletter_list = get_active_list(list_slug)
    subject = subject.strip()
    if not subject or any(ord(ch) < 32 for ch in subject):
        raise PolicyError(_("Give a subject of one line."))
    if not body.strip():
        raise PolicyError(_("The mailing text is empty."))
    recipients = _recipients(newsletter_list)
    mailing = Mailing(list_id=newsletter_list.id, subject=subject, recipient_count=0)
    # Committed with the first batch, not before: a failure before that batch is whole would
    # otherwise leave a mailing of 0 recipients behind (and a retry a second record).
    db.session.add(mailing)
    if not recipients:
        db.session.commit()
    for start in range(0, len(recipients), batch_size):
        for email, name, person in recipients[start:start + batch_size]:
            headers = unsubscribe_headers(person, newsletter_list)
            queue_mail(email, "newsletter_mailing", subject, kind="newsletter",
                       headers=headers, name=name, body=body, list_name=newsletter_list.name,
                       unsubscribe_link=headers["List-Unsubscribe"][1:].partition(">")[0],
                       preferences_link=external_url("newsletters.request_link"))
        mailing.recipient_count = min(start + batch_size, len(recipients))
        db.session.commit()
        if after_batch is not None:
            after_batch()
    return mailing


# --- retention -----------------------------------------------------------------------------


@retention_step("newsletter_unconfirmed_sign_ups")
def erase_unconfirmed_sign_ups(today: date, dry_run: bool) -> RetentionReport:
    """A sign-up never confirmed within the 7 days of its link is erased."""
    limit = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(days=8)
    condition = (Subscriber.confirmed_at.is_(None), Subscriber.created_at < limit)
    count = len(list(db.session.scalars(select(Subscriber.id).where(*condition))))
    if not dry_run and count:
        db.session.execute(delete(Subscriber).where(*condition))
        db.session.commit()
    return RetentionReport("newsletter_unconfirmed_sign_ups", count,
                           [f"{count} unconfirmed newsletter sign-ups"] if count else [])
