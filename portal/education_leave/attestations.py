"""Attestations: which are due per scheme, which were delivered, and the audit-logged exports.

BEV: the enrolment attestation within 20 days of the start; attendance attestations (BEV and
VOV) within 8 days after each period. Every staff view or export of the five fields leaves an
audit line (field names only).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.audit import record_event
from portal.education_leave.consent import has_leave_data
from portal.education_leave.trainings import get_enrolment
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    EDUCATION_LEAVE_FIELDS,
    AttestationDelivery,
    Enrolment,
    Training,
    TrainingPeriod,
    User,
)
from portal.spreadsheet import spreadsheet_csv

BEV_ENROLMENT_DAYS = 20  # BEV: the enrolment attestation is due within 20 days of the start
ATTENDANCE_DAYS = 8  # attendance attestations: within 8 days after each period


@dataclass
class AttestationDue:
    enrolment: Enrolment
    kind: str  # enrolment | attendance
    period: TrainingPeriod | None
    due_on: date
    status: str  # upcoming | due | overdue | delivered


def attestations_for(training: Training, today: date | None = None) -> list[AttestationDue]:
    """Per consenting participant: the BEV enrolment attestation and one per period.

    Also kept: any attestation already delivered (its participant may have withdrawn since).
    """
    today = today or clock.today()
    items = []
    for enrolment in sorted(training.enrolments, key=lambda e: e.participant_name.lower()):
        delivered = {(d.kind, d.period_id) for d in enrolment.deliveries}
        wanted = []
        if training.is_bev_recognised:
            wanted.append(("enrolment", None, training.starts_on,
                           training.starts_on + timedelta(days=BEV_ENROLMENT_DAYS)))
        if training.is_recognised:
            for period in training.periods:
                wanted.append(("attendance", period, period.ends_on,
                               period.ends_on + timedelta(days=ATTENDANCE_DAYS)))
        for kind, period, opens_on, due_on in wanted:
            key = (kind, period.id if period else None)
            if key in delivered:
                status = "delivered"
            elif not enrolment.has_consent:
                continue
            elif today > due_on:
                status = "overdue"
            elif today >= opens_on:
                status = "due"
            else:
                status = "upcoming"
            items.append(AttestationDue(enrolment, kind, period, due_on, status))
    return items


def open_attestations(today: date | None = None) -> list[tuple[Training, AttestationDue]]:
    """Every due or overdue attestation over all trainings (for the daily command)."""
    today = today or clock.today()
    trainings = db.session.scalars(
        select(Training)
        .where((Training.is_bev_recognised) | (Training.is_vov_recognised))
        .options(selectinload(Training.periods),
                 selectinload(Training.enrolments).selectinload(Enrolment.deliveries))
        .order_by(Training.starts_on)
    )
    return [(training, item) for training in trainings
            for item in attestations_for(training, today) if item.status in ("due", "overdue")]


def mark_delivered(actor: User, training: Training, enrolment_id: int, kind: str,
                   period_id: int | None) -> None:
    """Note an attestation as delivered (once; marking it again changes nothing)."""
    enrolment = get_enrolment(training, enrolment_id)
    if enrolment is None or kind not in ("enrolment", "attendance"):
        raise PolicyError(_("This attestation does not exist."))
    if kind == "enrolment":
        period_id = None
        if not training.is_bev_recognised:
            raise PolicyError(_("This attestation does not exist."))
    elif period_id not in {period.id for period in training.periods}:
        raise PolicyError(_("This attestation does not exist."))
    exists = db.session.scalar(
        select(AttestationDelivery.id).where(
            AttestationDelivery.enrolment_id == enrolment.id,
            AttestationDelivery.kind == kind,
            AttestationDelivery.period_id.is_(None) if period_id is None
            else AttestationDelivery.period_id == period_id,
        )
    )
    if exists is not None:
        return
    delivery = AttestationDelivery(enrolment_id=enrolment.id, kind=kind, period_id=period_id)
    db.session.add(delivery)
    db.session.flush()
    record_event("education_leave.attestation_delivered", actor=actor, target=delivery,
                 organisation_id=enrolment.organisation_id, fields=["delivered_at"])
    db.session.flush()


CSV_COLUMNS = (
    "participant_name", "participant_email", "organisation_name", *EDUCATION_LEAVE_FIELDS,
)


def export_csv(actor: User, training: Training) -> str:
    """The consenting participants with their data, for the attestations (UTF-8 with BOM, `;`).

    Participants without consent, or who withdrew, are never in it.
    """
    rows = [e for e in sorted(training.enrolments, key=lambda e: e.participant_name.lower())
            if has_leave_data(e)]
    header = [
        _("Training"), _("Participant"), _("Email address"), _("Organisation"), _("Surname"),
        _("First name"), _("Place of birth"), _("Date of birth"), _("Place of residence"),
        _("Consent given on"),
    ]
    content = spreadsheet_csv(header, (
        (training.title, enrolment.participant_name, enrolment.participant_email,
         enrolment.organisation_name, enrolment.surname, enrolment.given_name,
         enrolment.birthplace, enrolment.birth_date, enrolment.residence,
         enrolment.consent_given_at.date())
        for enrolment in rows
    ))
    record_event("education_leave.exported", actor=actor, target=training,
                 fields=CSV_COLUMNS)
    return content


def view_attestation(actor: User | None, enrolment: Enrolment) -> Enrolment:
    """The printable attestation: only with the data; a staff view is audit-logged."""
    if not has_leave_data(enrolment):
        raise PolicyError(_("There is no education-leave data for this participant."))
    if actor is not None:
        record_event("education_leave.attestation_viewed", actor=actor, target=enrolment,
                     organisation_id=enrolment.organisation_id,
                     fields=EDUCATION_LEAVE_FIELDS)
    return enrolment
