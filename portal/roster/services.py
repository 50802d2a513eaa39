"""Rules for the roster of contact persons, kept by the primary contact."""

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError as SqlStaleDataError

from portal.audit import record_event
from portal.auth.services import apply_website_right
from portal.errors import PolicyError
from portal.extensions import db
from portal.models import Contact, User
from portal.newsletters.services import apply_newsletter_right
from portal.organisation.services import stale_error
from portal.validators import normalise_email, normalise_phone

RIGHTS = ("has_advice_right", "has_newsletter_right", "has_website_right")
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "function")


def list_contacts(organisation_id: int) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact)
        .where(Contact.organisation_id == organisation_id)
        .order_by(Contact.is_primary.desc(), Contact.last_name, Contact.first_name, Contact.id)
    ))


def get_contact(organisation_id: int, contact_id: int) -> Contact | None:
    """A contact of this organisation only: another organisation's id finds nothing."""
    return db.session.scalar(
        select(Contact).where(Contact.id == contact_id,
                              Contact.organisation_id == organisation_id)
    )


def _normalised(data: dict) -> dict:
    values = dict(data)
    if "email" in values:
        values["email"] = normalise_email(values["email"])
    values["phone"] = normalise_phone(values["phone"]) if values.get("phone") else None
    values["function"] = values.get("function") or None
    return values


def _email_taken(email: str, except_contact_id: int | None = None) -> bool:
    query = select(Contact.id).where(func.lower(Contact.email) == email.lower())
    if except_contact_id is not None:
        query = query.where(Contact.id != except_contact_id)
    if db.session.scalar(query) is not None:
        return True
    # A staff login or another person's login may hold the address too.
    login = select(User.id).where(User.email == email.lower())
    if except_contact_id is not None:
        login = login.where((User.contact_id.is_(None)) | (User.contact_id != except_contact_id))
    return db.session.scalar(login) is not None


def _email_taken_error() -> PolicyError:
    return PolicyError(_("This email address is already used by a contact person."),
                       field="email")


def add_contact(organisation_id: int, actor: User, data: dict) -> Contact:
    """Add a contact with their rights; the website right sends an invitation."""
    values = _normalised(data)
    if _email_taken(values["email"]):
        raise _email_taken_error()
    contact = Contact(organisation_id=organisation_id, is_primary=False, **values)
    db.session.add(contact)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _email_taken_error()
    apply_website_right(contact, actor)
    apply_newsletter_right(contact, actor)
    record_event("contact.added", actor=actor, target=contact, organisation_id=organisation_id,
                 fields=list(values))
    db.session.commit()
    return contact


def _save_changes(contact: Contact, actor: User, values: dict, expected_version) -> list[str]:
    if expected_version is None or contact.version != expected_version:
        raise stale_error()
    if "email" in values and values["email"] != contact.email and _email_taken(
        values["email"], contact.id
    ):
        raise _email_taken_error()
    changed = [name for name, value in values.items() if getattr(contact, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(contact, name, values[name])
    if "has_website_right" in changed or "email" in changed:
        apply_website_right(contact, actor)
    if "has_newsletter_right" in changed:
        apply_newsletter_right(contact, actor)
    record_event("contact.updated", actor=actor, target=contact,
                 organisation_id=contact.organisation_id, fields=changed)
    try:
        db.session.commit()
    except SqlStaleDataError:
        db.session.rollback()
        raise stale_error()
    except IntegrityError:
        db.session.rollback()
        raise _email_taken_error()
    return changed


def update_contact(
    organisation_id: int, actor: User, contact_id: int, data: dict, expected_version
) -> list[str]:
    """The primary contact changes a contact's data and rights; returns changed fields."""
    contact = get_contact(organisation_id, contact_id)
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    if contact.is_primary and not data.get("has_website_right", True):
        raise PolicyError(_("The primary contact needs access to the portal."),
                          field="has_website_right")
    return _save_changes(contact, actor, _normalised(data), expected_version)


def update_own_details(contact_id: int, actor: User, data: dict, expected_version) -> list[str]:
    """A contact corrects their own name, phone and function (not email or rights)."""
    contact = db.session.get(Contact, contact_id)
    allowed = {name: data[name] for name in ("first_name", "last_name", "phone", "function")}
    return _save_changes(contact, actor, _normalised(allowed), expected_version)


def remove_contact(organisation_id: int, actor: User, contact_id: int) -> None:
    """Erase a contact with their login, subscriptions and consent records at once.

    The primary contact cannot be removed (hand the role over first). The audit line keeps
    only the contact's id, no personal data.
    """
    contact = get_contact(organisation_id, contact_id)
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    if contact.is_primary:
        raise PolicyError(_("The primary contact cannot be removed. Hand the role to another "
                            "contact person first."))
    record_event("contact.removed", actor=actor, target=contact,
                 organisation_id=organisation_id)
    # Database cascades erase the login, subscriptions, consent records and transfers.
    db.session.execute(delete(Contact).where(Contact.id == contact.id))
    db.session.commit()
    db.session.expire_all()
