"""Which lists a person receives: their own choice, and the roster's newsletter right."""

from collections.abc import Iterable

from sqlalchemy import and_, bindparam, select

from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, NewsletterList, Subscription, User
from portal.newsletters.consent import (
    CHANNEL_PRIMARY_CONTACT,
    CHANNEL_WEB_FORM,
    PREFERENCES_TEXT,
    RIGHT_TEXT,
    text_version,
)
from portal.newsletters.lists import active_lists
from portal.newsletters.subscriptions import Person, after_change, subscriptions_of, switch


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
    kind, owner_id = person.owner
    rows = db.session.execute(_LISTS_WITH_CHOICE[kind], {"owner_id": owner_id}).all()
    lists = [newsletter_list for newsletter_list, _subscribed in rows]
    if not person.may_receive:
        return lists, set()
    return lists, {newsletter_list.id for newsletter_list, subscribed in rows if subscribed}


def subscribed_list_ids(person: Person) -> set[int]:
    if not person.may_receive:
        return set()
    return {list_id for list_id, row in subscriptions_of(person).items() if row.is_subscribed}


def set_preferences(person: Person, wanted_list_ids: Iterable[int], channel: str,
                    shown_text) -> tuple[list[str], list[str]]:
    """Make the person receive exactly the wanted active lists. -> (switched on, switched off).

    A contact without the newsletter right cannot switch anything on.
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
        switch(person, newsletter_list, row, on, channel, version)
        if on and not was_on:
            switched_on.append(newsletter_list.name)
        elif was_on and not on:
            switched_off.append(newsletter_list.name)
    db.session.flush()
    after_change(person)
    return switched_on, switched_off


def save_contact_preferences(contact: Contact, wanted_list_ids: Iterable[int]) -> bool:
    """The preference page of a logged-in contact. -> whether anything changed."""
    on, off = set_preferences(Person(contact=contact), wanted_list_ids, CHANNEL_WEB_FORM,
                              PREFERENCES_TEXT)
    db.session.flush()
    return bool(on or off)


def apply_newsletter_right(contact: Contact, actor: User | None) -> None:
    """Called by the roster after a contact is created or their newsletter right changes.

    With the right: a subscription per active list, on by default; a list the contact switched
    off themselves stays off (the contact alone decides which lists they receive). Without the
    right: every subscription off, so they receive nothing. Legitimate interest is the legal
    basis, so no consent is asked, but each change is logged (channel "primary_contact").
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
            switch(person, newsletter_list, row, True, CHANNEL_PRIMARY_CONTACT, version)
            changed = True
    else:
        lists = {item.id: item for item in db.session.scalars(select(NewsletterList))}
        for row in rows.values():
            if row.is_subscribed:
                switch(person, lists[row.list_id], row, False, CHANNEL_PRIMARY_CONTACT,
                       version, reason="no_right")
                changed = True
    if changed:
        record_event("newsletter.right_applied", actor=actor, target=contact,
                     organisation_id=contact.organisation_id, fields=["subscriptions"])
    db.session.flush()
