"""Whom an export is about: the ids and addresses by which the person's rows are found."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import Contact, Enrolment, Subscriber, User


@dataclass(frozen=True)
class Subject:
    """One person, as the data areas find them.

    A login and a contact row are the person's own; a public newsletter sign-up or an
    enrolment may only know the email address, so those are found by address.
    """

    user_id: int | None = None
    contact_id: int | None = None
    emails: tuple[str, ...] = ()
    subscriber_ids: tuple[int, ...] = ()
    enrolment_ids: tuple[int, ...] = ()

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


def find_subject(user: User | None = None, contact: Contact | None = None) -> Subject:
    """The subject with this login and/or contact row (each one finds the other)."""
    if contact is None and user is not None:
        contact = user.contact
    if user is None and contact is not None:
        user = contact.user
    emails = tuple(sorted({address.lower() for address in (
        user.email if user else None, contact.email if contact else None) if address}))
    subscriber_ids: tuple[int, ...] = ()
    if emails:
        subscriber_ids = tuple(db.session.scalars(
            select(Subscriber.id).where(func.lower(Subscriber.email).in_(emails))
            .order_by(Subscriber.id)))
    found_by = []
    if contact is not None:
        found_by.append(Enrolment.contact_id == contact.id)
    if emails:
        found_by.append(func.lower(Enrolment.participant_email).in_(emails))
    enrolment_ids: tuple[int, ...] = ()
    if found_by:
        enrolment_ids = tuple(db.session.scalars(
            select(Enrolment.id).where(or_(*found_by)).order_by(Enrolment.id)))
    return Subject(user_id=user.id if user else None, contact_id=contact.id if contact else None,
                   emails=emails, subscriber_ids=subscriber_ids, enrolment_ids=enrolment_ids)
