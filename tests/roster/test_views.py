"""Roster pages: only the primary contact, only their own organisation, nothing half."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Contact, User
from tests.roster.conftest import snapshot


def _contact_form(**changes):
    data = {"first_name": "Els", "last_name": "Maes", "email": "els.maes@a.be",
            "phone": "0470 11 22 33", "function": "Boekhouder", "has_advice_right": "y",
            "has_newsletter_right": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _edit_form(contact, **changes):
    data = {"version": str(contact.version), "first_name": contact.first_name,
            "last_name": contact.last_name, "email": contact.email, "phone": "0470 12 34 56",
            "function": contact.function or "", "has_advice_right": "y",
            "has_newsletter_right": "y", "has_website_right": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _routes(contact_id: int):
    return [
        ("get", "/contactpersonen"),
        ("get", "/contactpersonen/nieuw"),
        ("post", "/contactpersonen/nieuw"),
        ("get", f"/contactpersonen/{contact_id}/bewerken"),
        ("post", f"/contactpersonen/{contact_id}/bewerken"),
        ("get", f"/contactpersonen/{contact_id}/verwijderen"),
        ("post", f"/contactpersonen/{contact_id}/verwijderen"),
        ("get", f"/contactpersonen/{contact_id}/primair"),
        ("post", f"/contactpersonen/{contact_id}/primair"),
        ("post", "/contactpersonen/overdracht/intrekken"),
    ]


def test_anonymous_visitors_are_sent_to_login(client, contact_a):
    for method, url in [*_routes(contact_a.id), ("get", "/mijn-contactgegevens")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/aanmelden" in response.location, url


def test_an_ordinary_contact_gets_403_everywhere_and_changes_nothing(login_as, contact_a,
                                                                     make_contact, org_a):
    other = make_contact(org_a)
    before = snapshot(other)
    client = login_as(contact_a.user)
    for method, url in _routes(other.id):
        data = _edit_form(other, first_name="Gekaapt") if method == "post" else None
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert snapshot(other) == before
    assert db.session.scalar(select(func.count(Contact.id))) == 3


def test_staff_get_403_on_the_roster(login_as, make_staff, contact_a):
    client = login_as(make_staff())
    for method, url in _routes(contact_a.id):
        assert getattr(client, method)(url).status_code == 403, url
    assert client.get("/mijn-contactgegevens").status_code == 403


def test_the_primary_of_another_organisation_gets_404_and_changes_nothing(
    login_as, contact_a, primary_b, outbox
):
    before = snapshot(contact_a)
    client = login_as(primary_b.user)
    for method, url in _routes(contact_a.id):
        if "/contactpersonen/" not in url or url.endswith(("nieuw", "intrekken")):
            continue
        data = _edit_form(contact_a, first_name="Gekaapt") if method == "post" else None
        assert getattr(client, method)(url, data=data).status_code == 404, url
    assert snapshot(contact_a) == before
    assert len(outbox) == 0
    # The list shows only B's own people.
    html = client.get("/contactpersonen").get_data(as_text=True).replace("<wbr>", "")
    assert "bert@b.be" in html and "karel@a.be" not in html and "anna@a.be" not in html


def test_the_list_shows_people_rights_and_reads_on_a_phone(login_as, primary_a, contact_a):
    html = login_as(primary_a.user).get("/contactpersonen").get_data(as_text=True)
    assert '<table class="responsive roster">' in html
    assert 'data-label="E-mail en telefoon"' in html and 'data-label="Rechten"' in html
    # Addresses may wrap only after "@" and before a dot.
    assert "karel@<wbr>a<wbr>.be" in html and "0470 12 34 56" in html
    assert "Karel Gewoon" in html and '<span class="tag tag-blue">primaire contactpersoon' in html
    # Rights are tags, not "ja"/"nee".
    assert html.count('<li class="tag tag-green">Adviesdienst</li>') == 2
    assert ">ja<" not in html and ">nee<" not in html


def test_adding_with_the_website_right_invites_the_person(login_as, primary_a, outbox):
    response = login_as(primary_a.user).post(
        "/contactpersonen/nieuw", data=_contact_form(has_website_right="y"),
        follow_redirects=True)
    assert "Els Maes is toegevoegd." in response.get_data(as_text=True)
    contact = db.session.scalar(select(Contact).where(Contact.email == "els.maes@a.be"))
    assert contact.organisation_id == primary_a.organisation_id and contact.has_website_right
    assert [message.recipients for message in outbox] == [["els.maes@a.be"]]
    assert "/uitnodiging/" in outbox[0].body


def test_forged_hidden_fields_do_not_choose_organisation_or_primary(login_as, primary_a,
                                                                    org_b):
    login_as(primary_a.user).post("/contactpersonen/nieuw", data=_contact_form(
        organisation_id=str(org_b.id), is_primary="y"))
    contact = db.session.scalar(select(Contact).where(Contact.email == "els.maes@a.be"))
    assert contact.organisation_id == primary_a.organisation_id
    assert contact.is_primary is False


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "els@@a", "Geef een geldig e-mailadres op, bijvoorbeeld naam@organisatie.be."),
    ("phone", "02 123 45 67",
     "Dit is geen geldig telefoonnummer, bijvoorbeeld 02 511 22 33 of 0470 12 34 56."),
    ("first_name", "", "Vul de voornaam in."),
])
def test_a_wrong_field_adds_nobody(login_as, primary_a, field, value, message):
    response = login_as(primary_a.user).post("/contactpersonen/nieuw",
                                             data=_contact_form(**{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="{field}-fout">{message}' in html
    assert db.session.scalar(select(func.count(Contact.id))) == 1


def test_an_email_already_in_use_is_refused_next_to_the_field(login_as, primary_a, contact_a):
    response = login_as(primary_a.user).post("/contactpersonen/nieuw",
                                             data=_contact_form(email="KAREL@a.be"))
    html = response.get_data(as_text=True)
    assert '<p class="error" id="email-fout">' in html
    assert db.session.scalar(select(func.count(Contact.id))) == 2


def test_editing_saves_and_returns_to_a_safe_next(login_as, primary_a, contact_a):
    client = login_as(primary_a.user)
    page = client.get(f"/contactpersonen/{contact_a.id}/bewerken?next=/bevestiging/stap-2")
    action = f'action="/contactpersonen/{contact_a.id}/bewerken?next=/bevestiging/stap-2"'
    assert action in page.get_data(as_text=True)
    response = client.post(f"/contactpersonen/{contact_a.id}/bewerken?next=/bevestiging/stap-2",
                           data=_edit_form(contact_a, function="Directeur"))
    assert response.status_code == 302 and response.location == "/bevestiging/stap-2"
    assert snapshot(contact_a)["function"] == "Directeur"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.updated"))
    assert event.fields == ["function"] and event.target_id == contact_a.id


def test_an_unsafe_next_is_ignored(login_as, primary_a, contact_a):
    response = login_as(primary_a.user).post(
        f"/contactpersonen/{contact_a.id}/bewerken?next=https://kwaad.example/",
        data=_edit_form(contact_a))
    assert response.location == "/contactpersonen"


def test_a_concurrent_contact_edit_is_refused(login_as, primary_a, contact_a):
    old_version = contact_a.version
    contact = db.session.get(Contact, contact_a.id)
    contact.function = "Voorzitter"
    db.session.commit()
    response = login_as(primary_a.user).post(
        f"/contactpersonen/{contact_a.id}/bewerken",
        data=_edit_form(contact_a, version=str(old_version), function="Penningmeester"))
    html = response.get_data(as_text=True)
    assert "Iemand anders wijzigde deze gegevens" in html and 'value="Voorzitter"' in html
    assert snapshot(contact_a)["function"] == "Voorzitter"


def test_taking_the_website_right_away_ends_the_persons_sessions(app, login_as, primary_a,
                                                                 contact_a):
    contact_client = app.test_client()
    from tests.conftest import log_in

    log_in(contact_client, contact_a.user)
    assert contact_client.get("/mijn-contactgegevens").status_code == 200
    login_as(primary_a.user).post(f"/contactpersonen/{contact_a.id}/bewerken",
                                  data=_edit_form(contact_a, has_website_right=None))
    assert snapshot(contact_a)["has_website_right"] is False
    response = contact_client.get("/mijn-contactgegevens")
    assert response.status_code == 302 and "/aanmelden" in response.location


def test_removal_asks_first_then_erases_every_trace_of_the_person(login_as, primary_a,
                                                                  outbox):
    client = login_as(primary_a.user)
    client.post("/contactpersonen/nieuw", data=_contact_form(
        first_name="Zoltan", last_name="Wegwezen", email="zoltan.wegwezen@a.be",
        phone="0499 87 65 43", function="Tijdelijke hulp", has_website_right="y"))
    contact = db.session.scalar(select(Contact).where(Contact.email == "zoltan.wegwezen@a.be"))
    assert len(outbox) == 1  # the invitation, which names the person
    contact_id = contact.id

    page = client.get(f"/contactpersonen/{contact_id}/verwijderen").get_data(as_text=True)
    assert "Zoltan Wegwezen verwijderen?" in page and "Definitief verwijderen" in page
    assert db.session.get(Contact, contact_id) is not None  # GET changes nothing

    response = client.post(f"/contactpersonen/{contact_id}/verwijderen?next=/bevestiging")
    assert response.location == "/bevestiging"
    db.session.rollback()
    traces = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            text = repr(tuple(row)).lower()
            for needle in ("zoltan", "wegwezen", "+32499876543", "tijdelijke hulp"):
                if needle in text:
                    traces.append((table.name, needle))
    assert traces == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.removed"))
    assert event.target_id == contact_id and event.actor_user_id == primary_a.user.id


def test_the_primary_contact_cannot_remove_themself(login_as, primary_a):
    response = login_as(primary_a.user).post(
        f"/contactpersonen/{primary_a.id}/verwijderen", follow_redirects=True)
    assert "De primaire contactpersoon kan niet verwijderd worden" in response.get_data(
        as_text=True)
    assert db.session.get(Contact, primary_a.id) is not None


def test_a_contact_corrects_their_own_details_but_not_their_rights(login_as, contact_a,
                                                                   org_b):
    client = login_as(contact_a.user)
    page = client.get("/mijn-contactgegevens").get_data(as_text=True).replace("<wbr>", "")
    assert 'name="has_website_right"' not in page and "karel@a.be" in page
    response = client.post("/mijn-contactgegevens", data={
        "version": str(contact_a.version), "first_name": "Carolus", "last_name": "Gewoon",
        "phone": "09 233 44 55", "function": "Coördinator", "has_advice_right": "",
        "has_website_right": "", "is_primary": "y", "email": "ander@a.be",
        "organisation_id": str(org_b.id)})
    assert response.status_code == 302
    saved = snapshot(contact_a)
    assert (saved["first_name"], saved["phone"], saved["function"]) == (
        "Carolus", "+3292334455", "Coördinator")
    assert saved["has_advice_right"] and saved["has_website_right"]
    assert not saved["is_primary"] and saved["email"] == "karel@a.be"
    assert saved["organisation_id"] == contact_a.organisation_id


def test_own_details_errors_are_dutch_and_change_nothing(login_as, contact_a):
    before = snapshot(contact_a)
    response = login_as(contact_a.user).post("/mijn-contactgegevens", data={
        "version": str(contact_a.version), "first_name": "Carolus", "last_name": "",
        "phone": "12", "function": ""})
    html = response.get_data(as_text=True)
    assert '<p class="error" id="last_name-fout">Vul de achternaam in.' in html
    assert '<p class="error" id="phone-fout">Dit is geen geldig telefoonnummer' in html
    assert snapshot(contact_a) == before


def test_primary_sees_the_roster_in_nav_and_dashboard(login_as, primary_a):
    html = login_as(primary_a.user).get("/").get_data(as_text=True)
    assert 'href="/contactpersonen"' in html and "Contactpersonen" in html


def test_user_rows_stay_consistent_after_adding_without_login(login_as, primary_a):
    login_as(primary_a.user).post("/contactpersonen/nieuw", data=_contact_form())
    assert db.session.scalar(select(User).where(User.email == "els.maes@a.be")) is None


def test_every_state_changing_post_needs_the_csrf_token(app, login_as, primary_a, contact_a):
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot(contact_a)
    client = login_as(primary_a.user)
    for url in ("/contactpersonen/nieuw", f"/contactpersonen/{contact_a.id}/bewerken",
                f"/contactpersonen/{contact_a.id}/verwijderen",
                f"/contactpersonen/{contact_a.id}/primair",
                "/contactpersonen/overdracht/intrekken", "/mijn-contactgegevens",
                "/organisatie"):
        response = client.post(url, data=_edit_form(contact_a, first_name="Zonder token"))
        assert response.status_code == 400, url
    assert snapshot(contact_a) == before
    assert db.session.scalar(select(func.count(Contact.id))) == 2


def test_the_roster_escapes_every_value_it_shows(login_as, primary_a, make_contact, org_a):
    # The rows are written with autoescaping off and each value escaped on its own: markup
    # in any field must come out as text, also on the row with the resend-invitation form.
    hostile = make_contact(org_a, first_name="<b>Els</b>", last_name="\"Maes'&",
                           function="<script>alert(1)</script>", phone="<img src=x>",
                           email="els<i>@a.be")
    hostile.user.password_hash = None  # invited, no password yet: the resend form shows
    db.session.commit()
    page = login_as(primary_a.user).get("/contactpersonen").get_data(as_text=True)
    page = page.replace("<wbr>", "")
    for raw in ("<b>Els</b>", "<script>", "<img src=x>", "els<i>@a.be", "\"Maes'"):
        assert raw not in page, raw
    assert "&lt;b&gt;Els&lt;/b&gt; &#34;Maes&#39;&amp;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x&gt;" in page
    assert "els&lt;i&gt;@a.be" in page
    assert "Uitnodiging opnieuw sturen" in page
    assert f'href="/contactpersonen/{hostile.id}/bewerken"' in page
