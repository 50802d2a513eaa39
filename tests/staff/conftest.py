"""Fixtures of the back-office tests."""

import pytest

from tests.privacy.conftest import make_breach  # noqa: F401 - shared fixture

VALID_ORGANISATION = {
    "name": "Nieuwe Kunst vzw",
    "enterprise_number": "0202.239.951",
    "street": "Kerkstraat 5",
    "postal_code": "9000",
    "municipality": "Gent",
    "phone": "02 511 22 33",
    "email": "info@nieuwekunst.be",
    "iban": "BE68 5390 0754 7034",
    "bic": "GEBABEBB",
    "employee_count": "4",
    "joint_committee": "329.01",
    "fte": "3.5",
    "membership_started_on": "2026-01-01",
    "contact_first_name": "Nele",
    "contact_last_name": "Nieuwland",
    "contact_email": "Nele@NieuweKunst.be",
    "contact_phone": "0470 12 34 56",
    "contact_function": "Directeur",
}


@pytest.fixture
def staff_client(login_as, make_staff):
    staff = make_staff()
    return login_as(staff), staff
