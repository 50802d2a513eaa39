"""The public sign-up with double opt-in, and the retention of sign-ups never confirmed."""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import NewsletterList, Subscriber
from portal.newsletters.consent import CHANNEL_WEB_FORM, SIGNUP_CONSENT_TEXT, text_version
from portal.newsletters.links import key_of, person_by_secret
from portal.newsletters.lists import active_lists
from portal.newsletters.subscriptions import Person, subscriptions_of, switch
from portal.retention import RetentionReport, retention_step
from portal.tokens import InvalidToken, make_token, read_token
from portal.validators import normalise_email

CONFIRM_MAX_AGE = 7 * 24 * 3600  # the double opt-in link is valid for 7 days
CONFIRM_PURPOSE = "newsletter-confirm"


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
    db.session.flush()


def read_confirmation(token: str) -> tuple[Person, list[NewsletterList], dict]:
    try:
        payload = read_token(CONFIRM_PURPOSE, token, max_age=CONFIRM_MAX_AGE)
    except InvalidToken as error:
        if error.expired:
            raise PolicyError(_("This confirmation link is more than 7 days old. Sign up "
                                "again to receive a new one."))
        raise PolicyError(_("This confirmation link is not valid. It may have been changed "
                            "or cut off. Sign up again to receive a new one."))
    person = person_by_secret(payload.get("k")) if isinstance(payload, dict) else None
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
        subscriber.confirmed_at = clock.now()
    if payload.get("n"):
        subscriber.name = payload["n"]  # the name from the form, also after a full withdrawal
        subscriber.organisation_name = payload.get("o") or None
    rows = subscriptions_of(person)
    version = payload.get("v") or text_version(SIGNUP_CONSENT_TEXT)
    for newsletter_list in lists:
        switch(person, newsletter_list, rows.get(newsletter_list.id), True, CHANNEL_WEB_FORM,
               version)
    db.session.flush()
    return [item.name for item in lists]


@retention_step("newsletter_unconfirmed_sign_ups")
def erase_unconfirmed_sign_ups(today: date, dry_run: bool) -> RetentionReport:
    """A sign-up never confirmed within the 7 days of its link is erased."""
    limit = clock.start_of_day(today) - timedelta(days=8)
    condition = (Subscriber.confirmed_at.is_(None), Subscriber.created_at < limit)
    count = db.session.scalar(select(func.count(Subscriber.id)).where(*condition)) or 0
    if not dry_run and count:
        db.session.execute(delete(Subscriber).where(*condition))
        db.session.flush()
    return RetentionReport("newsletter_unconfirmed_sign_ups", count,
                           [f"{count} unconfirmed newsletter sign-ups"] if count else [])
