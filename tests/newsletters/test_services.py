"""The rules: the roster contract, who receives a list, the consent log, retention."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.errors import PolicyError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ConsentRecord,
    ConsentText,
    Contact,
    NewsletterKey,
    Subscriber,
    Subscription,
)
from portal.newsletters import services
from portal.newsletters.services import (
    Person,
    apply_newsletter_right,
    current_subscribers,
)
from portal.tokens import make_token
from tests.newsletters.conftest import consent_log, subscribed_slugs

ALL = {"nieuwsbrief", "e-zine", "newsflash", "uitnodigingen"}


def _new_contact(org, has_right=True, email="nieuw@organisatie.be"):
    contact = Contact(organisation_id=org.id, first_name="Nina", last_name="Nieuw",
                      email=email, has_newsletter_right=has_right)
    db.session.add(contact)
    return contact


def test_a_new_contact_with_the_right_gets_every_list_on(app, lists, make_org, make_staff):
    org = make_org()
    staff = make_staff()
    contact = _new_contact(org)
    apply_newsletter_right(contact, staff)
    db.session.commit()  # the caller commits
    assert subscribed_slugs(contact) == ALL
    rows = db.session.scalars(select(Subscription).where(Subscription.contact_id == contact.id))
    assert all(row.opted_in_at is not None for row in rows)
    log = consent_log(contact)
    assert sorted(log) == sorted((f"newsletter:{slug}", "given", "primary_contact")
                                 for slug in ALL)
    assert ("nieuw@organisatie.be", "Nina Nieuw") in current_subscribers(
        "e-zine")


def test_apply_newsletter_right_does_not_commit(app, lists, make_org):
    org = make_org()
    contact = _new_contact(org)
    apply_newsletter_right(contact, None)
    db.session.rollback()
    assert db.session.scalars(select(Subscription)).all() == []
    assert db.session.scalars(select(ConsentRecord)).all() == []


def test_a_new_contact_without_the_right_receives_nothing(app, lists, make_org):
    org = make_org()
    contact = _new_contact(org, has_right=False)
    apply_newsletter_right(contact, None)
    db.session.commit()
    assert subscribed_slugs(contact) == set()
    assert current_subscribers("nieuwsbrief") == []


def test_taking_the_right_away_switches_everything_off_and_back_on_respects_own_choice(
    app, lists, make_org, make_contact
):
    org = make_org()
    contact = make_contact(org)
    services.save_contact_preferences(contact, {lists["nieuwsbrief"].id,
                                                lists["newsflash"].id,
                                                lists["uitnodigingen"].id})  # e-zine off
    contact.has_newsletter_right = False
    apply_newsletter_right(contact, None)
    db.session.commit()
    assert subscribed_slugs(contact) == set()
    assert all(contact.email != email for email, _ in current_subscribers("nieuwsbrief"))

    contact.has_newsletter_right = True
    apply_newsletter_right(contact, None)
    db.session.commit()
    # The lists the right took away return; the e-zine the contact left stays off.
    assert subscribed_slugs(contact) == ALL - {"e-zine"}
    channels = [channel for _, action, channel in consent_log(contact)]
    assert channels.count("primary_contact") == 6  # 3 withdrawn, 3 given back
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_id == contact.id)) == "newsletter.right_applied"


def test_applying_the_same_right_twice_changes_nothing(app, lists, make_org, make_contact):
    contact = make_contact(make_org())
    apply_newsletter_right(contact, None)
    db.session.commit()
    assert consent_log(contact) == []
    assert subscribed_slugs(contact) == ALL


def test_current_subscribers_never_includes_who_opted_out(app, lists, make_org, make_contact):
    org = make_org()
    stays = make_contact(org, first_name="Ada", last_name="Blijft")
    leaves = make_contact(org, first_name="Bo", last_name="Gaat")
    no_right = make_contact(org, newsletters=False)
    services.save_contact_preferences(leaves, set())
    confirmed = Subscriber(name="Cas Extern", email="cas@extern.be",
                           confirmed_at=datetime.now(UTC))
    unconfirmed = Subscriber(name="Dirk Onbevestigd", email="dirk@extern.be")
    db.session.add_all([confirmed, unconfirmed])
    db.session.flush()
    for subscriber in (confirmed, unconfirmed):
        db.session.add(Subscription(list_id=lists["e-zine"].id, subscriber_id=subscriber.id,
                                    is_subscribed=True))
    db.session.commit()
    assert current_subscribers("e-zine") == sorted(
        [(stays.email, "Ada Blijft"), ("cas@extern.be", "Cas Extern")]
    )
    assert no_right.email not in dict(current_subscribers("nieuwsbrief"))
    with pytest.raises(PolicyError):
        current_subscribers("bestaat-niet")


def test_an_email_that_is_contact_and_subscriber_gets_one_mail(app, lists, make_org,
                                                               make_contact):
    contact = make_contact(make_org(), email="dubbel@organisatie.be")
    subscriber = Subscriber(name="Dubbel", email="dubbel@organisatie.be",
                            confirmed_at=datetime.now(UTC))
    db.session.add(subscriber)
    db.session.flush()
    db.session.add(Subscription(list_id=lists["e-zine"].id, subscriber_id=subscriber.id))
    db.session.commit()
    assert [email for email, _ in current_subscribers("e-zine")].count(contact.email) == 1


def test_every_change_logs_the_exact_text_shown(app, lists, make_org, make_contact):
    contact = make_contact(make_org())
    services.save_contact_preferences(contact, {lists["e-zine"].id})
    records = db.session.scalars(select(ConsentRecord)).all()
    assert {(r.purpose, r.action, r.channel) for r in records} == {
        ("newsletter:nieuwsbrief", "withdrawn", "web_form"),
        ("newsletter:newsflash", "withdrawn", "web_form"),
        ("newsletter:uitnodigingen", "withdrawn", "web_form"),
    }
    versions = {record.text_version for record in records}
    assert len(versions) == 1
    text = db.session.get(ConsentText, versions.pop()).text
    assert "zelf" in text  # the Dutch text the contact saw, not the English source
    assert all(record.recorded_at is not None for record in records)


def test_links_carry_a_random_secret_not_an_id(app, lists, make_org, make_contact):
    contact = make_contact(make_org())
    token = services.unsubscribe_token(Person(contact=contact), lists["e-zine"])
    db.session.commit()
    secret = db.session.scalar(select(NewsletterKey.secret))
    assert len(secret) >= 40
    # The same secret in every later mailing, so old links keep working.
    again = services.unsubscribe_token(Person(contact=contact), lists["e-zine"])
    assert services.read_link(token).person.contact.id == contact.id
    assert services.read_link(again).person.contact.id == contact.id
    assert db.session.scalars(select(NewsletterKey)).all().__len__() == 1


def test_a_subscriber_who_leaves_every_list_keeps_no_name(app, lists):
    services.sign_up("Eva Extern", "Vzw Extern", "eva@extern.be", [lists["e-zine"].id])
    subscriber = db.session.scalar(select(Subscriber))
    token = make_token(services.UNSUBSCRIBE_PURPOSE, {
        "k": services.key_of(Person(subscriber=subscriber)), "l": "e-zine"})
    db.session.commit()
    confirm = make_token(services.CONFIRM_PURPOSE, {
        "k": services.key_of(Person(subscriber=subscriber)), "l": ["e-zine"], "v": "x" * 64,
        "n": "Eva Extern", "o": "Vzw Extern"})
    services.confirm_sign_up(confirm)
    services.one_click_unsubscribe(token)
    db.session.expire_all()
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.name == "" and subscriber.organisation_name is None
    assert consent_log(subscriber=subscriber) == [
        ("newsletter:e-zine", "given", "web_form"),
        ("newsletter:e-zine", "withdrawn", "mail_link"),
    ]


def test_retention_erases_sign_ups_never_confirmed(app, lists):
    old = Subscriber(name="Oud", email="oud@extern.be",
                     created_at=datetime.now(UTC) - timedelta(days=9))
    fresh = Subscriber(name="Vers", email="vers@extern.be")
    confirmed = Subscriber(name="Bevestigd", email="ok@extern.be",
                           created_at=datetime.now(UTC) - timedelta(days=90),
                           confirmed_at=datetime.now(UTC) - timedelta(days=89))
    db.session.add_all([old, fresh, confirmed])
    db.session.commit()
    report = services.erase_unconfirmed_sign_ups(clock.today(), dry_run=True)
    assert report.count == 1 and len(db.session.scalars(select(Subscriber)).all()) == 3
    services.erase_unconfirmed_sign_ups(clock.today(), dry_run=False)
    assert set(db.session.scalars(select(Subscriber.email))) == {"vers@extern.be",
                                                                 "ok@extern.be"}


def test_staff_add_a_list_later_and_contacts_with_the_right_receive_it(app, make_org,
                                                                       make_contact):
    runner = app.test_cli_runner()
    assert "4 lists added" in runner.invoke(args=["newsletter", "ensure-lists"]).output
    assert "0 lists added" in runner.invoke(args=["newsletter", "ensure-lists"]).output
    org = make_org()
    reader = make_contact(org)
    no_right = make_contact(org, newsletters=False)
    result = runner.invoke(args=["newsletter", "add-list", "vormingen", "Vormingen",
                                 "--description", "Nieuwe vormingen."])
    assert result.exit_code == 0, result.output
    assert "vormingen" in subscribed_slugs(reader)
    assert subscribed_slugs(no_right) == set()
    assert current_subscribers("vormingen") == [(reader.email, reader.full_name)]
    again = runner.invoke(args=["newsletter", "add-list", "vormingen", "Dubbel"])
    assert again.exit_code != 0 and "bestaat al" in again.output
    bad = runner.invoke(args=["newsletter", "add-list", "Met spatie", "X"])
    assert bad.exit_code != 0


def test_lists_and_choice_in_one_statement_equal_the_two_separate_answers(
        app, lists, make_org, make_contact):
    org = make_org()
    receiving = make_contact(org, email="ontvangt@organisatie.be")
    services.save_contact_preferences(receiving, {lists["e-zine"].id, lists["newsflash"].id})
    without_right = make_contact(org, email="geen-recht@organisatie.be", newsletters=False)
    services.sign_up("Eva Extern", None, "eva@extern.be", [lists["e-zine"].id])
    unconfirmed = Person(subscriber=db.session.scalar(select(Subscriber)))
    db.session.commit()
    for person in (Person(contact=receiving), Person(contact=without_right), unconfirmed):
        combined = services.lists_and_choice(person)
        assert combined == (services.active_lists(), services.subscribed_list_ids(person))
    assert services.lists_and_choice(Person(contact=receiving))[1] == {
        lists["e-zine"].id, lists["newsflash"].id}
