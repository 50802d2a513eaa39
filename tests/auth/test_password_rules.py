"""NIST SP 800-63B rev. 4 password rules, with Dutch reasons and a passphrase suggestion."""

import pytest

from portal.auth import passwords
from portal.auth.words import WORDS
from tests.auth.conftest import link_from


@pytest.fixture
def invited(client, make_org, make_contact, outbox):
    """An invited contact (Jan Vermeulen of Zonnebloem vzw) and their invitation link."""
    organisation = make_org("Zonnebloem vzw")
    contact = make_contact(organisation, website=False, email="jan.vermeulen@zonnebloem.be",
                           first_name="Jan", last_name="Vermeulen")
    contact.has_website_right = True
    from portal.extensions import db
    from portal.signals import contact_access_changed

    contact_access_changed.send(contact, actor=None)

    db.session.commit()
    return contact, link_from(outbox[0], "uitnodiging")


def _set(client, link, password):
    response = client.post(link, data={"password": password, "password_again": password})
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize("password,reason", [
    ("kort maar fijn", "Gebruik minstens 15 tekens."),
    ("wachtwoord12345", "Dit lijkt op een vaak gebruikt wachtwoord."),
    ("aaaaaaaaaaaaaaaaaaaa", "Herhaalde tekens (zoals"),
    ("abcdefghijklmnopqrstu", "Reeksen zoals"),
    ("passwordpasswordpassword", "nauwelijks moeilijker te raden"),
    ("jan.vermeulen@zonnebloem.be", "gemaakt van je naam, e-mailadres of organisatie"),
    ("Jan Vermeulen 1975!!", "gemaakt van je naam, e-mailadres of organisatie"),
    ("zonnebloemvzw2026!", "gemaakt van je naam, e-mailadres of organisatie"),
])
def test_weak_passwords_are_refused_with_a_dutch_reason_and_a_tip(client, invited, password,
                                                                  reason):
    contact, link = invited
    response, page = _set(client, link, password)
    assert response.status_code == 200
    assert reason in page
    assert "Tip: een paar losse woorden zijn sterk en makkelijk te onthouden, bijvoorbeeld" in page
    assert contact.user.password_hash is None


@pytest.mark.parametrize("password", [
    "fietsen langs de schelde in mei",  # only lower case and spaces: no composition rules
    "zeven kleine molens draaien traag",
    "Ünïcödé wörks tôo: ✓ 雪が降る夜の静けさ",
    " ".join(WORDS)[:256],  # 256 characters
])
def test_good_passwords_are_accepted(client, invited, password):
    contact, link = invited
    assert len(password) <= 256
    response, _page = _set(client, link, password)
    assert response.status_code == 302


def test_more_than_256_characters_is_refused(client, invited):
    _contact, link = invited
    _response, page = _set(client, link, "een heel lange zin " * 14)
    assert "Gebruik hoogstens 256 tekens." in page


def test_the_password_is_normalised_nfkc(client, invited):
    # "ﬁ" (the ligature) and "fi" are the same password after NFKC normalisation.
    from tests.auth.conftest import post_login

    _contact, link = invited
    _set(client, link, "ﬁetsen langs de schelde in mei")
    client.post("/afmelden")
    response = post_login(client, "jan.vermeulen@zonnebloem.be",
                          "fietsen langs de schelde in mei")
    assert response.headers["Location"] == "/"


def test_password_fields_allow_pasting_and_password_managers(client, invited):
    _contact, link = invited
    page = client.get(link).get_data(as_text=True)
    assert 'autocomplete="new-password"' in page
    assert "onpaste" not in page and 'maxlength="1024"' in page


def test_the_suggestion_is_a_fresh_passphrase_that_passes():
    first, second = passwords.suggest_passphrase(), passwords.suggest_passphrase()
    assert first != second and len(first.split()) == 5
    assert passwords.password_problems(first) == [] or len(first) < 15
