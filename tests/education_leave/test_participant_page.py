"""The participant's personal page: consent first, then data; correction and withdrawal."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.education_leave import services
from portal.extensions import db
from portal.models import AuditEvent, ConsentRecord, Enrolment
from tests.education_leave.conftest import VALID_DATA, raw_fields


def _records(enrolment_id: int) -> list[ConsentRecord]:
    db.session.rollback()
    return list(db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.enrolment_id == enrolment_id)
        .order_by(ConsentRecord.id)
    ))


def test_the_page_explains_and_shows_an_unticked_consent_box(client, make_training,
                                                             make_enrolment, link_of):
    enrolment = make_enrolment(make_training(title="Boekhouden in een vzw"))
    response = client.get(link_of(enrolment))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Boekhouden in een vzw" in page
    assert "Waarom we je gegevens vragen" in page
    assert "vrijwillig" in page and "ten laatste 365 dagen" in page
    assert "https://www.sociare.be/privacy-policy" in page
    checkbox = re.search(r'<input[^>]*name="consent"[^>]*>', page).group(0)
    assert 'type="checkbox"' in checkbox and "checked" not in checkbox
    assert 'name="birth_date"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_a_hand_made_post_without_the_box_stores_nothing(client, make_training,
                                                         make_enrolment, link_of):
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment), data=VALID_DATA)  # no "consent" at all
    assert response.status_code == 200
    assert "zonder toestemming bewaren we niets" in response.get_data(as_text=True)
    assert raw_fields(enrolment.id) == (None, None, None, None, None)
    assert _records(enrolment.id) == []
    assert db.session.get(Enrolment, enrolment.id).consent_given_at is None


@pytest.mark.parametrize("consent", ["", "n", "0", "false"])
def test_a_false_consent_value_stores_nothing(client, make_training, make_enrolment, link_of,
                                              consent):
    enrolment = make_enrolment(make_training())
    client.post(link_of(enrolment), data={**VALID_DATA, "consent": consent})
    assert raw_fields(enrolment.id) == (None, None, None, None, None)
    assert _records(enrolment.id) == []


def test_consent_and_data_are_stored_with_a_consent_record(client, make_training,
                                                           make_enrolment, link_of):
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment), data={**VALID_DATA, "consent": "y"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Je toestemming en je gegevens zijn opgeslagen" in page
    assert "Vandenbroucke" in page and "14 maart 1985" in page
    assert raw_fields(enrolment.id)[0:3] == ("Vandenbroucke", "An", "Leuven")
    assert str(raw_fields(enrolment.id)[3]).startswith("1985-03-14")
    records = _records(enrolment.id)
    assert [(r.action, r.purpose, r.channel) for r in records] == [
        ("given", "education_leave", "personal_link")]
    assert re.fullmatch(r"[0-9a-f]{64}", records[0].text_version)
    with client.application.test_request_context():
        assert records[0].text_version == services.consent_text_version()
    assert db.session.get(Enrolment, enrolment.id).has_consent


def test_the_audit_line_names_fields_but_holds_no_values(consented):
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "education_leave.consent_given")))
    assert len(events) == 1
    assert set(events[0].fields) == {"surname", "given_name", "birthplace", "birth_date",
                                     "residence"}
    assert "Vandenbroucke" not in repr(events[0].fields) + events[0].actor_label


def test_the_participant_corrects_the_data(client, consented, link_of):
    page = client.get(link_of(consented)).get_data(as_text=True)
    assert 'value="Vandenbroucke"' in page and 'value="14/03/1985"' in page
    assert 'name="consent"' not in page  # consent stands; only the fields are shown
    response = client.post(link_of(consented),
                           data={**VALID_DATA, "residence": "2000 Antwerpen"},
                           follow_redirects=True)
    assert "Je gegevens zijn verbeterd" in response.get_data(as_text=True)
    assert raw_fields(consented.id)[4] == "2000 Antwerpen"
    assert [r.action for r in _records(consented.id)] == ["given"]  # no new consent row


@pytest.mark.parametrize("birth_date, message", [
    ("31/02/1990", "Deze datum bestaat niet"),
    ("1990-02-31", "Deze datum bestaat niet"),
    ("morgen", "Deze datum bestaat niet"),
    ((clock.today() + timedelta(days=3)).strftime("%d/%m/%Y"), "niet in de toekomst"),
    ((clock.today() - timedelta(days=200 * 365)).strftime("%d/%m/%Y"), "tussen 15 en 100"),
    ((clock.today() - timedelta(days=365 * 10)).strftime("%d/%m/%Y"), "tussen 15 en 100"),
])
def test_an_impossible_birth_date_is_refused_in_dutch(client, make_training, make_enrolment,
                                                      link_of, birth_date, message):
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment),
                           data={**VALID_DATA, "birth_date": birth_date, "consent": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-describedby="birth_date-hint birth_date-fout"' in page
    assert raw_fields(enrolment.id) == (None, None, None, None, None)
    assert _records(enrolment.id) == []


def test_a_missing_field_is_refused_and_nothing_is_stored(client, make_training,
                                                          make_enrolment, link_of):
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment),
                           data={**VALID_DATA, "birthplace": "", "consent": "y"})
    assert "Vul je geboorteplaats in." in response.get_data(as_text=True)
    assert raw_fields(enrolment.id) == (None, None, None, None, None)


def test_withdrawal_asks_for_confirmation_then_erases_at_once(client, consented, link_of):
    link = link_of(consented)
    page = client.get(link).get_data(as_text=True)
    assert link + "/intrekken" in page
    confirmation = client.get(link + "/intrekken")
    assert confirmation.status_code == 200
    assert "Wil je je toestemming intrekken?" in confirmation.get_data(as_text=True)
    assert raw_fields(consented.id)[0] == "Vandenbroucke"  # the GET changed nothing

    response = client.post(link + "/intrekken", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Je toestemming is ingetrokken en je gegevens zijn gewist" in page
    assert "Vandenbroucke" not in page
    assert raw_fields(consented.id) == (None, None, None, None, None)
    enrolment = db.session.get(Enrolment, consented.id)
    assert enrolment.consent_withdrawn_at is not None
    assert enrolment.data_erased_at is not None
    assert not enrolment.has_consent
    assert [r.action for r in _records(consented.id)] == ["given", "withdrawn"]


def test_withdrawing_without_consent_changes_nothing(client, make_training, make_enrolment,
                                                     link_of):
    enrolment = make_enrolment(make_training())
    response = client.post(link_of(enrolment) + "/intrekken")
    assert response.status_code == 302
    assert _records(enrolment.id) == []


def test_consent_can_be_given_again_after_withdrawal(client, consented, link_of):
    client.post(link_of(consented) + "/intrekken")
    page = client.get(link_of(consented)).get_data(as_text=True)
    assert "Je trok je toestemming in op" in page
    client.post(link_of(consented), data=VALID_DATA)  # box not ticked: still nothing
    assert raw_fields(consented.id) == (None, None, None, None, None)
    client.post(link_of(consented), data={**VALID_DATA, "consent": "y"})
    assert raw_fields(consented.id)[0] == "Vandenbroucke"
    assert [r.action for r in _records(consented.id)] == ["given", "withdrawn", "given"]


def test_another_participants_link_never_shows_this_data(client, consented, make_enrolment,
                                                         link_of):
    other = make_enrolment(consented.training, name="Bart Other")
    page = client.get(link_of(other)).get_data(as_text=True)
    assert "Bart Other" in page
    assert "Vandenbroucke" not in page and "Leuven" not in page
    client.post(link_of(other), data={**VALID_DATA, "surname": "Anders", "consent": "y"})
    assert raw_fields(consented.id)[0] == "Vandenbroucke"
    assert raw_fields(other.id)[0] == "Anders"


def test_an_altered_or_unknown_link_gives_a_dutch_page_and_no_data(client, consented,
                                                                   link_of):
    token = link_of(consented).rsplit("/", 1)[1]
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    for path in (f"/opleidingsverlof/{altered}", "/opleidingsverlof/onbekend",
                 f"/opleidingsverlof/{altered}/intrekken"):
        response = client.get(path)
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "Deze link werkt niet" in page and "Vandenbroucke" not in page
    response = client.post(f"/opleidingsverlof/{altered}/intrekken")
    assert response.status_code == 404
    assert raw_fields(consented.id)[0] == "Vandenbroucke"


def test_a_link_signed_for_another_purpose_is_refused(client, consented):
    from portal.tokens import make_token

    with client.application.test_request_context():
        forged = make_token("password_reset", {"e": consented.id, "n": consented.link_nonce,
                                               "x": clock.today().toordinal() + 10})
    assert client.get(f"/opleidingsverlof/{forged}").status_code == 404


def test_an_expired_link_gives_a_dutch_page(client, make_training, make_enrolment, link_of):
    training = make_training(starts_on=clock.today() - timedelta(days=200), days=10)
    enrolment = make_enrolment(training)
    old_link = link_of(enrolment, today=clock.today() - timedelta(days=200))
    response = client.get(old_link)
    assert response.status_code == 410
    assert "Deze link is verlopen" in response.get_data(as_text=True)
    response = client.post(old_link, data={**VALID_DATA, "consent": "y"})
    assert response.status_code == 410
    assert raw_fields(enrolment.id) == (None, None, None, None, None)


def test_a_link_is_valid_for_the_training_plus_a_margin(app, make_training, make_enrolment):
    training = make_training(starts_on=clock.today() + timedelta(days=30), days=20)
    enrolment = make_enrolment(training)
    with app.test_request_context():
        token = services.make_participant_token(enrolment)
        assert services.enrolment_for_token(token, today=training.ends_on).id == enrolment.id
        margin_end = training.ends_on + timedelta(days=60)
        assert services.enrolment_for_token(token, today=margin_end).id == enrolment.id
        with pytest.raises(services.InvalidToken) as error:
            services.enrolment_for_token(token, today=margin_end + timedelta(days=1))
        assert error.value.expired


def test_a_new_nonce_invalidates_old_links(client, app, make_training, make_enrolment,
                                           link_of, make_staff):
    enrolment = make_enrolment(make_training())
    old_link = link_of(enrolment)
    assert client.get(old_link).status_code == 200
    with app.test_request_context():
        services.send_new_link(make_staff(), db.session.get(Enrolment, enrolment.id))
    db.session.commit()  # the test plays the request
    db.session.expire_all()
    assert client.get(old_link).status_code == 404
    assert client.get(link_of(db.session.get(Enrolment, enrolment.id))).status_code == 200


def test_a_training_without_recognition_has_no_page(client, make_training, make_enrolment,
                                                    link_of):
    enrolment = make_enrolment(make_training(bev=False, vov=False))
    assert client.get(link_of(enrolment)).status_code == 404
    client.post(link_of(enrolment), data={**VALID_DATA, "consent": "y"})
    assert raw_fields(enrolment.id) == (None, None, None, None, None)


def test_the_participant_prints_their_own_attestation(client, consented, link_of):
    response = client.get(link_of(consented) + "/attest")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Aanwezigheidsattest" in page and "Vandenbroucke" in page and "Leuven" in page
    assert "css/attestation.css" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and 'style="' not in page


def test_no_attestation_without_data(client, make_training, make_enrolment, link_of):
    enrolment = make_enrolment(make_training())
    response = client.get(link_of(enrolment) + "/attest")
    assert response.status_code == 302


def test_without_a_csrf_token_the_post_fails(database_url, tmp_path, _schema):
    from tests.conftest import make_test_app, wipe_tables
    from tests.education_leave.conftest import build_enrolment, build_training

    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        try:
            enrolment = build_enrolment(build_training())
            with app.test_request_context():
                link = "/opleidingsverlof/" + services.make_participant_token(enrolment)
            client = app.test_client()
            response = client.post(link, data={**VALID_DATA, "consent": "y"})
            assert response.status_code == 400
            assert raw_fields(enrolment.id) == (None, None, None, None, None)
        finally:
            db.session.rollback()
            wipe_tables()
            db.session.remove()
            db.engine.dispose()
