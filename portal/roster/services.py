"""Rules for the roster of contact persons, kept by the primary contact.

Services only flush: the request (or command) that calls them commits once, or rolls the
whole use case back. The primary role's hand-over lives in portal/roster/transfer.py.
"""

from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError as SqlStaleDataError

from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, OutboxMail, User
from portal.newsletters.services import apply_newsletter_right
from portal.organisation.services import stale_error
from portal.roster.labels import DETAIL_FIELDS
from portal.signals import contact_access_changed
from portal.validators import normalise_email, normalise_phone


class RosterRow(NamedTuple):
    """One line of the roster page: what it shows of a contact, read without ORM objects."""

    id: int
    full_name: str
    function: str | None
    email: str
    phone: str | None
    has_advice_right: bool
    has_newsletter_right: bool
    has_website_right: bool
    is_primary: bool
    is_invited: bool  # has a login that still waits for its first password


_ROSTER_ORDER = (Contact.is_primary.desc(), Contact.last_name, Contact.first_name, Contact.id)

_ROSTER_ROWS = (
    select(Contact.id, Contact.first_name, Contact.last_name, Contact.function, Contact.email,
           Contact.phone, Contact.has_advice_right, Contact.has_newsletter_right,
           Contact.has_website_right, Contact.is_primary,
           and_(User.id.is_not(None), User.password_hash.is_(None)).label("is_invited"))
    .outerjoin(User, User.contact_id == Contact.id)
    .where(Contact.organisation_id == bindparam("organisation_id"))
    .order_by(*_ROSTER_ORDER)
)


def roster_rows(organisation_id: int) -> list[RosterRow]:
    """The roster page's lines in one statement, primary contact first.

    Read as plain rows: loading 50 contacts and their logins as ORM objects took a fifth of
    the page's time, and the page only reads them.
    """
    # Core rows on the session's connection: the ORM's result layer adds nothing here.
    rows = db.session.connection().execute(_ROSTER_ROWS, {"organisation_id": organisation_id})
    return [
        RosterRow(id=row.id, full_name=f"{row.first_name} {row.last_name}",
                  function=row.function, email=row.email, phone=row.phone,
                  has_advice_right=row.has_advice_right,
                  has_newsletter_right=row.has_newsletter_right,
                  has_website_right=row.has_website_right, is_primary=row.is_primary,
                  is_invited=bool(row.is_invited))
        for row in rows
    ]


_ROSTER_IDS = (
    select(Contact.id)
    .where(Contact.organisation_id == bindparam("organisation_id"))
    .order_by(*_ROSTER_ORDER)
)


def roster_ids(organisation_id: int) -> list[int]:
    """The ids of the roster, in the roster's order."""
    return list(db.session.connection().scalars(_ROSTER_IDS,
                                                {"organisation_id": organisation_id}))


# The one "contact of this organisation" query of the services, built once.
_CONTACT_OF = select(Contact).where(Contact.id == bindparam("contact_id"),
                                    Contact.organisation_id == bindparam("organisation_id"))


def contact_of(organisation_id: int, contact_id: int) -> Contact | None:
    """A contact of this organisation only: another organisation's id finds nothing."""
    return db.session.scalar(_CONTACT_OF, {"contact_id": contact_id,
                                           "organisation_id": organisation_id})


def get_contact(organisation_id: int, contact_id: int) -> Contact:
    """A contact of this organisation, or the refusal "this contact person does not exist"."""
    contact = contact_of(organisation_id, contact_id)
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    return contact


def normalised(data: dict) -> dict:
    """A contact's values as stored: email in lower case, phone in E.164, blanks as None."""
    values = dict(data)
    if "email" in values:
        values["email"] = normalise_email(values["email"])
    values["phone"] = normalise_phone(values["phone"]) if values.get("phone") else None
    values["function"] = values.get("function") or None
    return values


def _email_taken(email: str, except_contact_id: int | None = None) -> bool:
    # `email` is normalised (lower case), as every stored address is: the unique index on
    # the plain column answers, no lower() that would read the whole table.
    query = select(Contact.id).where(Contact.email == email)
    if except_contact_id is not None:
        query = query.where(Contact.id != except_contact_id)
    if db.session.scalar(query) is not None:
        return True
    # A staff login or another person's login may hold the address too.
    login = select(User.id).where(User.email == email)
    if except_contact_id is not None:
        login = login.where((User.contact_id.is_(None)) | (User.contact_id != except_contact_id))
    return db.session.scalar(login) is not None


def _email_taken_error() -> PolicyError:
    return PolicyError(_("This email address is already used by a contact person."),
                       field="email")


def add_contact(organisation_id: int, actor: User, data: dict) -> Contact:
    """Add a contact with their rights; the website right sends an invitation."""
    values = normalised(data)
    if _email_taken(values["email"]):
        raise _email_taken_error()
    contact = Contact(organisation_id=organisation_id, is_primary=False, **values)
    db.session.add(contact)
    try:
        db.session.flush()  # the unique index decides a race the check above lost
    except IntegrityError:
        raise _email_taken_error() from None
    contact_access_changed.send(contact, actor=actor)
    apply_newsletter_right(contact, actor)
    record_event("contact.added", actor=actor, target=contact, organisation_id=organisation_id,
                 fields=list(values))
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
    try:
        # The version column fails a concurrent save here, inside the use case.
        db.session.flush()
    except SqlStaleDataError:
        raise stale_error() from None
    except IntegrityError:
        raise _email_taken_error() from None
    if "has_website_right" in changed or "email" in changed:
        contact_access_changed.send(contact, actor=actor)
    if "has_newsletter_right" in changed:
        apply_newsletter_right(contact, actor)
    record_event("contact.updated", actor=actor, target=contact,
                 organisation_id=contact.organisation_id, fields=changed)
    return changed


def update_contact(
    organisation_id: int, actor: User, contact_id: int, data: dict, expected_version
) -> list[str]:
    """The primary contact changes a contact's data and rights; returns changed fields."""
    contact = get_contact(organisation_id, contact_id)
    if contact.is_primary and not data.get("has_website_right", True):
        raise PolicyError(_("The primary contact needs access to the portal."),
                          field="has_website_right")
    return _save_changes(contact, actor, normalised(data), expected_version)


def update_own_details(contact_id: int, actor: User, data: dict, expected_version) -> list[str]:
    """A contact corrects their own name, phone and function (not email or rights)."""
    contact = db.session.get(Contact, contact_id)
    allowed = {name: data[name] for name in DETAIL_FIELDS}
    return _save_changes(contact, actor, normalised(allowed), expected_version)


def remove_contact(organisation_id: int, actor: User, contact_id: int) -> None:
    """Erase a contact with their login, subscriptions and consent records at once.

    The primary contact cannot be removed (hand the role over first). The audit line keeps
    only the contact's id, no personal data.
    """
    contact = get_contact(organisation_id, contact_id)
    if contact.is_primary:
        raise PolicyError(_("The primary contact cannot be removed. Hand the role to another "
                            "contact person first."))
    record_event("contact.removed", actor=actor, target=contact,
                 organisation_id=organisation_id)
    _erase_mail_traces(contact)
    # Database cascades erase the login, subscriptions, consent records and transfers.
    db.session.execute(delete(Contact).where(Contact.id == contact.id))
    db.session.flush()
    # The login and subscriptions the session may hold are gone with the cascade.
    db.session.expire_all()


def _erase_mail_traces(contact: Contact) -> None:
    """The outbox keeps sent mails for a while; none may keep the removed person's data.

    Mails to the person go (sent or not: they must not receive anything any more), and so
    do sent mails to others that name them (e.g. "X accepted the primary role").
    """
    named = [contact.email, contact.full_name]
    db.session.execute(delete(OutboxMail).where(
        or_(
            func.lower(OutboxMail.recipient) == contact.email,
            OutboxMail.sent_at.is_not(None) & or_(
                *(OutboxMail.body_text.contains(text) for text in named),
                *(OutboxMail.body_html.contains(text) for text in named),
            ),
        )
    ).execution_options(synchronize_session=False))
