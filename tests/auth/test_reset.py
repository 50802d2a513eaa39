"""Forgotten password: same answer for everyone, a Dutch mail, a link that works once for 1 h."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.auth.conftest import STRONG_PASSWORD, copy_client, link_from, post_login
from tests.factories import PASSWORD

NEW = {"password": STRONG_PASSWORD, "password_again": STRONG_PASSWORD}


def _site() -> str:
    """Scheme and host of the portal's mail links, from its configuration (portal.email)."""
    from portal.email import external_url

    return external_url("auth.login").removesuffix("/aanmelden")


def _ask(client, email):
    return client.post("/wachtwoord-vergeten", data={"email": email})


def test_the_page_asks_for_the_address(client):
    page = client.get("/wachtwoord-vergeten").get_data(as_text=True)
    assert "Wachtwoord vergeten" in page and "E-mailadres" in page
    assert 'href="/wachtwoord-vergeten"' in client.get("/aanmelden").get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer(client, make_org, make_contact,
                                                         outbox):
    make_contact(make_org(), email="bekend@organisatie.be")
    known = _ask(client, "bekend@organisatie.be")
    unknown = _ask(client, "niemand@organisatie.be")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert "Kijk in je mailbox" in known.get_data(as_text=True)
    assert [message.recipients for message in outbox] == [["bekend@organisatie.be"]]


def test_the_mail_is_dutch_with_a_link_for_one_hour(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be", first_name="An", last_name="Peeters")
    _ask(client, "LID@organisatie.be")
    message = outbox[0]
    assert message.subject == "Kies een nieuw wachtwoord voor het ledenportaal"
    assert "Beste An Peeters" in message.body
    assert "De link werkt één keer en gedurende 60 minuten." in message.body
    link = link_from(message, "wachtwoord-herstellen")
    assert f'href="{_site()}{link}"' in message.html
    assert "Kies een nieuw wachtwoord" in message.html


def test_the_link_works_once(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    _ask(client, "lid@organisatie.be")
    link = link_from(outbox[0], "wachtwoord-herstellen")
    assert "Kies een nieuw wachtwoord" in client.get(link).get_data(as_text=True)
    done = client.post(link, data=NEW)
    assert done.headers["Location"] == "/aanmelden"
    assert "Je nieuwe wachtwoord is bewaard" in client.get("/aanmelden").get_data(as_text=True)
    again = client.get(link)
    assert again.status_code == 400 and "niet (meer) geldig" in again.get_data(as_text=True)
    assert client.post(link, data={"password": "nog een ander lang zinnetje hier",
                                   "password_again": "nog een ander lang zinnetje hier"}
                       ).status_code == 400
    assert post_login(client, "lid@organisatie.be", PASSWORD).status_code == 200
    assert post_login(client, "lid@organisatie.be", STRONG_PASSWORD).headers["Location"] == "/"


def test_the_link_expires_after_an_hour(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        _ask(client, "lid@organisatie.be")
        link = link_from(outbox[0], "wachtwoord-herstellen")
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        late = client.post(link, data=NEW)
    assert late.status_code == 400 and "verlopen" in late.get_data(as_text=True)
    assert post_login(client, "lid@organisatie.be", PASSWORD).headers["Location"] == "/"


def test_the_link_dies_after_any_password_change(client, login_as, make_org, make_contact,
                                                 outbox):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    _ask(client, "lid@organisatie.be")
    link = link_from(outbox[0], "wachtwoord-herstellen")
    login_as(contact.user)
    client.post("/wachtwoord-wijzigen", data={"current_password": PASSWORD, **NEW})
    client.post("/afmelden")
    assert client.get(link).status_code == 400


def test_a_reset_ends_every_session_and_lifts_a_lock(app, client, make_org, make_contact,
                                                     outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    elsewhere = copy_client(app, client)
    for _ in range(5):
        post_login(app.test_client(), "lid@organisatie.be", "geraden wachtwoord")
    _ask(app.test_client(), "lid@organisatie.be")
    link = link_from(outbox[0], "wachtwoord-herstellen")
    app.test_client().post(link, data=NEW)
    assert client.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert post_login(app.test_client(), "lid@organisatie.be",
                      STRONG_PASSWORD).headers["Location"] == "/"
    assert outbox[-1].subject == "Je wachtwoord is gewijzigd"


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, make_org,
                                                                 make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    _ask(client, "lid@organisatie.be")
    link = link_from(outbox[0], "wachtwoord-herstellen")
    weak = client.post(link, data={"password": "wachtwoord12345",
                                   "password_again": "wachtwoord12345"})
    page = weak.get_data(as_text=True)
    assert weak.status_code == 200
    assert "Dit lijkt op een vaak gebruikt wachtwoord." in page and "Tip:" in page
    assert client.get(link).status_code == 200


def test_no_mail_for_a_login_without_the_website_right(client, make_org, make_contact, outbox):
    contact = make_contact(make_org(), email="lid@organisatie.be")
    contact.has_website_right = False
    db.session.commit()
    assert "Kijk in je mailbox" in _ask(client, "lid@organisatie.be").get_data(as_text=True)
    assert len(outbox) == 0


def test_repeated_requests_do_not_flood_the_mailbox(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    for _ in range(3):
        _ask(client, "lid@organisatie.be")
    assert len(outbox) == 1


def test_resets_are_audited_without_the_token(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    _ask(client, "lid@organisatie.be")
    link = link_from(outbox[0], "wachtwoord-herstellen")
    client.post(link, data=NEW)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["password.reset_requested", "password.reset"]
    token = link.rsplit("/", 1)[1]
    assert token not in repr([(e.fields, e.actor_label) for e in events])


def test_a_forged_host_header_does_not_reach_the_mail(client, make_org, make_contact, outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    client.post("/wachtwoord-vergeten", data={"email": "lid@organisatie.be"},
                headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in outbox[0].body
    assert f"{_site()}/wachtwoord-herstellen/" in outbox[0].body
