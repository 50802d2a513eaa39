"""The database itself refuses data that breaks the rules."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import Contact, Organisation, User


def test_a_second_primary_contact_is_refused(make_org, make_contact):
    organisation = make_org()
    make_contact(organisation, primary=True)
    db.session.add(Contact(organisation_id=organisation.id, first_name="Tweede",
                           last_name="Primair", email="tweede@x.be", is_primary=True))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_primary_contacts_of_two_organisations_coexist(make_org, make_contact):
    make_contact(make_org(), primary=True)
    make_contact(make_org(), primary=True)
    assert db.session.scalar(select(db.func.count()).where(Contact.is_primary)) == 2


def test_the_same_email_in_another_case_is_refused(make_org, make_contact):
    organisation = make_org()
    make_contact(organisation, email="jan@voorbeeld.be")
    db.session.add(Contact(organisation_id=organisation.id, first_name="Jan", last_name="Twee",
                           email="Jan@Voorbeeld.be"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Contact(organisation_id=organisation.id, first_name="Jan", last_name="Drie",
                           email="jan@voorbeeld.be"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_login_email_is_unique_whatever_its_case(make_staff):
    make_staff("staf@sociare.be")
    db.session.add(User(email="STAF@sociare.be", is_staff=True))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_an_orphan_contact_is_refused(app):
    db.session.add(Contact(organisation_id=999_999, first_name="Wees", last_name="Kind",
                           email="wees@x.be"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_deleting_an_organisation_deletes_its_contacts_and_logins(make_org, make_contact):
    organisation = make_org()
    contact = make_contact(organisation)
    contact_id, organisation_id = contact.id, organisation.id
    db.session.execute(db.delete(Organisation).where(Organisation.id == organisation_id))
    db.session.commit()
    assert db.session.get(Contact, contact_id) is None
    assert db.session.scalar(select(User).where(User.contact_id == contact_id)) is None


def test_a_stale_organisation_update_is_refused(app, make_org):
    organisation_id = make_org().id
    other_session = db.session.session_factory()
    try:
        theirs = other_session.get(Organisation, organisation_id)
        mine = db.session.get(Organisation, organisation_id)
        theirs.name = "Hun naam"
        other_session.commit()
        mine.name = "Mijn naam"
        with pytest.raises(StaleDataError):
            db.session.commit()
    finally:
        other_session.close()
    db.session.rollback()
    assert db.session.get(Organisation, organisation_id).name == "Hun naam"
