"""Staff pages: trainings, enrolment with the link mail, statuses, exports, attestations."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import AttestationDelivery, AuditEvent, Enrolment, Training
from tests.education_leave.conftest import VALID_DATA, raw_fields

STAFF_GET_PATHS = (
    "/beheer/opleidingen",
    "/beheer/opleidingen/nieuw",
    "/beheer/opleidingen/{t}",
    "/beheer/opleidingen/{t}/inschrijven",
    "/beheer/opleidingen/{t}/export.csv",
    "/beheer/opleidingen/{t}/deelnemers/{e}/attest",
)
STAFF_POST_PATHS = (
    "/beheer/opleidingen/nieuw",
    "/beheer/opleidingen/{t}/inschrijven",
    "/beheer/opleidingen/{t}/deelnemers/{e}/nieuwe-link",
    "/beheer/opleidingen/{t}/attesten/geleverd",
)


@pytest.fixture
def training_with_enrolment(consented):
    return consented.training_id, consented.id


def _paths(paths, ids):
    return [path.format(t=ids[0], e=ids[1]) for path in paths]


def test_anonymous_visitors_are_sent_to_login(client, training_with_enrolment):
    for path in _paths(STAFF_GET_PATHS, training_with_enrolment):
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    for path in _paths(STAFF_POST_PATHS, training_with_enrolment):
        assert client.post(path).status_code == 302


def test_contacts_get_403_even_the_participant(login_as, make_org, make_contact,
                                               training_with_enrolment):
    client = login_as(make_contact(make_org(), primary=True).user)
    for path in _paths(STAFF_GET_PATHS, training_with_enrolment):
        assert client.get(path).status_code == 403, path
    for path in _paths(STAFF_POST_PATHS, training_with_enrolment):
        assert client.post(path).status_code == 403, path


def test_unknown_training_or_enrolment_gives_404(login_as, make_staff, make_training,
                                                 training_with_enrolment):
    client = login_as(make_staff())
    training_id, enrolment_id = training_with_enrolment
    other = make_training(title="Andere opleiding")
    assert client.get("/beheer/opleidingen/999999").status_code == 404
    # an enrolment of another training is not reachable through this training's URL
    assert client.get(f"/beheer/opleidingen/{other.id}/deelnemers/{enrolment_id}/attest"
                      ).status_code == 404
    assert client.post(f"/beheer/opleidingen/{other.id}/deelnemers/{enrolment_id}/nieuwe-link"
                       ).status_code == 404


def test_staff_create_a_training_with_periods(login_as, make_staff):
    client = login_as(make_staff())
    assert "Opleidingen" in client.get("/beheer/opleidingen").get_data(as_text=True)
    response = client.post("/beheer/opleidingen/nieuw", data={
        "title": "Leidinggeven in de sector", "starts_on": "2027-03-01",
        "ends_on": "2027-04-30", "hours": "40", "is_bev_recognised": "y",
        "periods": "01/03/2027 - 05/03/2027\n26/04/2027 - 30/04/2027",
    })
    assert response.status_code == 302
    training = db.session.scalar(select(Training))
    assert training.title == "Leidinggeven in de sector"
    assert training.is_bev_recognised and not training.is_vov_recognised
    assert [(p.starts_on, p.ends_on) for p in training.periods] == [
        (date(2027, 3, 1), date(2027, 3, 5)), (date(2027, 4, 26), date(2027, 4, 30))]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leidinggeven in de sector" in page and "betaald educatief verlof (BEV)" in page


@pytest.mark.parametrize("changes, message", [
    ({"ends_on": "2027-02-01"}, "De laatste dag kan niet voor de eerste dag liggen."),
    ({"periods": "01/03/2027 - 31/02/2027"}, "Deze regel is geen periode"),
    ({"periods": "01/01/2027 - 05/01/2027"}, "Elke periode moet binnen de data"),
    ({"title": ""}, "Vul de titel van de opleiding in."),
    ({"starts_on": "2027-02-31"}, "Ongeldige datum."),
])
def test_bad_training_input_is_refused_in_dutch(login_as, make_staff, changes, message):
    client = login_as(make_staff())
    data = {"title": "Titel", "starts_on": "2027-03-01", "ends_on": "2027-04-30",
            "is_vov_recognised": "y", "periods": "", **changes}
    response = client.post("/beheer/opleidingen/nieuw", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Training.id))) == 0


def test_enrolling_a_contact_mails_the_personal_link(login_as, make_staff, make_org,
                                                     make_contact, make_training, outbox,
                                                     client):
    contact = make_contact(make_org(name="Jeugdhuis vzw"), first_name="Lies",
                           last_name="Maes", email="lies@jeugdhuis.be")
    training = make_training(title="Loonbeleid")
    staff_client = login_as(make_staff())
    response = staff_client.post(f"/beheer/opleidingen/{training.id}/inschrijven", data={
        "participant_type": "contact", "email": "Lies@Jeugdhuis.be"})
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    assert (enrolment.contact_id, enrolment.participant_name, enrolment.organisation_name) == (
        contact.id, "Lies Maes", "Jeugdhuis vzw")
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.recipients == ["lies@jeugdhuis.be"]
    assert "Opleidingsverlof voor de opleiding Loonbeleid" == mail.subject
    link = re.search(r"http://localhost(/opleidingsverlof/\S+)", mail.body).group(1)
    staff_client.post("/afmelden")
    page = client.get(link).get_data(as_text=True)
    assert "Dag Lies Maes" in page and "Loonbeleid" in page


def test_enrolling_an_outside_person(login_as, make_staff, make_training, outbox):
    training = make_training()
    client = login_as(make_staff())
    client.post(f"/beheer/opleidingen/{training.id}/inschrijven", data={
        "participant_type": "outside", "email": "els@elders.be", "name": "Els Elders",
        "organisation_name": "Elders vzw"})
    enrolment = db.session.scalar(select(Enrolment))
    assert (enrolment.contact_id, enrolment.participant_name) == (None, "Els Elders")
    assert [m.recipients for m in outbox] == [["els@elders.be"]]


@pytest.mark.parametrize("data, message", [
    ({"participant_type": "contact", "email": "niemand@nergens.be"},
     "Geen enkele contactpersoon heeft dit e-mailadres."),
    ({"participant_type": "outside", "email": "els@elders.be"},
     "Vul de naam van de deelnemer in."),
    ({"participant_type": "outside", "email": "geen-adres", "name": "X"},
     "Geef een geldig e-mailadres op"),
])
def test_bad_enrolment_input_is_refused(login_as, make_staff, make_training, outbox, data,
                                        message):
    training = make_training()
    response = login_as(make_staff()).post(
        f"/beheer/opleidingen/{training.id}/inschrijven", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0
    assert outbox == []


def test_a_person_is_enrolled_once(login_as, make_staff, make_training, make_enrolment):
    training = make_training()
    make_enrolment(training, email="els@elders.be")
    response = login_as(make_staff()).post(
        f"/beheer/opleidingen/{training.id}/inschrijven",
        data={"participant_type": "outside", "email": "els@elders.be", "name": "Els"})
    assert "al ingeschreven" in response.get_data(as_text=True)


def test_no_mail_for_a_training_without_recognition(login_as, make_staff, make_training,
                                                    outbox):
    training = make_training(bev=False, vov=False)
    login_as(make_staff()).post(f"/beheer/opleidingen/{training.id}/inschrijven", data={
        "participant_type": "outside", "email": "els@elders.be", "name": "Els Elders"})
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
    assert outbox == []


def test_staff_see_the_three_statuses(login_as, make_staff, client, consented,
                                      make_enrolment, link_of):
    training = consented.training
    make_enrolment(training, name="Zonder Toestemming")
    withdrawn = make_enrolment(training, name="Ingetrokken Persoon")
    client.post(link_of(withdrawn), data={**VALID_DATA, "consent": "y"})
    client.post(link_of(withdrawn) + "/intrekken")
    page = login_as(make_staff()).get(f"/beheer/opleidingen/{training.id}").get_data(
        as_text=True)
    participants = page.split('id="attesten"')[0]
    rows = {name: row for row in re.findall(r"<tr>.*?</tr>", participants, re.S)
            for name in ("An Peeters", "Zonder Toestemming", "Ingetrokken Persoon")
            if name in row}
    assert '<span class="badge">toestemming</span>' in rows["An Peeters"]
    assert "geen toestemming" in rows["Zonder Toestemming"]
    assert "ingetrokken" in rows["Ingetrokken Persoon"]
    assert "Vandenbroucke" not in page  # the overview shows no leave data


def _export(client, training_id):
    response = client.get(f"/beheer/opleidingen/{training_id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_export_holds_only_consenting_participants(login_as, make_staff, client,
                                                       consented, make_enrolment, link_of):
    training = consented.training
    make_enrolment(training, name="Zonder Toestemming")
    withdrawn = make_enrolment(training, name="Ingetrokken Persoon")
    client.post(link_of(withdrawn), data={**VALID_DATA, "surname": "Weg", "consent": "y"})
    client.post(link_of(withdrawn) + "/intrekken")
    rows = _export(login_as(make_staff()), training.id)
    assert rows[0][:2] == ["Opleiding", "Deelnemer"]
    assert [row[1] for row in rows[1:]] == ["An Peeters"]
    assert rows[1][4:9] == ["Vandenbroucke", "An", "Leuven", "14/03/1985", "9000 Gent"]
    flat = ";".join(";".join(row) for row in rows)
    assert "Weg" not in flat and "Zonder Toestemming" not in flat


def test_the_export_neutralises_formulas(login_as, make_staff, client, make_training,
                                         make_enrolment, link_of):
    enrolment = make_enrolment(make_training(title="=HYPERLINK(\"x\")"), name="@Piet")
    client.post(link_of(enrolment), data={**VALID_DATA, "surname": "-Min", "birthplace":
                                          "+Plus", "residence": "=1+1", "consent": "y"})
    rows = _export(login_as(make_staff()), enrolment.training_id)
    assert rows[1][0].startswith("'=") and rows[1][1] == "'@Piet"
    assert rows[1][4] == "'-Min" and rows[1][6] == "'+Plus" and rows[1][8] == "'=1+1"


def test_every_staff_export_and_view_is_audit_logged(login_as, make_staff, consented):
    staff = make_staff()
    client = login_as(staff)
    _export(client, consented.training_id)
    page = client.get(f"/beheer/opleidingen/{consented.training_id}/deelnemers/"
                      f"{consented.id}/attest").get_data(as_text=True)
    assert "Aanwezigheidsattest" in page and "Vandenbroucke" in page and "Leuven" in page
    events = {e.action: e for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_user_id == staff.id))}
    assert {"education_leave.exported", "education_leave.attestation_viewed"} <= set(events)
    for event in events.values():
        assert "birth_date" in event.fields
        assert "Vandenbroucke" not in repr(event.fields)


def test_no_attestation_for_a_participant_without_consent(login_as, make_staff,
                                                          make_training, make_enrolment):
    enrolment = make_enrolment(make_training())
    client = login_as(make_staff())
    response = client.get(f"/beheer/opleidingen/{enrolment.training_id}/deelnemers/"
                          f"{enrolment.id}/attest", follow_redirects=True)
    assert "Er zijn geen gegevens voor opleidingsverlof" in response.get_data(as_text=True)


def test_staff_mail_a_new_link(login_as, make_staff, make_training, make_enrolment, outbox,
                               link_of, client):
    enrolment = make_enrolment(make_training())
    old_link = link_of(enrolment)
    staff_client = login_as(make_staff())
    staff_client.post(f"/beheer/opleidingen/{enrolment.training_id}/deelnemers/"
                      f"{enrolment.id}/nieuwe-link")
    assert len(outbox) == 1
    staff_client.post("/afmelden")
    assert client.get(old_link).status_code == 404
    new_link = re.search(r"http://localhost(/opleidingsverlof/\S+)", outbox[0].body).group(1)
    assert client.get(new_link).status_code == 200


def test_attestation_deadlines_due_overdue_delivered(login_as, make_staff, client,
                                                     make_training, make_enrolment, link_of):
    today = clock.today()
    start = today - timedelta(days=25)
    training = make_training(starts_on=start, days=30, periods=[
        (start, start + timedelta(days=4)),           # ended 21 days ago: overdue
        (today - timedelta(days=3), today - timedelta(days=1)),  # ended yesterday: due
        (today + timedelta(days=2), today + timedelta(days=5)),  # later
    ])
    enrolment = make_enrolment(training)
    make_enrolment(training, name="Zonder Toestemming")  # no attestations without consent
    client.post(link_of(enrolment), data={**VALID_DATA, "consent": "y"})
    staff_client = login_as(make_staff())
    page = staff_client.get(f"/beheer/opleidingen/{training.id}").get_data(as_text=True)
    section = page.split('id="attesten"')[1]
    statuses = re.findall(r'class="badge status-(\w+)"', section)
    # BEV enrolment attestation: start + 20 days is past -> overdue; then the three periods
    assert statuses == ["overdue", "overdue", "due", "upcoming"]
    assert "Zonder Toestemming" not in section

    period = training.periods[0]
    response = staff_client.post(f"/beheer/opleidingen/{training.id}/attesten/geleverd", data={
        "enrolment_id": enrolment.id, "kind": "attendance", "period_id": period.id})
    assert response.status_code == 302
    staff_client.post(f"/beheer/opleidingen/{training.id}/attesten/geleverd", data={
        "enrolment_id": enrolment.id, "kind": "attendance", "period_id": period.id})
    assert db.session.scalar(select(func.count(AttestationDelivery.id))) == 1
    page = staff_client.get(f"/beheer/opleidingen/{training.id}").get_data(as_text=True)
    statuses = re.findall(r'class="badge status-(\w+)"', page.split('id="attesten"')[1])
    assert statuses == ["overdue", "delivered", "due", "upcoming"]


def test_marking_a_nonexistent_attestation_is_refused(login_as, make_staff, consented,
                                                      make_training):
    other = make_training(title="Andere")
    client = login_as(make_staff())
    response = client.post(f"/beheer/opleidingen/{other.id}/attesten/geleverd", data={
        "enrolment_id": consented.id, "kind": "enrolment"}, follow_redirects=True)
    assert "Dit attest bestaat niet." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AttestationDelivery.id))) == 0


def test_the_overview_and_menu_for_staff(login_as, make_staff, make_training):
    make_training(title="Eerste opleiding")
    page = login_as(make_staff()).get("/beheer/opleidingen").get_data(as_text=True)
    assert "Eerste opleiding" in page
    assert 'href="/beheer/opleidingen"' in page  # menu item


def test_the_data_are_not_touched_by_staff_views(login_as, make_staff, consented):
    login_as(make_staff()).get(f"/beheer/opleidingen/{consented.training_id}")
    assert raw_fields(consented.id)[0] == "Vandenbroucke"
