"""Change password: current password first, other sessions end, a mail tells the person."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.auth.conftest import STRONG_PASSWORD, copy_client, post_login
from tests.factories import PASSWORD


def _change(client, current=PASSWORD, new=STRONG_PASSWORD, again=None):
    return client.post("/wachtwoord-wijzigen", data={
        "current_password": current, "password": new, "password_again": again or new})


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/wachtwoord-wijzigen")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden?next=")


def test_the_menu_offers_it_to_logged_in_people(login_as, make_org, make_contact, make_staff):
    for user in (make_contact(make_org()).user, make_staff()):
        page = login_as(user).get("/").get_data(as_text=True)
        assert 'href="/wachtwoord-wijzigen"' in page and "Wachtwoord wijzigen" in page
        assert 'href="/account/beveiliging"' in page


def test_an_old_session_dies_after_a_password_change(app, client, make_org, make_contact,
                                                     outbox):
    make_contact(make_org(), email="lid@organisatie.be")
    post_login(client, "lid@organisatie.be")
    other_device = app.test_client()
    post_login(other_device, "lid@organisatie.be")
    copied = copy_client(app, client)
    response = _change(client)
    assert response.headers["Location"] == "/account/beveiliging"
    assert "Je wachtwoord is gewijzigd" in client.get("/account/beveiliging").get_data(
        as_text=True)
    assert client.get("/").status_code == 200  # this session stays
    assert other_device.get("/").status_code == 302
    assert copied.get("/").status_code == 302  # a copy of the old cookie is dead too
    message = outbox[-1]
    assert message.recipients == ["lid@organisatie.be"]
    assert message.subject == "Je wachtwoord is gewijzigd"
    assert "Was jij dit niet?" in message.body and STRONG_PASSWORD not in message.body
    client.post("/afmelden")
    assert post_login(client, "lid@organisatie.be", STRONG_PASSWORD).headers["Location"] == "/"


def test_a_wrong_current_password_changes_nothing(client, login_as, make_org, make_contact,
                                                  outbox):
    contact = make_contact(make_org())
    login_as(contact.user)
    before = contact.user.password_hash
    response = _change(client, current="niet mijn wachtwoord")
    assert "Je huidige wachtwoord is niet juist." in response.get_data(as_text=True)
    db.session.refresh(contact.user)
    assert contact.user.password_hash == before and len(outbox) == 0


def test_guessing_the_current_password_locks_and_logs_out(client, login_as, make_org,
                                                          make_contact):
    login_as(make_contact(make_org()).user)
    for _ in range(5):
        _change(client, current="niet mijn wachtwoord")
    response = _change(client)
    assert response.headers["Location"] == "/aanmelden"
    assert client.get("/").status_code == 302


def test_a_weak_password_is_refused_with_a_dutch_reason(client, login_as, make_org,
                                                        make_contact):
    login_as(make_contact(make_org()).user)
    page = _change(client, new="wachtwoord12345").get_data(as_text=True)
    assert "Dit lijkt op een vaak gebruikt wachtwoord." in page
    assert "Tip: een paar losse woorden zijn sterk" in page


def test_the_two_new_passwords_must_match(client, login_as, make_org, make_contact):
    login_as(make_contact(make_org()).user)
    page = _change(client, again="iets helemaal anders dan dat").get_data(as_text=True)
    assert "De twee wachtwoorden zijn niet gelijk." in page


def test_a_change_is_audited_without_passwords(client, login_as, make_org, make_contact):
    login_as(make_contact(make_org()).user)
    _change(client)
    events = db.session.scalars(select(AuditEvent)).all()
    assert [event.action for event in events] == ["password.changed"]
    assert STRONG_PASSWORD not in repr([(e.fields, e.actor_label) for e in events])
