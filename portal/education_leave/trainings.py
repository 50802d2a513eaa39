"""Trainings and enrolments, as staff create them; the participant's mail with the link."""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit import record_event
from portal.education_leave.links import link_valid_until, participant_url
from portal.email import queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, Enrolment, Training, TrainingPeriod, User


@dataclass
class TrainingData:
    title: str
    starts_on: date
    ends_on: date
    hours: Decimal | None
    is_bev_recognised: bool
    is_vov_recognised: bool
    periods: list[tuple[date, date]]


def create_training(actor: User, data: TrainingData) -> Training:
    """A training with its periods; without periods the whole training is one period."""
    if data.ends_on < data.starts_on:
        raise PolicyError(_("The end date cannot be before the start date."), field="ends_on")
    periods = data.periods or [(data.starts_on, data.ends_on)]
    for start, end in periods:
        if end < start or start < data.starts_on or end > data.ends_on:
            raise PolicyError(
                _("Every period must lie within the training dates and end after it starts."),
                field="periods",
            )
    training = Training(
        title=data.title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        hours=data.hours,
        is_bev_recognised=data.is_bev_recognised,
        is_vov_recognised=data.is_vov_recognised,
        periods=[TrainingPeriod(starts_on=start, ends_on=end) for start, end in sorted(periods)],
    )
    db.session.add(training)
    db.session.flush()
    record_event("education_leave.training_created", actor=actor, target=training,
                 fields=["title", "starts_on", "ends_on", "hours", "is_bev_recognised",
                         "is_vov_recognised", "periods"])
    return training


def list_trainings() -> list[Training]:
    return list(db.session.scalars(
        select(Training).order_by(Training.starts_on.desc(), Training.id.desc())
    ))


def get_training(training_id: int) -> Training | None:
    return db.session.scalar(
        select(Training)
        .where(Training.id == training_id)
        .options(selectinload(Training.periods),
                 selectinload(Training.enrolments).selectinload(Enrolment.deliveries))
    )


def get_enrolment(training: Training, enrolment_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.id == enrolment_id,
                                Enrolment.training_id == training.id)
    )


def enrol_participant(
    actor: User,
    training: Training,
    *,
    is_contact: bool,
    email: str,
    name: str | None = None,
    organisation_name: str | None = None,
) -> Enrolment:
    """Enrol a contact (found by professional email) or an outside person.

    A person is enrolled once per training. For a recognised training the participant gets a
    mail with the personal link to the education-leave page.
    """
    email = email.strip().lower()
    contact = None
    if is_contact:
        contact = db.session.scalar(select(Contact).where(Contact.email == email))
        if contact is None:
            raise PolicyError(_("No contact person has this email address."), field="email")
        name = contact.full_name
        organisation_name = contact.organisation.name
    elif not name:
        raise PolicyError(_("Enter the participant's name."), field="name")
    duplicate = db.session.scalar(
        select(Enrolment.id).where(Enrolment.training_id == training.id,
                                   Enrolment.participant_email == email)
    )
    if duplicate is not None:
        raise PolicyError(_("This person is already enrolled in this training."), field="email")
    enrolment = Enrolment(
        training_id=training.id,
        contact_id=contact.id if contact else None,
        organisation_id=contact.organisation_id if contact else None,
        participant_name=name,
        participant_email=email,
        organisation_name=organisation_name or None,
        link_nonce=secrets.token_urlsafe(24),
    )
    db.session.add(enrolment)
    db.session.flush()
    record_event("education_leave.enrolled", actor=actor, target=enrolment,
                 organisation_id=enrolment.organisation_id,
                 fields=["participant_name", "participant_email", "organisation_name"])
    if training.is_recognised:
        _queue_link_mail(enrolment, training)
    db.session.flush()
    return enrolment


def send_new_link(actor: User, enrolment: Enrolment) -> None:
    """A new personal link: the nonce changes, so every earlier link stops working."""
    if not enrolment.training.is_recognised:
        raise PolicyError(_("This training is not recognised for education leave."))
    enrolment.link_nonce = secrets.token_urlsafe(24)
    record_event("education_leave.link_renewed", actor=actor, target=enrolment,
                 organisation_id=enrolment.organisation_id, fields=["link_nonce"])
    _queue_link_mail(enrolment, enrolment.training)
    db.session.flush()


def _queue_link_mail(enrolment: Enrolment, training: Training) -> None:
    queue_mail(
        enrolment.participant_email,
        "education_leave_link",
        _("Education leave for the training %(title)s", title=training.title),
        kind="service",
        name=enrolment.participant_name,
        training=training,
        link=participant_url(enrolment),
        valid_until=link_valid_until(training),
    )
