"""One collector per data area: what the portal holds on a person, each with its legal basis.

A collector takes the Subject (the person's ids and addresses) and returns the records of its
area; COLLECTORS is the list the export walks, in the order the person reads it. Each names
the tables it reads, so a test (and the data map) can prove no personal table is forgotten.
Records hold only the person's own data: never another person's name, number or address.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date, format_decimal
from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.i18n import gettext as _
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
    TrainingPeriod,
    User,
    UserSession,
)
from portal.privacy.subject import Subject

Record = dict[str, Any]


@dataclass
class Section:
    key: str
    title: Any  # lazy string
    legal_basis: Any
    retention: Any
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Collector:
    key: str
    title: Any
    legal_basis: Any
    retention: Any
    tables: tuple[str, ...]  # the tables it reads; the first collector of a table owns it
    collect: Callable[[Subject], list[Record]]

    def __call__(self, subject: Subject) -> Section:
        return Section(self.key, self.title, self.legal_basis, self.retention,
                       self.collect(subject))


_LEGITIMATE = _l("Legitimate interest: the federation and your organisation need it to "
                 "provide the services your organisation signed up for.")
_CONSENT = _l("Your consent, which you can withdraw at any moment.")
_UNTIL_MEMBERSHIP = _l("As long as your organisation is a member, and at most five years "
                       "after the membership ends.")


def account(subject: Subject) -> list[Record]:
    user = db.session.get(User, subject.user_id) if subject.user_id else None
    if user is None:
        return []
    records = [{
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
    }]
    # Open sessions: when they began and were last used; the cookie key stays secret.
    records += [
        {"session_started_at": row.created_at, "session_last_seen_at": row.last_seen_at}
        for row in db.session.scalars(select(UserSession).where(
            UserSession.user_id == user.id).order_by(UserSession.created_at))
    ]
    return records


def contact_data(subject: Subject) -> list[Record]:
    contact = db.session.get(Contact, subject.contact_id) if subject.contact_id else None
    if contact is None:
        return []
    return [{
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": contact.phone,
        "function": contact.function,
        "organisation": contact.organisation.name,
        "enterprise_number": contact.organisation.enterprise_number,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }]


def rights(subject: Subject) -> list[Record]:
    contact = db.session.get(Contact, subject.contact_id) if subject.contact_id else None
    if contact is None:
        return []
    records = [{
        "has_advice_right": contact.has_advice_right,
        "has_newsletter_right": contact.has_newsletter_right,
        "has_website_right": contact.has_website_right,
        "is_primary": contact.is_primary,
    }]
    transfers = db.session.scalars(
        select(PrimaryTransfer)
        .where(or_(PrimaryTransfer.from_contact_id == contact.id,
                   PrimaryTransfer.to_contact_id == contact.id))
        .order_by(PrimaryTransfer.created_at)
    )
    # The other contact of a proposal is somebody else: only the person's own role.
    records += [{
        "role": (_l("you proposed to hand over the primary role")
                 if transfer.from_contact_id == contact.id
                 else _l("the primary role was proposed to you")),
        "created_at": transfer.created_at,
        "expires_at": transfer.expires_at,
        "accepted_at": transfer.accepted_at,
        "withdrawn_at": transfer.withdrawn_at,
    } for transfer in transfers]
    return records


def _subscription_records(owner_column, owner_ids) -> list[Record]:
    if not owner_ids:
        return []
    return [{
        "list": subscription.newsletter_list.name,
        "is_subscribed": subscription.is_subscribed,
        "opted_in_at": subscription.opted_in_at,
        "opted_out_at": subscription.opted_out_at,
    } for subscription in db.session.scalars(
        select(Subscription).where(owner_column.in_(owner_ids)).order_by(Subscription.id))]


def contact_subscriptions(subject: Subject) -> list[Record]:
    ids = [subject.contact_id] if subject.contact_id else []
    return _subscription_records(Subscription.contact_id, ids)


def public_sign_ups(subject: Subject) -> list[Record]:
    records = []
    for subscriber in db.session.scalars(select(Subscriber).where(
            Subscriber.id.in_(subject.subscriber_ids)).order_by(Subscriber.id)):
        records.append({
            "name": subscriber.name,
            "organisation_name": subscriber.organisation_name,
            "email": subscriber.email,
            "created_at": subscriber.created_at,
            "confirmed_at": subscriber.confirmed_at,
        })
        records += _subscription_records(Subscription.subscriber_id, [subscriber.id])
    return records


def consent_history(subject: Subject) -> list[Record]:
    found_by = []
    if subject.contact_id:
        found_by.append(ConsentRecord.contact_id == subject.contact_id)
    if subject.subscriber_ids:
        found_by.append(ConsentRecord.subscriber_id.in_(subject.subscriber_ids))
    if subject.enrolment_ids:
        found_by.append(ConsentRecord.enrolment_id.in_(subject.enrolment_ids))
    if not found_by:
        return []
    return [{
        "purpose": record.purpose,
        "action": record.action,
        "channel": record.channel,
        "text_version": record.text_version,
        "recorded_at": record.recorded_at,
    } for record in db.session.scalars(select(ConsentRecord).where(or_(*found_by))
                                       .order_by(ConsentRecord.recorded_at, ConsentRecord.id))]


def confirmations(subject: Subject) -> list[Record]:
    if not subject.contact_id:
        return []
    rows = db.session.execute(
        select(Confirmation, ConfirmationCampaign.year)
        .join(ConfirmationCampaign, Confirmation.campaign_id == ConfirmationCampaign.id)
        .where(Confirmation.confirmed_by_contact_id == subject.contact_id)
        .order_by(ConfirmationCampaign.year)
    )
    return [{
        "year": year,
        "confirmed_at": confirmation.confirmed_at,
        "confirmed_by_name": confirmation.confirmed_by_name,
        "changes": list(confirmation.changes or []),
    } for confirmation, year in rows]


def _enrolments(subject: Subject) -> list[Enrolment]:
    if not subject.enrolment_ids:
        return []
    return list(db.session.scalars(select(Enrolment).where(
        Enrolment.id.in_(subject.enrolment_ids)).order_by(Enrolment.id)))


def _delivery_text(delivery: AttestationDelivery, period: TrainingPeriod | None) -> str:
    if delivery.kind == "enrolment" or period is None:
        return _("enrolment attestation, handed in on %(day)s",
                 day=format_date(delivery.delivered_at, "long"))
    return _("attendance attestation for %(start)s to %(end)s, handed in on %(day)s",
             start=format_date(period.starts_on, "long"), end=format_date(period.ends_on, "long"),
             day=format_date(delivery.delivered_at, "long"))


def trainings(subject: Subject) -> list[Record]:
    records = []
    for enrolment in _enrolments(subject):
        training = enrolment.training
        deliveries = db.session.execute(
            select(AttestationDelivery, TrainingPeriod)
            .outerjoin(TrainingPeriod, AttestationDelivery.period_id == TrainingPeriod.id)
            .where(AttestationDelivery.enrolment_id == enrolment.id)
            .order_by(AttestationDelivery.delivered_at)
        )
        records.append({
            "training": training.title,
            "starts_on": training.starts_on,
            "ends_on": training.ends_on,
            "participant_name": enrolment.participant_name,
            "participant_email": enrolment.participant_email,
            "organisation_name": enrolment.organisation_name,
            "created_at": enrolment.created_at,
            "attestations": [_delivery_text(delivery, period) for delivery, period in deliveries],
        })
    return records


def _hours_text(row) -> str:
    return _("%(start)s to %(end)s: %(hours)s hours",
             start=format_date(row.period_starts_on, "long"),
             end=format_date(row.period_ends_on, "long"), hours=format_decimal(row.hours))


def education_leave(subject: Subject) -> list[Record]:
    return [{
        "training": enrolment.training.title,
        "consent_given_at": enrolment.consent_given_at,
        "consent_withdrawn_at": enrolment.consent_withdrawn_at,
        "data_erased_at": enrolment.data_erased_at,
        "surname": enrolment.surname,
        "given_name": enrolment.given_name,
        "birthplace": enrolment.birthplace,
        "birth_date": enrolment.birth_date,
        "residence": enrolment.residence,
        "attended_hours": [_hours_text(row) for row in enrolment.attended_hours],
    } for enrolment in _enrolments(subject)]


def _actor_kind(event: AuditEvent, user_id: int | None):
    if user_id is not None and event.actor_user_id == user_id:
        return _l("you")
    # Never the name or number of somebody else: only which kind of person acted.
    if event.actor_label.startswith("medewerker"):
        return _l("a staff member of the federation")
    if event.actor_label.startswith("contactpersoon"):
        return _l("a contact person")
    return _l("the portal itself")


def activity(subject: Subject) -> list[Record]:
    """Audit events by the person, and about their login or contact row."""
    about = []
    if subject.user_id:
        about.append(("users", subject.user_id))
    if subject.contact_id:
        about.append(("contacts", subject.contact_id))
    found_by = [(AuditEvent.target_type == kind) & (AuditEvent.target_id == id_)
                for kind, id_ in about]
    if subject.user_id:
        found_by.append(AuditEvent.actor_user_id == subject.user_id)
    if not found_by:
        return []
    return [{
        "at": event.at,
        "action": event.action,
        "by": _actor_kind(event, subject.user_id),
        # Which other object an action of this person touched is not their data.
        "target": _l("you") if (event.target_type, event.target_id) in about
        else (event.target_type or ""),
        "fields": list(event.fields or []),
    } for event in db.session.scalars(select(AuditEvent).where(or_(*found_by))
                                      .order_by(AuditEvent.at, AuditEvent.id))]


def mails(subject: Subject) -> list[Record]:
    if not subject.emails:
        return []
    return [{
        "subject": outbox_mail.subject,
        "kind": outbox_mail.kind,
        "created_at": outbox_mail.created_at,
        "sent_at": outbox_mail.sent_at,
    } for outbox_mail in db.session.scalars(
        select(OutboxMail).where(func.lower(OutboxMail.recipient).in_(subject.emails))
        .order_by(OutboxMail.created_at, OutboxMail.id))]


def staff_work(subject: Subject) -> list[Record]:
    if not subject.user_id:
        return []
    records: list[Record] = [{
        "kind": _l("confirmation campaign opened"),
        "year": campaign.year,
        "deadline": campaign.deadline,
        "opened_at": campaign.opened_at,
    } for campaign in db.session.scalars(
        select(ConfirmationCampaign).where(ConfirmationCampaign.opened_by_user_id
                                           == subject.user_id)
        .order_by(ConfirmationCampaign.year))]
    records += [{
        "kind": _l("data breach recorded"),
        "title": breach.title,
        "created_at": breach.created_at,
    } for breach in db.session.scalars(
        select(DataBreach).where(DataBreach.created_by_user_id == subject.user_id)
        .order_by(DataBreach.created_at))]
    return records


COLLECTORS: tuple[Collector, ...] = (
    Collector("account", _l("Your login"), _LEGITIMATE, _l(
        "As long as you have access to the portal; removed with your contact data."),
        ("users", "user_sessions"), account),
    Collector("contact", _l("Contact data"), _LEGITIMATE, _UNTIL_MEMBERSHIP,
              ("contacts",), contact_data),
    Collector("rights", _l("Access rights and the primary contact role"), _LEGITIMATE,
              _UNTIL_MEMBERSHIP, ("contacts", "primary_transfers"), rights),
    Collector("newsletters", _l("Newsletters you receive as a contact person"), _l(
        "Legitimate interest: contact persons receive the newsletters automatically and "
        "can unsubscribe at any moment."), _UNTIL_MEMBERSHIP,
        ("subscriptions",), contact_subscriptions),
    Collector("public_newsletter", _l("Newsletter sign-ups on the public form"), _CONSENT,
              _l("Until you unsubscribe."), ("subscribers", "subscriptions"), public_sign_ups),
    Collector("consent", _l("Consent history"), _l(
        "Legal obligation: the federation must be able to prove when you gave or "
        "withdrew consent."), _UNTIL_MEMBERSHIP, ("consent_records",), consent_history),
    Collector("confirmations", _l("Annual data confirmations"), _LEGITIMATE,
              _UNTIL_MEMBERSHIP, ("confirmations",), confirmations),
    Collector("trainings", _l("Trainings you are enrolled in"), _LEGITIMATE,
              _UNTIL_MEMBERSHIP, ("enrolments", "attestation_deliveries"), trainings),
    Collector("education_leave", _l("Education-leave data"), _l(
        "Your explicit consent, which you can withdraw at any moment; the data are then "
        "erased at once."), _l(
        "Only as long as needed for the attestations of paid educational leave or Flemish "
        "training leave."), ("enrolments", "attended_hours"), education_leave),
    Collector("activity", _l("Activity log"), _l(
        "Legitimate interest: security, and proving who did what in the portal."),
        _l("At most five years."), ("audit_events",), activity),
    Collector("mails", _l("Mails the portal sent you"), _LEGITIMATE, _l(
        "At most five years; the content of the mails is not kept in this overview "
        "because it may hold links that give access."), ("outbox_mails",), mails),
    Collector("staff_work", _l("Your work as a staff member"), _l(
        "Legitimate interest and legal obligations of the federation (proving who did "
        "what, the data-breach register)."), _l("At most five years."),
        ("confirmation_campaigns", "data_breaches"), staff_work),
)
