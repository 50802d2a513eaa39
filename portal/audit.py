"""The audit trail: who did what to which object, with field names but never values."""

import time
from collections.abc import Iterable

from flask import has_request_context, session

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


VIEW_LOG_WINDOW_SECONDS = 15 * 60
_VIEWS_KEY = "_logged_views"
_VIEWS_KEPT = 20  # the session cookie stays small


def viewed_recently(what: str) -> bool:
    """True when this session already logged a view of `what` within the window.

    Otherwise remembers the view now (the caller logs it). Outside a request: False.
    """
    if not has_request_context():
        return False
    now = time.time()
    views = {key: at for key, at in session.get(_VIEWS_KEY, {}).items()
             if now - at < VIEW_LOG_WINDOW_SECONDS}
    if what in views:
        return True
    views[what] = now
    session[_VIEWS_KEY] = dict(sorted(views.items(), key=lambda item: item[1])[-_VIEWS_KEPT:])
    return False
