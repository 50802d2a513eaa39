"""The data-breach register: incidents, the 72-hour deadline, notifying authority and people."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal import clock
from portal.audit import record_event
from portal.email import queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, DataBreach, Organisation, User
from portal.validators import normalise_enterprise_number

# How far a typed moment may lie ahead of the clock (a slow wristwatch is no error).
CLOCK_SLACK = timedelta(minutes=5)


def breach_deadline(breach: DataBreach) -> datetime:
    return breach.discovered_at + timedelta(hours=current_app.config["BREACH_NOTIFICATION_HOURS"])


def time_left(breach: DataBreach, now: datetime | None = None) -> timedelta:
    """Time until the authority must be notified (negative when the deadline has passed)."""
    return breach_deadline(breach) - (now or clock.now())


def list_breaches() -> list[DataBreach]:
    return list(db.session.scalars(select(DataBreach).order_by(DataBreach.discovered_at.desc())))


def get_breach(breach_id: int) -> DataBreach | None:
    return db.session.get(DataBreach, breach_id)


def _breach(breach_id: int) -> DataBreach:
    breach = get_breach(breach_id)
    if breach is None:
        raise PolicyError(_("This incident does not exist."))
    return breach


def _organisations_from_numbers(text: str | None) -> list[Organisation]:
    lines = [line.strip() for line in (text or "").replace(",", "\n").splitlines()]
    numbers, unknown = [], []
    for line in filter(None, lines):
        try:
            numbers.append(normalise_enterprise_number(line))
        except Exception:  # noqa: BLE001 - any malformed number is reported below
            unknown.append(line)
    organisations = list(db.session.scalars(
        select(Organisation).where(Organisation.enterprise_number.in_(numbers))
    )) if numbers else []
    found = {organisation.enterprise_number for organisation in organisations}
    unknown += [number for number in numbers if number not in found]
    if unknown:
        raise PolicyError(_("No member organisation has this enterprise number: %(numbers)s.",
                            numbers=", ".join(unknown)), field="organisations")
    return organisations


def record_breach(actor: User, data: dict) -> DataBreach:
    """Register an incident; the 72-hour notification deadline starts at its discovery."""
    discovered_at = clock.from_local(data["discovered_at"])
    if discovered_at > clock.now() + CLOCK_SLACK:
        raise PolicyError(_("The discovery cannot lie in the future."), field="discovered_at")
    breach = DataBreach(
        title=data["title"],
        description=data["description"],
        discovered_at=discovered_at,
        data_categories=data["data_categories"],
        risk_level=data["risk_level"],
        risk_assessment=data.get("risk_assessment") or None,
        created_by_user_id=actor.id,
        organisations=_organisations_from_numbers(data.get("organisations")),
    )
    db.session.add(breach)
    db.session.flush()
    record_event("breach.recorded", actor=actor, target=breach,
                 fields=["title", "description", "discovered_at", "data_categories",
                         "risk_level", "risk_assessment", "organisations"])
    db.session.flush()
    return breach


def record_authority_notification(actor: User, breach_id: int, notified_at: datetime,
                                  reference: str | None) -> None:
    """Record when the Data Protection Authority was notified (once)."""
    breach = _breach(breach_id)
    if breach.authority_notified_at is not None:
        raise PolicyError(_("The notification to the authority is already recorded."))
    notified_at = clock.from_local(notified_at)
    if notified_at > clock.now() + CLOCK_SLACK:
        raise PolicyError(_("The notification cannot lie in the future."), field="notified_at")
    if notified_at < breach.discovered_at:
        raise PolicyError(_("The notification cannot be earlier than the discovery."),
                          field="notified_at")
    breach.authority_notified_at = notified_at
    breach.authority_reference = reference or None
    record_event("breach.authority_notified", actor=actor, target=breach,
                 fields=["authority_notified_at", "authority_reference"])
    db.session.flush()


def affected_contacts(breach: DataBreach) -> list[Contact]:
    ids = [organisation.id for organisation in breach.organisations]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Contact).where(Contact.organisation_id.in_(ids)).order_by(Contact.id)
    ))


def notify_subjects(actor: User, breach_id: int) -> int:
    """When the risk is high, every contact of the affected organisations gets a Dutch notice."""
    breach = _breach(breach_id)
    if breach.risk_level != "high":
        raise PolicyError(_("Only a high-risk incident is notified to the people concerned."))
    if breach.subjects_notified_at is not None:
        raise PolicyError(_("The people concerned have already been notified."))
    contacts = affected_contacts(breach)
    if not contacts:
        raise PolicyError(_("The affected organisations have no contact persons, so there is "
                            "nobody to mail a notice to."))
    for contact in contacts:
        queue_mail(
            contact.email,
            "breach_notice",
            _("Important: an incident with your data at %(federation)s",
              federation=current_app.config["FEDERATION_NAME"]),
            name=contact.full_name,
            breach=breach,
            privacy_email=current_app.config["PRIVACY_CONTACT_EMAIL"],
        )
    breach.subjects_notified_at = clock.now()
    breach.subjects_notified_count = len(contacts)
    record_event("breach.subjects_notified", actor=actor, target=breach,
                 fields=["subjects_notified_at", "subjects_notified_count"])
    db.session.flush()
    return len(contacts)


def close_breach(actor: User, breach_id: int) -> None:
    breach = _breach(breach_id)
    if breach.closed_at is not None:
        raise PolicyError(_("This incident is already closed."))
    breach.closed_at = clock.now()
    record_event("breach.closed", actor=actor, target=breach, fields=["closed_at"])
    db.session.flush()
