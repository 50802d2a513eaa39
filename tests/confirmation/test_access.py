"""Who may see and use the flow and the staff pages: nobody but the right person."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Confirmation, Contact

FLOW_GET = ("/bevestiging", "/bevestiging/organisatie", "/bevestiging/contactpersonen",
            "/bevestiging/contactpersonen/{contact}",
            "/bevestiging/contactpersonen/{contact}/wijzigen",
            "/bevestiging/contactpersonen/{contact}/verwijderen", "/bevestiging/bevestigen")
FLOW_POST = ("/bevestiging/organisatie", "/bevestiging/contactpersonen/{contact}/nog-juist",
             "/bevestiging/contactpersonen/{contact}/wijzigen",
             "/bevestiging/contactpersonen/{contact}/verwijderen", "/bevestiging/bevestigen")
STAFF_GET = ("/beheer/campagnes", "/beheer/campagnes/{campaign}",
             "/beheer/campagnes/{campaign}/export.csv")


def _urls(templates, **values):
    return [template.format(**values) for template in templates]


@pytest.fixture
def setting(app, member, other_member, open_campaign):
    campaign = open_campaign()
    return {"contact": member.contact.id, "campaign": campaign.id}


def test_anonymous_visitors_are_sent_to_the_login(client, setting):
    for url in _urls(FLOW_GET + STAFF_GET, **setting):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/aanmelden" in response.headers["Location"], url
    for url in _urls(FLOW_POST, **setting) + ["/beheer/campagnes"]:
        assert "/aanmelden" in client.post(url).headers["Location"], url


def test_an_ordinary_contact_cannot_see_or_confirm_the_flow(setting, member, login_as):
    client = login_as(member.contact.user)
    for url in _urls(FLOW_GET, **setting):
        assert client.get(url).status_code == 403, url
    for url in _urls(FLOW_POST, **setting):
        assert client.post(url, data={"agree": "y"}).status_code == 403, url
    for url in _urls(STAFF_GET, **setting):
        assert client.get(url).status_code == 403, url
    db.session.rollback()
    assert db.session.get(Contact, member.contact.id) is not None
    confirmation = db.session.scalar(select(Confirmation).where(
        Confirmation.organisation_id == member.organisation.id))
    assert confirmation.confirmed_at is None and confirmation.progress == {}

    # The dashboard shows the status, without the link into the flow or the menu item.
    page = client.get("/").get_data(as_text=True)
    assert "nog niet bevestigd" in page
    assert 'href="/bevestiging"' not in page


def test_staff_get_403_on_the_flow(setting, make_staff, login_as):
    client = login_as(make_staff())
    for url in _urls(FLOW_GET, **setting):
        assert client.get(url).status_code == 403, url
    for url in _urls(FLOW_POST, **setting):
        assert client.post(url).status_code == 403, url


def test_another_organisation_never_reaches_these_contacts(setting, member, other_member,
                                                           login_as):
    client = login_as(other_member.primary.user)
    for url in _urls(FLOW_GET[3:6], contact=member.contact.id):
        assert client.get(url).status_code == 404, url
    for url in _urls(FLOW_POST[1:4], contact=member.contact.id):
        assert client.post(url, data={"first_name": "X"}).status_code == 404, url
    db.session.rollback()
    assert db.session.get(Contact, member.contact.id) is not None
    confirmations = {row.organisation_id: row for row in db.session.scalars(
        select(Confirmation))}
    assert confirmations[member.organisation.id].progress == {}
    # Their own flow lists only their own contacts.
    page = client.get("/bevestiging/contactpersonen").get_data(as_text=True)
    assert "Koen Claes" not in page and "An Maes" in page


def test_the_menu_item_shows_for_primary_contacts_during_a_campaign(setting, member,
                                                                    login_as):
    client = login_as(member.primary.user)
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/bevestiging">Jaarlijkse bevestiging</a>' in page


def test_staff_see_the_campaigns_menu_item(setting, make_staff, login_as):
    page = login_as(make_staff()).get("/").get_data(as_text=True)
    assert '<a href="/beheer/campagnes">Campagnes</a>' in page


def test_an_unknown_campaign_is_404(setting, make_staff, login_as):
    client = login_as(make_staff())
    assert client.get("/beheer/campagnes/99999").status_code == 404
    assert client.get("/beheer/campagnes/99999/export.csv").status_code == 404


def test_changes_without_a_csrf_token_are_refused(setting, app, member, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login_as(member.primary.user)
    for url in _urls(FLOW_POST, **setting):
        assert client.post(url, data={"agree": "y"}).status_code == 400, url
    db.session.rollback()
    assert db.session.get(Contact, member.contact.id) is not None
    confirmation = db.session.scalar(select(Confirmation).where(
        Confirmation.organisation_id == member.organisation.id))
    assert confirmation.progress == {} and confirmation.confirmed_at is None
