"""Handing the primary role to another contact: proposed, then accepted by that person.

The policy collects the primary contact's data from that person directly, so the role passes
only when the proposed person accepts and confirms their own data. Every step locks the
organisation row first: two requests that change the role of one organisation run one after
the other (a refusal rolls back at once in the view, which ends the lock), and the partial
unique index is the last line of defence. Like every service, these only flush.
"""

from datetime import timedelta

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError as SqlStaleDataError

from portal import clock
from portal.audit import record_event
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, Organisation, PrimaryTransfer, User
from portal.organisation.services import stale_error
from portal.roster.labels import DETAIL_FIELDS
from portal.roster.services import normalised
from portal.signals import contact_access_changed
from portal.tokens import InvalidToken, make_token, read_token

TRANSFER_VALID_DAYS = 14
TRANSFER_TOKEN_PURPOSE = "primary-transfer"  # noqa: S105 - a salt, not a secret


def _lock_organisation(organisation_id: int) -> Organisation:
    """SELECT ... FOR UPDATE on PostgreSQL (a no-op on SQLite, which locks the whole file)."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    if organisation is None:
        raise PolicyError(_("This organisation does not exist."))
    return organisation


def _fresh_contacts(organisation_id: int) -> dict[int, Contact]:
    # After the lock: re-read what another transaction may just have committed.
    return {contact.id: contact for contact in db.session.scalars(
        select(Contact).where(Contact.organisation_id == organisation_id)
        .execution_options(populate_existing=True)
    )}


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
        _PENDING_ID_OF_ORGANISATION, {"now": clock.now(), "organisation_id": organisation_id})
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
            and transfer.expires_at > clock.now())


def propose_primary_transfer(organisation_id: int, actor: User, contact_id: int
                             ) -> PrimaryTransfer:
    """The primary contact proposes another contact of the organisation as primary contact.

    The proposed person gets a mail with a link (valid 14 days); a newer proposal replaces
    an open one. A person without the website right gets it (the primary contact needs a
    login), with the usual invitation to choose a password.
    """
    _lock_organisation(organisation_id)
    contacts = _fresh_contacts(organisation_id)
    current = next((contact for contact in contacts.values() if contact.is_primary), None)
    if current is None or actor.contact_id != current.id:
        raise PolicyError(_("Only the primary contact can hand over the role."))
    contact = contacts.get(contact_id)
    if contact is None:
        raise PolicyError(_("This contact person does not exist."))
    if contact.is_primary:
        raise PolicyError(_("This person is already the primary contact."))
    now = clock.now()
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
    return transfer


def withdraw_primary_transfer(organisation_id: int, actor: User) -> None:
    """The primary contact withdraws the open proposal; its link stops working."""
    _lock_organisation(organisation_id)
    transfer = pending_transfer(organisation_id)
    if transfer is None:
        raise PolicyError(_("There is no open proposal to withdraw."))
    transfer.withdrawn_at = clock.now()
    record_event("primary_transfer.withdrawn", actor=actor, target=transfer,
                 organisation_id=organisation_id)
    _tell_proposal_ended(transfer)


def _tell_proposal_ended(transfer: PrimaryTransfer) -> None:
    """The proposed person learns that their link no longer works."""
    person = transfer.to_contact
    queue_mail(
        person.email,
        "primary_transfer_withdrawn",
        _("The proposal to become primary contact of %(organisation)s is withdrawn",
          organisation=transfer.organisation.name),
        name=person.full_name,
        organisation=transfer.organisation.name,
    )


def decline_primary_transfer(transfer_id: int, actor: User) -> PrimaryTransfer:
    """The proposed person declines the primary role.

    The proposal ends at once (its link stops working), nothing else changes, and the primary
    contact who made it is told by mail. Only the person it was meant for can decline it.
    """
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
    transfer.withdrawn_at = clock.now()
    record_event("primary_transfer.declined", actor=actor, target=transfer,
                 organisation_id=transfer.organisation_id)
    proposer = transfer.from_contact
    if proposer is not None:
        queue_mail(
            proposer.email,
            "primary_transfer_declined",
            _("%(name)s does not take on the role of primary contact",
              name=transfer.to_contact.full_name),
            name=proposer.first_name,
            declined_by=transfer.to_contact.full_name,
            organisation=transfer.organisation.name,
        )
    db.session.flush()
    return transfer


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
    transfer = db.session.get(PrimaryTransfer, transfer_id)
    if transfer is None:
        raise _transfer_gone_error()
    organisation = _lock_organisation(transfer.organisation_id)
    db.session.refresh(transfer)
    if not transfer_is_open(transfer):
        raise _transfer_gone_error()
    contacts = _fresh_contacts(organisation.id)
    new = contacts.get(transfer.to_contact_id)
    if new is None or actor.contact_id != new.id:
        raise PolicyError(_("This proposal is meant for another person."))
    old = next((contact for contact in contacts.values() if contact.is_primary), None)
    # A proposal made by a primary contact who meanwhile lost the role is void.
    if old is None or old.id != transfer.from_contact_id:
        raise _transfer_gone_error()
    if expected_version is None or new.version != expected_version:
        raise stale_error()
    values = normalised({name: data.get(name) for name in DETAIL_FIELDS})
    changed = [name for name, value in values.items() if getattr(new, name) != value]
    for name in changed:
        setattr(new, name, values[name])
    try:
        old.is_primary = False
        db.session.flush()  # the old primary first: the partial unique index allows one
        new.is_primary = True
        new.has_website_right = True
        transfer.accepted_at = clock.now()
        db.session.flush()
    except (SqlStaleDataError, IntegrityError):
        # Another transaction changed one of these contacts first: the caller rolls back.
        raise _transfer_gone_error() from None
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
    return new
