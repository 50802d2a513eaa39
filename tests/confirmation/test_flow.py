"""The guided flow as a primary contact: steps, leaving and resuming, confirming once."""

from sqlalchemy import select

from portal.confirmation import flow
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import format_day, format_iban, format_kbo, format_phone
from portal.models import AuditEvent, Confirmation, Contact, Organisation
from portal.organisation.labels import DATA_FIELDS
from portal.roster.services import roster_ids


def org_form(organisation: Organisation, **changes) -> dict:
    data = {
        "version": organisation.version,
        "name": organisation.name,
        "enterprise_number": format_kbo(organisation.enterprise_number),
        "street": organisation.street,
        "postal_code": organisation.postal_code,
        "municipality": organisation.municipality,
        "phone": format_phone(organisation.phone),
        "email": organisation.email or "",
        "iban": format_iban(organisation.iban),
        "bic": organisation.bic or "",
        "employee_count": organisation.employee_count or "",
        "joint_committee": organisation.joint_committee or "",
        "fte": organisation.fte or "",
    }
    data.update(changes)
    return data


def contact_form(contact: Contact, **changes) -> dict:
    data = {
        "version": contact.version,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": format_phone(contact.phone),
        "function": contact.function or "",
    }
    for right in ("has_advice_right", "has_newsletter_right", "has_website_right"):
        if getattr(contact, right):
            data[right] = "y"
    data.update(changes)
    return data


def confirmation_of(organisation_id: int) -> Confirmation:
    db.session.rollback()
    return db.session.scalar(
        select(Confirmation).where(Confirmation.organisation_id == organisation_id)
    )


def test_primary_contact_walks_the_flow_leaves_resumes_and_confirms(
    app, member, make_contact, open_campaign, login_as
):
    campaign = open_campaign()
    leaver = make_contact(member.organisation, first_name="Sara", last_name="Janssens",
                          website=False)
    client = login_as(member.primary.user)

    page = client.get("/").get_data(as_text=True)
    assert "Jaarlijkse bevestiging 2027" in page
    assert 'href="/bevestiging"' in page
    assert format_day(campaign.deadline) in page  # the deadline, in Dutch

    page = client.get("/bevestiging").get_data(as_text=True)
    assert "Beginnen" in page and "/bevestiging/organisatie" in page

    # Step 1: the organisation form is prefilled; a bad value changes nothing.
    page = client.get("/bevestiging/organisatie").get_data(as_text=True)
    assert 'value="Eerste vzw"' in page
    organisation = db.session.get(Organisation, member.organisation.id)
    response = client.post("/bevestiging/organisatie",
                           data=org_form(organisation, postal_code="99999"))
    assert response.status_code == 200
    assert "has-error" in response.get_data(as_text=True)
    assert confirmation_of(organisation.id).progress == {}

    organisation = db.session.get(Organisation, member.organisation.id)
    response = client.post("/bevestiging/organisatie", data=org_form(
        organisation, municipality="Gentbrugge", phone="02 511 22 34"))
    primary_id, koen_id, sara_id = member.primary.id, member.contact.id, leaver.id
    assert response.status_code == 302
    # Contacts in turn: the primary contact first.
    assert response.headers["Location"].endswith(f"/bevestiging/contactpersonen/{primary_id}")

    # Leave: what was saved stays saved; resume lands on the next step.
    client.get("/")
    assert db.session.get(Organisation, organisation.id).municipality == "Gentbrugge"
    page = client.get("/bevestiging").get_data(as_text=True)
    assert "Verder gaan" in page
    assert f"/bevestiging/contactpersonen/{primary_id}" in page

    # Step 2: each contact in turn.
    page = client.get(f"/bevestiging/contactpersonen/{primary_id}").get_data(as_text=True)
    assert "Nog juist" in page and "Wijzigen" in page
    assert "Verwijderen" not in page  # the primary contact cannot be removed
    response = client.post(f"/bevestiging/contactpersonen/{primary_id}/nog-juist")
    koen = db.session.get(Contact, koen_id)
    janssens_first = koen.last_name > "Janssens"
    next_id = sara_id if janssens_first else koen_id
    assert response.headers["Location"].endswith(f"/bevestiging/contactpersonen/{next_id}")

    page = client.get(f"/bevestiging/contactpersonen/{koen_id}/wijzigen").get_data(as_text=True)
    assert 'value="Claes"' in page
    response = client.post(f"/bevestiging/contactpersonen/{koen_id}/wijzigen",
                           data=contact_form(koen, function="Directeur"))
    assert response.status_code == 302
    assert db.session.get(Contact, koen_id).function == "Directeur"

    page = client.get(f"/bevestiging/contactpersonen/{sara_id}/verwijderen")
    assert "Sara Janssens verwijderen?" in page.get_data(as_text=True)
    assert db.session.get(Contact, sara_id) is not None  # asking is not removing
    response = client.post(f"/bevestiging/contactpersonen/{sara_id}/verwijderen")
    assert response.headers["Location"].endswith("/bevestiging/bevestigen")
    db.session.rollback()
    assert db.session.get(Contact, sara_id) is None

    # Leave again and resume at the last step.
    assert client.get("/bevestiging").get_data(as_text=True).count("/bevestiging/bevestigen")

    # Step 3: a summary of field labels and counts, never values; the box starts unticked.
    page = client.get("/bevestiging/bevestigen").get_data(as_text=True)
    assert "Organisatiegegevens gewijzigd: Telefoon, Gemeente" in page or (
        "Organisatiegegevens gewijzigd: Gemeente, Telefoon" in page)
    assert "1 contactpersoon gewijzigd (Functie)" in page
    assert "1 contactpersoon verwijderd" in page
    # The change summary names fields, never values; above it the page shows the data being
    # confirmed: the organisation and every remaining contact (Sara was removed).
    summary = page.split("Wat er tijdens deze bevestiging gewijzigd is")[1]
    assert "Gentbrugge" not in summary and "Directeur" not in summary
    assert "Gentbrugge" in page and "Directeur" in page and "Sara" not in page
    assert "Ik bevestig dat deze gegevens juist en volledig zijn" in page
    assert "checked" not in page.split('name="agree"')[1].split(">")[0]

    # The server refuses without the ticked box.
    response = client.post("/bevestiging/bevestigen", data={})
    assert response.status_code == 200
    assert "Vink het vakje aan" in response.get_data(as_text=True)
    assert confirmation_of(organisation.id).confirmed_at is None

    response = client.post("/bevestiging/bevestigen", data={"agree": "y"})
    assert response.status_code == 302
    confirmation = confirmation_of(organisation.id)
    assert confirmation.confirmed_at is not None
    assert confirmation.confirmed_by_contact_id == primary_id
    assert confirmation.confirmed_by_name == "Pia Peeters"
    assert confirmation.campaign_id == campaign.id
    assert confirmation.has_changes
    assert {entry["kind"] for entry in confirmation.changes} == {
        "organisation", "contact_updated", "contact_removed"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                      "confirmation.confirmed"))
    assert event.organisation_id == organisation.id
    assert set(event.fields) == {"municipality", "phone", "function"}

    # The banner becomes "bevestigd op"; the flow is closed and confirms only once.
    page = client.get("/").get_data(as_text=True)
    assert "Bevestigd op" in page
    assert "Naar de jaarlijkse bevestiging" not in page
    assert "Bevestigd op" in client.get("/bevestiging").get_data(as_text=True)
    for url in ("/bevestiging/organisatie", "/bevestiging/bevestigen",
                f"/bevestiging/contactpersonen/{koen_id}"):
        assert client.get(url).headers["Location"].endswith("/bevestiging")
    client.post("/bevestiging/bevestigen", data={"agree": "y"})
    count = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "confirmation.confirmed")).all()
    assert len(count) == 1


def test_a_step_left_undone_blocks_confirming(app, member, open_campaign, login_as):
    open_campaign()
    client = login_as(member.primary.user)
    response = client.post("/bevestiging/bevestigen", data={"agree": "y"})
    assert response.headers["Location"].endswith("/bevestiging/organisatie")
    assert confirmation_of(member.organisation.id).confirmed_at is None
    try:
        flow.confirm_annual_data(member.organisation.id, member.primary.user, agreed=True)
    except PolicyError:
        pass
    else:
        raise AssertionError("confirming without the steps should be refused")


def test_the_service_refuses_without_the_declaration_and_twice(app, member, open_campaign):
    open_campaign()
    organisation_id = member.organisation.id
    user = member.primary.user
    flow.save_organisation_step(
        organisation_id, user,
        {name: getattr(member.organisation, name) for name in DATA_FIELDS},
        member.organisation.version,
    )
    for contact_id in roster_ids(organisation_id):
        flow.mark_contact_correct(organisation_id, user, contact_id)
    try:
        flow.confirm_annual_data(organisation_id, user, agreed=False)
    except PolicyError as error:
        assert error.field == "agree"
    else:
        raise AssertionError("confirming without the declaration should be refused")
    confirmation = flow.confirm_annual_data(organisation_id, user, agreed=True)
    assert confirmation.confirmed_at is not None
    assert not confirmation.has_changes
    assert flow.summarise_changes(confirmation.changes).is_empty
    try:
        flow.confirm_annual_data(organisation_id, user, agreed=True)
    except PolicyError:
        pass
    else:
        raise AssertionError("a second confirmation should be refused")


def test_a_stale_organisation_form_saves_nothing(app, member, open_campaign, login_as):
    open_campaign()
    client = login_as(member.primary.user)
    organisation = db.session.get(Organisation, member.organisation.id)
    stale = org_form(organisation, version=organisation.version - 1, municipality="Elders")
    response = client.post("/bevestiging/organisatie", data=stale, follow_redirects=True)
    assert "iemand anders" in response.get_data(as_text=True).lower()
    assert db.session.get(Organisation, organisation.id).municipality == "Gent"
    assert confirmation_of(organisation.id).progress == {}


def test_without_a_campaign_the_flow_says_so(app, member, login_as):
    client = login_as(member.primary.user)
    page = client.get("/bevestiging").get_data(as_text=True)
    assert "geen bevestiging" in page
    assert client.get("/bevestiging/organisatie").status_code == 302
    assert "Jaarlijkse bevestiging" not in client.get("/").get_data(as_text=True)
