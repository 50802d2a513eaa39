"""Rules for the organisation's own data: validated, normalised, never a lost update."""

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError as SqlStaleDataError

from portal.audit import record_event
from portal.errors import PolicyError, StaleDataError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Organisation, User
from portal.validators import (
    normalise_bic,
    normalise_email,
    normalise_enterprise_number,
    normalise_iban,
    normalise_phone,
    suggested_bic,
)


def stale_error() -> StaleDataError:
    return StaleDataError(_("Someone else changed these data while you were editing them. "
                            "The page now shows the current data: check them and make your "
                            "change again."))


def _normalised(data: dict) -> dict:
    values = dict(data)
    values["enterprise_number"] = normalise_enterprise_number(values["enterprise_number"])
    for name, normalise in (("phone", normalise_phone), ("iban", normalise_iban),
                            ("bic", normalise_bic), ("email", normalise_email)):
        values[name] = normalise(values[name]) if values.get(name) else None
    if values.get("iban") and not values.get("bic"):
        values["bic"] = suggested_bic(values["iban"])
        if values["bic"] is None:
            raise PolicyError(_("We do not know the BIC of this bank: fill it in."), field="bic")
    if not values.get("iban"):
        values["bic"] = None
    for name in ("street", "municipality", "joint_committee", "name"):
        if values.get(name) == "":
            values[name] = None
    return values


def update_organisation(
    organisation_id: int, actor: User, data: dict, expected_version: int | None
) -> list[str]:
    """Save the organisation's data if nobody changed it meanwhile; returns changed fields.

    Refused with a PolicyError when a value breaks a rule, with a StaleDataError when the
    version the editor started from is no longer current (also when another save wins the
    race: the version column fails the flush). The caller's transaction then rolls back.
    """
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise PolicyError(_("This organisation does not exist."))
    if expected_version is None or organisation.version != expected_version:
        raise stale_error()
    values = _normalised(data)
    duplicate = db.session.scalar(
        select(Organisation.id).where(
            Organisation.enterprise_number == values["enterprise_number"],
            Organisation.id != organisation_id,
        )
    )
    if duplicate is not None:
        raise PolicyError(_("Another member organisation already has this enterprise number."),
                          field="enterprise_number")
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(organisation, name, values[name])
    try:
        # The version column makes a concurrent save fail here, inside the use case.
        db.session.flush()
    except SqlStaleDataError:
        raise stale_error() from None
    record_event("organisation.updated", actor=actor, target=organisation,
                 organisation_id=organisation_id, fields=changed)
    return changed
