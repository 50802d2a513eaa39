"""The guided confirmation flow: organisation data, each contact in turn, then confirm.

Each step is one unit of work: the change (with the organisation's or the roster's own
rules) and its note in the confirmation are flushed together and commit together with the
request, or roll back together. Services only flush.
"""

from dataclasses import dataclass

from sqlalchemy import update

from portal import clock
from portal.audit import record_event
from portal.confirmation.campaigns import current_confirmation
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Confirmation, User
from portal.organisation.labels import ORGANISATION_LABELS
from portal.organisation.services import update_organisation
from portal.roster.labels import CONTACT_LABELS
from portal.roster.services import (
    RosterRow,
    get_contact,
    remove_contact,
    roster_ids,
    roster_rows,
    update_contact,
)


def open_confirmation(organisation_id: int) -> Confirmation:
    """The organisation's confirmation that may still be worked on, or a refusal."""
    confirmation = current_confirmation(organisation_id)
    if confirmation is None:
        raise PolicyError(_("There is no open confirmation for your organisation."))
    if confirmation.confirmed_at is not None:
        raise PolicyError(_("Your organisation's data have already been confirmed."))
    return confirmation


def _note_changes(confirmation: Confirmation, entry: dict) -> None:
    # JSON columns see only new objects as changes, so build a new list each time.
    confirmation.changes = [*(confirmation.changes or []), entry]
    confirmation.has_changes = True


def set_progress(confirmation: Confirmation, **values) -> None:
    confirmation.progress = {**(confirmation.progress or {}), **values}


def checked_contact_ids(confirmation: Confirmation) -> set[int]:
    return set((confirmation.progress or {}).get("contacts_checked", []))


def mark_checked(confirmation: Confirmation, contact_id: int) -> None:
    checked = sorted(checked_contact_ids(confirmation) | {contact_id})
    set_progress(confirmation, contacts_checked=checked)


def save_organisation_step(organisation_id: int, actor: User, data: dict,
                           expected_version) -> list[str]:
    """Step 1: save the organisation's data (same rules as its own page) and mark it done."""
    confirmation = open_confirmation(organisation_id)
    changed = update_organisation(organisation_id, actor, data, expected_version)
    if changed:
        _note_changes(confirmation, {"kind": "organisation", "fields": sorted(changed)})
    set_progress(confirmation, organisation=True)
    db.session.flush()
    return changed


def mark_contact_correct(organisation_id: int, actor: User, contact_id: int) -> None:
    """Step 2: the primary contact says a contact's data are still correct."""
    confirmation = open_confirmation(organisation_id)
    get_contact(organisation_id, contact_id)
    mark_checked(confirmation, contact_id)
    db.session.flush()


def save_contact_step(organisation_id: int, actor: User, contact_id: int, data: dict,
                      expected_version) -> list[str]:
    """Step 2: correct a contact's data and rights (roster rules) and mark them checked."""
    confirmation = open_confirmation(organisation_id)
    changed = update_contact(organisation_id, actor, contact_id, data, expected_version)
    if changed:
        _note_changes(confirmation, {"kind": "contact_updated", "contact_id": contact_id,
                                     "fields": sorted(changed)})
    mark_checked(confirmation, contact_id)
    db.session.flush()
    return changed


def remove_contact_step(organisation_id: int, actor: User, contact_id: int) -> None:
    """Step 2: remove a contact who no longer works there (roster rules: erased at once)."""
    confirmation_id = open_confirmation(organisation_id).id
    remove_contact(organisation_id, actor, contact_id)  # expires the session's objects
    confirmation = db.session.get(Confirmation, confirmation_id)
    _note_changes(confirmation, {"kind": "contact_removed", "contact_id": contact_id})
    checked = checked_contact_ids(confirmation) - {contact_id}
    set_progress(confirmation, contacts_checked=sorted(checked))
    db.session.flush()


@dataclass
class FlowState:
    confirmation: Confirmation
    contact_ids: list[int]  # the roster, in its order
    checked: set[int]
    contacts: list[RosterRow] | None = None  # the roster's lines, when the page lists them

    @property
    def organisation_done(self) -> bool:
        return bool((self.confirmation.progress or {}).get("organisation"))

    @property
    def next_contact_id(self) -> int | None:
        return next((id_ for id_ in self.contact_ids if id_ not in self.checked), None)

    @property
    def contacts_done(self) -> bool:
        return self.next_contact_id is None

    @property
    def ready(self) -> bool:
        return self.organisation_done and self.contacts_done

    @property
    def is_started(self) -> bool:
        return self.organisation_done or bool(self.checked) or bool(self.confirmation.changes)


def flow_state(confirmation: Confirmation, *, with_rows: bool = False) -> FlowState:
    """Where the flow stands; `with_rows` also reads the roster's lines (the contacts page).

    The other steps only count and order the contacts: their ids are enough.
    """
    if with_rows:
        rows = roster_rows(confirmation.organisation_id)
        ids = [row.id for row in rows]
    else:
        rows, ids = None, roster_ids(confirmation.organisation_id)
    return FlowState(confirmation, ids, checked_contact_ids(confirmation) & set(ids), rows)


@dataclass
class ChangeSummary:
    organisation_fields: list[str]  # Dutch labels
    contacts_changed: int
    contact_fields: list[str]  # Dutch labels
    contacts_removed: int

    @property
    def is_empty(self) -> bool:
        return not (self.organisation_fields or self.contacts_changed or self.contacts_removed)


def _labels(names: set[str], labels: dict) -> list[str]:
    return [str(labels[name]) for name in labels if name in names]


def summarise_changes(changes: list) -> ChangeSummary:
    """What changed during the flow, as Dutch field labels and counts, never values."""
    organisation_fields: set[str] = set()
    contact_fields: set[str] = set()
    changed_contacts: set[int] = set()
    removed: set[int] = set()
    for entry in changes or []:
        if entry.get("kind") == "organisation":
            organisation_fields.update(entry.get("fields", []))
        elif entry.get("kind") == "contact_updated":
            changed_contacts.add(entry.get("contact_id"))
            contact_fields.update(entry.get("fields", []))
        elif entry.get("kind") == "contact_removed":
            removed.add(entry.get("contact_id"))
    return ChangeSummary(
        organisation_fields=_labels(organisation_fields, ORGANISATION_LABELS),
        contacts_changed=len(changed_contacts - removed),
        contact_fields=_labels(contact_fields, CONTACT_LABELS),
        contacts_removed=len(removed),
    )


def confirm_annual_data(organisation_id: int, actor: User, *, agreed: bool) -> Confirmation:
    """Step 3: the primary contact confirms the data, once per campaign.

    Needs the explicit declaration and every step done; records who, when and the summary
    of what changed (field names, no values).
    """
    if actor.contact is None or not actor.contact.is_primary or (
        actor.contact.organisation_id != organisation_id
    ):
        raise PolicyError(_("Only the primary contact can confirm the data."))
    confirmation = open_confirmation(organisation_id)
    if not agreed:
        raise PolicyError(_("Tick the box to confirm that the data are correct and complete."),
                          field="agree")
    if not flow_state(confirmation).ready:
        raise PolicyError(_("First check the organisation data and every contact person."))
    fields = sorted({name for entry in confirmation.changes or []
                     for name in entry.get("fields", [])})
    # A conditional update: two clicks or two tabs at once confirm only once.
    result = db.session.execute(
        update(Confirmation)
        .where(Confirmation.id == confirmation.id, Confirmation.confirmed_at.is_(None))
        .values(confirmed_at=clock.now(), confirmed_by_contact_id=actor.contact.id,
                confirmed_by_name=actor.contact.full_name)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PolicyError(_("Your organisation's data have already been confirmed."))
    record_event("confirmation.confirmed", actor=actor, target=confirmation,
                 organisation_id=organisation_id, fields=fields)
    db.session.flush()
    db.session.refresh(confirmation)
    return confirmation
