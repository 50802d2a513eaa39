"""Mijn gegevens: every piece of the person's data, nothing of anyone else, no secrets."""

import json

from sqlalchemy import ForeignKey  # noqa: F401 - documents what the walk looks for

from portal.extensions import db
from portal.models import EDUCATION_LEAVE_FIELDS
from portal.privacy.services import COVERED_TABLES, EXCLUDED_TABLES
from tests.privacy.conftest import fill_person

# A column "refers to a person" when it points at a person's row or holds an address.
PERSON_TABLES = {"contacts", "users", "subscribers", "enrolments"}
PERSON_COLUMN_NAMES = {"email", "recipient", "contact_id", "user_id", "subscriber_id",
                       "enrolment_id", *EDUCATION_LEAVE_FIELDS}
PERSON_COLUMN_SUFFIXES = ("_email", "_contact_id", "_user_id", "_subscriber_id",
                          "_enrolment_id", "_name")


def _person_columns(table) -> list[str]:
    found = []
    for column in table.columns:
        points_at_person = any(fk.column.table.name in PERSON_TABLES for fk in column.foreign_keys)
        named_like_person = column.name in PERSON_COLUMN_NAMES or (
            column.name.endswith(PERSON_COLUMN_SUFFIXES)
            and column.name not in ("organisation_name",))
        if points_at_person or named_like_person:
            found.append(column.name)
    return found


def test_every_table_with_personal_data_is_exported_or_explicitly_excluded(app):
    forgotten = {
        table.name: _person_columns(table)
        for table in db.metadata.sorted_tables
        if (_person_columns(table) or table.name in PERSON_TABLES)
        and table.name not in COVERED_TABLES and table.name not in EXCLUDED_TABLES
    }
    assert forgotten == {}, (
        "These tables hold data about a person but the my-data export ignores them; add them "
        "to portal/privacy/services.py (COVERED_TABLES and collect_personal_data) or, with a "
        f"comment why, to EXCLUDED_TABLES: {forgotten}"
    )
    assert not set(COVERED_TABLES) & set(EXCLUDED_TABLES)
    # Exclusions may name tables of flows not merged yet; exported tables must exist.
    assert set(COVERED_TABLES) <= {t.name for t in db.metadata.sorted_tables}


def test_the_walk_would_notice_a_new_table_with_a_contact_column(app):
    from sqlalchemy import Column, Integer, MetaData, Table

    metadata = MetaData()
    Table("contacts", metadata, Column("id", Integer, primary_key=True))
    table = Table("notes", metadata, Column("id", Integer, primary_key=True),
                  Column("contact_id", Integer, ForeignKey("contacts.id")))
    assert _person_columns(table) == ["contact_id"]
    assert "notes" not in COVERED_TABLES and "notes" not in EXCLUDED_TABLES


def _download(client) -> tuple[dict, str]:
    response = client.get("/mijn-gegevens/download")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    return json.loads(text), text


def test_the_json_holds_every_piece_of_the_persons_data_and_nothing_of_anyone_else(
    app, client, login_as, make_org, make_contact, shared_things
):
    training, campaign = shared_things
    alfa = make_contact(make_org(), primary=True, first_name="Alfons", last_name="Alfaert",
                        function="Coördinator")
    bravo = make_contact(make_org(), primary=True, first_name="Bruno", last_name="Bravoort",
                         function="Boekhouder", phone="+32471999888")
    mine = fill_person(alfa, "alfa", training, campaign, other_contact=bravo)
    theirs = fill_person(bravo, "bravo", training, campaign, other_contact=alfa)

    data, text = _download(login_as(alfa.user))

    for key in ("email", "first_name", "last_name", "phone", "function", "subscriber",
                "subscriber_org", "participant", "confirmed_by", "action", "mail"):
        assert mine[key] in text, f"{key} missing from the export"
    for value in mine["consents"] + mine["leave"]:
        assert value in text
    for key in ("email", "first_name", "last_name", "phone", "subscriber", "participant",
                "confirmed_by", "action", "mail"):
        assert theirs[key] not in text, f"{key} of somebody else in the export"
    for value in theirs["consents"] + theirs["leave"]:
        assert value not in text
    for secret in mine["secrets"]:
        assert secret not in text, "a secret value is in the export"
    assert "password" not in text.lower() or "wachtwoord laatst gewijzigd" in text.lower()

    purposes = {part["doel"]: part for part in data["onderdelen"]}
    assert purposes["Contactgegevens"]["rechtsgrond"].startswith("Gerechtvaardigd belang")
    assert purposes["Opleidingsverlofgegevens"]["rechtsgrond"].startswith("Je uitdrukkelijke")
    assert purposes["Inschrijvingen op het openbare nieuwsbriefformulier"]["rechtsgrond"] \
        .startswith("Je toestemming")
    assert len(purposes["Toestemmingen"]["gegevens"]) == 3


def test_the_page_shows_the_same_data_grouped_by_purpose_in_dutch(
    client, login_as, make_org, make_contact, shared_things
):
    training, campaign = shared_things
    alfa = make_contact(make_org(), first_name="Alfons")
    bravo = make_contact(make_org(), first_name="Bruno")
    mine = fill_person(alfa, "alfa", training, campaign, other_contact=bravo)
    page = login_as(alfa.user).get("/mijn-gegevens").get_data(as_text=True)
    assert "<h1>Mijn gegevens</h1>" in page
    for heading in ("Contactgegevens", "Toegangsrechten", "Toestemmingen",
                    "Opleidingsverlofgegevens", "Rechtsgrond"):
        assert heading in page
    assert mine["leave"][0] in page and mine["subscriber"] in page
    assert "Bruno" not in page
    assert "TOTPSECRET" not in page and "nonce-alfa" not in page


def test_downloading_is_recorded_in_the_audit_log(client, login_as, make_org, make_contact):
    from portal.models import AuditEvent

    contact = make_contact(make_org())
    login_as(contact.user).get("/mijn-gegevens/download")
    actions = [event.action for event in db.session.query(AuditEvent)]
    assert "personal_data.downloaded" in actions


def test_staff_see_their_own_login_data(client, login_as, make_staff):
    staff = make_staff(email="mona@sociare.be")
    data, text = _download(login_as(staff))
    assert "mona@sociare.be" in text
    assert staff.password_hash not in text
    page = client.get("/mijn-gegevens").get_data(as_text=True)
    assert "Je aanmelding" in page


def test_anonymous_visitors_must_log_in_for_my_data(client):
    for path in ("/mijn-gegevens", "/mijn-gegevens/download"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/aanmelden")


def test_the_public_privacy_page_explains_and_links_the_policy(client, app):
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert app.config["PRIVACY_POLICY_URL"] in page
    for words in ("Gerechtvaardigd belang", "toestemming", "vijf jaar", "72 uur"):
        assert words in page


def test_a_long_activity_log_is_shortened_on_the_page_but_complete_in_the_download(
    client, login_as, make_staff
):
    from portal.models import AuditEvent

    staff = make_staff()
    for number in range(150):
        db.session.add(AuditEvent(actor_user_id=staff.id, actor_label=f"medewerker #{staff.id}",
                                  action=f"test.event{number:03d}", fields=[]))
    db.session.commit()
    client = login_as(staff)
    page = client.get("/mijn-gegevens").get_data(as_text=True)
    assert "Hier staan de 100 meest recente van 150" in page
    assert "test.event149" in page and "test.event049" not in page
    data, text = _download(client)
    assert "test.event000" in text and "test.event149" in text
