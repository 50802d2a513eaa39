"""The audit trail: who did what to which object, with field names but never values."""

from collections.abc import Iterable

from portal.extensions import db
from portal.models import AuditEvent, User


def actor_label(actor: User | None) -> str:
    if actor is None:
        return "systeem"
    if actor.is_staff:
        return f"medewerker #{actor.id}"
    if actor.contact_id is not None:
        return f"contactpersoon #{actor.contact_id}"
    return f"gebruiker #{actor.id}"


def record_event(
    action: str,
    *,
    actor: User | None = None,
    target=None,
    organisation_id: int | None = None,
    fields: Iterable[str] = (),
    actor_text: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records)."""
    event = AuditEvent(
        actor_user_id=actor.id if actor is not None else None,
        actor_label=actor_text or actor_label(actor),
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        organisation_id=organisation_id,
        fields=sorted(set(fields)),
    )
    db.session.add(event)
    return event
