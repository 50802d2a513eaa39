"""Member organisations in the back office: search, create (with the primary contact), end.

Also staff logins (only from the command line) and the audit line of every staff view.
"""

from datetime import date

from sqlalchemy import func, or_, select

from portal import clock
from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, NewsletterList, Organisation, Subscription, User
from portal.validators import (
    normalise_bic,
    normalise_email,
    normalise_enterprise_number,
    normalise_iban,
    normalise_phone,
)


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def search_organisations(query: str | None, limit: int = 50) -> list[Organisation]:
    """Organisations whose name, enterprise number or contact email matches the query."""
    statement = select(Organisation).order_by(Organisation.name, Organisation.id).limit(limit)
    query = (query or "").strip()
    if query:
        pattern = f"%{query.lower()}%"
        conditions = [func.lower(Organisation.name).like(pattern)]
        digits = digits_of(query)
        if len(digits) >= 4:
            conditions.append(Organisation.enterprise_number.like(f"%{digits}%"))
        if "@" in query or "." in query:
            conditions.append(Organisation.id.in_(
                select(Contact.organisation_id).where(Contact.email.like(pattern))
            ))
        statement = statement.where(or_(*conditions))
    return list(db.session.scalars(statement))


def email_in_use(email: str) -> bool:
    email = email.lower()
    return bool(
        db.session.scalar(select(Contact.id).where(Contact.email == email))
        or db.session.scalar(select(User.id).where(User.email == email))
    )


def organisation_values(data: dict) -> dict:
    """Normalised organisation columns from validated form data."""
    return dict(
        name=data["name"],
        enterprise_number=normalise_enterprise_number(data["enterprise_number"]),
        street=data.get("street") or None,
        postal_code=data.get("postal_code") or None,
        municipality=data.get("municipality") or None,
        phone=normalise_phone(data["phone"]) if data.get("phone") else None,
        email=normalise_email(data["email"]) if data.get("email") else None,
        iban=normalise_iban(data["iban"]) if data.get("iban") else None,
        bic=normalise_bic(data["bic"]) if data.get("bic") else None,
        employee_count=data.get("employee_count"),
        joint_committee=data.get("joint_committee") or None,
        fte=data.get("fte"),
        membership_started_on=data.get("membership_started_on"),
    )


def contact_values(data: dict) -> dict:
    return dict(
        first_name=data["contact_first_name"],
        last_name=data["contact_last_name"],
        email=normalise_email(data["contact_email"]),
        phone=normalise_phone(data["contact_phone"]) if data.get("contact_phone") else None,
        function=data.get("contact_function") or None,
    )


def subscribe_to_active_lists(contact: Contact) -> None:
    """Contact persons receive the newsletters by default and may leave any list later."""
    now = clock.now()
    for newsletter_list in db.session.scalars(
        select(NewsletterList).where(NewsletterList.is_active)
    ):
        db.session.add(Subscription(list_id=newsletter_list.id, contact_id=contact.id,
                                    is_subscribed=True, opted_in_at=now))


def add_organisation(actor: User | None, data: dict, action: str, *, newsletters: bool = True,
                     advice: bool = True) -> Organisation:
    """Add an organisation and its primary contact, who gets a login and an invitation.

    Raises PolicyError when the enterprise number or the contact's email is already known.
    Does not commit (the caller decides: one organisation, or a whole import).
    """
    from portal.signals import contact_access_changed

    values = organisation_values(data)
    if db.session.scalar(select(Organisation.id).where(
            Organisation.enterprise_number == values["enterprise_number"])):
        raise PolicyError(_("An organisation with this enterprise number already exists."),
                          field="enterprise_number")
    person = contact_values(data)
    if email_in_use(person["email"]):
        raise PolicyError(_("This email address is already used by another contact or login."),
                          field="contact_email")
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.flush()
    # The primary contact manages the organisation in the portal: always a login.
    contact = Contact(organisation_id=organisation.id, is_primary=True, has_website_right=True,
                      has_advice_right=advice, has_newsletter_right=newsletters, **person)
    db.session.add(contact)
    db.session.flush()
    if newsletters:
        subscribe_to_active_lists(contact)
    contact_access_changed.send(contact, actor=actor)
    record_event(action, actor=actor, target=organisation, organisation_id=organisation.id,
                 fields=[k for k, v in values.items() if v is not None])
    record_event("contact.created", actor=actor, target=contact,
                 organisation_id=organisation.id,
                 fields=[k for k, v in person.items() if v is not None])
    return organisation


def create_organisation(actor: User, data: dict) -> Organisation:
    """Staff create a member organisation; its primary contact is invited to the portal."""
    return add_organisation(actor, data, "organisation.created")


def get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_contact(organisation_id: int, contact_id: int) -> Contact | None:
    """A contact of this organisation (staff see every organisation, one at a time)."""
    return db.session.scalar(select(Contact).where(
        Contact.id == contact_id, Contact.organisation_id == organisation_id))


def end_membership(actor: User, organisation_id: int, ended_on: date) -> None:
    """Record the end of a membership; the data goes five years later (retention)."""
    organisation = get_organisation(organisation_id)
    if organisation is None:
        raise PolicyError(_("This organisation does not exist."))
    started = organisation.membership_started_on
    if started is not None and ended_on < started:
        raise PolicyError(_("The membership cannot end before it started (%(day)s).",
                            day=started.strftime("%d/%m/%Y")), field="ended_on")
    organisation.membership_ended_on = ended_on
    record_event("organisation.membership_ended", actor=actor, target=organisation,
                 organisation_id=organisation.id, fields=["membership_ended_on"])
    db.session.flush()


def log_staff_view(actor: User, action: str, target, organisation_id: int | None) -> None:
    """Every staff view of personal data lands in the audit log (committed with the page)."""
    record_event(action, actor=actor, target=target, organisation_id=organisation_id)
    db.session.flush()


def log_staff_view_later(actor_id: int, action: str, model, target_id: int,
                         organisation_id: int | None) -> None:
    """The same for a page shown with a refusal (status 400): the request's transaction is
    rolled back, so this runs after the response, in a transaction of its own."""
    log_staff_view(db.session.get(User, actor_id), action, db.session.get(model, target_id),
                   organisation_id)


def create_staff_user(email: str, name: str) -> User:
    """A staff login, only from the command line; the person sets a password by invitation."""
    from portal.auth.invitations import invite
    from portal.validators import check_email

    email = check_email(email)  # EmailNotValidError: the command says so
    if email_in_use(email):
        raise PolicyError(_("This email address is already used by another contact or login."))
    user = User(email=email, is_staff=True, display_name=name.strip() or None)
    db.session.add(user)
    db.session.flush()
    invite(user, None)
    record_event("staff.created", target=user, fields=["email", "display_name"])
    db.session.flush()
    return user
