"""Primary contacts and staff send a pending invitation again; the old link stops working."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.roster import services as roster


def _invited(make_org, make_contact):
    organisation = make_org()
    primary = make_contact(organisation, primary=True)
    contact = roster.add_contact(organisation.id, primary.user, dict(
        first_name="Nina", last_name="Nieuw", email="nina@organisatie.be", phone="",
        function="", has_advice_right=True, has_newsletter_right=False,
        has_website_right=True))
    return organisation, primary, contact


def _path(message) -> str:
    return re.search(r"https?://[^/\s]+(/uitnodiging/\S+)", message.body).group(1)


def test_the_primary_contact_resends_a_pending_invitation(login_as, make_org, make_contact,
                                                          outbox):
    _organisation, primary, contact = _invited(make_org, make_contact)
    client = login_as(primary.user)
    page = client.get("/contactpersonen").get_data(as_text=True)
    assert "Website: uitgenodigd" in page
    assert "Uitnodiging opnieuw sturen" in page
    first = _path(outbox[0])
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5)):
        response = client.post(f"/contactpersonen/{contact.id}/uitnodiging")
        assert response.headers["Location"] == "/contactpersonen"
        assert "Er werd een nieuwe uitnodiging gestuurd" in client.get(
            "/contactpersonen").get_data(as_text=True)
        assert len(outbox) == 2 and outbox[1].recipients == ["nina@organisatie.be"]
        assert client.get(first).status_code == 400
        assert client.get(_path(outbox[1])).status_code == 200


def test_staff_resend_an_invitation(login_as, make_org, make_contact, make_staff, outbox):
    organisation, _primary, contact = _invited(make_org, make_contact)
    client = login_as(make_staff())
    assert "Uitnodiging opnieuw sturen" in client.get(
        f"/beheer/organisaties/{organisation.id}").get_data(as_text=True)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5)):
        response = client.post(
            f"/beheer/organisaties/{organisation.id}/contactpersonen/{contact.id}/uitnodiging")
        assert response.status_code == 302
        assert len(outbox) == 2


def test_no_resend_for_someone_with_a_password_or_of_another_organisation(
    login_as, make_org, make_contact, outbox
):
    organisation, primary, contact = _invited(make_org, make_contact)
    has_password = make_contact(organisation)
    stranger = make_contact(make_org())
    client = login_as(primary.user)
    response = client.post(f"/contactpersonen/{has_password.id}/uitnodiging")
    assert "al een wachtwoord" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert client.post(f"/contactpersonen/{stranger.id}/uitnodiging").status_code == 404
    contact_client = login_as(has_password.user)
    assert contact_client.post(f"/contactpersonen/{contact.id}/uitnodiging").status_code == 403
    assert len(outbox) == 1
    assert db.session.scalar(select(User).where(User.email == "nina@organisatie.be"))
