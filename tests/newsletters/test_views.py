"""The pages: preferences, unsubscribe links, asking a new link, public sign-up, staff export."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, ConsentRecord, OutboxMail, Subscriber
from portal.newsletters import services
from portal.newsletters.services import Person
from portal.tokens import make_token
from tests.newsletters.conftest import consent_log, path_in, subscribed_slugs

ALL = {"nieuwsbrief", "e-zine", "newsflash", "uitnodigingen"}


def _form(lists, keep: set[str]) -> dict:
    data = {"submit": "Bewaren"}
    for slug in keep:
        data[f"list_{lists[slug].id}"] = "y"
    return data


def _link(contact, newsletter_list) -> str:
    token = services.unsubscribe_token(Person(contact=contact), newsletter_list)
    db.session.commit()
    return f"/nieuwsbrieven/afmelden/{token}"


# --- preference page -------------------------------------------------------------------------


def test_contact_switches_a_list_off_and_on_again(app, lists, make_org, make_contact,
                                                  login_as):
    contact = make_contact(make_org())
    client = login_as(contact.user)
    page = client.get("/nieuwsbrieven").get_data(as_text=True)
    assert 'role="switch"' in page and "E-zine" in page and "privacy" in page

    response = client.post("/nieuwsbrieven", data=_form(lists, ALL - {"e-zine"}),
                           follow_redirects=True)
    assert "Je keuze is bewaard." in response.get_data(as_text=True)
    assert subscribed_slugs(contact) == ALL - {"e-zine"}
    assert consent_log(contact) == [("newsletter:e-zine", "withdrawn", "web_form")]

    client.post("/nieuwsbrieven", data=_form(lists, ALL))
    assert subscribed_slugs(contact) == ALL
    assert consent_log(contact)[-1] == ("newsletter:e-zine", "given", "web_form")


def test_a_contact_without_the_right_sees_why_and_cannot_switch_on(app, lists, make_org,
                                                                  make_contact, login_as):
    contact = make_contact(make_org(), newsletters=False)
    client = login_as(contact.user)
    page = client.get("/nieuwsbrieven").get_data(as_text=True)
    assert "primaire contactpersoon" in page and 'role="switch"' not in page
    client.post("/nieuwsbrieven", data=_form(lists, ALL))
    assert subscribed_slugs(contact) == set()


def test_nav_and_dashboard_show_the_subscriptions(app, lists, make_org, make_contact,
                                                 login_as):
    contact = make_contact(make_org())
    services.save_contact_preferences(contact, {lists["e-zine"].id})
    page = login_as(contact.user).get("/").get_data(as_text=True)
    assert 'href="/nieuwsbrieven"' in page
    assert "Je ontvangt 1 van 4 lijsten" in page and "E-zine" in page


def test_who_may_see_the_preference_page(app, lists, make_staff, client, login_as):
    response = client.get("/nieuwsbrieven")
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    assert login_as(make_staff()).get("/nieuwsbrieven").status_code == 403


# --- unsubscribe link ------------------------------------------------------------------------


def test_one_click_post_works_without_session_or_csrf_and_is_idempotent(
    app, lists, make_org, make_contact, client
):
    app.config["WTF_CSRF_ENABLED"] = True
    contact = make_contact(make_org())
    link = _link(contact, lists["newsflash"])
    for _ in range(2):
        response = client.post(link, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "Je bent uitgeschreven" in response.get_data(as_text=True)
    assert subscribed_slugs(contact) == ALL - {"newsflash"}
    assert consent_log(contact) == [("newsletter:newsflash", "withdrawn", "mail_link")]
    # Mail clients may send the same body as multipart/form-data (RFC 8058, section 3.1).
    response = client.post(_link(contact, lists["e-zine"]),
                           data={"List-Unsubscribe": "One-Click"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert subscribed_slugs(contact) == ALL - {"newsflash", "e-zine"}


def test_other_posts_still_need_csrf(app, lists, make_org, make_contact, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    contact = make_contact(make_org())
    response = login_as(contact.user).post("/nieuwsbrieven", data=_form(lists, set()))
    assert response.status_code == 400
    assert subscribed_slugs(contact) == ALL


def test_the_link_page_shows_the_lists_and_one_button(app, lists, make_org, make_contact,
                                                      client):
    """The link's own list has one button; the other lists sit below it, as they are."""
    contact = make_contact(make_org())
    link = _link(contact, lists["e-zine"])
    page = client.get(link).get_data(as_text=True)
    assert subscribed_slugs(contact) == ALL  # GET changes nothing
    assert "<h1>Uitschrijven voor de e-zine</h1>" in page
    assert page.count(">Uitschrijven voor de e-zine</button>") == 1
    assert "Wil je de e-zine niet meer ontvangen" in page
    assert f'name="list_{lists["e-zine"].id}"' not in page  # not a switch of its own
    for slug in ALL - {"e-zine"}:  # the others as they are: all still on
        switch = re.search(rf'<input[^>]*name="list_{lists[slug].id}"[^>]*>', page).group(0)
        assert "checked" in switch, slug
    # The button (a plain POST, as a mail client's one-click) leaves exactly that list.
    response = client.post(link, data={"uitschrijven": "1"})
    assert "Je ontvangt de e-zine niet meer." in response.get_data(as_text=True)
    assert subscribed_slugs(contact) == ALL - {"e-zine"}
    # Saving the other lists keeps the link's list as it is (off), and may switch others.
    others = {slug for slug in ALL - {"e-zine", "newsflash"}}
    response = client.post(link, data=_form(lists, others), follow_redirects=True)
    assert "Je keuze is bewaard." in response.get_data(as_text=True)
    assert subscribed_slugs(contact) == others
    page = client.get(link).get_data(as_text=True)
    assert "Je bent uitgeschreven voor de e-zine" in page


def test_saving_the_other_lists_keeps_the_links_list_subscribed(app, lists, make_org,
                                                                make_contact, client):
    contact = make_contact(make_org())
    link = _link(contact, lists["e-zine"])
    client.post(link, data=_form(lists, ALL - {"newsflash"}))
    assert subscribed_slugs(contact) == ALL - {"newsflash"}


def test_a_link_keeps_working_after_later_mailings(app, lists, make_org, make_contact, client,
                                                   tmp_path):
    contact = make_contact(make_org())
    first = _link(contact, lists["nieuwsbrief"])
    body = tmp_path / "tekst.txt"
    body.write_text("Nieuws", "utf-8")
    for number in range(2):
        app.test_cli_runner().invoke(args=["newsletter", "send", "nieuwsbrief",
                                           f"Editie {number}", str(body)])
    assert client.post(first, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert "nieuwsbrief" not in subscribed_slugs(contact)


def test_a_forged_or_altered_token_changes_nothing(app, lists, make_org, make_contact,
                                                   client):
    app.config["WTF_CSRF_ENABLED"] = True
    contact = make_contact(make_org())
    link = _link(contact, lists["e-zine"])
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    forged_payload = make_token("something-else", {"k": "raden", "l": "e-zine"})
    for bad in (altered, "/nieuwsbrieven/afmelden/" + forged_payload,
                "/nieuwsbrieven/afmelden/1", "/nieuwsbrieven/afmelden/%00"):
        get = client.get(bad)
        assert get.status_code == 400
        assert "Deze link is niet geldig" in get.get_data(as_text=True)
        assert "Er is niets gewijzigd." in get.get_data(as_text=True)
        post = client.post(bad, data={"List-Unsubscribe": "One-Click"})
        assert post.status_code == 400
    # A well-signed token with an unknown secret changes nothing either.
    unknown = make_token(services.UNSUBSCRIBE_PURPOSE, {"k": "x" * 43, "l": "e-zine"})
    assert client.post(f"/nieuwsbrieven/afmelden/{unknown}",
                       data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert subscribed_slugs(contact) == ALL
    assert db.session.scalars(select(ConsentRecord)).all() == []


# --- no mail at hand ------------------------------------------------------------------------


def test_asking_a_link_answers_the_same_and_mails_only_known_addresses(
    app, lists, make_org, make_contact, client, outbox
):
    contact = make_contact(make_org(), email="gekend@organisatie.be")
    known = client.post("/nieuwsbrieven/afmelden", data={"email": "Gekend@Organisatie.be"})
    unknown = client.post("/nieuwsbrieven/afmelden", data={"email": "onbekend@elders.be"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m.recipients for m in outbox] == [["gekend@organisatie.be"]]
    assert "List-Unsubscribe" not in outbox[0].extra_headers  # a service mail
    path = path_in(outbox[0].body, "/nieuwsbrieven/afmelden/")
    page = client.get(path).get_data(as_text=True)
    assert "gekend@organisatie.be" in page
    client.post(path, data={"List-Unsubscribe": "One-Click"})  # a manage link: every list
    assert subscribed_slugs(contact) == set()


def test_asking_a_link_with_a_bad_address_shows_a_dutch_error(app, lists, client, outbox):
    response = client.post("/nieuwsbrieven/afmelden", data={"email": "geen-adres"})
    assert "Geef een geldig e-mailadres" in response.get_data(as_text=True)
    assert outbox == []


# --- public sign-up --------------------------------------------------------------------------


def _sign_up(client, lists, email="eva@extern.be", consent=True, **extra):
    data = {"name": "Eva Extern", "organisation": "Vzw Extern", "email": email,
            "lists": [lists["e-zine"].id, lists["uitnodigingen"].id]}
    if consent:
        data["consent"] = "y"
    data.update(extra)
    return client.post("/nieuwsbrief/inschrijven", data=data)


def test_sign_up_sends_one_mail_and_subscribes_only_after_confirmation(app, lists, client,
                                                                       outbox):
    page = client.get("/nieuwsbrief/inschrijven").get_data(as_text=True)
    assert 'type="checkbox"' in page and "checked" not in page  # consent box unticked
    assert "https://www.sociare.be/privacy-policy" in page
    response = _sign_up(client, lists)
    assert "Bevestig je adres" in response.get_data(as_text=True)
    assert len(outbox) == 1 and outbox[0].recipients == ["eva@extern.be"]
    assert "List-Unsubscribe" not in outbox[0].extra_headers
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.confirmed_at is None
    assert subscribed_slugs(subscriber=subscriber) == set()
    assert services.current_subscribers("e-zine") == []

    path = path_in(outbox[0].body, "/nieuwsbrief/bevestigen/")
    assert client.get(path).status_code == 200
    assert subscribed_slugs(subscriber=subscriber) == set()  # opening the link is not enough
    confirmed = client.post(path)
    assert "Inschrijving bevestigd" in confirmed.get_data(as_text=True)
    assert subscribed_slugs(subscriber=subscriber) == {"e-zine", "uitnodigingen"}
    assert services.current_subscribers("e-zine") == [("eva@extern.be", "Eva Extern")]
    assert consent_log(subscriber=subscriber) == [
        ("newsletter:e-zine", "given", "web_form"),
        ("newsletter:uitnodigingen", "given", "web_form"),
    ]
    assert len(outbox) == 1


def test_sign_up_without_consent_changes_nothing(app, lists, client, outbox):
    response = _sign_up(client, lists, consent=False)
    assert "Vink het vakje aan" in response.get_data(as_text=True)
    assert outbox == [] and db.session.scalars(select(Subscriber)).all() == []


def test_the_honeypot_stores_and_sends_nothing(app, lists, client, outbox):
    response = _sign_up(client, lists, website="http://spam.example")
    assert "Bevestig je adres" in response.get_data(as_text=True)
    assert outbox == [] and db.session.scalars(select(Subscriber)).all() == []


def test_signing_up_twice_reveals_nothing(app, lists, client, outbox):
    first = _sign_up(client, lists).get_data(as_text=True)
    client.post(path_in(outbox[0].body, "/nieuwsbrief/bevestigen/"))
    second = _sign_up(client, lists).get_data(as_text=True)
    assert first == second
    assert len(db.session.scalars(select(Subscriber)).all()) == 1


def test_sign_up_is_rate_limited(app, lists, client, outbox):
    codes = [_sign_up(client, lists, email=f"bot{n}@extern.be").status_code for n in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def test_an_expired_or_altered_confirmation_link_subscribes_nothing(app, lists, client, outbox,
                                                                    time_machine):
    _sign_up(client, lists)
    path = path_in(outbox[0].body, "/nieuwsbrief/bevestigen/")
    altered = client.post(path[:-2] + "xx")
    assert altered.status_code == 400
    assert "niet geldig" in altered.get_data(as_text=True)
    time_machine.move_to(datetime.now(UTC) + timedelta(days=8))
    expired = client.post(path)
    assert expired.status_code == 400 and "7 dagen" in expired.get_data(as_text=True)
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.confirmed_at is None and subscribed_slugs(subscriber=subscriber) == set()


def test_withdrawn_consent_removes_the_subscriber_from_the_next_send(app, lists, client,
                                                                     outbox, tmp_path):
    _sign_up(client, lists)
    client.post(path_in(outbox[0].body, "/nieuwsbrief/bevestigen/"))
    body = tmp_path / "tekst.txt"
    body.write_text("Het e-zine", "utf-8")
    runner = app.test_cli_runner()
    runner.invoke(args=["newsletter", "send", "e-zine", "E-zine 1", str(body)])
    assert [m.recipients for m in outbox[1:]] == [["eva@extern.be"]]
    unsubscribe = path_in(outbox[1].extra_headers["List-Unsubscribe"], "/nieuwsbrieven/")
    client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    result = runner.invoke(args=["newsletter", "send", "e-zine", "E-zine 2", str(body)])
    assert "0 mails" in result.output
    assert len(outbox) == 2


# --- staff ---------------------------------------------------------------------------------


def test_staff_export_is_a_safe_csv_of_current_subscribers_only(app, lists, make_org,
                                                                 make_contact, make_staff,
                                                                 login_as):
    org = make_org()
    make_contact(org, first_name="=HYPERLINK(\"x\")", last_name="Jansen",
                 email="formule@organisatie.be")
    make_contact(org, first_name="Zoë", last_name="Müller", email="zoe@organisatie.be")
    leaver = make_contact(org, email="weg@organisatie.be")
    services.save_contact_preferences(leaver, set())
    staff = make_staff()
    client = login_as(staff)
    overview = client.get("/beheer/nieuwsbrieven").get_data(as_text=True)
    assert "/beheer/nieuwsbrieven/e-zine/abonnees.csv" in overview
    response = client.get("/beheer/nieuwsbrieven/e-zine/abonnees.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["E-mailadres", "Naam"]
    assert rows[1:] == [["formule@organisatie.be", "'=HYPERLINK(\"x\") Jansen"],
                        ["zoe@organisatie.be", "Zoë Müller"]]
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.actor_user_id == staff.id)) == "newsletter.export"
    assert client.get("/beheer/nieuwsbrieven/bestaat-niet/abonnees.csv").status_code == 404


def test_staff_pages_are_for_staff_only(app, lists, make_org, make_contact, client, login_as):
    for path in ("/beheer/nieuwsbrieven", "/beheer/nieuwsbrieven/e-zine/abonnees.csv"):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/aanmelden" in anonymous.headers["Location"]
    contact = make_contact(make_org(), primary=True)
    member = login_as(contact.user)
    for path in ("/beheer/nieuwsbrieven", "/beheer/nieuwsbrieven/e-zine/abonnees.csv"):
        assert member.get(path).status_code == 403
    assert db.session.scalars(select(OutboxMail)).all() == []
