"""Newsletter subscriptions of contacts: the newsletter right decides who may receive them."""

from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Contact, NewsletterList, Subscription, User


def apply_newsletter_right(contact: Contact, actor: User | None) -> None:
    """With the right, a contact is subscribed to every active list by default; without it,
    they receive none. The caller commits."""
    now = datetime.now(UTC)
    existing = {
        subscription.list_id: subscription
        for subscription in db.session.scalars(
            select(Subscription).where(Subscription.contact_id == contact.id)
        )
    }
    if contact.has_newsletter_right:
        for newsletter_list in db.session.scalars(
            select(NewsletterList).where(NewsletterList.is_active)
        ):
            if newsletter_list.id not in existing:
                db.session.add(Subscription(list_id=newsletter_list.id, contact_id=contact.id,
                                            is_subscribed=True, opted_in_at=now))
    else:
        for subscription in existing.values():
            if subscription.is_subscribed:
                subscription.is_subscribed = False
                subscription.opted_out_at = now
