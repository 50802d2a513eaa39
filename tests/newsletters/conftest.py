"""Fixtures of the newsletters tests: the four lists, clean rate limits, link helpers."""

import re

import pytest
from sqlalchemy import select

from portal.demo import ensure_newsletter_lists
from portal.extensions import db, limiter
from portal.models import ConsentRecord, NewsletterList, Subscription


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def lists(app):
    """The four lists by slug."""
    created = ensure_newsletter_lists()
    db.session.commit()
    return {item.slug: item for item in created}


def subscribed_slugs(contact=None, subscriber=None) -> set[str]:
    db.session.expire_all()
    query = select(NewsletterList.slug).join(Subscription).where(
        Subscription.is_subscribed.is_(True)
    )
    if contact is not None:
        query = query.where(Subscription.contact_id == contact.id)
    else:
        query = query.where(Subscription.subscriber_id == subscriber.id)
    return set(db.session.scalars(query))


def consent_log(contact=None, subscriber=None) -> list[tuple[str, str, str]]:
    query = select(ConsentRecord).order_by(ConsentRecord.id)
    if contact is not None:
        query = query.where(ConsentRecord.contact_id == contact.id)
    if subscriber is not None:
        query = query.where(ConsentRecord.subscriber_id == subscriber.id)
    return [(r.purpose, r.action, r.channel) for r in db.session.scalars(query)]


def path_in(text: str, prefix: str) -> str:
    """The path of the first absolute link in a text that starts with `prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s>]*)", text)
    assert match, f"no link to {prefix} in {text!r}"
    return match.group(1)
