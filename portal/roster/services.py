"""Rules for the roster of contact persons, kept by the primary contact."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError as SqlStaleDataError

from portal.audit import record_event
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, Organisation, OutboxMail, PrimaryTransfer, User
from portal.newsletters.services import apply_newsletter_right
from portal.organisation.services import stale_error
from portal.signals import contact_access_changed
from portal.tokens import InvalidToken, make_token, read_token
from portal.validators import normalise_email, normalise_phone

RIGHTS = ("has_advice_right", "has_newsletter_right", "has_website_right")
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "function")


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


_ROSTER_ROWS = (
    select(Contact.id, Contact.first_name, Contact.last_name, Contact.function, Contact.email,
           Contact.phone, Contact.has_advice_right, Contact.has_newsletter_right,
           Contact.has_website_right, Contact.is_primary,
           and_(User.id.is_not(None), User.password_hash.is_(None)).label("is_invited"))
    .outerjoin(User, User.contact_id == Contact.id)
    .where(Contact.organisation_id == bindparam("organisation_id"))
    .order_by(Contact.is_primary.desc(), Contact.last_name, Contact.first_name, Contact.id)
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
    .order_by(Contact.is_primary.desc(), Contact.last_name, Contact.first_name, Contact.id)
)


def roster_ids(organisation_id: int) -> list[int]:
    """The ids of the roster, in the roster's order."""
    return list(db.session.connection().scalars(_ROSTER_IDS,
                                                {"organisation_id": organisation_id}))


def list_contacts(organisation_id: int) -> list[Contact]:
    # Logins come along in one statement: the list shows whether an invitation is pending.
    return list(db.session.scalars(
        select(Contact)
        .options(selectinload(Contact.user))
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
    contact_access_changed.send(contact, actor=actor)
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
        contact_access_changed.send(contact, actor=actor)
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
    _erase_mail_traces(contact)
    # Database cascades erase the login, subscriptions, consent records and transfers.
    db.session.execute(delete(Contact).where(Contact.id == contact.id))
    db.session.commit()
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


# --- Primary role transfer -------------------------------------------------------------------
#
# The policy collects the primary contact's data from that person directly, so the role passes
# only when the proposed person accepts and confirms their own data. Every step locks the
# organisation row first: two requests that change the role of one organisation run one after
# the other, and the partial unique index is the last line of defence.

TRANSFER_VALID_DAYS = 14
TRANSFER_TOKEN_PURPOSE = "primary-transfer"  # noqa: S105 - a salt, not a secret


@contextmanager
def _released_on_refusal():
    """A refused step rolls back at once, so its row lock does not outlive the refusal."""
    try:
        yield
    except PolicyError:
        db.session.rollback()
        raise


def _now() -> datetime:
    return datetime.now(UTC)


def _lock_organisation(organisation_id: int) -> Organisation:
    """SELECT ... FOR UPDATE on PostgreSQL (a no-op on SQLite, which locks the whole file)."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    if organisation is None:
        raise PolicyError(_("This organisation does not exist."))
    return organisation


def _fresh_contacts(organisation_id: int) -> list[Contact]:
    # After the lock: re-read what another transaction may just have committed.
    return list(db.session.scalars(
        select(Contact).where(Contact.organisation_id == organisation_id)
        .execution_options(populate_existing=True)
    ))


_OPEN_PROPOSAL = and_(
    PrimaryTransfer.accepted_at.is_(None),
    PrimaryTransfer.withdrawn_at.is_(None),
    PrimaryTransfer.expires_at > bindparam("now"),
)
_PENDING = select(PrimaryTransfer).where(_OPEN_PROPOSAL)
# The open proposal is looked up on the roster page and the dashboard: built once.
_PENDING_ID_OF_ORGANISATION = (
    select(PrimaryTransfer.id)
    .where(_OPEN_PROPOSAL, PrimaryTransfer.organisation_id == bindparam("organisation_id"))
    .order_by(PrimaryTransfer.created_at.desc(), PrimaryTransfer.id.desc()).limit(1)
)


def pending_transfer(organisation_id: int) -> PrimaryTransfer | None:
    """The open proposal of this organisation (at most one: a new one replaces the old).

    Asked on the roster page and the dashboard, where there rarely is one: a single-column
    look-up first, the object only when there is a proposal.
    """
    transfer_id = db.session.connection().scalar(
        _PENDING_ID_OF_ORGANISATION, {"now": _now(), "organisation_id": organisation_id})
    return db.session.get(PrimaryTransfer, transfer_id) if transfer_id is not None else None


def transfer_token(transfer: PrimaryTransfer) -> str:
    return make_token(TRANSFER_TOKEN_PURPOSE, {"transfer": transfer.id})


def transfer_from_token(token: str) -> PrimaryTransfer:
    """The proposal a link points to; InvalidToken for a forged or too old link."""
    payload = read_token(TRANSFER_TOKEN_PURPOSE, token,
                         max_age=TRANSFER_VALID_DAYS * 24 * 3600)
    transfer_id = payload.get("transfer") if isinstance(payload, dict) else None
    transfer = db.session.get(PrimaryTransfer, transfer_id) if isinstance(
        transfer_id, int) else None
    if transfer is None:
        raise InvalidToken()
    return transfer


def transfer_is_open(transfer: PrimaryTransfer) -> bool:
    return (transfer.accepted_at is None and transfer.withdrawn_at is None
            and transfer.expires_at > _now())


def propose_primary_transfer(organisation_id: int, actor: User, contact_id: int
                             ) -> PrimaryTransfer:
    """The primary contact proposes another contact of the organisation as primary contact.

    The proposed person gets a mail with a link (valid 14 days); a newer proposal replaces
    an open one. A person without the website right gets it (the primary contact needs a
    login), with the usual invitation to choose a password.
    """
    with _released_on_refusal():
        return _propose_primary_transfer(organisation_id, actor, contact_id)


def _propose_primary_transfer(organisation_id: int, actor: User, contact_id: int
                             ) -> PrimaryTransfer:
    _lock_organisation(organisation_id)
    contacts = {contact.id: contact for contact in _fresh_contacts(organisation_id)}
    current = next((contact for contact in contacts.values() if contact.is_primary), None)
    if current is None or actor.contact_id != current.id:
        raise PolicyError(_("Only the primary contact can hand over the role."))
    contact = contacts.get(contact_id)
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    if contact.is_primary:
        raise PolicyError(_("This person is already the primary contact."))
    now = _now()
    for earlier in db.session.scalars(
        _PENDING.where(PrimaryTransfer.organisation_id == organisation_id), {"now": now}
    ):
        earlier.withdrawn_at = now
        record_event("primary_transfer.replaced", actor=actor, target=earlier,
                     organisation_id=organisation_id)
        if earlier.to_contact_id != contact.id:
            _tell_proposal_ended(earlier)
    needs_invitation = not contact.has_website_right
    if needs_invitation:
        contact.has_website_right = True
        contact_access_changed.send(contact, actor=actor)
        record_event("contact.updated", actor=actor, target=contact,
                     organisation_id=organisation_id, fields=["has_website_right"])
    transfer = PrimaryTransfer(
        organisation_id=organisation_id, from_contact_id=current.id, to_contact_id=contact.id,
        created_at=now, expires_at=now + timedelta(days=TRANSFER_VALID_DAYS),
    )
    db.session.add(transfer)
    db.session.flush()
    queue_mail(
        contact.email,
        "primary_transfer_proposed",
        _("You are proposed as primary contact of %(organisation)s",
          organisation=contact.organisation.name),
        name=contact.full_name,
        proposer=current.full_name,
        organisation=contact.organisation.name,
        link=external_url("roster.accept_primary", token=transfer_token(transfer)),
        valid_days=TRANSFER_VALID_DAYS,
        needs_password=needs_invitation or (
            contact.user is not None and contact.user.password_hash is None),
    )
    record_event("primary_transfer.proposed", actor=actor, target=transfer,
                 organisation_id=organisation_id, fields=["to_contact_id"])
    db.session.commit()
    return transfer


def withdraw_primary_transfer(organisation_id: int, actor: User) -> None:
    """The primary contact withdraws the open proposal; its link stops working."""
    with _released_on_refusal():
        _withdraw_primary_transfer(organisation_id, actor)


def _withdraw_primary_transfer(organisation_id: int, actor: User) -> None:
    _lock_organisation(organisation_id)
    transfer = pending_transfer(organisation_id)
    if transfer is None:
        raise PolicyError(_("There is no open proposal to withdraw."))
    transfer.withdrawn_at = _now()
    record_event("primary_transfer.withdrawn", actor=actor, target=transfer,
                 organisation_id=organisation_id)
    _tell_proposal_ended(transfer)
    db.session.commit()


def _tell_proposal_ended(transfer: PrimaryTransfer) -> None:
    """The proposed person learns that their link no longer works (the caller commits)."""
    person = transfer.to_contact
    queue_mail(
        person.email,
        "primary_transfer_withdrawn",
        _("The proposal to become primary contact of %(organisation)s is withdrawn",
          organisation=transfer.organisation.name),
        name=person.full_name,
        organisation=transfer.organisation.name,
    )


def _transfer_gone_error() -> PolicyError:
    return PolicyError(_("This proposal is no longer valid: it was withdrawn, replaced by "
                         "another one, accepted already or it has expired."))


def accept_primary_transfer(transfer_id: int, actor: User, data: dict, expected_version
                            ) -> Contact:
    """The proposed person confirms their own data and becomes the primary contact.

    In one transaction with the organisation row locked: the old primary contact becomes an
    ordinary contact (flushed first: the database allows one primary per organisation), the
    new one becomes primary, and the old one is informed by mail. Exactly one primary
    contact exists before and after, whatever runs at the same time.
    """
    with _released_on_refusal():
        return _accept_primary_transfer(transfer_id, actor, data, expected_version)


def _accept_primary_transfer(transfer_id: int, actor: User, data: dict, expected_version
                            ) -> Contact:
    transfer = db.session.get(PrimaryTransfer, transfer_id)
    if transfer is None:
        raise _transfer_gone_error()
    organisation = _lock_organisation(transfer.organisation_id)
    db.session.refresh(transfer)
    if not transfer_is_open(transfer):
        raise _transfer_gone_error()
    contacts = {contact.id: contact for contact in _fresh_contacts(organisation.id)}
    new = contacts.get(transfer.to_contact_id)
    if new is None or actor.contact_id != new.id:
        raise PolicyError(_("This proposal is meant for another person."))
    old = next((contact for contact in contacts.values() if contact.is_primary), None)
    # A proposal made by a primary contact who meanwhile lost the role is void.
    if old is None or old.id != transfer.from_contact_id:
        raise _transfer_gone_error()
    if expected_version is None or new.version != expected_version:
        raise stale_error()
    values = _normalised({name: data.get(name) for name in
                          ("first_name", "last_name", "phone", "function")})
    changed = [name for name, value in values.items() if getattr(new, name) != value]
    for name in changed:
        setattr(new, name, values[name])
    old.is_primary = False
    db.session.flush()  # the old primary first: the partial unique index allows one
    new.is_primary = True
    new.has_website_right = True
    transfer.accepted_at = _now()
    db.session.flush()
    record_event("contact.details_confirmed", actor=actor, target=new,
                 organisation_id=organisation.id, fields=changed)
    record_event("primary_transfer.accepted", actor=actor, target=transfer,
                 organisation_id=organisation.id, fields=["is_primary"])
    queue_mail(
        old.email,
        "primary_transfer_done",
        _("%(name)s is now the primary contact of %(organisation)s",
          name=new.full_name, organisation=organisation.name),
        name=old.full_name,
        new_name=new.full_name,
        organisation=organisation.name,
        link=external_url("public.dashboard"),
    )
    try:
        db.session.commit()
    except (SqlStaleDataError, IntegrityError):
        # Another transaction changed one of these contacts first: nothing of ours is kept.
        db.session.rollback()
        raise _transfer_gone_error()
    return new


def decline_primary_transfer(transfer_id: int, actor: User) -> PrimaryTransfer:
    """The proposed person declines the primary role.

    The proposal ends at once (its link stops working), nothing else changes, and the primary
    contact who made it is told by mail. Only the person it was meant for can decline it.
    """
    with _released_on_refusal():
        transfer = db.session.get(PrimaryTransfer, transfer_id)
        if transfer is None:
            raise _transfer_gone_error()
        _lock_organisation(transfer.organisation_id)
        db.session.refresh(transfer)
        if actor.contact_id is None or actor.contact_id != transfer.to_contact_id:
            raise PolicyError(_("This proposal is meant for another person."))
        if not transfer_is_open(transfer):
            raise _transfer_gone_error()
        # A declined proposal ends like a withdrawn one; the audit line tells them apart.
        transfer.withdrawn_at = _now()
        record_event("primary_transfer.declined", actor=actor, target=transfer,
                     organisation_id=transfer.organisation_id)
        proposer = transfer.from_contact
        if proposer is not None:
            # TODO(mails from one layout): give this mail the common HTML layout too.
            queue_mail(
                proposer.email,
                "primary_transfer_declined",
                _("%(name)s does not take on the role of primary contact",
                  name=transfer.to_contact.full_name),
                name=proposer.first_name or proposer.full_name,
                declined_by=transfer.to_contact.full_name,
                organisation=transfer.organisation.name,
            )
        db.session.flush()
        return transfer
