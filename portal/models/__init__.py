"""All models, imported from one place so Alembic and the blueprints see the same metadata."""

from portal.models.audit import AuditEvent, DataBreach, Job, OutboxMail, breach_organisations
from portal.models.base import Base, utcnow
from portal.models.confirmation import Confirmation, ConfirmationCampaign
from portal.models.education_leave import (
    EDUCATION_LEAVE_FIELDS,
    AttendedHours,
    AttestationDelivery,
    Enrolment,
    Training,
    TrainingPeriod,
)
from portal.models.newsletter import (
    ConsentRecord,
    ConsentText,
    Mailing,
    NewsletterKey,
    NewsletterList,
    Subscriber,
    Subscription,
)
from portal.models.organisation import Contact, Organisation, PrimaryTransfer
from portal.models.user import LoginThrottle, User, UserSession

__all__ = [
    "EDUCATION_LEAVE_FIELDS",
    "AttendedHours",
    "AttestationDelivery",
    "AuditEvent",
    "Base",
    "Confirmation",
    "ConfirmationCampaign",
    "ConsentRecord",
    "ConsentText",
    "Contact",
    "DataBreach",
    "Enrolment",
    "Job",
    "LoginThrottle",
    "Mailing",
    "NewsletterKey",
    "NewsletterList",
    "Organisation",
    "OutboxMail",
    "PrimaryTransfer",
    "Subscriber",
    "Subscription",
    "Training",
    "TrainingPeriod",
    "User",
    "UserSession",
    "breach_organisations",
    "utcnow",
]
