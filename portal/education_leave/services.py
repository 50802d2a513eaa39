"""Education leave (BEV / Vlaams opleidingsverlof): trainings, enrolments, consent, attestations.

Rules: the five leave fields exist only while the participant's consent stands; withdrawal
erases them at once; every staff view or export of them leaves an audit line (field names only).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from portal.audit import record_event
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    EDUCATION_LEAVE_FIELDS,
    AttestationDelivery,
    ConsentRecord,
    Contact,
    Enrolment,
    Training,
    TrainingPeriod,
    User,
)
from portal.retention import RetentionReport, retention_step
from portal.spreadsheet import spreadsheet_csv
from portal.tokens import InvalidToken, make_token, read_token

TOKEN_PURPOSE = "education_leave"  # noqa: S105 - a salt name, not a secret
CONSENT_PURPOSE = "education_leave"
PARTICIPANT_ACTOR = "deelnemer (persoonlijke link)"
BEV_ENROLMENT_DAYS = 20  # BEV: the enrolment attestation is due within 20 days of the start
ATTENDANCE_DAYS = 8  # attendance attestations: within 8 days after each period


def _now() -> datetime:
    return datetime.now(UTC)


# --- Trainings and enrolments (staff) -------------------------------------------------------


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
    db.session.commit()
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
    db.session.commit()
    return enrolment


def send_new_link(actor: User, enrolment: Enrolment) -> None:
    """A new personal link: the nonce changes, so every earlier link stops working."""
    if not enrolment.training.is_recognised:
        raise PolicyError(_("This training is not recognised for education leave."))
    enrolment.link_nonce = secrets.token_urlsafe(24)
    record_event("education_leave.link_renewed", actor=actor, target=enrolment,
                 organisation_id=enrolment.organisation_id, fields=["link_nonce"])
    _queue_link_mail(enrolment, enrolment.training)
    db.session.commit()


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


# --- The personal link ---------------------------------------------------------------------


def link_valid_until(training: Training, today: date | None = None) -> date:
    """Links stay valid for the training period plus a margin (counted from today at least)."""
    today = today or date.today()
    margin = timedelta(days=current_app.config.get("EDUCATION_LEAVE_LINK_MARGIN_DAYS", 60))
    return max(training.ends_on, today) + margin


def make_participant_token(enrolment: Enrolment, today: date | None = None) -> str:
    valid_until = link_valid_until(enrolment.training, today)
    return make_token(TOKEN_PURPOSE, {"e": enrolment.id, "n": enrolment.link_nonce,
                                      "x": valid_until.toordinal()})


def participant_url(enrolment: Enrolment) -> str:
    return external_url("education_leave.participant", token=make_participant_token(enrolment))


def enrolment_for_token(token: str, today: date | None = None) -> Enrolment:
    """The enrolment a personal link belongs to; InvalidToken when forged, renewed or expired."""
    payload = read_token(TOKEN_PURPOSE, token)
    if not isinstance(payload, dict) or not all(key in payload for key in ("e", "n", "x")):
        raise InvalidToken()
    if not all(isinstance(payload[key], kind) for key, kind in
               (("e", int), ("n", str), ("x", int))):
        raise InvalidToken()
    enrolment = db.session.get(Enrolment, payload["e"])
    if enrolment is None or not hmac.compare_digest(enrolment.link_nonce, payload["n"]):
        raise InvalidToken()
    if not enrolment.training.is_recognised:
        raise InvalidToken()
    if (today or date.today()).toordinal() > payload["x"]:
        raise InvalidToken(expired=True)
    return enrolment


# --- Consent and the five fields (participant) ---------------------------------------------


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
    today = today or date.today()
    if value > today:
        return _("The date of birth cannot be in the future.")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < 15 or age > 100:
        return _("Check the date of birth: a participant is between 15 and 100 years old.")
    return None


def save_leave_data(
    enrolment: Enrolment, data: LeaveData, *, consent_ticked: bool, channel: str = "personal_link"
) -> None:
    """Store or correct the five fields: only with consent, given now or standing already.

    Giving consent appends a consent record with the hash of the text shown; a correction does
    not. Nothing is stored when the box was not ticked and no consent stands.
    """
    if not enrolment.training.is_recognised:
        raise PolicyError(_("This training is not recognised for education leave."))
    is_new_consent = not enrolment.has_consent
    if is_new_consent and not consent_ticked:
        raise PolicyError(
            _("Tick the box to give your consent; without it we store nothing."),
            field="consent",
        )
    problem = check_birth_date(data.birth_date)
    if problem:
        raise PolicyError(problem, field="birth_date")
    changed = [name for name in EDUCATION_LEAVE_FIELDS
               if getattr(enrolment, name) != getattr(data, name)]
    for name in EDUCATION_LEAVE_FIELDS:
        setattr(enrolment, name, getattr(data, name))
    if is_new_consent:
        enrolment.consent_given_at = _now()
        enrolment.consent_withdrawn_at = None
        enrolment.data_erased_at = None
        db.session.add(ConsentRecord(enrolment_id=enrolment.id, purpose=CONSENT_PURPOSE,
                                     action="given", channel=channel,
                                     text_version=consent_text_version()))
    record_event("education_leave.consent_given" if is_new_consent
                 else "education_leave.data_corrected",
                 target=enrolment, organisation_id=enrolment.organisation_id,
                 fields=changed, actor_text=PARTICIPANT_ACTOR)
    db.session.commit()


def withdraw_consent(enrolment: Enrolment, channel: str = "personal_link") -> None:
    """Withdrawal erases the five fields at once (NULL, not hidden) and is appended as a record."""
    if not enrolment.has_consent:
        raise PolicyError(_("There is no consent to withdraw."))
    now = _now()
    _erase(enrolment, now)
    enrolment.consent_withdrawn_at = now
    db.session.add(ConsentRecord(enrolment_id=enrolment.id, purpose=CONSENT_PURPOSE,
                                 action="withdrawn", channel=channel,
                                 text_version=consent_text_version()))
    record_event("education_leave.consent_withdrawn", target=enrolment,
                 organisation_id=enrolment.organisation_id,
                 fields=list(EDUCATION_LEAVE_FIELDS), actor_text=PARTICIPANT_ACTOR)
    db.session.commit()


def _erase(enrolment: Enrolment, now: datetime) -> None:
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


def dashboard_token(enrolment: Enrolment, today: date | None = None) -> str | None:
    """A link for the logged-in participant, never valid beyond the training plus the margin."""
    training = enrolment.training
    if (today or date.today()) > link_valid_until(training, today=training.ends_on):
        return None
    return make_participant_token(enrolment, today=training.ends_on)


# Asked for the dashboard of every contact: built once.
_ENROLMENTS_OF_CONTACT = (
    select(Enrolment)
    .join(Training)
    .where(Enrolment.contact_id == bindparam("contact_id"))
    .where((Training.is_bev_recognised) | (Training.is_vov_recognised))
    .order_by(Training.starts_on.desc())
)


def enrolments_of_contact(contact_id: int) -> list[Enrolment]:
    return list(db.session.scalars(_ENROLMENTS_OF_CONTACT, {"contact_id": contact_id}))


# --- Attestations ---------------------------------------------------------------------------


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
    today = today or date.today()
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
    today = today or date.today()
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
    db.session.commit()


# --- Exports and the printable attestation (audit-logged) ----------------------------------

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
    db.session.commit()
    return content


def view_attestation(actor: User | None, enrolment: Enrolment) -> Enrolment:
    """The printable attestation: only with the data; a staff view is audit-logged."""
    if not has_leave_data(enrolment):
        raise PolicyError(_("There is no education-leave data for this participant."))
    if actor is not None:
        record_event("education_leave.attestation_viewed", actor=actor, target=enrolment,
                     organisation_id=enrolment.organisation_id,
                     fields=EDUCATION_LEAVE_FIELDS)
        db.session.commit()
    return enrolment


# --- Retention -----------------------------------------------------------------------------


@retention_step("education_leave")
def erase_expired_leave_data(today: date, dry_run: bool = False) -> RetentionReport:
    """Erase the five fields once the training ended more than the configured days ago."""
    days = current_app.config["EDUCATION_LEAVE_RETENTION_DAYS"]
    cutoff = today - timedelta(days=days)
    has_any = None
    for name in EDUCATION_LEAVE_FIELDS:
        column = getattr(Enrolment, name).is_not(None)
        has_any = column if has_any is None else (has_any | column)
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Training).where(Training.ends_on < cutoff, has_any)
        .order_by(Enrolment.id)
    ))
    details = [f"inschrijving #{e.id} (opleiding #{e.training_id})" for e in enrolments]
    if not dry_run and enrolments:
        now = _now()
        for enrolment in enrolments:
            _erase(enrolment, now)
            record_event("education_leave.erased_by_retention", target=enrolment,
                         organisation_id=enrolment.organisation_id,
                         fields=EDUCATION_LEAVE_FIELDS)
        db.session.commit()
    return RetentionReport(step="education_leave", count=len(enrolments), details=details)
