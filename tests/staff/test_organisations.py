"""Back office: search, view with roster, create with invitation, end membership; all logged."""

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Contact, Organisation, Subscription, User
from tests.staff.conftest import VALID_ORGANISATION


def _actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_search_by_name_enterprise_number_and_contact_email(
    staff_client, make_org, make_contact
):
    client, _ = staff_client
    kunst = make_org(name="Kunstenhuis vzw", enterprise_number="0448444064")
    make_contact(kunst, primary=True, email="pia@kunstenhuis.be")
    make_org(name="Sportclub vzw")

    def names(query):
        page = client.get("/beheer/organisaties", query_string={"q": query}).get_data(
            as_text=True)
        return "Kunstenhuis vzw" in page, "Sportclub vzw" in page

    assert names("kunsten") == (True, False)
    assert names("0448.444.064") == (True, False)
    assert names("pia@kunstenhuis.be") == (True, False)
    assert names("bestaat-niet") == (False, False)
    assert "staff.searched_organisations" in _actions()


def test_the_organisation_page_shows_the_roster_and_is_logged(
    staff_client, make_org, make_contact
):
    client, staff = staff_client
    organisation = make_org(name="Kunstenhuis vzw")
    make_contact(organisation, primary=True, first_name="Pia", last_name="Peeters")
    make_contact(organisation, first_name="Koen", last_name="Claes")
    response = client.get(f"/beheer/organisaties/{organisation.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pia Peeters" in page and "Koen Claes" in page and "primaire contactpersoon" in page
    assert "BE68 5390 0754 7034" in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "staff.viewed_organisation"))
    assert event.actor_user_id == staff.id and event.organisation_id == organisation.id


def test_staff_view_of_a_persons_data_is_logged_and_scoped(
    staff_client, make_org, make_contact
):
    client, staff = staff_client
    organisation, other = make_org(), make_org()
    contact = make_contact(organisation, first_name="Pia", last_name="Peeters")
    url = f"/beheer/organisaties/{organisation.id}/contactpersonen/{contact.id}/gegevens"
    page = client.get(url).get_data(as_text=True)
    assert "Alle gegevens van Pia Peeters" in page and contact.email in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "staff.viewed_personal_data"))
    assert (event.target_type, event.target_id) == ("contacts", contact.id)
    wrong = f"/beheer/organisaties/{other.id}/contactpersonen/{contact.id}/gegevens"
    assert client.get(wrong).status_code == 404
    assert client.get("/beheer/organisaties/999999").status_code == 404


def test_creating_an_organisation_invites_its_primary_contact(staff_client, outbox):
    from portal.demo import ensure_newsletter_lists

    ensure_newsletter_lists()
    db.session.commit()
    client, staff = staff_client
    response = client.post("/beheer/organisaties/nieuw", data=VALID_ORGANISATION)
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(
        Organisation.name == "Nieuwe Kunst vzw"))
    assert organisation.enterprise_number == "0202239951"
    assert organisation.iban == "BE68539007547034" and organisation.phone == "+3225112233"
    contact = organisation.contacts[0]
    assert contact.is_primary and contact.email == "nele@nieuwekunst.be"
    assert contact.has_website_right
    assert db.session.scalar(select(User).where(User.contact_id == contact.id)) is not None
    assert db.session.scalar(select(Subscription).where(Subscription.contact_id == contact.id))
    assert [message.recipients for message in outbox] == [["nele@nieuwekunst.be"]]
    assert "/uitnodiging/" in outbox[0].body
    assert "organisation.created" in _actions()


def test_bad_input_gets_dutch_errors_and_changes_nothing(staff_client, make_org, make_contact):
    client, _ = staff_client
    existing = make_contact(make_org(), email="bezet@voorbeeld.be")
    data = dict(VALID_ORGANISATION, enterprise_number="0123.456.789", iban="BE00 0000",
                postal_code="12")
    page = client.post("/beheer/organisaties/nieuw", data=data).get_data(as_text=True)
    assert "Dit ondernemingsnummer bestaat niet" in page
    assert "Dit is geen geldig IBAN-nummer" in page
    assert "4 cijfers" in page
    data = dict(VALID_ORGANISATION, contact_email=existing.email)
    page = client.post("/beheer/organisaties/nieuw", data=data).get_data(as_text=True)
    assert "al in gebruik" in page
    assert db.session.scalar(select(Organisation).where(
        Organisation.name == "Nieuwe Kunst vzw")) is None
    assert db.session.scalar(select(Contact).where(
        Contact.email == "nele@nieuwekunst.be")) is None


def test_ending_a_membership_records_the_date(staff_client, make_org):
    client, _ = staff_client
    organisation = make_org(membership_started_on=date(2020, 1, 1))
    url = f"/beheer/organisaties/{organisation.id}/lidmaatschap-beeindigen"
    page = client.post(url, data={"ended_on": "2019-12-31"}).get_data(as_text=True)
    assert "kan niet eindigen voor het begon" in page
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).membership_ended_on is None
    response = client.post(url, data={"ended_on": "2026-03-31"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).membership_ended_on == date(2026, 3, 31)
    assert "organisation.membership_ended" in _actions()


def test_staff_create_command_makes_a_staff_login_and_mails_an_invitation(app, outbox):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "Nieuw@Sociare.be", "--name", "Nina Nieuw"])
    assert result.exit_code == 0, result.output
    assert "aangemaakt" in result.output
    user = db.session.scalar(select(User).where(User.email == "nieuw@sociare.be"))
    assert user.is_staff and user.display_name == "Nina Nieuw" and user.password_hash is None
    assert [message.recipients for message in outbox] == [["nieuw@sociare.be"]]
    again = runner.invoke(args=["staff", "create", "nieuw@sociare.be", "--name", "X"])
    assert again.exit_code != 0 and "al in gebruik" in again.output
    bad = runner.invoke(args=["staff", "create", "geen-adres", "--name", "X"])
    assert bad.exit_code != 0 and "geen geldig e-mailadres" in bad.output
