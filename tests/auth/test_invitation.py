"""A contact given the website right is invited by mail and sets a first password once."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.auth import invitations
from portal.extensions import db
from portal.models import User
from portal.signals import contact_access_changed
from tests.auth.conftest import link_from

GOOD_PASSWORD = "fietsen langs de schelde in mei"


def _invite_new_contact(make_org, make_contact, **kwargs):
    organisation = make_org()
    inviter = make_contact(organisation, primary=True)
    contact = make_contact(organisation, website=False, email="nieuw@organisatie.be", **kwargs)
    contact.has_website_right = True
    contact_access_changed.send(contact, actor=inviter.user)
    db.session.commit()
    return contact


def _link(message) -> str:
    return link_from(message, "uitnodiging")


def test_giving_the_website_right_mails_an_invitation(make_org, make_contact, outbox):
    contact = _invite_new_contact(make_org, make_contact)
    assert contact.user is not None and contact.user.password_hash is None
    assert len(outbox) == 1
    message = outbox[0]
    assert message.recipients == ["nieuw@organisatie.be"]
    assert message.subject == "Je toegang tot het ledenportaal van Sociare"
    assert "Kies je wachtwoord via deze link" in message.body
    assert "List-Unsubscribe" not in message.extra_headers


def test_the_invitation_link_sets_a_password_once(client, make_org, make_contact, outbox):
    _invite_new_contact(make_org, make_contact)
    link = _link(outbox[0])
    page = client.get(link).get_data(as_text=True)
    assert "Kies je wachtwoord" in page
    response = client.post(link, data={"password": GOOD_PASSWORD,
                                       "password_again": GOOD_PASSWORD})
    assert response.headers["Location"] == "/"
    assert "Welkom" in client.get("/").get_data(as_text=True)
    client.post("/afmelden")
    again = client.get(link)
    assert again.status_code == 400
    assert "niet (meer) geldig" in again.get_data(as_text=True)
    login = client.post("/aanmelden", data={"email": "nieuw@organisatie.be",
                                            "password": GOOD_PASSWORD})
    assert login.headers["Location"] == "/"


def test_a_short_password_is_refused_in_dutch(client, make_org, make_contact, outbox):
    _invite_new_contact(make_org, make_contact)
    link = _link(outbox[0])
    response = client.post(link, data={"password": "kort", "password_again": "kort"})
    assert "Gebruik minstens 15 tekens" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "nieuw@organisatie.be"))
    assert user.password_hash is None


def test_the_invitation_expires_after_seven_days(client, make_org, make_contact, outbox):
    _invite_new_contact(make_org, make_contact)
    link = _link(outbox[0])
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1)):
        response = client.get(link)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)


def test_a_new_invitation_replaces_the_old_link(client, make_org, make_contact, outbox):
    contact = _invite_new_contact(make_org, make_contact)
    first = _link(outbox[0])
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5)):
        invitations.invite(contact.user, None)
        db.session.commit()
        second = _link(outbox[1])
        assert client.get(first).status_code == 400
        assert client.get(second).status_code == 200


def test_taking_the_website_right_away_ends_the_sessions(login_as, make_org, make_contact):
    contact = make_contact(make_org())
    client = login_as(contact.user)
    assert client.get("/").status_code == 200
    contact.has_website_right = False
    contact_access_changed.send(contact, actor=None)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_staff_and_the_primary_contact_can_resend_an_invitation(make_org, make_contact,
                                                                make_staff, outbox):
    import pytest

    from portal.errors import PolicyError

    contact = _invite_new_contact(make_org, make_contact)
    primary = db.session.scalar(select(User).join(User.contact).where(
        User.contact.has(is_primary=True)))
    stranger = make_contact(make_org(), primary=True).user
    colleague = make_contact(contact.organisation).user
    staff = make_staff()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2)):
        invitations.resend_invitation(contact.user, primary)
        db.session.commit()
        assert len(outbox) == 2
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=4)):
        invitations.resend_invitation(contact.user, staff)
        db.session.commit()
        assert [m.recipients for m in outbox] == [["nieuw@organisatie.be"]] * 3
    for actor in (stranger, colleague):
        with pytest.raises(PolicyError):
            invitations.resend_invitation(contact.user, actor)
    with pytest.raises(PolicyError):
        invitations.resend_invitation(colleague, primary)  # already has a password


def test_the_accounts_flow_listens_for_access_changes(app, make_org, make_contact):
    contact = make_contact(make_org())
    assert invitations.apply_website_right in list(
        contact_access_changed.receivers_for(contact))


def test_the_roster_taking_the_right_away_ends_the_sessions_at_once(
        app, client, login_as, make_org, make_contact):
    # The roster only sends portal.signals.contact_access_changed; the accounts flow ends
    # the sessions in the same transaction.
    from portal.roster.services import update_contact

    organisation = make_org()
    primary = make_contact(organisation, primary=True)
    contact = make_contact(organisation, email="weg@organisatie.be")
    member = login_as(contact.user)
    assert member.get("/").status_code == 200
    update_contact(organisation.id, primary.user, contact.id, dict(
        first_name=contact.first_name, last_name=contact.last_name, email=contact.email,
        phone="", function="", has_advice_right=False, has_newsletter_right=False,
        has_website_right=False), contact.version)
    db.session.commit()
    assert member.get("/").status_code == 302
