"""Who receives a list now: for a mailing, the staff overview and the staff export."""

from dataclasses import dataclass

from sqlalchemy import func, select

from portal import clock
from portal.audit import record_event
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, NewsletterList, Subscriber, Subscription, User
from portal.newsletters.lists import active_lists, get_active_list
from portal.newsletters.subscriptions import Person
from portal.spreadsheet import spreadsheet_csv


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    person: Person
    # Where a resumed mailing goes on: contacts first, then subscribers, each by id.
    cursor: tuple[int, int]


def _receiving_contacts(newsletter_list: NewsletterList):
    return (
        select(Contact)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .where(
            Subscription.list_id == newsletter_list.id,
            Subscription.is_subscribed.is_(True),
            Contact.has_newsletter_right.is_(True),
        )
    )


def _receiving_subscribers(newsletter_list: NewsletterList):
    """Confirmed subscribers of the list whose address is not a receiving contact's."""
    contact_emails = _receiving_contacts(newsletter_list).with_only_columns(Contact.email)
    return (
        select(Subscriber)
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            Subscription.list_id == newsletter_list.id,
            Subscription.is_subscribed.is_(True),
            Subscriber.confirmed_at.is_not(None),
            Subscriber.email.not_in(contact_emails),
        )
    )


def recipients(newsletter_list: NewsletterList, after: tuple[int, int] = (0, 0),
               limit: int | None = None) -> list[Recipient]:
    """Current recipients of a list, one per email address, in a stable order.

    Contacts come first (by id), then subscribers (by id) whose address is not a receiving
    contact's: an address that is both gets one mail. `after` is the cursor of the last
    recipient already handled, so a resumed mailing skips exactly those; `limit` makes a batch.
    """
    found: list[Recipient] = []
    if after[0] == 0:
        contacts = db.session.scalars(
            _receiving_contacts(newsletter_list).where(Contact.id > after[1])
            .order_by(Contact.id).limit(limit))
        found += [Recipient(contact.email, contact.full_name, Person(contact=contact),
                            (0, contact.id)) for contact in contacts]
    if limit is None or len(found) < limit:
        subscribers = db.session.scalars(
            _receiving_subscribers(newsletter_list)
            .where(Subscriber.id > (after[1] if after[0] == 1 else 0))
            .order_by(Subscriber.id).limit(None if limit is None else limit - len(found)))
        found += [Recipient(subscriber.email, subscriber.name, Person(subscriber=subscriber),
                            (1, subscriber.id)) for subscriber in subscribers]
    return found


def recipient_count(newsletter_list: NewsletterList) -> int:
    """How many people receive the list now (counted by the database)."""
    return sum(
        db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        for query in (_receiving_contacts(newsletter_list),
                      _receiving_subscribers(newsletter_list))
    )


def current_subscribers(list_slug: str) -> list[tuple[str, str]]:
    """(email, name) of everyone who receives this list now, by address; opted-out people
    never appear."""
    newsletter_list = get_active_list(list_slug)
    return sorted((item.email, item.name) for item in recipients(newsletter_list))


def list_overview() -> list[tuple[NewsletterList, int]]:
    return [(item, recipient_count(item)) for item in active_lists()]


def export_subscribers_csv(list_slug: str, actor: User) -> tuple[str, str]:
    """CSV (UTF-8 with BOM, ';') of a list's current subscribers. -> (filename, content)."""
    newsletter_list = get_active_list(list_slug)
    rows = current_subscribers(list_slug)
    content = spreadsheet_csv([_("Email address"), _("Name")], rows)
    # Staff viewing personal data is always logged (field names only).
    record_event("newsletter.export", actor=actor, target=newsletter_list,
                 fields=["email", "name"])
    filename = f"abonnees-{newsletter_list.slug}-{clock.today().isoformat()}.csv"
    return filename, content
