"""Handing over the primary role: proposal, acceptance by the person, exactly one primary."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.errors import PolicyError
from portal.extensions import db
from portal.models import AuditEvent, Contact, PrimaryTransfer, User
from portal.roster import transfer as hand_over
from tests.concurrency import run_together
from tests.conftest import log_in


def _primaries(organisation_id: int) -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(select(Contact.id).where(
        Contact.organisation_id == organisation_id, Contact.is_primary)))


def _accept_link(message) -> str:
    match = re.search(r"http://localhost(/contactpersonen/primair/aanvaarden/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _details(contact, **changes):
    data = {"version": str(contact.version), "first_name": contact.first_name,
            "last_name": contact.last_name, "phone": "0470 12 34 56",
            "function": contact.function or ""}
    data.update(changes)
    return data


@pytest.fixture
def proposed(login_as, primary_a, contact_a, outbox):
    """The primary contact of A proposed Karel; returns the path of the mailed link."""
    response = login_as(primary_a.user).post(f"/contactpersonen/{contact_a.id}/primair",
                                             follow_redirects=True)
    assert "We hebben Karel Gewoon een link gemaild" in response.get_data(as_text=True)
    assert len(outbox) == 1 and outbox[0].recipients == ["karel@a.be"]
    return _accept_link(outbox[0])


def test_the_proposal_asks_first_and_changes_nothing_on_get(login_as, primary_a, contact_a):
    page = login_as(primary_a.user).get(f"/contactpersonen/{contact_a.id}/primair")
    assert "Karel Gewoon voorstellen als primaire contactpersoon?" in page.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count(PrimaryTransfer.id))) == 0


def test_the_proposed_person_accepts_and_becomes_the_only_primary(
    app, proposed, primary_a, contact_a, outbox
):
    assert _primaries(primary_a.organisation_id) == [primary_a.id]
    roster = app.test_client()
    log_in(roster, primary_a.user)
    assert "Je hebt Karel Gewoon op" in roster.get("/contactpersonen").get_data(as_text=True)

    karel = app.test_client()
    log_in(karel, contact_a.user)
    dashboard = karel.get("/").get_data(as_text=True)
    assert "Primaire contactpersoon van Organisatie A vzw worden?" in dashboard
    page = karel.get(proposed).get_data(as_text=True)
    assert "Anna Primair stelt je voor als primaire contactpersoon" in page
    response = karel.post(proposed, data=_details(contact_a, function="Directeur"),
                          follow_redirects=True)
    assert "Je bent nu de primaire contactpersoon van Organisatie A vzw." in response.get_data(
        as_text=True)

    assert _primaries(primary_a.organisation_id) == [contact_a.id]
    assert db.session.get(Contact, contact_a.id).function == "Directeur"
    informed = [m for m in outbox if m.recipients == ["anna@a.be"]]
    assert len(informed) == 1
    assert "Karel Gewoon heeft je voorstel aanvaard" in informed[0].body
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "primary_transfer.accepted")).fields == ["is_primary"]
    # Roles follow at once: the old primary may read but no longer manage.
    assert roster.get("/contactpersonen").status_code == 403
    assert roster.get("/organisatie").status_code == 200
    assert karel.get("/contactpersonen").status_code == 200
    # The link works once.
    again = karel.get(proposed)
    assert again.status_code == 400 and "Dit voorstel geldt niet meer" in again.get_data(
        as_text=True)


def test_an_anonymous_visitor_of_the_link_logs_in_first(app, proposed):
    response = app.test_client().get(proposed)
    assert response.status_code == 302 and "/aanmelden" in response.location


@pytest.mark.parametrize("who", ["primary_a", "primary_b", "other_a"])
def test_someone_else_with_the_link_gets_404_and_nothing_changes(
    request, app, proposed, primary_a, contact_a, make_contact, org_a, who
):
    person = (make_contact(org_a) if who == "other_a" else request.getfixturevalue(who))
    client = app.test_client()
    log_in(client, person.user)
    assert client.get(proposed).status_code == 404
    assert client.post(proposed, data=_details(person)).status_code == 404
    assert _primaries(primary_a.organisation_id) == [primary_a.id]


def test_a_withdrawn_proposal_cannot_be_accepted(app, login_as, proposed, primary_a,
                                                 contact_a, outbox):
    response = login_as(primary_a.user).post("/contactpersonen/overdracht/intrekken",
                                             follow_redirects=True)
    assert "Het voorstel is ingetrokken." in response.get_data(as_text=True)
    karel = app.test_client()
    log_in(karel, contact_a.user)
    response = karel.post(proposed, data=_details(contact_a))
    assert response.status_code == 400
    assert _primaries(primary_a.organisation_id) == [primary_a.id]
    assert "is ingetrokken" in outbox[-1].body and outbox[-1].recipients == ["karel@a.be"]


def test_a_proposal_expires_after_14_days(app, proposed, primary_a, contact_a):
    with time_machine.travel(datetime.now(UTC) + timedelta(days=14, minutes=1), tick=False):
        karel = app.test_client()
        log_in(karel, contact_a.user)
        response = karel.get(proposed)
        assert response.status_code == 400
        assert "Deze link is verlopen." in response.get_data(as_text=True)
        with pytest.raises(PolicyError):
            transfer = db.session.scalar(select(PrimaryTransfer))
            hand_over.accept_primary_transfer(transfer.id, db.session.get(User, contact_a.user.id),
                                             _details(contact_a), contact_a.version)
    assert _primaries(primary_a.organisation_id) == [primary_a.id]


def test_a_second_proposal_replaces_the_first(app, login_as, proposed, primary_a, contact_a,
                                              make_contact, org_a, outbox):
    other = make_contact(org_a, first_name="Dirk", last_name="Tweede", email="dirk@a.be")
    login_as(primary_a.user).post(f"/contactpersonen/{other.id}/primair")
    second = _accept_link(outbox[-1])
    assert outbox[-1].recipients == ["dirk@a.be"]
    assert [m.recipients for m in outbox][-2] == ["karel@a.be"]  # told the link ended
    karel = app.test_client()
    log_in(karel, contact_a.user)
    assert karel.post(proposed, data=_details(contact_a)).status_code == 400
    dirk = app.test_client()
    log_in(dirk, other.user)
    assert dirk.post(second, data=_details(other)).status_code == 302
    assert _primaries(primary_a.organisation_id) == [other.id]


def test_a_person_without_login_gets_the_right_and_an_invitation(login_as, primary_a, org_a,
                                                                 make_contact, outbox):
    offline = make_contact(org_a, website=False, email="zonder@a.be")
    login_as(primary_a.user).post(f"/contactpersonen/{offline.id}/primair")
    db.session.rollback()
    assert db.session.get(Contact, offline.id).has_website_right
    bodies = [m.body for m in outbox if m.recipients == ["zonder@a.be"]]
    assert len(bodies) == 2
    assert any("/uitnodiging/" in body for body in bodies)
    assert any("/contactpersonen/primair/aanvaarden/" in body and "wachtwoord" in body
               for body in bodies)


def test_accepting_with_old_details_is_refused(app, proposed, primary_a, contact_a):
    old_version = contact_a.version
    contact = db.session.get(Contact, contact_a.id)
    contact.function = "Intussen gewijzigd"
    db.session.commit()
    karel = app.test_client()
    log_in(karel, contact_a.user)
    html = karel.post(proposed, data=_details(contact_a, version=str(old_version))).get_data(
        as_text=True)
    assert "Iemand anders wijzigde deze gegevens" in html
    assert _primaries(primary_a.organisation_id) == [primary_a.id]


def test_the_database_itself_refuses_a_second_primary(primary_a, contact_a):
    from sqlalchemy.exc import IntegrityError

    contact = db.session.get(Contact, contact_a.id)
    contact.is_primary = True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert _primaries(primary_a.organisation_id) == [primary_a.id]


def _run_at_once(app, jobs):
    """Run the jobs all at once (tests/concurrency.py); each outcome as (kind, value)."""
    return [("ok", result) if not isinstance(result, Exception)
            else ("refused", result.message) if isinstance(result, PolicyError)
            else ("error", repr(result))
            for result in run_together(app, *jobs)]


@pytest.fixture
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite runs one writer at a time anyway)")


def test_two_concurrent_acceptances_keep_exactly_one_primary(app, postgresql_only, primary_a,
                                                             contact_a, make_contact, org_a):
    other = make_contact(org_a)
    now = datetime.now(UTC)
    # Two open proposals at once (as if two proposals crossed each other).
    transfers = [PrimaryTransfer(organisation_id=org_a.id, from_contact_id=primary_a.id,
                                 to_contact_id=person.id, expires_at=now + timedelta(days=14))
                 for person in (contact_a, other)]
    db.session.add_all(transfers)
    db.session.commit()
    jobs = []
    for transfer, person in zip(transfers, (contact_a, other), strict=True):
        transfer_id, user_id, version = transfer.id, person.user.id, person.version
        data = {"first_name": person.first_name, "last_name": person.last_name,
                "phone": "", "function": ""}

        def job(transfer_id=transfer_id, user_id=user_id, version=version, data=data):
            contact_id = hand_over.accept_primary_transfer(
                transfer_id, db.session.get(User, user_id), data, version).id
            db.session.commit()  # each job plays a request
            return contact_id

        jobs.append(job)
    results = _run_at_once(app, jobs)
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    winner = next(value for kind, value in results if kind == "ok")
    assert _primaries(org_a.id) == [winner]


def test_a_double_submitted_acceptance_and_a_withdrawal_at_once(app, postgresql_only,
                                                                primary_a, contact_a, org_a):
    transfer = hand_over.propose_primary_transfer(org_a.id, primary_a.user, contact_a.id)
    db.session.commit()
    transfer_id, user_id, version = transfer.id, contact_a.user.id, contact_a.version
    primary_user_id = primary_a.user.id
    data = {"first_name": "Karel", "last_name": "Gewoon", "phone": "", "function": ""}

    def accept():
        contact_id = hand_over.accept_primary_transfer(
            transfer_id, db.session.get(User, user_id), data, version).id
        db.session.commit()  # each job plays a request
        return contact_id

    def withdraw():
        hand_over.withdraw_primary_transfer(org_a.id, db.session.get(User, primary_user_id))
        db.session.commit()

    results = _run_at_once(app, [accept, accept, withdraw])
    assert all(kind in ("ok", "refused") for kind, _ in results), results
    assert [kind for kind, _ in results[:2]].count("ok") <= 1
    assert len(_primaries(org_a.id)) == 1
