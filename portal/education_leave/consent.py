"""The participant's consent and the five education-leave fields.

Rules: the five fields exist only while the participant's consent stands; giving consent
appends a record with the hash of the exact text shown; withdrawal erases the fields at once
(NULL, not hidden) and is appended as a record too.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from portal import clock
from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import EDUCATION_LEAVE_FIELDS, ConsentRecord, Enrolment

CONSENT_PURPOSE = "education_leave"
PARTICIPANT_ACTOR = "deelnemer (persoonlijke link)"
YOUNGEST, OLDEST = 15, 100  # a participant's possible age in years


def consent_paragraphs() -> list[str]:
    """The exact explanation shown above the consent box (its hash is the text version)."""
    days = current_app.config["EDUCATION_LEAVE_RETENTION_DAYS"]
    federation = current_app.config["FEDERATION_NAME"]
    return [
        _("This training is recognised for paid educational leave (Betaald Educatief Verlof) "
          "or Flemish training leave (Vlaams opleidingsverlof). With that leave you follow the "
          "training during working hours, and your employer gets part of your wage back from "
          "the government. For that, %(federation)s must draw up attestations that name you.",
          federation=federation),
        _("We therefore ask for five details: your surname, first name, place of birth, date "
          "of birth and place of residence. We use them only for the enrolment and attendance "
          "attestations of this training, and for nothing else."),
        _("Only the staff of %(federation)s who prepare the attestations see these details. "
          "The attestations go to you and your employer, who use them to apply for the leave "
          "and the refund. We never pass your details on for commercial purposes.",
          federation=federation),
        _("We keep the details as long as the attestations may be needed, and at the latest "
          "%(days)s days after the last day of the training. Then they are erased "
          "automatically.", days=days),
        _("Giving these details is voluntary. Without them we cannot draw up a leave "
          "attestation, but you can still follow the training. With this link you can look "
          "at, correct or withdraw your consent at any time; when you withdraw it, we erase "
          "the details at once."),
    ]


def consent_label() -> str:
    return _("I ask for an education-leave attestation and agree that %(federation)s stores "
             "the details below for that purpose.",
             federation=current_app.config["FEDERATION_NAME"])


def consent_text_version() -> str:
    """A hash of the exact consent text shown, so a consent record names what was agreed to."""
    text = "\n".join([*consent_paragraphs(), consent_label()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class LeaveData:
    surname: str
    given_name: str
    birthplace: str
    birth_date: date
    residence: str


def check_birth_date(value: date, today: date | None = None) -> str | None:
    """A Dutch message when the birth date is impossible for a participant, else None."""
    today = today or clock.today()
    if value > today:
        return _("The date of birth cannot be in the future.")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < YOUNGEST or age > OLDEST:
        return _("Check the date of birth: a participant is between 15 and 100 years old.")
    return None


def leave_data_problems(enrolment: Enrolment, birth_date: date | None,
                        consent_ticked: bool) -> list[PolicyError]:
    """Every rule the participant's answer breaks, each for its field (all shown at once).

    Nothing is stored without consent: given now (the box ticked) or standing already.
    `birth_date` is None when the field could not be read as a date.
    """
    problems = []
    if not enrolment.has_consent and not consent_ticked:
        problems.append(PolicyError(
            _("Tick the box to give your consent; without it we store nothing."),
            field="consent"))
    message = check_birth_date(birth_date) if birth_date is not None else None
    if message:
        problems.append(PolicyError(message, field="birth_date"))
    return problems


def save_leave_data(
    enrolment: Enrolment, data: LeaveData, *, consent_ticked: bool, channel: str = "personal_link"
) -> None:
    """Store or correct the five fields: only with consent, given now or standing already.

    Giving consent appends a consent record with the hash of the text shown; a correction does
    not. Nothing is stored when the box was not ticked and no consent stands.
    """
    if not enrolment.training.is_recognised:
        raise PolicyError(_("This training is not recognised for education leave."))
    problems = leave_data_problems(enrolment, data.birth_date, consent_ticked)
    if problems:
        raise problems[0]
    is_new_consent = not enrolment.has_consent
    changed = [name for name in EDUCATION_LEAVE_FIELDS
               if getattr(enrolment, name) != getattr(data, name)]
    for name in EDUCATION_LEAVE_FIELDS:
        setattr(enrolment, name, getattr(data, name))
    if is_new_consent:
        enrolment.consent_given_at = clock.now()
        enrolment.consent_withdrawn_at = None
        enrolment.data_erased_at = None
        db.session.add(ConsentRecord(enrolment_id=enrolment.id, purpose=CONSENT_PURPOSE,
                                     action="given", channel=channel,
                                     text_version=consent_text_version()))
    record_event("education_leave.consent_given" if is_new_consent
                 else "education_leave.data_corrected",
                 target=enrolment, organisation_id=enrolment.organisation_id,
                 fields=changed, actor_text=PARTICIPANT_ACTOR)
    db.session.flush()


def withdraw_consent(enrolment: Enrolment, channel: str = "personal_link") -> None:
    """Withdrawal erases the five fields at once (NULL, not hidden) and is appended as a record."""
    if not enrolment.has_consent:
        raise PolicyError(_("There is no consent to withdraw."))
    now = clock.now()
    erase_leave_data(enrolment, now)
    enrolment.consent_withdrawn_at = now
    db.session.add(ConsentRecord(enrolment_id=enrolment.id, purpose=CONSENT_PURPOSE,
                                 action="withdrawn", channel=channel,
                                 text_version=consent_text_version()))
    record_event("education_leave.consent_withdrawn", target=enrolment,
                 organisation_id=enrolment.organisation_id,
                 fields=list(EDUCATION_LEAVE_FIELDS), actor_text=PARTICIPANT_ACTOR)
    db.session.flush()


def erase_leave_data(enrolment: Enrolment, now: datetime) -> None:
    """The five fields NULL (withdrawal, retention); the moment is kept, nothing else."""
    for name in EDUCATION_LEAVE_FIELDS:
        setattr(enrolment, name, None)
    enrolment.data_erased_at = now


def has_leave_data(enrolment: Enrolment) -> bool:
    return enrolment.has_consent and all(
        getattr(enrolment, name) is not None for name in EDUCATION_LEAVE_FIELDS
    )


def consent_status(enrolment: Enrolment) -> str:
    """no_consent | consent | withdrawn (staff see "ingetrokken") | erased (retention)."""
    if enrolment.has_consent:
        return "consent"
    if enrolment.consent_withdrawn_at is not None:
        return "withdrawn"
    if enrolment.data_erased_at is not None:
        return "erased"
    return "no_consent"
