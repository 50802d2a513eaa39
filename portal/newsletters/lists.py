"""The newsletter lists: data, not code. The four of the privacy policy, and lists added later."""

from sqlalchemy import func, select

from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, NewsletterList
from portal.newsletters.consent import CHANNEL_PRIMARY_CONTACT, RIGHT_TEXT, text_version
from portal.newsletters.subscriptions import Person, switch

# The lists the privacy policy names: (code, name, description), in Dutch as readers see them.
DEFAULT_LISTS = (
    ("nieuwsbrief", "Nieuwsbrief", "Maandelijks overzicht van nieuws uit de sector."),
    ("e-zine", "E-zine", "Achtergrondartikels over werkgeverschap in de socioculturele sector."),
    ("newsflash", "Newsflash", "Dringend nieuws, bijvoorbeeld over nieuwe regelgeving."),
    ("uitnodigingen", "Uitnodigingen", "Uitnodigingen voor vormingen, netwerkmomenten en events."),
)

# Read on the dashboard and the preferences page: built once.
_ACTIVE_LISTS = (
    select(NewsletterList)
    .where(NewsletterList.is_active.is_(True))
    .order_by(NewsletterList.sort_order, NewsletterList.id)
)


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


def add_list(slug: str, name: str, description: str | None = None) -> NewsletterList:
    """A new list. Contacts with the newsletter right receive it by default (logged)."""
    slug = slug.strip().lower()
    if not slug or not all(ch.isalnum() or ch == "-" for ch in slug) or len(slug) > 50:
        raise PolicyError(_("Use only lower-case letters, digits and hyphens for the list code."))
    if db.session.scalar(select(NewsletterList.id).where(NewsletterList.slug == slug)):
        raise PolicyError(_("A list with this code already exists."))
    last = db.session.scalar(select(func.max(NewsletterList.sort_order)))
    newsletter_list = NewsletterList(slug=slug, name=name.strip(), description=description,
                                     sort_order=0 if last is None else last + 1)
    db.session.add(newsletter_list)
    db.session.flush()
    version = text_version(RIGHT_TEXT)
    contacts = db.session.scalars(select(Contact).where(Contact.has_newsletter_right.is_(True)))
    for contact in contacts:
        switch(Person(contact=contact), newsletter_list, None, True, CHANNEL_PRIMARY_CONTACT,
               version)
    db.session.flush()
    return newsletter_list


def ensure_default_lists() -> int:
    """The four lists of the privacy policy, for a new installation. -> how many were added."""
    existing = set(db.session.scalars(select(NewsletterList.slug)))
    added = 0
    for slug, name, description in DEFAULT_LISTS:
        if slug not in existing:
            add_list(slug, name, description)
            added += 1
    return added
