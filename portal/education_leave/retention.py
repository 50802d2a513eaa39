"""Retention of the education-leave data: erased once no attestation can need them any more."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from portal import clock
from portal.audit import record_event
from portal.education_leave.consent import erase_leave_data
from portal.extensions import db
from portal.models import EDUCATION_LEAVE_FIELDS, Enrolment, Training
from portal.retention import RetentionReport, retention_step


@retention_step("education_leave")
def erase_expired_leave_data(today: date, dry_run: bool = False) -> RetentionReport:
    """Erase the five fields once the training ended more than the configured days ago."""
    days = current_app.config["EDUCATION_LEAVE_RETENTION_DAYS"]
    cutoff = today - timedelta(days=days)
    has_any = or_(*(getattr(Enrolment, name).is_not(None) for name in EDUCATION_LEAVE_FIELDS))
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Training).where(Training.ends_on < cutoff, has_any)
        .order_by(Enrolment.id)
    ))
    details = [f"inschrijving #{e.id} (opleiding #{e.training_id})" for e in enrolments]
    if not dry_run and enrolments:
        now = clock.now()
        for enrolment in enrolments:
            erase_leave_data(enrolment, now)
            record_event("education_leave.erased_by_retention", target=enrolment,
                         organisation_id=enrolment.organisation_id,
                         fields=EDUCATION_LEAVE_FIELDS)
        db.session.flush()
    return RetentionReport(step="education_leave", count=len(enrolments), details=details)
