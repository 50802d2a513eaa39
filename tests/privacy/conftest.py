"""Builders for the privacy tests: one person with a row in every table that can hold their data."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.models import (
    AttestationDelivery,
    AuditEvent,
    Confirmation,
    ConfirmationCampaign,
    ConsentRecord,
    DataBreach,
    Enrolment,
    NewsletterList,
    OutboxMail,
    PrimaryTransfer,
    Subscriber,
    Subscription,
    Training,
    TrainingPeriod,
    User,
)


def fill_person(contact, tag: str, training: Training, campaign: ConfirmationCampaign,
                other_contact) -> dict:
    """Give `contact` a row in every table that can hold their data; values carry `tag`.

    Returns the distinctive values that the person's export must contain.
    """
    user: User = contact.user
    now = datetime.now(UTC)
    newsletter_list = db.session.query(NewsletterList).first()
    subscriber = Subscriber(name=f"Inschrijver {tag}", organisation_name=f"Club {tag}",
                            email=contact.email, confirmed_at=now)
    db.session.add(subscriber)
    db.session.flush()
    db.session.add(Subscription(list_id=newsletter_list.id, subscriber_id=subscriber.id,
                                is_subscribed=True, opted_in_at=now))
    db.session.add(ConsentRecord(subscriber_id=subscriber.id, purpose=f"newsletter:{tag}",
                                 action="given", channel="web_form", text_version=f"tv-s-{tag}"))
    db.session.add(ConsentRecord(contact_id=contact.id, purpose=f"contact:{tag}",
                                 action="given", channel="primary_contact",
                                 text_version=f"tv-c-{tag}"))
    enrolment = Enrolment(
        training_id=training.id, contact_id=contact.id, organisation_id=contact.organisation_id,
        participant_name=f"Deelnemer {tag}", participant_email=contact.email,
        organisation_name=contact.organisation.name, link_nonce=f"nonce-{tag}-geheim",
        consent_given_at=now, surname=f"Familienaam-{tag}", given_name=f"Voornaam-{tag}",
        birthplace=f"Geboorteplaats-{tag}", birth_date=date(1980, 5, 10 + len(tag)),
        residence=f"Woonplaats-{tag}",
    )
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(ConsentRecord(enrolment_id=enrolment.id, purpose="education_leave",
                                 action="given", channel="personal_link",
                                 text_version=f"tv-e-{tag}"))
    db.session.add(AttestationDelivery(enrolment_id=enrolment.id, kind="enrolment"))
    db.session.add(PrimaryTransfer(organisation_id=contact.organisation_id,
                                   from_contact_id=other_contact.id, to_contact_id=contact.id,
                                   expires_at=now + timedelta(days=7)))
    db.session.add(Confirmation(campaign_id=campaign.id, organisation_id=contact.organisation_id,
                                confirmed_at=now, confirmed_by_contact_id=contact.id,
                                confirmed_by_name=f"Bevestiger {tag}", changes=["phone"]))
    db.session.add(AuditEvent(actor_user_id=user.id, actor_label=f"contactpersoon #{contact.id}",
                              action=f"test.{tag}", fields=["phone"]))
    db.session.add(OutboxMail(recipient=contact.email, subject=f"Onderwerp {tag}",
                              body_text=f"link https://x/uitnodiging/token-{tag}", sent_at=now))
    user.totp_secret = f"TOTPSECRET{tag.upper()}"
    user.recovery_code_hashes = f'["herstelcode-{tag}"]'
    db.session.commit()
    return {
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "function": contact.function,
        "subscriber": f"Inschrijver {tag}",
        "subscriber_org": f"Club {tag}",
        "consents": [f"tv-s-{tag}", f"tv-c-{tag}", f"tv-e-{tag}"],
        "participant": f"Deelnemer {tag}",
        "leave": [f"Familienaam-{tag}", f"Voornaam-{tag}", f"Geboorteplaats-{tag}",
                  f"Woonplaats-{tag}", f"1980-05-{10 + len(tag)}"],
        "confirmed_by": f"Bevestiger {tag}",
        "action": f"test.{tag}",
        "mail": f"Onderwerp {tag}",
        "secrets": [f"nonce-{tag}-geheim", f"token-{tag}", f"TOTPSECRET{tag.upper()}",
                    f"herstelcode-{tag}", user.password_hash],
    }


@pytest.fixture
def shared_things(app):
    today = clock.today()
    training = Training(title="Arbeidsrecht", starts_on=today, ends_on=today + timedelta(days=5),
                        is_bev_recognised=True)
    training.periods = [TrainingPeriod(starts_on=today, ends_on=today + timedelta(days=5))]
    campaign = ConfirmationCampaign(year=today.year, deadline=today + timedelta(days=30))
    db.session.add_all([training, campaign])
    db.session.commit()
    return training, campaign


@pytest.fixture
def make_breach(app):
    def make(staff, **fields):
        values = dict(title="Laptop gestolen", description="Een laptop is gestolen.",
                      discovered_at=datetime.now(UTC) - timedelta(hours=2),
                      data_categories="namen", risk_level="low", created_by_user_id=staff.id)
        values.update(fields)
        breach = DataBreach(**values)
        db.session.add(breach)
        db.session.commit()
        return breach

    return make


def random_tag() -> str:
    return secrets.token_hex(3)
