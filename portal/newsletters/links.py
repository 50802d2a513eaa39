"""Signed links that work without logging in: unsubscribe (in every mailing) and manage.

A link carries a random per-person secret, signed; never a database id. The unsubscribe link
of a mailing never expires (RFC 8058 one-click works from an old mail too); a manage link
asked for on the site is valid for a week.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, NewsletterKey, NewsletterList, Subscriber
from portal.newsletters.consent import (
    CHANNEL_MAIL_LINK,
    ONE_CLICK_TEXT,
    UNSUBSCRIBE_TEXT,
    text_version,
)
from portal.newsletters.lists import active_lists
from portal.newsletters.preferences import set_preferences
from portal.newsletters.subscriptions import Person, after_change, subscriptions_of, switch
from portal.tokens import InvalidToken, make_token, read_token
from portal.validators import normalise_email

MANAGE_MAX_AGE = 7 * 24 * 3600  # a manage link asked for on the site
UNSUBSCRIBE_PURPOSE = "newsletter-unsubscribe"  # in mailings: never expires
MANAGE_PURPOSE = "newsletter-manage"


def key_of(person: Person) -> str:
    """The person's link secret, made on first use."""
    return keys_of([person])[person.owner]


def keys_of(people: Iterable[Person]) -> dict[tuple[str, int], str]:
    """The link secrets of many people at once (a mailing's batch): two reads, one insert."""
    people = list(people)
    contact_ids = [person.contact.id for person in people if person.contact is not None]
    subscriber_ids = [person.subscriber.id for person in people if person.subscriber is not None]
    found: dict[tuple[str, int], str] = {}
    if contact_ids:
        found.update((("contact", key.contact_id), key.secret) for key in db.session.scalars(
            select(NewsletterKey).where(NewsletterKey.contact_id.in_(contact_ids))))
    if subscriber_ids:
        found.update((("subscriber", key.subscriber_id), key.secret) for key in
                     db.session.scalars(select(NewsletterKey).where(
                         NewsletterKey.subscriber_id.in_(subscriber_ids))))
    missing = [person for person in people if person.owner not in found]
    for person in missing:
        secret = secrets.token_urlsafe(32)
        db.session.add(NewsletterKey(secret=secret, **person.owner_fields()))
        found[person.owner] = secret
    if missing:
        db.session.flush()
    return found


def unsubscribe_token(person: Person, newsletter_list: NewsletterList,
                      secret: str | None = None) -> str:
    return make_token(UNSUBSCRIBE_PURPOSE,
                      {"k": secret or key_of(person), "l": newsletter_list.slug})


def person_by_secret(secret) -> Person | None:
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
    person = person_by_secret(payload.get("k")) if isinstance(payload, dict) else None
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
            switch(person, newsletter_list, row, False, CHANNEL_MAIL_LINK, version)
    db.session.flush()
    after_change(person)
    db.session.flush()
    return holder


def save_link_preferences(token: str, wanted_list_ids: Iterable[int]) -> bool:
    """The page behind a mail link: keep exactly the ticked lists. -> whether anything changed."""
    holder = read_link(token)
    on, off = set_preferences(holder.person, wanted_list_ids, CHANNEL_MAIL_LINK,
                              UNSUBSCRIBE_TEXT)
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
