"""Organisation data: normalised on save, refused whole when wrong, never a lost update."""

from decimal import Decimal

import pytest

from portal.errors import PolicyError, StaleDataError
from portal.extensions import db
from portal.models import AuditEvent, Organisation
from portal.organisation.services import update_organisation


def _data(**changes):
    data = dict(name="Nieuwe Naam vzw", enterprise_number="0448.444.064", street="Kerkstraat 2",
                postal_code="2000", municipality="Antwerpen", phone="02 511 22 33",
                email="Info@Nieuw.be", iban="BE71 0961 2345 6769", bic="",
                employee_count=7, joint_committee="329.01", fte=Decimal("5.5"))
    data.update(changes)
    return data


def test_saving_normalises_and_records_changed_field_names(make_org, make_contact):
    organisation = make_org()
    actor = make_contact(organisation, primary=True).user
    changed = update_organisation(organisation.id, actor, _data(), organisation.version)
    saved = db.session.get(Organisation, organisation.id)
    assert saved.enterprise_number == "0448444064"
    assert saved.phone == "+3225112233"
    assert saved.iban == "BE71096123456769"
    assert saved.bic == "GKCCBEBB"  # suggested from the Belgian IBAN
    assert saved.email == "info@nieuw.be"
    assert "iban" in changed and "name" in changed
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "organisation.updated"))
    assert set(event.fields) == set(changed)
    assert "BE71" not in str(event.fields)


def test_unknown_bank_needs_a_bic(make_org, make_contact):
    organisation = make_org()
    actor = make_contact(organisation, primary=True).user
    with pytest.raises(PolicyError) as refused:
        update_organisation(organisation.id, actor, _data(iban="BE68 5390 0754 7034"),
                            organisation.version)
    assert refused.value.field == "bic"
    assert db.session.get(Organisation, organisation.id).iban == "BE68539007547034"  # unchanged


def test_an_enterprise_number_of_another_member_is_refused(make_org, make_contact):
    make_org(enterprise_number="0448444064")
    organisation = make_org()
    actor = make_contact(organisation, primary=True).user
    before = organisation.enterprise_number
    with pytest.raises(PolicyError) as refused:
        update_organisation(organisation.id, actor, _data(), organisation.version)
    assert refused.value.field == "enterprise_number"
    assert db.session.get(Organisation, organisation.id).enterprise_number == before


def test_a_save_from_an_old_version_is_refused(make_org, make_contact):
    organisation = make_org()
    actor = make_contact(organisation, primary=True).user
    first_version = organisation.version
    update_organisation(organisation.id, actor, _data(name="Eerste vzw"), first_version)
    with pytest.raises(StaleDataError) as refused:
        update_organisation(organisation.id, actor, _data(name="Tweede vzw"), first_version)
    assert "veranderde" in refused.value.message or "wijzigde" in refused.value.message
    assert db.session.get(Organisation, organisation.id).name == "Eerste vzw"
