"""Who a subscription belongs to (a contact or a subscriber) and how one is switched on or off.

Two kinds of people receive lists:
- contacts of member organisations, on the basis of legitimate interest: the primary contact's
  newsletter right decides *whether* they may receive lists, the contact alone decides *which*;
- subscribers from the public form, on the basis of consent given with double opt-in.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from portal import clock
from portal.extensions import db
from portal.models import Contact, NewsletterList, Subscriber, Subscription
from portal.newsletters.consent import log_consent


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
    def owner(self) -> tuple[str, int]:
        """Which kind of person owns the subscriptions, and its id."""
        if self.contact is not None:
            return "contact", self.contact.id
        return "subscriber", self.subscriber.id

    @property
    def may_receive(self) -> bool:
        """Contacts need the newsletter right; subscribers must have confirmed their address."""
        if self.contact is not None:
            return self.contact.has_newsletter_right
        return self.subscriber.confirmed_at is not None


# Read on the dashboard and the preferences page: statements built once.
_SUBSCRIPTIONS_OF = {
    "contact": select(Subscription).where(Subscription.contact_id == bindparam("owner_id")),
    "subscriber": select(Subscription).where(
        Subscription.subscriber_id == bindparam("owner_id")),
}


def subscriptions_of(person: Person) -> dict[int, Subscription]:
    """The person's subscription rows by list id."""
    kind, owner_id = person.owner
    rows = db.session.scalars(_SUBSCRIPTIONS_OF[kind], {"owner_id": owner_id})
    return {row.list_id: row for row in rows}


def switch(person: Person, newsletter_list: NewsletterList, row: Subscription | None,
           on: bool, channel: str, version: str, reason: str = "own") -> Subscription:
    """Switch one subscription; log only real changes, so repeating a request changes nothing.

    `reason` says why a subscription goes off: "own" (the person's choice, never overruled)
    or "no_right" (the newsletter right was taken away; it comes back with the right).
    """
    now = clock.now()
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
        log_consent(person.owner_fields(), newsletter_list, "given", channel, version)
    elif not on and was_on:
        row.is_subscribed = False
        row.opted_out_at = now
        row.opt_out_reason = reason
        log_consent(person.owner_fields(), newsletter_list, "withdrawn", channel, version)
    return row


def after_change(person: Person) -> None:
    """A subscriber who left every list: stop processing, keep only what proves the choice."""
    if person.subscriber is None:
        return
    if not any(row.is_subscribed for row in subscriptions_of(person).values()):
        person.subscriber.name = ""
        person.subscriber.organisation_name = None
