"""Roster rules: unique emails, rights that act, removal that erases."""

import pytest
from sqlalchemy import func, select

from portal.errors import PolicyError, StaleDataError
from portal.extensions import db
from portal.models import AuditEvent, ConsentRecord, Contact, Subscription, User
from portal.roster import services


def _data(**changes):
    data = dict(first_name="Els", last_name="Maes", email="Els.Maes@Organisatie.be",
                phone="0470 11 22 33", function="Boekhouder", has_advice_right=True,
                has_newsletter_right=True, has_website_right=False)
    data.update(changes)
    return data


@pytest.fixture
def primary(make_org, make_contact):
    return make_contact(make_org(), primary=True)


def test_adding_a_contact_subscribes_them_and_invites_when_asked(primary, outbox):
    contact = services.add_contact(primary.organisation_id, primary.user,
                                   _data(has_website_right=True))
    db.session.commit()  # the test plays the request: the invitation goes out after it
    assert contact.email == "els.maes@organisatie.be" and contact.phone == "+32470112233"
    subscribed = db.session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.contact_id == contact.id, Subscription.is_subscribed))
    assert subscribed == 4
    assert contact.user is not None
    assert [m.recipients for m in outbox] == [["els.maes@organisatie.be"]]


def test_without_website_right_no_login_and_no_mail(primary, outbox):
    contact = services.add_contact(primary.organisation_id, primary.user, _data())
    db.session.commit()
    assert contact.user is None
    assert len(outbox) == 0


def test_an_email_in_use_is_refused_whatever_its_case(primary, make_contact):
    make_contact(primary.organisation, email="els.maes@organisatie.be")
    with pytest.raises(PolicyError) as refused:
        services.add_contact(primary.organisation_id, primary.user, _data())
    db.session.rollback()  # what the view does with a refusal
    assert refused.value.field == "email"
    assert db.session.scalar(select(func.count(Contact.id))) == 2


def test_taking_the_newsletter_right_stops_every_list(primary, make_contact):
    contact = make_contact(primary.organisation)
    changed = services.update_contact(
        primary.organisation_id, primary.user, contact.id,
        _data(email=contact.email, has_newsletter_right=False, has_website_right=True),
        contact.version)
    assert "has_newsletter_right" in changed
    assert db.session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.contact_id == contact.id, Subscription.is_subscribed)) == 0


def test_another_organisations_contact_cannot_be_changed_or_removed(primary, make_org,
                                                                    make_contact):
    stranger = make_contact(make_org())
    with pytest.raises(PolicyError):
        services.update_contact(primary.organisation_id, primary.user, stranger.id,
                                _data(email=stranger.email), stranger.version)
    with pytest.raises(PolicyError):
        services.remove_contact(primary.organisation_id, primary.user, stranger.id)
    assert db.session.get(Contact, stranger.id).first_name == "Voornaam"


def test_an_edit_from_an_old_version_is_refused(primary, make_contact):
    contact = make_contact(primary.organisation)
    old_version = contact.version
    services.update_contact(primary.organisation_id, primary.user, contact.id,
                            _data(email=contact.email, has_website_right=True), old_version)
    with pytest.raises(StaleDataError):
        services.update_contact(primary.organisation_id, primary.user, contact.id,
                                _data(email=contact.email, first_name="Ander",
                                      has_website_right=True), old_version)
    assert db.session.get(Contact, contact.id).first_name == "Els"


def test_removal_erases_every_trace_but_an_anonymous_audit_line(primary, make_contact):
    contact = make_contact(primary.organisation, email="weg@organisatie.be")
    db.session.add(ConsentRecord(contact_id=contact.id, purpose="newsletter:e-zine",
                                 action="given", channel="web_form", text_version="v1"))
    db.session.commit()
    contact_id = contact.id
    services.remove_contact(primary.organisation_id, primary.user, contact_id)
    db.session.commit()
    assert db.session.get(Contact, contact_id) is None
    assert db.session.scalar(select(User).where(User.email == "weg@organisatie.be")) is None
    for model in (Subscription, ConsentRecord):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.contact_id == contact_id)) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.removed"))
    assert event.target_id == contact_id and event.fields == []


def test_the_primary_contact_cannot_be_removed(primary):
    with pytest.raises(PolicyError):
        services.remove_contact(primary.organisation_id, primary.user, primary.id)
    assert db.session.get(Contact, primary.id) is not None


def test_a_contact_corrects_their_own_details_but_not_their_rights(primary, make_contact):
    contact = make_contact(primary.organisation)
    changed = services.update_own_details(
        contact.id, contact.user,
        {"first_name": "Zelf", "last_name": "Gewijzigd", "phone": "", "function": "Directeur",
         "has_website_right": False}, contact.version)
    saved = db.session.get(Contact, contact.id)
    assert saved.first_name == "Zelf" and saved.phone is None and saved.has_website_right
    assert "has_website_right" not in changed
