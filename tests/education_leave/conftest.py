"""Builders for the education-leave tests: trainings, enrolments, personal links."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal import clock
from portal.education_leave import services
from portal.extensions import db
from portal.models import Enrolment, Training, TrainingPeriod

VALID_DATA = {
    "surname": "Vandenbroucke",
    "given_name": "An",
    "birthplace": "Leuven",
    "birth_date": "14/03/1985",
    "residence": "9000 Gent",
}


def build_training(*, bev=True, vov=False, starts_on=None, days=28, periods=None,
                   title="Arbeidsrecht voor beginners") -> Training:
    starts_on = starts_on or clock.today() + timedelta(days=10)
    ends_on = starts_on + timedelta(days=days)
    training = Training(title=title, starts_on=starts_on, ends_on=ends_on, hours=Decimal("24"),
                        is_bev_recognised=bev, is_vov_recognised=vov)
    training.periods = [TrainingPeriod(starts_on=s, ends_on=e)
                        for s, e in (periods or [(starts_on, ends_on)])]
    db.session.add(training)
    db.session.commit()
    return training


def build_enrolment(training: Training, *, name="An Peeters", email=None, contact=None,
                    organisation_name="Demo vzw") -> Enrolment:
    enrolment = Enrolment(
        training_id=training.id,
        contact_id=contact.id if contact else None,
        organisation_id=contact.organisation_id if contact else None,
        participant_name=name,
        participant_email=email or f"{secrets.token_hex(4)}@deelnemer.be",
        organisation_name=organisation_name,
        link_nonce=secrets.token_urlsafe(24),
    )
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


@pytest.fixture
def make_training(app):
    return build_training


@pytest.fixture
def make_enrolment(app):
    return build_enrolment


@pytest.fixture
def link_of(app):
    """The path of an enrolment's personal page (as in the mail)."""

    def link(enrolment: Enrolment, today: date | None = None) -> str:
        return "/opleidingsverlof/" + services.make_participant_token(enrolment, today)

    return link


@pytest.fixture
def consented(app, client, make_training, make_enrolment, link_of):
    """An enrolment whose participant gave consent and details through the page."""
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment), data={**VALID_DATA, "consent": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    return enrolment


def raw_fields(enrolment_id: int) -> tuple:
    """The five columns as the database holds them (not what the ORM has cached)."""
    from sqlalchemy import text

    return tuple(db.session.execute(
        text("SELECT surname, given_name, birthplace, birth_date, residence "
             "FROM enrolments WHERE id = :id"), {"id": enrolment_id}
    ).one())
