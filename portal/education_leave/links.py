"""The participant's personal link: signed, renewable, valid for the training plus a margin.

The participant has no account: the link is the key to their education-leave page. It names
the enrolment and a nonce; a new link changes the nonce, so every earlier link stops working.
"""

import hmac
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, select

from portal import clock
from portal.email import external_url
from portal.extensions import db
from portal.models import Enrolment, Training
from portal.tokens import InvalidToken, make_token, read_token

TOKEN_PURPOSE = "education_leave"  # noqa: S105 - a salt name, not a secret


def link_valid_until(training: Training, today: date | None = None) -> date:
    """Links stay valid for the training period plus a margin (counted from today at least)."""
    today = today or clock.today()
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
    if (today or clock.today()).toordinal() > payload["x"]:
        raise InvalidToken(expired=True)
    return enrolment


def dashboard_token(enrolment: Enrolment, today: date | None = None) -> str | None:
    """A link for the logged-in participant, never valid beyond the training plus the margin."""
    training = enrolment.training
    if (today or clock.today()) > link_valid_until(training, today=training.ends_on):
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
    """The contact's enrolments in recognised trainings (their dashboard panel)."""
    return list(db.session.scalars(_ENROLMENTS_OF_CONTACT, {"contact_id": contact_id}))
