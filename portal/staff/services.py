"""Back-office rules: organisations, staff logins, the audit log and the data-breach register."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from portal.audit import record_event
from portal.email import queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    AuditEvent,
    Contact,
    DataBreach,
    NewsletterList,
    Organisation,
    Subscription,
    User,
)
from portal.validators import (
    normalise_bic,
    normalise_email,
    normalise_enterprise_number,
    normalise_iban,
    normalise_phone,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def local_to_utc(moment: datetime) -> datetime:
    """A naive date-time typed by staff in Belgian time, as an aware UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRUSSELS)
    return moment.astimezone(UTC)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# ---------------------------------------------------------------- organisations


def search_organisations(query: str | None, limit: int = 50) -> list[Organisation]:
    """Organisations whose name, enterprise number or contact email matches the query."""
    statement = select(Organisation).order_by(Organisation.name, Organisation.id).limit(limit)
    query = (query or "").strip()
    if query:
        pattern = f"%{query.lower()}%"
        conditions = [func.lower(Organisation.name).like(pattern)]
        digits = _digits(query)
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
    now = datetime.now(UTC)
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
    organisation = add_organisation(actor, data, "organisation.created")
    db.session.commit()
    return organisation


def end_membership(actor: User, organisation_id: int, ended_on: date) -> None:
    """Record the end of a membership; the data goes five years later (retention)."""
    organisation = db.get_or_404(Organisation, organisation_id)
    started = organisation.membership_started_on
    if started is not None and ended_on < started:
        raise PolicyError(_("The membership cannot end before it started (%(day)s).",
                            day=started.strftime("%d/%m/%Y")), field="ended_on")
    organisation.membership_ended_on = ended_on
    record_event("organisation.membership_ended", actor=actor, target=organisation,
                 organisation_id=organisation.id, fields=["membership_ended_on"])
    db.session.commit()


def log_staff_view(actor: User, action: str, target, organisation_id: int | None) -> None:
    """Every staff view of personal data lands in the audit log (and is committed at once)."""
    record_event(action, actor=actor, target=target, organisation_id=organisation_id)
    db.session.commit()


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
    db.session.commit()
    return user


# ---------------------------------------------------------------- audit log


class AuditRow(NamedTuple):
    at: datetime
    actor_label: str
    action: str
    target_type: str | None
    target_id: int | None
    fields: str  # the changed field names, comma-separated
    organisation_name: str | None


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int  # exact, or the counted part when `more` is set
    page: int
    per_page: int
    more: bool = False  # there are more than `total` events
    has_next: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# Counting a log of 27,000 events cost more than the page itself and grew with the log:
# beyond this many (and beyond the page asked for) the page says "more than".
AUDIT_COUNT_LIMIT = 1000


def audit_actions() -> list[str]:
    """The distinct actions, by hopping through the action index: one seek per action.

    SELECT DISTINCT read the whole index, a cost that grew with the log (3.7 ms at 27,000
    events on SQLite) on every view of the audit page; the few dozen seeks stay flat.
    """
    hop = select(func.min(AuditEvent.action).label("action")).cte("hop", recursive=True)
    following = (select(func.min(AuditEvent.action))
                 .where(AuditEvent.action > hop.c.action).scalar_subquery())
    hop = hop.union_all(select(following).where(hop.c.action.is_not(None)))
    return list(db.session.scalars(
        select(hop.c.action).where(hop.c.action.is_not(None)).order_by(hop.c.action)
    ))


def audit_page(
    *,
    organisation: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """One page of the audit log, newest first; every filter is an indexed column."""
    conditions = []
    if organisation:
        pattern = f"%{organisation.lower()}%"
        org_conditions = [func.lower(Organisation.name).like(pattern)]
        digits = _digits(organisation)
        if len(digits) >= 4:
            org_conditions.append(Organisation.enterprise_number.like(f"%{digits}%"))
        conditions.append(AuditEvent.organisation_id.in_(
            select(Organisation.id).where(or_(*org_conditions))))
    if actor:
        pattern = f"%{actor.lower()}%"
        conditions.append(or_(
            func.lower(AuditEvent.actor_label).like(pattern),
            AuditEvent.actor_user_id.in_(select(User.id).where(User.email.like(pattern))),
        ))
    if action:
        conditions.append(AuditEvent.action == action)
    if date_from:
        start = datetime.combine(date_from, time.min, BRUSSELS).astimezone(UTC)
        conditions.append(AuditEvent.at >= start)
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, BRUSSELS).astimezone(UTC)
        conditions.append(AuditEvent.at < end)
    page = max(1, page)
    offset = (page - 1) * per_page
    limit = max(AUDIT_COUNT_LIMIT, offset + per_page)
    counted = db.session.scalar(select(func.count()).select_from(
        select(AuditEvent.id).where(*conditions).limit(limit + 1).subquery()))
    # Plain rows: the page only reads them (50 ORM objects were a tenth of its time), with
    # the field names joined here (Jinja's join filter cost more than the rest of a row).
    rows = [
        AuditRow(at=row.at, actor_label=row.actor_label, action=row.action,
                 target_type=row.target_type, target_id=row.target_id,
                 fields=", ".join(row.fields or ()), organisation_name=row.organisation_name)
        for row in db.session.execute(
            select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action,
                   AuditEvent.target_type, AuditEvent.target_id, AuditEvent.fields,
                   Organisation.name.label("organisation_name"))
            .outerjoin(Organisation, AuditEvent.organisation_id == Organisation.id)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset(offset)
        )
    ]
    more = counted > limit
    total = min(counted, limit)
    return AuditPage(rows=rows, total=total, page=page, per_page=per_page, more=more,
                     has_next=more or offset + per_page < total)


# ---------------------------------------------------------------- data breaches


def breach_deadline(breach: DataBreach) -> datetime:
    return breach.discovered_at + timedelta(hours=current_app.config["BREACH_NOTIFICATION_HOURS"])


def time_left(breach: DataBreach, now: datetime | None = None) -> timedelta:
    """Time until the authority must be notified (negative when the deadline has passed)."""
    return breach_deadline(breach) - (now or datetime.now(UTC))


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
    discovered_at = local_to_utc(data["discovered_at"])
    if discovered_at > datetime.now(UTC) + timedelta(minutes=5):
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
    db.session.commit()
    return breach


def record_authority_notification(actor: User, breach_id: int, notified_at: datetime,
                                  reference: str | None) -> None:
    """Record when the Data Protection Authority was notified (once)."""
    breach = db.get_or_404(DataBreach, breach_id)
    if breach.authority_notified_at is not None:
        raise PolicyError(_("The notification to the authority is already recorded."))
    notified_at = local_to_utc(notified_at)
    if notified_at > datetime.now(UTC) + timedelta(minutes=5):
        raise PolicyError(_("The notification cannot lie in the future."), field="notified_at")
    if notified_at < breach.discovered_at:
        raise PolicyError(_("The notification cannot be earlier than the discovery."),
                          field="notified_at")
    breach.authority_notified_at = notified_at
    breach.authority_reference = reference or None
    record_event("breach.authority_notified", actor=actor, target=breach,
                 fields=["authority_notified_at", "authority_reference"])
    db.session.commit()


def affected_contacts(breach: DataBreach) -> list[Contact]:
    ids = [organisation.id for organisation in breach.organisations]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Contact).where(Contact.organisation_id.in_(ids)).order_by(Contact.id)
    ))


def notify_subjects(actor: User, breach_id: int) -> int:
    """When the risk is high, every contact of the affected organisations gets a Dutch notice."""
    breach = db.get_or_404(DataBreach, breach_id)
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
    breach.subjects_notified_at = datetime.now(UTC)
    breach.subjects_notified_count = len(contacts)
    record_event("breach.subjects_notified", actor=actor, target=breach,
                 fields=["subjects_notified_at", "subjects_notified_count"])
    db.session.commit()
    return len(contacts)


def close_breach(actor: User, breach_id: int) -> None:
    breach = db.get_or_404(DataBreach, breach_id)
    if breach.closed_at is not None:
        raise PolicyError(_("This incident is already closed."))
    breach.closed_at = datetime.now(UTC)
    record_event("breach.closed", actor=actor, target=breach, fields=["closed_at"])
    db.session.commit()
