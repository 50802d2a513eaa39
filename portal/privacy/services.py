"""Everything the portal holds on one person, grouped by purpose with its legal basis.

`collect_personal_data` is the single place that knows which tables hold a person's data;
`COVERED_TABLES` and `EXCLUDED_TABLES` name them so a test can prove that no table with
personal data is forgotten when a model is added.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import (
    AttestationDelivery,
    AuditEvent,
    Confirmation,
    ConfirmationCampaign,
    ConsentRecord,
    Contact,
    DataBreach,
    Enrolment,
    OutboxMail,
    PrimaryTransfer,
    Subscriber,
    Subscription,
    Training,
    TrainingPeriod,
    User,
    UserSession,
)

# Every table that holds data about a person, and the section that exports it.
COVERED_TABLES = {
    "users": "account",
    "user_sessions": "account",
    "contacts": "contact",
    "primary_transfers": "rights",
    "subscriptions": "newsletters",
    "subscribers": "public_newsletter",
    "consent_records": "consent",
    "confirmations": "confirmations",
    "confirmation_campaigns": "staff_work",
    "enrolments": "trainings",
    "attestation_deliveries": "trainings",
    "attended_hours": "education_leave",
    "audit_events": "activity",
    "outbox_mails": "mails",
    "data_breaches": "staff_work",
}

# Tables with a column that looks personal but that do not hold data about a person.
EXCLUDED_TABLES = {
    # The organisation's general address, bank account and figures describe the organisation,
    # not a person; the contact section names the organisation for context, and /organisatie
    # shows the rest to its contacts.
    "organisations": "organisation data, not personal data",
    # (newsletters flow) The random secret inside a person's unsubscribe links: it says
    # nothing about the person, and a file that holds it would hand out a working token.
    "newsletter_keys": "secret of unsubscribe links, never exported",
    # The work queue of the back office: which staff login started a mailing, with ids and
    # options only; the staff member's own actions are in the audit log.
    "jobs": "work queue of the back office, ids only",
}

# Dutch labels of the exported fields; they are also the keys of the JSON download.
FIELD_LABELS = {
    "email": _l("Email address"),
    "display_name": _l("Name"),
    "is_staff": _l("Staff member of the federation"),
    "is_enabled": _l("Login enabled"),
    "created_at": _l("Created on"),
    "updated_at": _l("Last changed on"),
    "invited_at": _l("Invitation sent on"),
    "password_changed_at": _l("Password last changed on"),
    "last_login_at": _l("Last login on"),
    "session_started_at": _l("Session started on"),
    "session_last_seen_at": _l("Session last used on"),
    "failed_login_count": _l("Failed login attempts since the last login"),
    "locked_until": _l("Login blocked until"),
    "totp_enabled_at": _l("Two-step verification enabled on"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "phone": _l("Professional phone"),
    "function": _l("Function"),
    "organisation": _l("Organisation"),
    "enterprise_number": _l("Enterprise number of the organisation"),
    "has_advice_right": _l("Right to ask for advice"),
    "has_newsletter_right": _l("Receives newsletters"),
    "has_website_right": _l("Access to the member portal"),
    "is_primary": _l("Primary contact"),
    "role": _l("Your role"),
    "expires_at": _l("Expires on"),
    "accepted_at": _l("Accepted on"),
    "withdrawn_at": _l("Withdrawn on"),
    "list": _l("Newsletter"),
    "is_subscribed": _l("Subscribed"),
    "opted_in_at": _l("Subscribed on"),
    "opted_out_at": _l("Unsubscribed on"),
    "name": _l("Name"),
    "organisation_name": _l("Organisation"),
    "confirmed_at": _l("Confirmed on"),
    "purpose": _l("Purpose"),
    "action": _l("Action"),
    "channel": _l("Channel"),
    "text_version": _l("Version of the text you saw"),
    "recorded_at": _l("Recorded on"),
    "year": _l("Year"),
    "confirmed_by_name": _l("Confirmed by"),
    "changes": _l("What changed"),
    "training": _l("Training"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "participant_name": _l("Participant name"),
    "participant_email": _l("Participant email address"),
    "consent_given_at": _l("Consent given on"),
    "consent_withdrawn_at": _l("Consent withdrawn on"),
    "data_erased_at": _l("Data erased on"),
    "surname": _l("Surname"),
    "given_name": _l("Given name"),
    "birthplace": _l("Place of birth"),
    "birth_date": _l("Date of birth"),
    "residence": _l("Place of residence"),
    "attestations": _l("Attestations handed in"),
    "attended_hours": _l("Hours attended"),
    "at": _l("When"),
    "by": _l("By"),
    "target": _l("About"),
    "fields": _l("Fields"),
    "subject": _l("Subject"),
    "kind": _l("Kind"),
    "sent_at": _l("Sent on"),
    "deadline": _l("Deadline"),
    "opened_at": _l("Opened on"),
    "title": _l("Title"),
}


@dataclass
class Section:
    key: str
    title: Any  # lazy string
    legal_basis: Any
    retention: Any
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PersonalData:
    email: str
    sections: list[Section]


_LEGITIMATE = _l("Legitimate interest: the federation and your organisation need it to "
                 "provide the services your organisation signed up for.")
_CONSENT = _l("Your consent, which you can withdraw at any moment.")
_UNTIL_MEMBERSHIP = _l("As long as your organisation is a member, and at most five years "
                       "after the membership ends.")


def _sections() -> dict[str, Section]:
    definitions = [
        Section("account", _l("Your login"), _LEGITIMATE, _l(
            "As long as you have access to the portal; removed with your contact data.")),
        Section("contact", _l("Contact data"), _LEGITIMATE, _UNTIL_MEMBERSHIP),
        Section("rights", _l("Access rights and the primary contact role"), _LEGITIMATE,
                _UNTIL_MEMBERSHIP),
        Section("newsletters", _l("Newsletters you receive as a contact person"), _l(
            "Legitimate interest: contact persons receive the newsletters automatically and "
            "can unsubscribe at any moment."), _UNTIL_MEMBERSHIP),
        Section("public_newsletter", _l("Newsletter sign-ups on the public form"), _CONSENT,
                _l("Until you unsubscribe.")),
        Section("consent", _l("Consent history"), _l(
            "Legal obligation: the federation must be able to prove when you gave or "
            "withdrew consent."), _UNTIL_MEMBERSHIP),
        Section("confirmations", _l("Annual data confirmations"), _LEGITIMATE,
                _UNTIL_MEMBERSHIP),
        Section("trainings", _l("Trainings you are enrolled in"), _LEGITIMATE,
                _UNTIL_MEMBERSHIP),
        Section("education_leave", _l("Education-leave data"), _l(
            "Your explicit consent, which you can withdraw at any moment; the data are then "
            "erased at once."), _l(
            "Only as long as needed for the attestations of paid educational leave or Flemish "
            "training leave.")),
        Section("activity", _l("Activity log"), _l(
            "Legitimate interest: security, and proving who did what in the portal."),
            _l("At most five years.")),
        Section("mails", _l("Mails the portal sent you"), _LEGITIMATE, _l(
            "At most five years; the content of the mails is not kept in this overview "
            "because it may hold links that give access.")),
        Section("staff_work", _l("Your work as a staff member"), _l(
            "Legitimate interest and legal obligations of the federation (proving who did "
            "what, the data-breach register)."), _l("At most five years.")),
    ]
    return {section.key: section for section in definitions}


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _actor_kind(event: AuditEvent, user: User | None):
    if user is not None and event.actor_user_id == user.id:
        return _l("you")
    # Never the name or number of somebody else: only which kind of person acted.
    if event.actor_label.startswith("medewerker"):
        return _l("a staff member of the federation")
    if event.actor_label.startswith("contactpersoon"):
        return _l("a contact person")
    return _l("the portal itself")


def collect_personal_data(
    user: User | None = None, contact: Contact | None = None
) -> PersonalData:
    """All data held on the person with this login and/or contact row, nothing of others.

    Rows about the person are found by their contact, their login and their email addresses
    (a public newsletter sign-up or an enrolment may only know the email address).
    """
    if contact is None and user is not None:
        contact = user.contact
    if user is None and contact is not None:
        user = contact.user
    emails = {e for e in (_lower(user.email if user else None),
                          _lower(contact.email if contact else None)) if e}
    sections = _sections()

    if user is not None:
        sections["account"].records.append({
            "email": user.email,
            "display_name": user.display_name,
            "is_staff": user.is_staff,
            "is_enabled": user.is_enabled,
            "created_at": user.created_at,
            "invited_at": user.invited_at,
            "password_changed_at": user.password_changed_at,
            "last_login_at": user.last_login_at,
            "failed_login_count": user.failed_login_count,
            "locked_until": user.locked_until,
            "totp_enabled_at": user.totp_enabled_at,
        })
        # Open sessions: when they began and were last used; the cookie key stays secret.
        for user_session in db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id)
            .order_by(UserSession.created_at)
        ):
            sections["account"].records.append({
                "session_started_at": user_session.created_at,
                "session_last_seen_at": user_session.last_seen_at,
            })

    if contact is not None:
        sections["contact"].records.append({
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
            "function": contact.function,
            "organisation": contact.organisation.name,
            "enterprise_number": contact.organisation.enterprise_number,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        })
        sections["rights"].records.append({
            "has_advice_right": contact.has_advice_right,
            "has_newsletter_right": contact.has_newsletter_right,
            "has_website_right": contact.has_website_right,
            "is_primary": contact.is_primary,
        })
        transfers = db.session.scalars(
            select(PrimaryTransfer)
            .where(or_(PrimaryTransfer.from_contact_id == contact.id,
                       PrimaryTransfer.to_contact_id == contact.id))
            .order_by(PrimaryTransfer.created_at)
        )
        for transfer in transfers:
            # The other contact of the proposal is somebody else: only the person's own role.
            sections["rights"].records.append({
                "role": (_l("you proposed to hand over the primary role")
                         if transfer.from_contact_id == contact.id
                         else _l("the primary role was proposed to you")),
                "created_at": transfer.created_at,
                "expires_at": transfer.expires_at,
                "accepted_at": transfer.accepted_at,
                "withdrawn_at": transfer.withdrawn_at,
            })
        subscriptions = db.session.scalars(
            select(Subscription).where(Subscription.contact_id == contact.id)
            .order_by(Subscription.id)
        )
        for subscription in subscriptions:
            sections["newsletters"].records.append(_subscription_record(subscription))
        confirmations = db.session.execute(
            select(Confirmation, ConfirmationCampaign.year)
            .join(ConfirmationCampaign, Confirmation.campaign_id == ConfirmationCampaign.id)
            .where(Confirmation.confirmed_by_contact_id == contact.id)
            .order_by(ConfirmationCampaign.year)
        )
        for confirmation, year in confirmations:
            sections["confirmations"].records.append({
                "year": year,
                "confirmed_at": confirmation.confirmed_at,
                "confirmed_by_name": confirmation.confirmed_by_name,
                "changes": list(confirmation.changes or []),
            })

    subscribers = list(db.session.scalars(
        select(Subscriber).where(func.lower(Subscriber.email).in_(emails)).order_by(Subscriber.id)
    )) if emails else []
    for subscriber in subscribers:
        sections["public_newsletter"].records.append({
            "name": subscriber.name,
            "organisation_name": subscriber.organisation_name,
            "email": subscriber.email,
            "created_at": subscriber.created_at,
            "confirmed_at": subscriber.confirmed_at,
        })
        for subscription in db.session.scalars(
            select(Subscription).where(Subscription.subscriber_id == subscriber.id)
            .order_by(Subscription.id)
        ):
            sections["public_newsletter"].records.append(_subscription_record(subscription))

    enrolment_filters = []
    if contact is not None:
        enrolment_filters.append(Enrolment.contact_id == contact.id)
    if emails:
        enrolment_filters.append(func.lower(Enrolment.participant_email).in_(emails))
    enrolments = list(db.session.scalars(
        select(Enrolment).where(or_(*enrolment_filters)).order_by(Enrolment.id)
    )) if enrolment_filters else []
    for enrolment in enrolments:
        training = db.session.get(Training, enrolment.training_id)
        deliveries = db.session.execute(
            select(AttestationDelivery, TrainingPeriod)
            .outerjoin(TrainingPeriod, AttestationDelivery.period_id == TrainingPeriod.id)
            .where(AttestationDelivery.enrolment_id == enrolment.id)
            .order_by(AttestationDelivery.delivered_at)
        )
        sections["trainings"].records.append({
            "training": training.title,
            "starts_on": training.starts_on,
            "ends_on": training.ends_on,
            "participant_name": enrolment.participant_name,
            "participant_email": enrolment.participant_email,
            "organisation_name": enrolment.organisation_name,
            "created_at": enrolment.created_at,
            "attestations": [
                _delivery_text(delivery, period) for delivery, period in deliveries
            ],
        })
        sections["education_leave"].records.append({
            "training": training.title,
            "consent_given_at": enrolment.consent_given_at,
            "consent_withdrawn_at": enrolment.consent_withdrawn_at,
            "data_erased_at": enrolment.data_erased_at,
            "surname": enrolment.surname,
            "given_name": enrolment.given_name,
            "birthplace": enrolment.birthplace,
            "birth_date": enrolment.birth_date,
            "residence": enrolment.residence,
            "attended_hours": [_hours_text(row) for row in enrolment.attended_hours],
        })

    consent_filters = []
    if contact is not None:
        consent_filters.append(ConsentRecord.contact_id == contact.id)
    if subscribers:
        consent_filters.append(ConsentRecord.subscriber_id.in_([s.id for s in subscribers]))
    if enrolments:
        consent_filters.append(ConsentRecord.enrolment_id.in_([e.id for e in enrolments]))
    if consent_filters:
        for record in db.session.scalars(
            select(ConsentRecord).where(or_(*consent_filters)).order_by(ConsentRecord.recorded_at,
                                                                        ConsentRecord.id)
        ):
            sections["consent"].records.append({
                "purpose": record.purpose,
                "action": record.action,
                "channel": record.channel,
                "text_version": record.text_version,
                "recorded_at": record.recorded_at,
            })

    audit_filters = []
    if user is not None:
        audit_filters.append(AuditEvent.actor_user_id == user.id)
        audit_filters.append(
            (AuditEvent.target_type == "users") & (AuditEvent.target_id == user.id)
        )
    if contact is not None:
        audit_filters.append(
            (AuditEvent.target_type == "contacts") & (AuditEvent.target_id == contact.id)
        )
    if audit_filters:
        for event in db.session.scalars(
            select(AuditEvent).where(or_(*audit_filters)).order_by(AuditEvent.at, AuditEvent.id)
        ):
            about_me = (event.target_type == "users" and user is not None
                        and event.target_id == user.id) or (
                event.target_type == "contacts" and contact is not None
                and event.target_id == contact.id)
            sections["activity"].records.append({
                "at": event.at,
                "action": event.action,
                "by": _actor_kind(event, user),
                # Which other object an action of this person touched is not their data.
                "target": _l("you") if about_me else (event.target_type or ""),
                "fields": list(event.fields or []),
            })

    if emails:
        for outbox_mail in db.session.scalars(
            select(OutboxMail).where(func.lower(OutboxMail.recipient).in_(emails))
            .order_by(OutboxMail.created_at, OutboxMail.id)
        ):
            sections["mails"].records.append({
                "subject": outbox_mail.subject,
                "kind": outbox_mail.kind,
                "created_at": outbox_mail.created_at,
                "sent_at": outbox_mail.sent_at,
            })

    if user is not None:
        for campaign in db.session.scalars(
            select(ConfirmationCampaign).where(ConfirmationCampaign.opened_by_user_id == user.id)
            .order_by(ConfirmationCampaign.year)
        ):
            sections["staff_work"].records.append({
                "kind": _l("confirmation campaign opened"),
                "year": campaign.year,
                "deadline": campaign.deadline,
                "opened_at": campaign.opened_at,
            })
        for breach in db.session.scalars(
            select(DataBreach).where(DataBreach.created_by_user_id == user.id)
            .order_by(DataBreach.created_at)
        ):
            sections["staff_work"].records.append({
                "kind": _l("data breach recorded"),
                "title": breach.title,
                "created_at": breach.created_at,
            })

    return PersonalData(email=next(iter(sorted(emails)), ""), sections=list(sections.values()))


def _subscription_record(subscription: Subscription) -> dict[str, Any]:
    return {
        "list": subscription.newsletter_list.name,
        "is_subscribed": subscription.is_subscribed,
        "opted_in_at": subscription.opted_in_at,
        "opted_out_at": subscription.opted_out_at,
    }


def _delivery_text(delivery: AttestationDelivery, period: TrainingPeriod | None) -> str:
    from flask_babel import format_date

    from portal.i18n import gettext as _

    if delivery.kind == "enrolment" or period is None:
        return _("enrolment attestation, handed in on %(day)s",
                 day=format_date(delivery.delivered_at, "long"))
    return _("attendance attestation for %(start)s to %(end)s, handed in on %(day)s",
             start=format_date(period.starts_on, "long"), end=format_date(period.ends_on, "long"),
             day=format_date(delivery.delivered_at, "long"))


def _hours_text(row) -> str:
    from flask_babel import format_date, format_decimal

    from portal.i18n import gettext as _

    return _("%(start)s to %(end)s: %(hours)s hours",
             start=format_date(row.period_starts_on, "long"),
             end=format_date(row.period_ends_on, "long"), hours=format_decimal(row.hours))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # lazy strings


def as_json(data: PersonalData, federation: str) -> dict[str, Any]:
    """The download (GDPR art. 15 and 20): Dutch labels as keys, ISO dates, UTC times."""
    from portal.i18n import gettext as _

    return {
        _("federation"): federation,
        _("person"): data.email,
        _("created"): datetime.now(UTC).isoformat(),
        _("parts"): [
            {
                _("purpose"): str(section.title),
                _("legal basis"): str(section.legal_basis),
                _("retention"): str(section.retention),
                _("data"): [
                    {str(FIELD_LABELS[key]): _json_value(value) for key, value in record.items()}
                    for record in section.records
                ],
            }
            for section in data.sections
        ],
    }
