"""The organisation page: every contact reads, only the primary contact edits, nothing half."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Organisation
from tests.roster.conftest import snapshot

URL = "/organisatie"


def _valid_form(organisation, **changes):
    data = {
        "version": str(organisation.version),
        "name": organisation.name,
        "enterprise_number": organisation.enterprise_number,
        "street": "Kerkstraat 1",
        "postal_code": "9000",
        "municipality": "Gent",
        "phone": "02 511 22 33",
        "email": organisation.email,
        "iban": "BE68 5390 0754 7034",
        "bic": "GEBABEBB",
        "employee_count": "5",
        "joint_committee": "329.01",
        "fte": "",
    }
    data.update(changes)
    return data


def _error_next_to(html: str, field: str) -> str:
    """The Dutch error text rendered for this field (its aria-describedby target)."""
    match = re.search(rf'<p class="error" id="{field}-fout">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field}"
    assert f'aria-describedby="{field}-fout"' in html or f"{field}-fout\"" in html
    return match.group(1).strip()


def test_anonymous_is_sent_to_login(client, org_a):
    response = client.get(URL)
    assert response.status_code == 302 and "/aanmelden" in response.location


def test_a_contact_reads_the_data_in_belgian_format_without_a_form(login_as, org_a,
                                                                    contact_a):
    organisation = db.session.get(Organisation, org_a.id)
    organisation.enterprise_number = "0448444064"
    db.session.commit()
    html = login_as(contact_a.user).get(URL).get_data(as_text=True)
    assert "0448.444.064" in html
    assert "BE68 5390 0754 7034" in html
    assert "02 511 22 33" in html
    assert 'name="version"' not in html and "<form method=\"post\" action=\"/organisatie\"" \
        not in html


def test_a_contact_cannot_edit(login_as, org_a, contact_a):
    before = snapshot(org_a)
    response = login_as(contact_a.user).post(URL, data=_valid_form(org_a, name="Gekaapt"))
    assert response.status_code == 403
    assert snapshot(org_a) == before


def test_staff_have_no_organisation_page(login_as, make_staff, org_a):
    assert login_as(make_staff()).get(URL).status_code == 403


def test_the_primary_contact_edits_and_the_audit_keeps_only_field_names(login_as, org_a,
                                                                         primary_a):
    client = login_as(primary_a.user)
    form_page = client.get(URL).get_data(as_text=True)
    assert 'name="version"' in form_page and "BE68 5390 0754 7034" in form_page
    response = client.post(URL, data=_valid_form(
        org_a, name="Nieuwe naam vzw", iban="BE71 0961 2345 6769", bic="",
        phone="09 233 44 55"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "De gegevens van de organisatie zijn bewaard." in html
    saved = snapshot(org_a)
    assert saved["name"] == "Nieuwe naam vzw"
    assert saved["iban"] == "BE71096123456769" and saved["bic"] == "GKCCBEBB"
    assert saved["phone"] == "+3292334455"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.updated"))
    assert event.actor_user_id == primary_a.user.id and event.target_id == org_a.id
    assert set(event.fields) == {"name", "iban", "bic", "phone"}
    assert "BE71" not in repr(event.__dict__)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("enterprise_number", "0448.444.065",
     "Dit ondernemingsnummer bestaat niet: een van de cijfers klopt niet. Controleer het "
     "nummer."),
    ("enterprise_number", "0448.444",
     "Dit is geen geldig ondernemingsnummer. Een ondernemingsnummer heeft 10 cijfers, in de "
     "vorm 0448.444.064."),
    ("fte", "9,5,5", "Geef een getal, bijvoorbeeld 9,5."),
    ("fte", "6", "Het aantal VTE kan niet hoger zijn dan het aantal werknemers: één werknemer "
     "is ten hoogste 1 VTE."),
    ("iban", "BE68 5390 0754 7035",
     "Dit is geen geldig IBAN-nummer. Controleer het nummer, bijvoorbeeld BE68 5390 0754 7034."),
    ("bic", "GEBA12",
     "Dit is geen geldige BIC. Een BIC heeft 8 of 11 tekens, bijvoorbeeld GEBABEBB."),
    ("phone", "02 123 45 67",
     "Dit is geen geldig telefoonnummer, bijvoorbeeld 02 511 22 33 of 0470 12 34 56."),
    ("email", "info@@organisatie",
     "Geef een geldig e-mailadres op, bijvoorbeeld naam@organisatie.be."),
    ("postal_code", "900",
     "Een Belgische postcode heeft 4 cijfers, bijvoorbeeld 1000."),
])
def test_one_wrong_field_shows_its_dutch_error_and_saves_nothing(
    login_as, org_a, primary_a, field, value, message
):
    before = snapshot(org_a)
    events_before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    response = login_as(primary_a.user).post(
        URL, data=_valid_form(org_a, name="Zou niet bewaard mogen worden", **{field: value}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _error_next_to(html, field) == message
    assert snapshot(org_a) == before
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events_before


def test_an_unknown_bank_asks_for_the_bic_next_to_the_field(login_as, org_a, primary_a):
    before = snapshot(org_a)
    response = login_as(primary_a.user).post(
        URL, data=_valid_form(org_a, iban="BE68 5390 0754 7034", bic=""))
    assert _error_next_to(response.get_data(as_text=True), "bic") == (
        "We kennen de BIC van deze bank niet: vul hem in.")
    assert snapshot(org_a) == before


def test_a_concurrent_edit_is_refused_and_the_current_data_are_shown(login_as, org_a,
                                                                      primary_a):
    old_version = org_a.version
    # Someone else saves first.
    organisation = db.session.get(Organisation, org_a.id)
    organisation.municipality = "Brugge"
    db.session.commit()
    response = login_as(primary_a.user).post(
        URL, data=_valid_form(org_a, version=str(old_version), municipality="Leuven"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Iemand anders wijzigde deze gegevens" in html
    assert 'value="Brugge"' in html and "Leuven" not in html
    assert snapshot(org_a)["municipality"] == "Brugge"


def test_forged_hidden_fields_cannot_reach_another_organisation(login_as, org_a, org_b,
                                                                 primary_b):
    before_a = snapshot(org_a)
    client = login_as(primary_b.user)
    assert "Organisatie A vzw" not in client.get(URL).get_data(as_text=True)
    client.post(URL, data=_valid_form(org_b, name="B hernoemd", organisation_id=str(org_a.id),
                                      id=str(org_a.id)))
    assert snapshot(org_a) == before_a
    assert snapshot(org_b)["name"] == "B hernoemd"


def test_nav_and_dashboard_lead_to_the_organisation(login_as, org_a, contact_a):
    html = login_as(contact_a.user).get("/").get_data(as_text=True)
    assert 'href="/organisatie"' in html and "Organisatie A vzw" in html
    assert 'href="/contactpersonen"' not in html
    assert 'href="/mijn-contactgegevens"' in html


@pytest.mark.parametrize("typed", ["9,5", "9.5", " 9,50 ", "9,5\u00a0"])
def test_fte_is_read_the_belgian_way_and_shown_with_a_comma(login_as, org_a, primary_a, typed):
    """A Belgian "9,5" is 9.5 FTE, never 95 (a number input in another locale dropped the
    comma and nothing noticed 95 FTE for 12 employees)."""
    client = login_as(primary_a.user)
    response = client.post(URL, data=_valid_form(org_a, employee_count="12", fte=typed),
                           follow_redirects=True)
    assert "De gegevens van de organisatie zijn bewaard." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org_a.id).fte == Decimal("9.5")
    form = client.get(URL).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="fte"[^>]*>', form).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field
    assert 'value="9,5"' in field


def test_more_fte_than_employees_is_refused_in_dutch(login_as, org_a, primary_a):
    before = snapshot(org_a)
    response = login_as(primary_a.user).post(URL, data=_valid_form(
        org_a, employee_count="12", fte="95"))
    assert _error_next_to(response.get_data(as_text=True), "fte") == (
        "Het aantal VTE kan niet hoger zijn dan het aantal werknemers: één werknemer is ten "
        "hoogste 1 VTE.")
    assert snapshot(org_a) == before
