"""All models, imported from one place so Alembic and the blueprints see the same metadata."""

from portal.models.audit import (
    AuditEvent,
    DataBreach,
    ErasureJournal,
    Job,
    OutboxMail,
    breach_organisations,
)
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
    NewsletterSuppression,
    Subscriber,
    Subscription,
)
from portal.models.organisation import Contact, Organisation, PrimaryTransfer
from portal.models.user import LoginThrottle, User, UserSession


def _ids_never_reused() -> None:
    """SQLite AUTOINCREMENT on every table with an integer id.

    Without it SQLite hands a deleted row's id to the next row: a new contact would inherit
    the audit events and the "about you" history of an erased person. PostgreSQL's
    sequences never go back.
    """
    from sqlalchemy import Integer

    for table in Base.metadata.tables.values():
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer):
            table.dialect_options["sqlite"]["autoincrement"] = True


_ids_never_reused()

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
    "ErasureJournal",
    "Job",
    "LoginThrottle",
    "Mailing",
    "NewsletterKey",
    "NewsletterList",
    "NewsletterSuppression",
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
